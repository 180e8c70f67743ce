"""A file cut short is read with a `possibly-truncated` warning (`Report.warnings`), not
silently with changed values; complete files, even without a final line break, get none.

The cuts are byte prefixes of the reference report (as `head -c N` would make them); the
experiment over every prefix is benchmarks/truncation.py. The reference itself ends without a
line break after its last cell `88` (line 39, column 11, R5年度).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.cli.main import main
from kpiledger.core.model import Report
from kpiledger.io.readers import read_report_bytes

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = (ROOT / "src" / "kpiledger" / "data" / "kushiro_r5_kpi_report.txt").read_bytes()
LAYOUTS = sorted((Path(__file__).resolve().parent / "data" / "layouts").glob("*.txt"))
TRUNCATED = "possibly-truncated"
LAST_INDICATOR = "児童生徒の学習適応度が偏差値50以上を達成した学校の割合"


def read(data: bytes) -> Report:
    return read_report_bytes(data, "report.txt")


def cut_after(marker: str, occurrence: int = 1) -> bytes:
    """The reference cut right after the `occurrence`-th `marker` (UTF-8 text)."""
    encoded, end = marker.encode("utf-8"), 0
    for _ in range(occurrence):
        end = REFERENCE.index(encoded, end) + len(encoded)
    return REFERENCE[:end]


def located(report: Report) -> list[tuple[str, int | None, int | None, str | None]]:
    return [(w.code, w.line, w.column, w.field) for w in report.warnings]


# --- cuts that are seen -------------------------------------------------------------------------


def test_head_c_7409_reads_8_for_88_and_warns_at_the_cut_cell() -> None:
    """`head -c 7409`: the last cell 88 becomes 8 (fewer digits than its target 82)."""
    data = REFERENCE[:7409]
    assert data.endswith(b"\t-\t8") and REFERENCE.endswith(b"\t-\t88")
    report = read(data)
    last = report.kpis[-1]
    assert (last.indicator, last.actuals[2023].value) == (LAST_INDICATOR, Decimal(8))
    assert located(report) == [(TRUNCATED, 39, 11, "R5年度")]
    (warning,) = report.warnings
    assert "「8」" in warning.message_ja and "82" in warning.message_ja
    assert "'8'" in warning.message_en and "cut short" in warning.message_en


def test_a_blank_last_cell_warns_when_no_other_actual_is_blank() -> None:
    """Cut right after the last tab: the R5年度 actual would be read as blank (no data)."""
    report = read(REFERENCE[:7408])
    assert report.kpis[-1].actuals[2023].marker == ""
    assert located(report) == [(TRUNCATED, 39, 11, "R5年度")]
    assert "空欄" in report.warnings[0].message_ja


def test_a_number_shorter_than_every_other_number_of_its_row_warns() -> None:
    """Line 11: 2,300 / 1,581 2,124 1,832 2,026 / 1,878 cut to 1."""
    report = read(cut_after("2,026\t1"))
    assert report.kpis[-1].actuals[2023].value == 1
    assert located(report) == [(TRUNCATED, 11, 11, "R5年度")]


def test_a_project_name_alone_on_the_last_line_warns() -> None:
    """Line 13 cut inside the project name: the row would be a note, its KPIs dropped."""
    report = read(cut_after("アドベンチャートラベル推進"))
    assert [p.name for p in report.projects][-1].startswith("釧路市ビジネスサポートセンター")
    assert located(report) == [(TRUNCATED, 13, 1, "交付対象 事業の名称")]
    assert "「アドベンチャートラベル推進」" in report.warnings[0].message_ja


def test_a_row_of_empty_cells_shorter_than_the_table_warns() -> None:
    """Line 11 cut after its two leading tabs (the cells before 指標)."""
    report = read(cut_after("25\t22\t22\n\t\t"))
    assert located(report) == [(TRUNCATED, 11, 3, "指標")]
    assert "11列のうち3列目" in report.warnings[0].message_ja


@pytest.mark.parametrize("line_break", ["", "\n", "\n\n"])
def test_a_section_heading_at_the_end_warns(line_break: str) -> None:
    heading = "【デジタル田園都市国家構想交付金関連事業】"
    report = read(cut_after(heading) + line_break.encode())
    assert located(report) == [(TRUNCATED, 19, 1, None)]
    assert heading in report.warnings[0].message_ja


def test_a_table_header_at_the_end_warns() -> None:
    """The related projects' header (lines 21–23) with no KPI row under it."""
    report = read(cut_after("R5年度\n", occurrence=2))
    assert located(report) == [(TRUNCATED, 21, 1, None)]


