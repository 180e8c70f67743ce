"""The open-data CSV rows as the bulk import reads them (`readers/own_tables`, made faster for
the national import): a row cut short reads its missing cells as empty, cells beyond the header
are ignored, a blank year is "no value", and a bad year cell is still located."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.model import Actual
from kpiledger.io.readers import read_report_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.import_national import _reference_as

YEARS = [2019, 2020, 2021, 2022, 2023]


@pytest.fixture(scope="module")
def wide() -> list[str]:
    """The reference report as the wide open-data CSV, line by line (header first)."""
    text = _reference_as("012068", "釧路市", "csv-wide").decode("utf-8-sig")
    return text.splitlines()


def read(lines: list[str]):  # type: ignore[no-untyped-def]
    return read_report_bytes(("\n".join(lines) + "\n").encode("utf-8"), "012068.csv")


def first_year_column(header: str) -> int:
    return header.split(",").index("実績値_2019年度")


def test_the_wide_csv_reads_every_year_of_the_first_kpi(wide):
    kpi = read(wide).kpis[0]
    assert kpi.indicator == "本事業による雇用創出数"
    assert kpi.actuals == {
        y: Actual(Decimal(v)) for y, v in zip(YEARS, [21, 6, 25, 22, 22], strict=True)
    }
    assert kpi.target == Decimal(20)


def test_a_row_cut_short_reads_its_missing_cells_as_empty(wide):
    cut = first_year_column(wide[0]) + 2  # keeps 2019 and 2020 only
    lines = [wide[0], ",".join(wide[1].split(",")[:cut]), *wide[2:]]
    report = read(lines)
    kpi = report.kpis[0]
    assert kpi.actuals == {
        2019: Actual(Decimal(21)),
        2020: Actual(Decimal(6)),
        **{year: Actual(None, "") for year in YEARS[2:]},
    }
    assert kpi.published_rate is None  # 公表達成率, after the cut: empty
    assert len(report.kpis) == len(read(wide).kpis)


def test_cells_beyond_the_header_are_ignored(wide):
    longer = [wide[0], wide[1] + ",surplus,99", *wide[2:]]
    assert read(longer).kpis[0].actuals == read(wide).kpis[0].actuals


def test_a_blank_year_is_no_value_and_a_bad_one_is_located(wide):
    column = first_year_column(wide[0])
    cells = wide[1].split(",")
    cells[column] = ""
    assert read([wide[0], ",".join(cells), *wide[2:]]).kpis[0].actuals[2019] == Actual(None, "")
    cells[column + 1] = "abc"
    with pytest.raises(KpiledgerError) as raised:
        read([wide[0], ",".join(cells), *wide[2:]])
    [problem] = raised.value.problems
    assert (problem.code, problem.line, problem.column) == ("bad-number", 2, column + 2)
    assert problem.field == "実績値_2020年度"


def test_a_bad_code_in_a_coded_column_names_the_codes_accepted(wide):
    header = wide[0].split(",")
    cells = wide[1].split(",")
    cells[header.index("区分")] = "どれでもない"
    with pytest.raises(KpiledgerError) as raised:
        read([wide[0], ",".join(cells), *wide[2:]])
    [problem] = raised.value.problems
    assert problem.line == 2 and "どれでもない" in problem.message_en
    assert "対象事業" in problem.message_ja
