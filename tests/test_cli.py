"""The `kpiledger` command line: evaluate the bundled reference report, the formats, the
`--nearly` setting, and bad input (exit 2, bilingual located messages, nothing half-output).

Expectations were worked out by hand from the reference report (see test_reference_report.py).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.cli.main import main

REPORT_PATH = (
    Path(__file__).resolve().parents[1] / "src" / "kpiledger" / "data" / "kushiro_r5_kpi_report.txt"
)
RAW = REPORT_PATH.read_text(encoding="utf-8")

PROJECT_NAMES = [
    "釧路市ビジネスサポートセンターk-Bizを核とした「しごと創生」事業",
    "アドベンチャートラベル推進事業～地方における持続可能な世界一級の観光地域づくり～",
    "釧路市におけるテレワーク等推進事業～仕事ができる場所から、働きたい地域へ、行きたいところへ～",
    "音別地域交流拠点施設整備事業",
    "新しい生活様式・新しい旅のスタイルに対応した釧路市におけるテレワーク等推進事業",
    "行政手続きのオンライン化推進事業",
    "児童生徒の学習系データ・校務系データの連携・活用による教育環境の構築",
]
KPI_COUNT = 24  # 3 + 3 + 2 + 3 + 4 + 4 + 5 rows in the published table
KBIZ_VISITS = "釧路市ビジネスサポートセンターk-Bizの来所相談件数"  # 1878/2300 → 81.7
NATIONAL_TEST = "全国学力・学習状況調査の平均正答率の状況"  # 97.7/98 → 99.7
OTOBETSU_USERS = "音別地域交流拠点施設利用者数"  # 35245/16000 → 220.3

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z][A-Za-z-]*){2,}")  # a few English words in a row


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def squash(text: str) -> str:
    """Remove all whitespace (a long project name may wrap in a table title)."""
    return re.sub(r"\s+", "", text)


def kpis_by_indicator(data: dict) -> dict[str, dict]:
    return {k["indicator"]: k for p in data["projects"] for k in p["kpis"]}


# --- evaluate, table format -----------------------------------------------------------------


def test_evaluate_table_shows_every_project_labels_and_counts(capsys):
    status, out, err = run(capsys, "evaluate")
    assert status == 0, err
    flat = squash(out)
    assert "令和5年度デジタル田園都市国家構想交付金事業の実績" in flat
    for name in PROJECT_NAMES:
        assert name in flat, name
    for label in ("概ね達成", "未達成"):
        assert label in out
    assert re.search(r"(?<![未ね])達成", out)  # 達成 on its own, not only inside 未達成/概ね達成
    assert "220.3" in out and "81.7" in out and "83.3" in out
    # summary counts (by hand): 24 KPIs, 14 achieved, 4 nearly, 6 not achieved
    assert re.search(r"KPI\D{0,3}24(?!\d)", out)
    assert re.search(r"(?<![未ね])達成\D{0,3}14(?!\d)", out)
    assert re.search(r"概ね達成\D{0,3}4(?!\d)", out)
    assert re.search(r"未達成\D{0,3}6(?!\d)", out)
    assert "Traceback" not in out + err


# --- evaluate, csv format -------------------------------------------------------------------


def test_evaluate_csv(capsys):
    status, out, err = run(capsys, "evaluate", "--format", "csv")
    assert status == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 1 + KPI_COUNT
    header, body = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in body)
    assert "指標" in header and "達成率" in header and "状況" in header
    records = [dict(zip(header, row, strict=True)) for row in body]
    by_indicator = {r["指標"]: r for r in records}
    assert len(by_indicator) == KPI_COUNT

    otobetsu = by_indicator[OTOBETSU_USERS]
    assert otobetsu["達成率"] == "220.3"
    assert otobetsu["状況"] in ("achieved", "達成")
    assert "35245" in otobetsu.values() or "35,245" in otobetsu.values()

    kbiz = by_indicator[KBIZ_VISITS]
    assert kbiz["達成率"] == "81.7"
    assert kbiz["状況"] in ("nearly_achieved", "概ね達成")

    schools = by_indicator["標準学力検査結果平均正答率が全国比-5ポイント以下の学校数"]
    assert schools["達成率"] == "83.3"  # decrease: 5/6
    assert schools["状況"] in ("nearly_achieved", "概ね達成")

    satisfaction = by_indicator["アンケートによる施設予約システム利用者満足度"]
    assert satisfaction["達成率"] == "133.6"
    assert "73.5" in satisfaction.values()
    assert not any(re.search(r"\.\d*(0000|9999)\d", cell) for row in body for cell in row)


# --- --nearly -------------------------------------------------------------------------------


def test_nearly_default_80(capsys):
    status, out, err = run(capsys, "evaluate", "--format", "json")
    assert status == 0, err
    kpis = kpis_by_indicator(json.loads(out, parse_float=Decimal))
    assert kpis[KBIZ_VISITS]["status"] == "nearly_achieved"
    assert kpis[NATIONAL_TEST]["status"] == "nearly_achieved"


def test_nearly_90_changes_81_7_but_not_99_7(capsys):
    status, out, err = run(capsys, "evaluate", "--format", "json", "--nearly", "90")
    assert status == 0, err
    data = json.loads(out, parse_float=Decimal)
    kpis = kpis_by_indicator(data)
    assert kpis[NATIONAL_TEST]["achievement_rate"] == Decimal("99.7")
    assert kpis[NATIONAL_TEST]["status"] == "nearly_achieved"
    assert kpis[KBIZ_VISITS]["achievement_rate"] == Decimal("81.7")
    assert kpis[KBIZ_VISITS]["status"] == "not_achieved"
    # by hand: of the four nearly achieved (81.7, 86.8, 83.3, 99.7) only 99.7 stays
    assert data["summary"] == {
        "kpis": 24,
        "achieved": 14,
        "nearly_achieved": 1,
        "not_achieved": 9,
        "no_data": 0,
        "not_due": 0,
    }
    effects = {p["name"]: p["effect_suggestion"] for p in data["projects"]}
    # 学校数 (83.3) is now below the threshold, so 教育環境 is no longer 相当程度
    assert effects[PROJECT_NAMES[6]] == "地方創生に効果があった"


def test_nearly_90_in_the_table(capsys):
    status, out, _err = run(capsys, "evaluate", "--nearly", "90")
    assert status == 0
    assert re.search(r"概ね達成\D{0,3}1(?!\d)", out)
    assert re.search(r"未達成\D{0,3}9(?!\d)", out)


@pytest.mark.parametrize("value", ["abc", "150", "-1", "nan"])
def test_nearly_invalid_is_an_argparse_error(capsys, value):
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "--nearly", value])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--nearly" in captured.err
    assert "Traceback" not in captured.err


# --- bad input ------------------------------------------------------------------------------


def replace_cell(line_no: int, column: int, new: str) -> str:
    """The reference report with one cell (1-based line and column) replaced."""
    lines = RAW.split("\n")
    cells = lines[line_no - 1].split("\t")
    cells[column - 1] = new
    lines[line_no - 1] = "\t".join(cells)
    return "\n".join(lines)


def assert_clean_failure(status: int, out: str, err: str) -> None:
    assert status == 2, err
    assert out == "", "nothing may be half-reported on stdout"
    assert "Traceback" not in out + err
    # the problem itself (not only the summary line "エラー: …" / "Error: …") is bilingual
    body = "\n".join(
        line for line in err.splitlines() if not line.startswith(("エラー:", "Error:"))
    )
    assert JAPANESE.search(body), err
    assert ENGLISH.search(body), err


def test_hand_made_bad_files_hit_the_right_cells():
    """Guards the bad-file fixtures below: they change exactly the intended cell."""
    line11 = RAW.split("\n")[10].split("\t")
    assert line11[2] == KBIZ_VISITS and line11[10] == "1,878"
    line12 = RAW.split("\n")[11].split("\t")
    assert line12[5] == "R6.3"


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_not_a_report(capsys, tmp_path, fmt):
    path = tmp_path / "letter.txt"
    path.write_text("拝啓\nこれは報告書ではありません。\nDear reader, this is a letter.\n")
    status, out, err = run(capsys, "evaluate", str(path), "--format", fmt)
    assert_clean_failure(status, out, err)
    assert "1行目" in err and "line 1" in err


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_non_number_cell(capsys, tmp_path, fmt):
    path = tmp_path / "bad_number.txt"
    path.write_text(replace_cell(11, 11, "abc"), encoding="utf-8")
    status, out, err = run(capsys, "evaluate", str(path), "--format", fmt)
    assert_clean_failure(status, out, err)
    assert "11行目" in err and "line 11" in err
    assert "abc" in err


@pytest.mark.parametrize("era", ["X6.3", "天平6年3月"])
def test_unknown_era(capsys, tmp_path, era):
    path = tmp_path / "bad_era.txt"
    path.write_text(replace_cell(12, 6, era), encoding="utf-8")
    status, out, err = run(capsys, "evaluate", str(path), "--format", "json")
    assert_clean_failure(status, out, err)
    assert "12行目" in err and "line 12" in err
    assert era in err


def test_several_problems_are_all_reported(capsys, tmp_path):
    text = replace_cell(11, 11, "abc")
    lines = text.split("\n")
    cells = lines[11].split("\t")
    cells[5] = "X6.3"
    lines[11] = "\t".join(cells)
    path = tmp_path / "two_problems.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    status, out, err = run(capsys, "evaluate", str(path))
    assert_clean_failure(status, out, err)
    assert "line 11" in err and "line 12" in err


def test_missing_file(capsys, tmp_path):
    path = tmp_path / "no_such_report.txt"
    status, out, err = run(capsys, "evaluate", str(path))
    assert_clean_failure(status, out, err)
    assert "no_such_report.txt" in err


@pytest.mark.parametrize("name", ["random.txt", "random.bin"])
def test_binary_file_of_random_bytes(capsys, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(random.Random(20240331).randbytes(4096))
    status, out, err = run(capsys, "evaluate", str(path))
    assert_clean_failure(status, out, err)


# --- help -----------------------------------------------------------------------------------


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "evaluate" in out


def test_evaluate_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--format" in out and "--nearly" in out


# --- the installed command, end to end ------------------------------------------------------


def command() -> list[str]:
    script = Path(sys.executable).parent / "kpiledger"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "kpiledger.cli.main"]


def test_console_script_end_to_end():
    done = subprocess.run(
        [*command(), "evaluate", "--format", "json"],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout, parse_float=Decimal)
    assert data["summary"]["kpis"] == KPI_COUNT
    assert [p["name"] for p in data["projects"]] == PROJECT_NAMES
    assert kpis_by_indicator(data)[OTOBETSU_USERS]["achievement_rate"] == Decimal("220.3")


def test_module_entry_end_to_end(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kpiledger.cli.main", "evaluate", "--format", "csv"],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(list(csv.reader(io.StringIO(done.stdout)))) == 1 + KPI_COUNT


def test_console_script_bad_file_end_to_end(tmp_path):
    path = tmp_path / "bad_number.txt"
    path.write_text(replace_cell(11, 11, "abc"), encoding="utf-8")
    done = subprocess.run(
        [*command(), "evaluate", str(path)],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert_clean_failure(done.returncode, done.stdout, done.stderr)
    assert "line 11" in done.stderr


def test_report_notes_are_kept_in_json_and_table(tmp_path, capsys):
    from kpiledger.cli.main import main, reference_report_path

    text = reference_report_path().read_text(encoding="utf-8") + "\n※ 実績値は各年度末時点\n"
    path = tmp_path / "with_notes.txt"
    path.write_text(text, encoding="utf-8")
    assert main(["evaluate", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["notes"] == ["※ 実績値は各年度末時点"]
    assert main(["evaluate", str(path)]) == 0
    assert "※ 実績値は各年度末時点" in capsys.readouterr().out


# --- published text is shown literally (issue 6) ---------------------------------------------

MARKUP_TEXTS = {
    "indicator": "[red]利用者数[/red] [link=https://x]x[/link]",
    "stray": "[/x]利用者数",
    "project": "しごと[bold]創生[/bold]事業 :smile:",  # a leading [x] would be a grant
    "unit": "[i]件[/i]",
    "title": "## [blink]令和5年度[/blink] KPI実績 :thumbs_up:",
    "note": "※ [dim]注[/dim] :warning: [/]",
}


def markup_report() -> str:
    """The reference report with rich markup, emoji codes and a stray closing tag in its title,
    a project name, indicators, a unit and a note."""
    text = replace_cell(11, 3, MARKUP_TEXTS["indicator"])
    lines = text.split("\n")
    lines[2] = MARKUP_TEXTS["title"]
    for line_no, column, new in ((12, 3, MARKUP_TEXTS["stray"]), (10, 1, MARKUP_TEXTS["project"]),
                                 (12, 5, MARKUP_TEXTS["unit"])):  # fmt: skip
        cells = lines[line_no - 1].split("\t")
        cells[column - 1] = new
        lines[line_no - 1] = "\t".join(cells)
    return "\n".join(lines) + "\n" + MARKUP_TEXTS["note"] + "\n"


def test_report_text_is_shown_literally_in_the_table(capsys, tmp_path):
    lines = markup_report().split("\n")  # the fixture changed exactly the intended cells
    assert lines[10].split("\t")[2] == MARKUP_TEXTS["indicator"]
    assert lines[11].split("\t")[2] == MARKUP_TEXTS["stray"]
    assert lines[11].split("\t")[4] == MARKUP_TEXTS["unit"]
    assert lines[9].split("\t")[0] == MARKUP_TEXTS["project"]
    path = tmp_path / "markup.txt"
    path.write_text(markup_report(), encoding="utf-8")
    status, out, err = run(capsys, "evaluate", str(path))
    assert status == 0, err
    flat = squash(out)
    for text in MARKUP_TEXTS.values():
        assert squash(text.removeprefix("## ")) in flat, text
    assert "Traceback" not in out + err


def test_print_report_shows_text_literally_on_any_console(tmp_path):
    """Whatever the console's settings (markup and emoji on), report text is never markup."""
    from rich.console import Console

    from kpiledger.cli.table import print_report
    from kpiledger.core.evaluate import evaluate_report
    from kpiledger.io.readers import read_report

    path = tmp_path / "markup.txt"
    path.write_text(markup_report(), encoding="utf-8")
    console = Console(file=io.StringIO(), width=250, markup=True, emoji=True)
    print_report(evaluate_report(read_report(path)), console)
    flat = squash(console.file.getvalue())  # type: ignore[attr-defined]
    for text in MARKUP_TEXTS.values():
        assert squash(text.removeprefix("## ")) in flat, text
    assert "地方創生拠点整備交付金" in flat  # the grant, in the project's title