# --- complete files are not warned about --------------------------------------------------------


def test_the_reference_reads_without_warning() -> None:
    assert read(REFERENCE).warnings == []


@pytest.mark.parametrize("path", LAYOUTS, ids=[p.stem for p in LAYOUTS])
@pytest.mark.parametrize("ending", ["as published", "without final line break"])
def test_layouts_read_without_warning(path: Path, ending: str) -> None:
    data = path.read_bytes()
    if ending != "as published":
        data = data.rstrip(b"\r\n")
    assert read(data).warnings == []


def replace_last_row(*cells: str) -> bytes:
    """The reference with its last KPI row's target and actuals replaced (no final newline)."""
    head, _sep, _last = REFERENCE.decode("utf-8").rpartition("\n")
    row = "\t".join(["", "", LAST_INDICATOR, cells[0], "%", "R6.3", *cells[1:]])
    return (head + "\n" + row).encode("utf-8")


@pytest.mark.parametrize(
    "cells",
    [
        ("1", "-", "-", "-", "1", "1"),  # a count of 1 like its target
        ("5", "-", "-", "-", "-", "6"),  # one digit like its target
        ("82", "-", "-", "-", "70", "-"),  # no value
        ("10", "-", "-", "-", "12", "0"),  # reached 0: no cut of a longer number leaves 0
        ("82", "-", "-", "-", "-", "0.5"),  # below 1
        ("82", "-", "-", "-", "8", "9"),  # as many digits as another year
        ("82", "-", "-", "", "-", "90"),  # a blank cell, not the last one
    ],
)
def test_small_last_values_without_final_line_break_do_not_warn(cells: tuple[str, ...]) -> None:
    report = read(replace_last_row(*cells))
    assert report.kpis[-1].line == 39
    assert report.warnings == []


def test_a_blank_last_cell_does_not_warn_where_blanks_mean_no_value() -> None:
    """The report writes another missing actual as a blank, so a blank last cell is usual."""
    report = read(replace_last_row("82", "", "", "", "", ""))
    assert report.kpis[-1].actuals[2023].marker == ""
    assert report.warnings == []


@pytest.mark.parametrize(
    "last_line",
    [
        "※ 実績値は各年度末時点",
        "（注）R5年度は速報値",
        "以上",
        "※ 実績値は各年度末時点\t\t\t",  # a padded note
        "\t" * 12,  # Excel's padding, wider than the table
        "   ",
    ],
)
def test_a_complete_last_line_without_line_break_does_not_warn(last_line: str) -> None:
    data = REFERENCE + b"\n" + last_line.encode("utf-8")
    assert read(data).warnings == []


# --- where the user sees it -------------------------------------------------------------------


def evaluate(capsys, path: Path | None, fmt: str) -> tuple[int, str, str]:
    argv = ["evaluate", "--format", fmt, *([str(path)] if path else [])]
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_has_warnings_only_when_there_are_some(capsys, tmp_path: Path) -> None:
    status, out, _err = evaluate(capsys, None, "json")
    assert status == 0 and "warnings" not in json.loads(out)
    cut = tmp_path / "cut.txt"
    cut.write_bytes(REFERENCE[:7409])
    status, out, _err = evaluate(capsys, cut, "json")
    assert status == 0
    (warning,) = json.loads(out)["warnings"]
    assert set(warning) == {"code", "message_ja", "message_en", "line", "column", "field"}
    assert (warning["code"], warning["line"], warning["column"], warning["field"]) == (
        TRUNCATED,
        39,
        11,
        "R5年度",
    )


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_evaluate_prints_warnings_on_stderr_in_every_format(
    capsys, tmp_path: Path, fmt: str
) -> None:
    cut = tmp_path / "cut.txt"
    cut.write_bytes(REFERENCE[:7409])
    status, out, err = evaluate(capsys, cut, fmt)
    assert status == 0 and out
    assert f"[{TRUNCATED}] 39行目 11列目 「R5年度」" in err
    assert "line 39, column 11 (R5年度)" in err
    assert err.index("39行目") < err.index("line 39")  # Japanese first
    assert TRUNCATED not in out or fmt == "json"
    _status, _out, clean_err = evaluate(capsys, None, fmt)
    assert clean_err == ""
