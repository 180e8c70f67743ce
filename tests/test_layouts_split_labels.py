"""The national form's slot labels (指標①, 指標②…) as workbooks and PDFs deliver them, in
pieces (issue 8, item 5 of "Real published tables in"): `指標\\n①` in one cell, `指標` on one
row and `①` on the next, a blank label on a row that only continues the slot above.

tests/data/layouts/28_national_form_split_labels.txt is the national form as a workbook with
merged cells reads (a merged cell is the same text in every cell it covers). Every expected
value was worked out BY HAND from the file and EVALUATION.md: the single 実績値 is the title's
fiscal year (FY2023); 目標年月 R6.3 → FY2023; rate a/t×100 for an increase KPI, t/a×100 for a
decrease (a = 0 → 100); one decimal, ROUND_HALF_UP; nearly_achieved when the rate ≥ 80.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.excel_files import Sheet, typed, xlsx
from tests.test_layouts_multi import judged, quoted, refused, where
from tests.test_text_reader_layouts import LAYOUTS, V, check_kpi, check_result, load, results_of

from kpiledger.core.evaluate import Status
from kpiledger.core.model import Aggregation, Direction
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.text import parse, tokenize

SPLIT_LABELS = "28_national_form_split_labels.txt"
UP, LEVEL, ANNUAL = Direction.INCREASE, Aggregation.LEVEL, Aggregation.ANNUAL


# --- 2. the national form with split slot labels (28) -----------------------------------------


def test_split_labels_file_projects() -> None:
    report = load(SPLIT_LABELS)
    assert report.title == "令和5年度 地方創生推進交付金に係る事業実施結果報告（潮見町）"
    assert report.fiscal_year == 2023 and report.year_columns == [2023]
    names = [
        ("潮見町移住・定住促進事業", ["移住相談件数", "移住者数"]),
        ("潮見町観光地域づくり推進事業", ["観光入込客数", "観光客一人当たりの観光消費額"]),
        ("潮見町子育て支援拠点整備事業", ["子育て支援センター利用者数", "待機児童数"]),
        (
            "潮見町関係人口創出事業",
            [
                "ふるさと住民登録者数",
                "関係人口交流イベント参加者数",
                "町外からのサテライトオフィス進出企業数",
            ],
        ),
    ]
    assert [(p.name, [k.indicator for k in p.kpis]) for p in report.projects] == names
    assert [p.summary for p in report.projects][2] == (
        "旧保育所を改修し、子育て支援センターと一時預かり室を備えた拠点を整備した。"
    )
    assert report.notes == [
        "（各交付対象事業の重要業績評価指標（KPI）の実績値等）",
        "※実績値は令和5年度末（令和6年3月31日）時点の値です。",
    ]


@pytest.mark.parametrize(
    ("indicator", "unit", "target", "actual", "direction", "aggregation", "rate", "status"),
    [
        # `指標\n①` in one cell: 135/120
        ("移住相談件数", "件", "120", "135", UP, ANNUAL, "112.5", Status.ACHIEVED),
        ("移住者数", "人", "30", "24", UP, ANNUAL, "80.0", Status.NEARLY_ACHIEVED),
        # `指標` over `①`, every other cell merged down both rows: one KPI each
        ("観光入込客数", "人", "250000", "231500", UP, ANNUAL, "92.6", Status.NEARLY_ACHIEVED),
        (
            "観光客一人当たりの観光消費額",
            "円/人",
            "8500",
            "6120",
            UP,
            LEVEL,
            "72.0",
            Status.NOT_ACHIEVED,
        ),
        # the text wrapped into the `①` row (values in the upper row): 12,480/12,000
        (
            "子育て支援センター利用者数",
            "人",
            "12000",
            "12480",
            UP,
            ANNUAL,
            "104.0",
            Status.ACHIEVED,
        ),
        # 待機児童数 is lower-is-better; a = 0 = t: rate 100
        ("待機児童数", "人", "0", "0", Direction.DECREASE, ANNUAL, "100.0", Status.ACHIEVED),
        # bullets in the form's text cell, the row repeated under a blank label:
        # 538/500, 1,085/1,200
        ("ふるさと住民登録者数", "人", "500", "538", UP, ANNUAL, "107.6", Status.ACHIEVED),
        (
            "関係人口交流イベント参加者数",
            "人",
            "1200",
            "1085",
            UP,
            ANNUAL,
            "90.4",
            Status.NEARLY_ACHIEVED,
        ),
        (
            "町外からのサテライトオフィス進出企業数",
            "社",
            "3",
            "1",
            UP,
            ANNUAL,
            "33.3",
            Status.NOT_ACHIEVED,
        ),
    ],
)
def test_split_labels_kpis_value_by_value(
    indicator: str,
    unit: str,
    target: str,
    actual: str,
    direction: Direction,
    aggregation: Aggregation,
    rate: str,
    status: Status,
) -> None:
    result = results_of(load(SPLIT_LABELS))[indicator]
    check_kpi(result.kpi, unit=unit, target=target, actuals={2023: V(actual)})
    assert result.direction.value is direction
    assert result.aggregation.value is aggregation
    check_result(result, rate, status)
    assert result.kpi.reader_flags == []


# The national form as one small table: title 1, header 2–3, rows from line 4.
FORM = (
    "令和5年度 試験町 事業実施結果報告\n"
    "No\t交付対象事業の名称\t本事業における重要業績評価指標（KPI）\t\t\t\t\t実績値\n"
    "\t\t指標\t\t指標値\t単位\t目標年月\t\n"
)


def form(*rows: list[str]) -> str:
    return FORM + "".join("\t".join(quoted(c) for c in row) + "\n" for row in rows)


def test_a_label_over_two_rows_with_the_values_in_the_upper_row() -> None:
    report = parse(
        form(
            ["1", "試験町移住促進事業", "指標", "移住相談件数", "100", "件", "R6.3", "90"],
            ["", "", "①", "", "", "", "", ""],
            ["", "", "指標", "移住者数", "10", "人", "R6.3", "12"],
            ["", "", "②", "", "", "", "", ""],
            ["", "", "指標", "", "", "", "", ""],
            ["", "", "③", "", "", "", "", ""],
        )
    )
    (project,) = report.projects
    assert [(k.indicator, k.target, k.actuals) for k in project.kpis] == [
        ("移住相談件数", Decimal(100), {2023: V("90")}),
        ("移住者数", Decimal(10), {2023: V("12")}),
    ]
    assert report.notes == []


def test_a_blank_label_row_wrapping_the_text_continues_the_indicator() -> None:
    report = parse(
        form(
            ["1", "試験町移住促進事業", "指標①", "移住相談窓口における", "100", "件", "R6.3", "90"],
            ["", "", "", "相談件数", "", "", "", ""],
            ["", "", "指標②", "移住者数", "10", "人", "R6.3", "12"],
        )
    )
    assert [k.indicator for k in report.kpis] == ["移住相談窓口における相談件数", "移住者数"]


def test_a_new_slot_with_the_same_indicator_is_still_a_duplicate() -> None:
    """Only a row that continues its slot (blank, the same, or the rest of its label) is
    skipped: 指標② repeating 指標①'s cells is `duplicate-indicator`, as before."""
    problems = refused(
        form(
            ["1", "試験町移住促進事業", "指標①", "移住者数", "10", "人", "R6.3", "12"],
            ["", "", "指標②", "移住者数", "10", "人", "R6.3", "12"],
        )
    )
    assert [where(p) for p in problems] == [("duplicate-indicator", 5, 3, "指標")]