def test_control_characters_are_shown_not_sent_to_the_terminal(capsys, tmp_path):
    path = tmp_path / "escape.txt"
    path.write_text(replace_cell(11, 3, "来所\x1b[2J相談\x07件数"), encoding="utf-8")
    status, out, err = run(capsys, "evaluate", str(path))
    assert status == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert "来所\\x1b[2J相談\\x07件数" in out


def test_control_characters_in_problems_are_shown_not_sent_to_the_terminal(capsys, tmp_path):
    path = tmp_path / "escape.txt"
    path.write_text(replace_cell(11, 11, "1\x1b[2J"), encoding="utf-8")
    status, out, err = run(capsys, "evaluate", str(path))
    assert_clean_failure(status, out, err)
    assert "\x1b" not in err and "1\\x1b[2J" in err


# --- values the system does not keep (issue 6) -----------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize(
    "value",
    ["1" + "0" * 30, "99999999999999999999999999999", "0." + "0" * 29 + "1", "1000億", "1.23456"],
)
def test_value_out_of_range_is_a_located_problem(capsys, tmp_path, fmt, value):
    path = tmp_path / "huge.txt"
    path.write_text(replace_cell(11, 11, value), encoding="utf-8")
    status, out, err = run(capsys, "evaluate", str(path), "--format", fmt)
    assert_clean_failure(status, out, err)
    assert "[value-out-of-range]" in err
    assert "11行目 11列目 「R5年度」" in err and "line 11, column 11 (R5年度)" in err
    assert value in err


