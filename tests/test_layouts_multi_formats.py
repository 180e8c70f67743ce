"""Units repeated after a value (`135件`, `6,120円/人`), 累計 and 年間 mixed in one KPI, and the
tables with several KPIs per row read alike as text, CSV, .xlsx and PDF (issue 8, item 5 of
"Real published tables in"; see test_layouts_multi.py for the splitting itself)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from tests.excel_files import Sheet, sheet_of_text, xlsx
from tests.test_layouts_multi import MULTI, judged, quoted, table, where
from tests.test_text_reader_layouts import LAYOUTS, V, load

from kpiledger.core.errors import ReportError
from kpiledger.core.model import Aggregation
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.text import parse, tokenize

# --- 5. units repeated after a value, and 累計 / 年間 ------------------------------------------


@pytest.mark.parametrize(
    ("unit", "written", "value"),
    [
        ("件", "135件", "135"),
        ("人", "24 人", "24"),
        ("円/人", "6,120円/人", "6120"),
        ("%", "41.1%", "41.1"),
    ],
)
def test_a_unit_repeated_after_the_actual_is_read(unit: str, written: str, value: str) -> None:
    (kpi,) = parse(table(["試験事業", "指標A", "100", unit, "R6.3", "-", written])).kpis
    assert kpi.actuals[2023] == V(value)
    assert kpi.reader_flags == []


def test_a_repeated_unit_that_disagrees_is_flagged_where_it_is() -> None:
    (kpi,) = parse(
        table(["移住促進事業", "移住相談件数", "120", "件", "R6.3", "110", "135人"])
    ).kpis
    assert kpi.actuals[2023] == V("135")
    (flag,) = kpi.reader_flags
    assert flag.code == "unit-mismatch"
    assert flag.message_ja == "3行目「R5年度」の値の単位「人」が単位欄「件」と異なります"
    assert flag.message_en == "line 3 (R5年度): unit '人' in the cell differs from '件'"


def test_a_baseline_is_checked_like_every_value() -> None:
    text = (
        "## 令和5年度 試験市 効果検証結果\n"
        "事業の名称\t指標\t基準値\t目標値\t単位\t目標年月\tR5年度\n"
        "移住促進事業\t移住相談件数\t80人\t120件\t件\tR6.3\t135件\n"
    )
    (kpi,) = parse(text).kpis
    assert [(f.code, f.message_en) for f in kpi.reader_flags] == [
        ("unit-mismatch", "line 3 (基準値): unit '人' in the cell differs from '件'")
    ]


def test_periods_agreeing_set_the_aggregation_without_a_flag() -> None:
    (kpi,) = parse(
        table(["企業誘致事業", "進出企業数", "累計 7", "社", "R6.3", "累計 4", "累計 6 社"])
    ).kpis
    assert kpi.aggregation_override is Aggregation.CUMULATIVE
    assert kpi.reader_flags == []


def test_mixed_periods_are_flagged_even_beside_an_aggregation_column() -> None:
    text = (
        "## 令和5年度 試験市 効果検証結果\n事業の名称\t指標\t集計\t目標値\t単位\t目標年月\tR5年度\n"
        "企業誘致事業\t進出企業数\t累計\t累計 7\t社\tR6.3\t年間 3\n"
    )
    (kpi,) = parse(text).kpis
    assert kpi.aggregation_override is Aggregation.CUMULATIVE  # the 集計 column wins
    assert [f.code for f in kpi.reader_flags] == ["mixed-period"]
    assert kpi.reader_flags[0].message_ja.startswith(
        "3行目の値に「累計」（目標値）と「年間」（R5年度）"
    )


# --- 6. the same table in every format ---------------------------------------------------------


def as_csv(text: str) -> bytes:
    """A tab-separated layout saved as CSV by Excel: quoted where needed, CRLF, UTF-8 BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    line = 1
    for row in tokenize(text):
        while line < row.line:  # a blank line stays a blank line
            out.write("\r\n")
            line += 1
        writer.writerow(row.cells)
        line = row.line + 1 + sum(cell.count("\n") for cell in row.cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_the_multi_file_reads_alike_as_csv_and_as_xlsx() -> None:
    text = (LAYOUTS / MULTI).read_text(encoding="utf-8")
    from_csv = read_report_bytes(as_csv(text), "kpi.csv")
    from_xlsx = read_report_bytes(xlsx([sheet_of_text("効果検証", text)]), "kpi.xlsx")
    expected = judged(load(MULTI))
    assert judged(from_csv) == expected
    assert judged(from_xlsx) == expected
    assert len(expected["projects"]) == 5  # type: ignore[arg-type]


def test_a_refusal_is_located_alike_in_csv_and_xlsx() -> None:
    text = table(
        ["移住促進事業", "移住相談件数", "120", "件", "R6.3", "110", "135"],
        [
            "",
            "・移住者数\n・定住者数\n・転入者数",
            "・30\n・10\n・200",
            "人",
            "R6.3",
            "-",
            "・24\n・8",
        ],
        ["", "空き家バンク成約件数", "12", "件", "R6.3", "9", "12"],
    )
    problems = []
    for data, name in ((as_csv(text), "kpi.csv"), (xlsx([sheet_of_text("KPI", text)]), "kpi.xlsx")):
        with pytest.raises(ReportError) as caught:
            read_report_bytes(data, name)
        problems.append(caught.value.problems)
    (in_csv,), (in_xlsx,) = problems
    assert where(in_csv) == where(in_xlsx) == ("kpi-count-mismatch", 4, 7, "R5年度")
    assert (in_csv.message_ja, in_csv.message_en) == (in_xlsx.message_ja, in_xlsx.message_en)
    assert (in_csv.sheet, in_xlsx.sheet) == (None, "KPI")
    assert in_xlsx.location_en() == "KPI!G4 (R5年度)"


def test_bullets_in_workbook_cells_with_wrapping() -> None:
    """An Excel cell holding `・移住相談件数⏎・移住者数` (wrap text on) reads like the text."""
    rows = [
        ["令和5年度 試験市 効果検証結果"],
        ["事業の名称", "指標", "目標値", "単位", "目標年月", "R5年度"],
        [
            "移住促進事業",
            "・移住相談件数\n・移住者数",
            "・120\n・30",
            "・件\n・人",
            "R6.3",
            "・135\n・24",
        ],
    ]
    report = read_report_bytes(xlsx([Sheet("KPI", rows)]), "kpi.xlsx")
    assert [(k.indicator, k.target, k.actuals) for k in report.kpis] == [
        ("移住相談件数", Decimal(120), {2023: V("135")}),
        ("移住者数", Decimal(30), {2023: V("24")}),
    ]


#: The reference's columns, as tests.pdf_files draws them (R1…R5), with several KPIs per row.
PDF_ROWS = [
    ["朝霧市移住促進事業", "移住相談会に出展した。", "・移住相談件数\n・移住者数",
     "・120件\n・30人", "・件\n・人", "R6.3", "-", "-", "・88\n・19", "・102\n・22", "・135\n・24"],
    ["朝霧市創業支援事業", "創業セミナーを開催した。", "創業セミナー開催回数・参加者数", "12・300",
     "回・人", "R6.3", "-", "-", "8・190", "10・240", "12・285"],
    ["", "", "①観光入込客数\n②観光消費額", "①250,000\n②8,500", "①人\n②円/人", "R6.3",
     "-", "-", "-", "-", "①231,500人\n②6,120円/人"],
]  # fmt: skip
PDF_TITLE = "令和5年度 朝霧市 地方創生推進交付金事業 効果検証結果"


def test_a_pdf_joins_a_cells_lines_and_reads_alike() -> None:
    from tests.pdf_files import HEADER, Section, report_pdf

    pdf = report_pdf(PDF_TITLE, [Section("【地方創生推進交付金対象事業】", PDF_ROWS)])
    heading = "\t".join(HEADER[1]) + "\n" + "\t".join(HEADER[2]) + "\n"
    names = "事業の名称\t事業の概要\tKPI\t\t\t\t\t\t\t\t\n"
    rows = "".join("\t".join(quoted(c) for c in row) + "\n" for row in PDF_ROWS)
    text = f"{PDF_TITLE}\n【地方創生推進交付金対象事業】\n{names}{heading}{rows}"
    expected = [(k.indicator, k.unit, k.target, k.actuals) for k in parse(text).kpis]
    assert [k[0] for k in expected] == [
        "移住相談件数",
        "移住者数",
        "創業セミナー開催回数",
        "参加者数",
        "観光入込客数",
        "観光消費額",
    ]
    report = read_report_bytes(pdf, "kpi.pdf")
    assert [(k.indicator, k.unit, k.target, k.actuals) for k in report.kpis] == expected