def test_a_wrapped_text_under_a_slot_of_two_kpis_is_not_guessed() -> None:
    """A text continuing a slot that holds two KPIs (bullets) could belong to either: the row
    is read as a row of its own, so its missing target is told, not glued to a KPI."""
    problems = refused(
        form(
            [
                *("1", "試験町移住促進事業", "指標①", "・移住相談件数\n・移住者数"),
                *("・100\n・10", "・件\n・人", "R6.3", "・90\n・12"),
            ],
            ["", "", "", "（オンライン相談を含む）", "", "", "", ""],
        )
    )
    assert [where(p) for p in problems] == [
        ("missing-target", 9, 5, "指標値"),  # the row above runs over lines 4–8
        ("missing-target-date", 9, 7, "目標年月"),
    ]


def test_a_blank_label_row_with_values_of_its_own_is_a_kpi() -> None:
    report = parse(
        form(
            ["1", "試験町移住促進事業", "指標①", "移住者数", "10", "人", "R6.3", "12"],
            ["", "", "", "移住相談件数", "100", "件", "R6.3", "90"],
        )
    )
    assert [k.indicator for k in report.kpis] == ["移住者数", "移住相談件数"]


def test_split_labels_as_a_workbook_with_merged_cells() -> None:
    """File 28 as the .xlsx it stands for, one sheet row per table row: each project's cells
    (No, name, summary, 実績額 and the committee's) merged down its rows instead of repeated,
    and under 観光 the KPI cells of each 指標 row merged over its ① / ② row: the same report."""
    text = (LAYOUTS / SPLIT_LABELS).read_text(encoding="utf-8")
    rows: list[list[object]] = [[typed(c)[0] for c in row.cells] for row in tokenize(text)]
    sheet = Sheet("様式2", rows)
    project_cells = (1, 2, 3, 4, 11, 12, 13, 14, 15)
    for top, bottom in ((6, 8), (9, 12), (13, 16), (17, 19)):  # the projects' sheet rows
        sheet.merges += [(top, c, bottom, c) for c in project_cells]
        for r in range(top + 1, bottom + 1):
            for c in project_cells:
                rows[r - 1][c - 1] = None
    for top in (9, 11):  # 観光: 指標 over ①, 指標 over ②
        sheet.merges += [(top, c, top + 1, c) for c in range(6, 11)]
        for c in range(6, 11):
            rows[top][c - 1] = None
    assert rows[8][4] == "指標" and rows[9][4] == "①" and rows[9][5] is None
    workbook = read_report_bytes(xlsx([sheet]), "national.xlsx")
    assert judged(workbook) == judged(load(SPLIT_LABELS))