@pytest.mark.parametrize(
    ("inside", "outside"),
    [
        ("99,999,999,999.9999", "100,000,000,000"),
        ("△99,999,999,999.9999", "△100,000,000,000"),
        ("999.99999999億", "1000億"),
        ("0.0001", "0.00001"),
        ("1.50000", "1.50001"),
    ],
)
def test_the_value_bound_is_exact_at_its_edges(capsys, tmp_path, inside, outside):
    for value, expected in ((inside, 0), (outside, 2)):
        path = tmp_path / "edge.txt"
        path.write_text(replace_cell(11, 11, value), encoding="utf-8")
        for fmt in ("table", "json", "csv"):
            status, _out, err = run(capsys, "evaluate", str(path), "--format", fmt)
            assert status == expected, (value, fmt, err)


# --- options (issue 6) -----------------------------------------------------------------------


def assert_option_error(capsys, argv: list[str], option: str, expected: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert option in captured.err and expected in captured.err
    assert JAPANESE.search(captured.err) and ENGLISH.search(captured.err)
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    "year", ["0", "-5", "99999", "100000000000000000000", "1925", "2201", "1" + "0" * 5000]
)
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_year_outside_the_era_bounds_is_an_argparse_error(capsys, year, fmt):
    argv = ["evaluate", f"--year={year}", "--format", fmt]
    assert_option_error(capsys, argv, "--year", "1926〜2200")


