# ruff: noqa: E501  (the catalogue is a table: one code per line reads best)
"""The catalogue of every problem, warning, notice and flag code kpiledger raises.

One entry per code: the layer that raises it, its kind, and what it means in Japanese and in
English (the messages themselves carry the details: the cell, the value, what was expected).
docs/codes.md is generated from this list (`python -m kpiledger.core.codes > docs/codes.md`),
and a test checks that every code raised in the source is here, and every code here is raised.

Kinds: `error` — the input is refused with located problems, nothing is written; `warning` —
the report was read, but a person should look (data that may be cut short, a name that
disagrees with the content); `notice` — how the file was read (sheet, encoding); `flag` — a
remark on one KPI (or project: `effect-mismatch`) for the committee, shown beside its
judgement.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    layer: str  # core, reader, import, cli, settings
    kind: str  # error, warning, notice, flag
    ja: str
    en: str


CATALOGUE = (
    # --- core: dates, numbers, codes ------------------------------------------------------------
    Code("unknown-era", "core", "error", "和暦・西暦の日付として読めない", "not a date form kpiledger reads"),
    Code("bad-date", "core", "error", "存在しない日付、またはありえない年（1926〜2200年の外）",
         "a day that does not exist, or a year outside 1926–2200"),
    Code("era-out-of-range", "core", "error", "元号の始まる前の年月（令和1年4月など）",
         "a month before its era began (令和1年4月)"),
    Code("bad-number", "core", "error", "数値として読めないセル", "a cell that is not a number"),
    Code("value-out-of-range", "core", "error", "台帳に入らない大きさ・桁数の数値",
         "a number too large or with too many decimals for the ledger"),
    Code("bad-org-code", "core", "error", "6桁・都道府県・検査数字のいずれかが正しくない団体コード",
         "a local government code with a wrong length, prefecture or check digit"),
    Code("unknown-org-code", "core", "error", "地方公共団体コード表にない団体コード（団体名の指定が必要）",
         "a code not in the table of local governments (a name must be given)"),
    # --- core: flags on a KPI -------------------------------------------------------------------
    Code("rate-mismatch", "core", "flag", "公表された達成率と再計算した達成率の違い",
         "the published achievement rate differs from the recomputed one"),
    Code("missing-years", "core", "flag", "実績値が途中の年度で欠けている", "a year without a value after the first"),
    Code("percent-over-100", "core", "flag", "単位が%なのに100を超える値", "unit % with a value above 100"),
    Code("implausible-jump", "core", "flag", "前年度から10倍以上の変化", "a tenfold change between consecutive years"),
    Code("met-at-baseline", "core", "flag", "基準値で既に目標を満たしている", "the baseline already meets the target"),
    Code("target-year-not-published", "core", "flag", "目標年度の実績値の列がない", "no column for the target year"),
    Code("cumulative-decreases", "core", "flag", "累計値が減っている", "a running total goes down"),
    Code("rate-undefined", "core", "flag", "達成率を算出しない（増加の目標が0以下、減少の実績・目標が負）：実績と目標の比較だけで判定",
         "no achievement rate (an increase target ≤ 0, a negative decrease actual or target): judged by comparison alone"),
    Code("grade-mismatch", "core", "flag", "公表された評価（A・◎・概ね達成など）が、報告書の凡例（なければ一般的な読み）で再計算の状況と違う",
         "the published grade (A, ◎, 概ね達成 …), read by the report's legend (else the common reading), means another status than the recomputed one"),
    Code("effect-mismatch", "core", "flag", "公表された事業効果が、KPIの実績から提案する事業効果（4区分）と違う",
         "the published 事業効果 names another of the four categories than the KPI results suggest"),
    Code("direction-doubtful", "core", "flag", "公表値の推移が推定した向き（高い/低いほど良い）と逆を示唆",
         "the published values suggest the opposite of the inferred direction"),
    # --- reader ---------------------------------------------------------------------------------
    Code("cannot-open", "reader", "error", "ファイルを開けない（ない、権限がない、フォルダ）",
         "the file cannot be opened (missing, no permission, a folder)"),
    Code("unsupported-format", "reader", "error", "読めない種類のファイル（Word文書、画像など）",
         "a kind of file kpiledger cannot read (a Word document, an image)"),
    Code("format-mismatch", "reader", "warning", "ファイル名の拡張子と中身の形式が違う（中身に合わせて読む）",
         "the file name's suffix disagrees with its content (read as its content)"),
    Code("bad-encoding", "reader", "error", "文字コードを判別できないテキスト", "text in an encoding that cannot be told"),
    Code("encoding-detected", "reader", "notice", "UTF-8以外の文字コードとして読んだ", "read in an encoding other than UTF-8"),
    Code("bad-cell", "reader", "error", "セルに分けられない行", "a row that cannot be split into cells"),
    Code("unclosed-quote", "reader", "error", "「\"」で始まって閉じられていないセル", "a quoted cell never closed"),
    Code("bad-workbook", "reader", "error", "壊れている、パスワードで保護された、またはセル数が多すぎる（結合を含め200万超）Excelファイル",
         "a damaged or password-protected workbook, or one with too many cells (over 2,000,000 with merged ranges filled)"),
    Code("no-such-sheet", "reader", "error", "指定されたシートがない", "the named sheet does not exist"),
    Code("sheet-chosen", "reader", "notice", "複数のシートからKPI表のあるシートを選んだ",
         "the sheet with the KPI table was chosen among several"),
    Code("bad-pdf", "reader", "error", "壊れている、暗号化された、または大きすぎるPDF",
         "a damaged, encrypted or too large PDF"),
    Code("scanned-pdf", "reader", "error", "文字の情報がないPDF（スキャン画像。OCRはしない）",
         "a PDF without a text layer (a scan; no OCR)"),
    Code("scanned-page", "reader", "warning", "画像だけで文字の情報がないページ（読んでいない）",
         "a page with only an image (not read)"),
    Code("no-text-pdf", "reader", "error", "文字の情報がないPDF（白紙、図形の文字）", "a PDF with no text at all"),
    Code("no-table-pdf", "reader", "error", "表が見つからないPDF（罫線も、列にそろった文字もない。最初のページで何が見つかったかを示す）",
         "a PDF where no table is found (no rules, no text in columns; says what its first page held)"),
    Code("unmapped-pdf-text", "reader", "warning", "文字に変換できない記号のあるPDFページ",
         "a PDF page with glyphs that map to no character"),
    Code("damaged-export", "reader", "error", "kpiledgerのJSON・オープンデータCSV・データパッケージの壊れた箇所（キーや列の値がない、型が違う）",
         "a damaged kpiledger JSON, open-data CSV or data package (a missing key or value, a wrong type)"),
    Code("not-a-report", "reader", "error", "KPI表の見出し行がない（KPI実績報告ではない）",
         "no KPI table header: not a KPI report"),
    Code("missing-column", "reader", "error", "見出しに必要な列（事業の名称・指標・指標値・年月・年度）がない",
         "the header lacks a needed column (name, indicator, target, date, years)"),
    Code("ambiguous-column", "reader", "error", "二つ以上の項目に読める見出し、または横に並べた指標①・指標②", "a heading that could be two roles, or KPIs side by side"),
    Code("unknown-year-column", "reader", "error", "年度の列として読めない見出し", "a year heading that cannot be read"),
    Code("duplicate-column", "reader", "error", "同じ年度の実績の列が二つある", "two actual columns for one year"),
    Code("target-actual-rows", "reader", "error", "目標の行と実績の行が分かれた表（区分の列に目標・実績）：読まない",
         "a table with a row of targets and a row of actuals per KPI (a 区分 column): not read"),
    Code("cell-year-mismatch", "reader", "error", "基準値・目標値のセルの括弧内の年度が、基準年度・年月の列や見出しと違う",
         "the year in brackets in a baseline or target cell differs from the baseline-year or date column or heading"),
    Code("bad-time-point", "reader", "error", "実績値の把握時点のセルが年度にも年月にも読めない",
         "a per-row time point that is neither a fiscal year nor a month"),
    Code("calendar-year", "reader", "error", "実績値の把握時点が暦年（2022年・令和4年）：どの年度か決めない",
         "a per-row time point that is a calendar year (2022年): no fiscal year is guessed"),
    Code("ambiguous-increments", "reader", "error", "実績が各年度の増加分か累計か、目標が増加分の累計か水準か、見出し・集計・指標から決められない",
         "whether the actuals are yearly increments or running totals (and the target their sum or a level) cannot be told from the headings, 集計 or the indicator"),
    Code("bad-direction", "reader", "error", "方向の列の値が増加・減少などとして読めない", "a 方向 cell that is not increase or decrease"),
    Code("bad-aggregation", "reader", "error", "集計の列の値が累計・年間・水準などとして読めない", "a 集計 cell that is not cumulative, annual or level"),
    Code("kpi-without-project", "reader", "error", "事業の名称より前の指標の行", "a KPI row before any project name"),
    Code("missing-indicator", "reader", "error", "指標の名前がない行に値がある", "values on a row without an indicator"),
    Code("missing-target", "reader", "error", "目標値のない指標", "a KPI without a target"),
    Code("missing-target-date", "reader", "error", "目標年月のない指標", "a KPI without a target date"),
    Code("truncated-row", "reader", "error", "途中で切れている行", "a row cut short"),
    Code("conflicting-spent", "reader", "error", "一つの事業に異なる実績額（または総事業費・交付金額）が2つある",
         "one project with two different amounts spent (実績額), total costs or grant amounts"),
    Code("duplicate-project", "reader", "error", "同じ名前の事業が別の区分にもある",
         "a project name in both sections"),
    Code("duplicate-indicator", "reader", "error", "一つの事業に同じ指標が二つ", "one indicator twice in a project"),
    Code("kpi-count-mismatch", "reader", "error", "1つの行に複数のKPIを書いたセルで、項目（・や改行で区切った値）の数がセルごとに違う",
         "a row holding several KPIs (bullets, ・-joined values) whose cells hold different numbers of items"),
    Code("ambiguous-kpi-split", "reader", "error", "1つの行の複数のKPIの対応が決められない（名前の中の・、番号の違い、値の単位の違い）",
         "a row holding several KPIs whose items cannot be paired for sure (・ inside a name, other numbering, a value's unit)"),
    Code("project-without-kpi", "reader", "error", "指標の行がない事業", "a project without a KPI row"),
    Code("no-kpi-rows", "reader", "error", "KPIの行が一つもない", "no KPI row at all"),
    Code("possibly-truncated", "reader", "warning", "ファイルが途中で切れているおそれ", "the file may be cut short"),
    Code("unit-mismatch", "reader", "flag", "値に書かれた単位が単位欄と違う", "a unit in a value cell differs from 単位"),
    Code("published-grade", "reader", "flag", "公表された評価（評価・達成状況・判定の列）をそのまま記録",
         "the published grade (評価 / 達成状況 / 判定 column), kept as published"),
    Code("forecast-not-read", "reader", "flag", "見込・計画の列の値、または把握時点が見込・計画の値（実績として読まない）",
         "a value in a forecast column, or whose time point says it is a forecast (not read as an actual)"),
    Code("time-point-assumed", "reader", "flag", "把握時点が空欄の実績値を報告年度の値として読んだ",
         "an actual whose per-row time point is blank, read as the report year's"),
    Code("mixed-period", "reader", "flag", "1つのKPIの値に「累計」と「年間」が混在（集計方法は値から決めない）",
         "累計 and 年間 mixed in one KPI's values (the aggregation is not taken from them)"),
    # --- import (the ledger) --------------------------------------------------------------------
    Code("ledger-busy", "import", "error", "別の取込が台帳を使用中（60秒待っても終わらない）",
         "another import holds the ledger (still after 60 s)"),
    Code("text-too-long", "import", "error", "台帳の欄に入らない長さの文字列", "a text too long for its ledger field"),
    Code("revised-after-publication", "import", "flag", "公表後に台帳で訂正された実績値",
         "an actual corrected in the ledger after publication"),
    Code("duplicate-report", "import", "error", "同じ取込で既に取り込んだ、同じ団体・年度の別の報告書（複数ファイルの取込）",
         "another report of the same organization and year already imported in the same run (many files)"),
    Code("import-failed", "import", "error", "ファイルの取込中の予期しないエラー（複数ファイルの取込：他のファイルは続行）",
         "an unexpected error while importing one file (many files: the others go on)"),
    # --- command line and settings ---------------------------------------------------------------
    Code("unknown-kpi", "cli", "error", "--direction で指定した指標が報告書にない", "--direction names an indicator the report does not have"),
    Code("year-not-in-report", "cli", "error", "報告書の年度の範囲外の --year", "a --year outside the report's years"),
    Code("unencodable", "cli", "error", "指定の文字コードで表せない文字（CSV出力）",
         "a character the chosen CSV encoding cannot write"),
    Code("bad-host", "cli", "error", "待ち受けできない --host", "a --host that cannot be listened on"),
    Code("cannot-listen", "cli", "error", "使用中などで待ち受けできないポート", "a port that cannot be listened on"),
    Code("org-not-in-ledger", "cli", "error", "台帳にない団体の --org（export）", "an --org the ledger does not have (export)"),
    Code("year-not-in-ledger", "cli", "error", "台帳にその団体の報告書がない --year（export）",
         "a --year for which the ledger has no report of the organization (export)"),
    Code("cannot-write", "cli", "error", "書き込めない出力先 -o（フォルダ、ないフォルダ、権限なし）",
         "an -o that cannot be written (a folder, a missing folder, no permission)"),
    Code("binary-to-terminal", "cli", "error", "端末に書き出せない形式（xlsx・pdf・datapackage）で -o なし",
         "a binary format (xlsx, pdf, datapackage) to a terminal without -o"),
    Code("pdf-unavailable", "cli", "error", "PDFを書き出せない（WeasyPrintまたはPango・日本語フォントがない）",
         "a PDF cannot be written (WeasyPrint, Pango or the Japanese fonts are missing)"),
    Code("database-unavailable", "cli", "error", "接続できないデータベース", "a database that cannot be reached"),
    Code("no-org-code", "cli", "error", "団体が分からないファイル（名前の先頭に団体コードがなく、--manifest にも --org もない）",
         "a file whose organization is unknown (no code at the start of its name, not in --manifest, no --org)"),
    Code("bad-manifest", "cli", "error", "読めない --manifest（見出し行、空欄、重複、文字コード）",
         "a --manifest that cannot be read (header row, blanks, duplicates, encoding)"),
    Code("one-file-only", "cli", "error", "1つのファイルの取込でだけ使える指定（--direction、標準入力）を複数ファイルで使った",
         "an option for one file only (--direction, standard input) given with several files"),
    Code("national-required", "cli", "error", "demo-data で作るデータの指定がない（--national）",
         "demo-data without the dataset to make (--national)"),
    Code("ledger-not-empty", "cli", "error", "台帳に demo-data の合成データ（同じシード・形式）以外のデータがある",
         "the ledger holds data other than demo-data's synthetic dataset (same seed and format)"),
    Code("output-not-folder", "cli", "error", "書き出し先（-o）がフォルダではない", "the output (-o) is not a folder"),
    Code("output-not-empty", "cli", "error", "書き出し先（-o）が空ではなく、このコマンドで作ったものでもない",
         "the output folder (-o) is not empty and was not made by this command"),
    Code("output-parent-missing", "cli", "error", "書き出し先（-o）の親フォルダがない", "the output's (-o) parent folder does not exist"),
    Code("output-cannot-write", "cli", "error", "書き出し先（-o）に書き込めない", "the output folder (-o) cannot be written"),
    Code("nothing-to-publish", "cli", "error", "公表された報告書が台帳にない（publish --all）",
         "the ledger holds no published report (publish --all)"),
    Code("bad-setting", "settings", "error", "正しくない環境変数（KPILEDGER_*）", "a wrong KPILEDGER_* environment variable"),
)  # fmt: skip

CODES = {entry.code: entry for entry in CATALOGUE}

KIND_LABELS = {
    "error": "エラー（何も書き込まない）/ error",
    "warning": "警告 / warning",
    "notice": "お知らせ / notice",
    "flag": "指摘（KPI・事業ごと）/ flag",
}


def render() -> str:
    """docs/codes.md: the catalogue as a table, grouped by layer."""
    lines = [
        "# Problem, warning and flag codes",
        "",
        "Generated from `kpiledger.core.codes` by `python -m kpiledger.core.codes > docs/codes.md`;"
        " a test fails when a code raised in the source is missing here, or listed but never"
        " raised.",
        "",
        "| code | layer | kind | 意味 | meaning |",
        "|---|---|---|---|---|",
    ]
    for entry in CATALOGUE:
        lines.append(
            f"| `{entry.code}` | {entry.layer} | {KIND_LABELS[entry.kind]} | {entry.ja} |"
            f" {entry.en} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render())