@pytest.mark.parametrize("year", ["abc", "2023.5", ""])
def test_year_not_a_whole_number_is_an_argparse_error(capsys, year):
    assert_option_error(capsys, ["evaluate", f"--year={year}"], "--year", "整数ではありません")


@pytest.mark.parametrize("year", ["1926", "2018", "2024", "2200"])
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_year_outside_the_reports_years_names_them(capsys, year, fmt):
    status, out, err = run(capsys, "evaluate", "--year", year, "--format", fmt)
    assert_clean_failure(status, out, err)
    assert "[year-not-in-report]" in err
    assert f"{year}年度" in err and f"FY{year}" in err
    assert "2019〜2023年度（R1年度〜R5年度）" in err and "2019 to 2023" in err


def test_only_the_reports_own_years_are_judged(capsys):
    judged = {}
    for year in range(2017, 2026):
        status, out, _err = run(capsys, "evaluate", "--year", str(year), "--format", "json")
        judged[year] = json.loads(out)["fiscal_year"] if status == 0 else status
    assert judged == {2017: 2, 2018: 2, 2019: 2019, 2020: 2020, 2021: 2021, 2022: 2022,
                      2023: 2023, 2024: 2, 2025: 2}  # fmt: skip


def option_parser(kind):
    import argparse

    parser = argparse.ArgumentParser(prog="kpiledger serve")
    parser.add_argument("--value", type=kind)
    return parser


@pytest.mark.parametrize(
    ("name", "good", "bad", "bounds"),
    [
        ("port_number", ["1", "8000", "65535"], ["0", "-1", "65536", "99999999999999999999"],
         "1〜65535"),
        ("thread_count", ["1", "8", "64"], ["0", "-3", "65", "100000000000000000000"], "1〜64"),
    ],
)  # fmt: skip
def test_port_and_thread_validators(capsys, name, good, bad, bounds):
    from kpiledger.cli import main as cli

    kind = getattr(cli, name)
    parser = option_parser(kind)
    for text in good:
        assert parser.parse_args([f"--value={text}"]).value == int(text)
    for text in [*bad, "abc", "1.5", ""]:
        with pytest.raises(SystemExit) as exc:
            parser.parse_args([f"--value={text}"])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert "--value" in err and "Traceback" not in err
        assert JAPANESE.search(err) and ENGLISH.search(err)
        assert bounds in err or "整数ではありません" in err


# --- a new user's first hour (issue 7) -------------------------------------------------------


def test_missing_file_says_why_in_japanese_too(capsys, tmp_path):
    status, out, err = run(capsys, "evaluate", str(tmp_path / "none.txt"))
    assert_clean_failure(status, out, err)
    assert "ファイルがありません" in err and "No such file" in err
    status, out, err = run(capsys, "evaluate", str(tmp_path))
    assert_clean_failure(status, out, err)
    assert "フォルダです" in err


def test_standard_input_is_read_for_a_dash():
    done = subprocess.run(
        [*command(), "evaluate", "-", "--format", "json"],
        input=REPORT_PATH.read_bytes(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    data = json.loads(done.stdout, parse_float=Decimal)
    assert data["summary"]["kpis"] == KPI_COUNT
    assert kpis_by_indicator(data)[KBIZ_VISITS]["achievement_rate"] == Decimal("81.7")


def test_bad_standard_input_is_a_clean_failure():
    done = subprocess.run(
        [*command(), "evaluate", "-"],
        input="拝啓\nこれは報告書ではありません。\n".encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == b"" and b"Traceback" not in done.stderr


def comma_separated(text: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(line.split("\t") for line in text.split("\n"))
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_a_comma_separated_txt_is_read_as_csv(capsys, tmp_path, encoding):
    """A CSV saved as .txt is read from its content (commas), to the very same judgement."""
    path = tmp_path / "report.txt"
    path.write_bytes(comma_separated(RAW).encode(encoding))
    status, out, err = run(capsys, "evaluate", str(path), "--format", "json")
    assert status == 0, err
    _, reference, _ = run(capsys, "evaluate", "--format", "json")
    result = json.loads(out, parse_float=Decimal)
    notices = result.pop("warnings", [])  # the encoding guessed, at most
    assert result == json.loads(reference, parse_float=Decimal)
    assert len(kpis_by_indicator(result)) == KPI_COUNT
    assert {w["code"] for w in notices} <= {"encoding-detected"}
    assert "Traceback" not in err
    assert set(re.findall(r"\[([a-z-]+)\]", err)) <= {"encoding-detected"}, err


def test_prose_with_commas_is_not_taken_for_csv(capsys, tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text("A, B, C and D\nOne, two\nThree, four, five, six, seven\n", encoding="utf-8")
    status, out, err = run(capsys, "evaluate", str(path))
    assert_clean_failure(status, out, err)
    assert err.count("[") == 1, err  # one problem: prose is no report, whatever its commas
    assert "[not-a-report] 1行目" in err and "line 1:" in err


def test_csv_gives_the_japanese_wording_beside_each_code(capsys):
    status, out, err = run(capsys, "evaluate", "--format", "csv")
    assert status == 0, err
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    records = {r["指標"]: r for r in (dict(zip(rows[0], row, strict=True)) for row in rows[1:])}
    kbiz = records[KBIZ_VISITS]
    assert (kbiz["状況"], kbiz["状況コード"]) == ("概ね達成", "nearly_achieved")
    assert (kbiz["方向"], kbiz["方向コード"]) == ("高いほど良い", "increase")
    assert (kbiz["集計"], kbiz["集計コード"]) == ("年間値", "annual")
    schools = records["標準学力検査結果平均正答率が全国比-5ポイント以下の学校数"]
    assert (schools["方向"], schools["方向コード"]) == ("低いほど良い", "decrease")
    labels = {"達成", "概ね達成", "未達成", "実績なし", "目標年度前"}
    assert {r["状況"] for r in records.values()} <= labels
    assert rows[0].index("状況") + 1 == rows[0].index("状況コード")  # side by side


def test_csv_progress_is_worded_when_judged_before_the_target_year(capsys):
    status, out, err = run(capsys, "evaluate", "--format", "csv", "--year", "2022")
    assert status == 0, err
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    worded = {(r["進捗見込み"], r["進捗見込みコード"]) for r in records if r["進捗見込みコード"]}
    assert worded and worded <= {
        ("順調", "on_track"),
        ("加速が必要", "needs_acceleration"),
        ("進捗が限定的", "limited"),
        ("悪化", "deterioration"),
    }


def test_judged_before_every_target_no_effect_is_suggested(capsys):
    status, out, err = run(capsys, "evaluate", "--year", "2022", "--format", "json")
    assert status == 0, err
    data = json.loads(out)
    assert data["summary"]["not_due"] == KPI_COUNT
    assert [p["effect_suggestion"] for p in data["projects"]] == [None] * len(PROJECT_NAMES)
    assert "効果がなかった" not in out


def test_the_table_says_which_columns_are_not_judged(capsys):
    status, out, err = run(capsys, "evaluate", "--year", "2022")
    assert status == 0, err
    assert "R4年度時点で評価しています" in squash(out)
    assert "R5年度の実績は参考に表示するだけ" in squash(out)
    assert "効果がなかった" not in out and "提案はまだありません" in squash(out)
    status, out, err = run(capsys, "evaluate")
    assert "時点で評価しています" not in squash(out)


@pytest.mark.parametrize(
    ("argv", "ja", "en"),
    [
        (["import"], "次の指定が必要です: FILE", "the following arguments are required: FILE"),
        (["import", "r.txt", "--org"], "--org には値を1つ指定してください", "expected one"),
        (["evaluate", "--format", "xml"], "--format に 'xml' は指定できません", "invalid choice"),
        (["bogus"], "COMMAND に 'bogus' は指定できません", "invalid choice: 'bogus'"),
        (["evaluate", "a.txt", "b.txt"], "解釈できない引数です: b.txt", "unrecognized arguments"),
        (["serve", "--port", "abc"], "--port: 'abc' は整数ではありません", "not a whole number"),
        (["serve", "--port", "0"], "--port: ポート番号は1〜65535で指定してください（指定: 0）",
         "the port must be from 1 to 65535: 0"),
        (["evaluate", "--nearly", "200"], "--nearly: 0〜100で指定してください（指定: 200）",
         "must be 0–100: 200"),
    ],
)  # fmt: skip
def test_argument_errors_are_japanese_first_then_english(capsys, argv, ja, en):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    first = next(i for i, line in enumerate(lines) if "エラー" in line)
    assert ja in lines[first], err
    assert en in lines[first + 1], err
    assert "--help" in lines[-1]


def test_an_encoding_for_a_format_that_has_none_is_warned_about(capsys):
    status, out, err = run(capsys, "evaluate", "--encoding", "cp932", "--format", "json")
    assert status == 0
    assert json.loads(out)["summary"]["kpis"] == KPI_COUNT
    assert "--encoding は --format csv のときだけ使います" in err and "csv only" in err
    status, out, err = run(capsys, "evaluate", "--encoding", "utf-8", "--format", "csv")
    assert status == 0 and "--encoding" not in err


def test_a_direction_given_on_the_command_line_wins_and_says_so(capsys):
    status, out, err = run(capsys, "evaluate", "--direction", "移住者数=低いほど良い",
                           "--format", "json")  # fmt: skip
    assert status == 0, err
    migrants = kpis_by_indicator(json.loads(out))["移住者数"]  # 105 against 121
    assert (migrants["direction"], migrants["direction_reason"]) == (
        "decrease",
        "明示的な指定による",
    )
    assert (migrants["status"], migrants["achievement_rate"]) == ("achieved", 115.2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("移住者=decrease", "[unknown-kpi]"), ("移住者数=down", "increase or decrease"),
     ("decrease", "INDICATOR=decrease")],
)  # fmt: skip
def test_a_bad_direction_is_named(capsys, value, expected):
    try:
        status = main(["evaluate", "--direction", value])
    except SystemExit as exit_:
        status = exit_.code
    err = capsys.readouterr().err
    assert status == 2 and expected in err and "Traceback" not in err
    if expected == "[unknown-kpi]":
        assert "近い指標: 移住者数" in err and "closest: 移住者数" in err
