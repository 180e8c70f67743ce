"""The Frictionless Data Package of a judged report (issue 9, item 4): it validates with the
frictionless library for the reference report and every layout, its schemas type and key every
column, and they constrain: a duplicated key, a dangling foreign key, a wrong type or an
unknown code is reported by frictionless as that error."""

from __future__ import annotations

import csv
import io
import zipfile
from functools import cache
from pathlib import Path

import frictionless
import pytest

from kpiledger.cli.main import reference_report_path
from kpiledger.core.evaluate import ReportResult, Status, evaluate_report
from kpiledger.io.readers import read_report
from kpiledger.io.writers import datapackage, opendata, table_schema
from kpiledger.io.writers.opendata import (
    KPI_COLUMNS,
    PROJECT_COLUMNS,
    RESULT_COLUMNS,
    YEAR_COLUMNS,
    Publisher,
)

PUBLISHER = Publisher("012068", "釧路市")
LAYOUTS = Path(__file__).parent / "data" / "layouts"
FILES = [reference_report_path(), *sorted(LAYOUTS.glob("*.txt"))]


@cache
def judged(path: Path) -> ReportResult:
    return evaluate_report(read_report(path))


def errors(report: frictionless.Report) -> list[tuple[str, str]]:
    """(resource, error type) of every error of a validation report."""
    found = [("package", e.type) for e in report.errors]
    return found + [(task.name, e.type) for task in report.tasks for e in task.errors]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_folder_and_the_zip_validate(path, tmp_path):
    result = judged(path)
    datapackage.write_folder(result, PUBLISHER, tmp_path / "package")
    archive = tmp_path / "package.zip"
    archive.write_bytes(datapackage.dumps_zip(result, PUBLISHER))
    years = len(result.report.year_columns)
    expected_rows = {
        "kpis": len(result.kpis),
        "observations": len(result.kpis) * years,
        "projects": len(result.projects),
    }
    for target in (tmp_path / "package" / "datapackage.json", archive):
        report = frictionless.validate(str(target))
        assert errors(report) == []
        assert report.valid
        assert {t.name: t.stats["rows"] for t in report.tasks} == expected_rows


def test_the_descriptor_names_the_report_its_license_and_resources():
    descriptor = datapackage.descriptor(judged(reference_report_path()), PUBLISHER)
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["name"] == "kpiledger-012068-2023"
    assert descriptor["title"] == "釧路市 令和5年度 地方創生KPI実績（kpiledger）"
    assert [lic["name"] for lic in descriptor["licenses"]] == ["CC-BY-4.0"]
    assert "created" not in descriptor
    assert (
        datapackage.descriptor(
            judged(reference_report_path()), PUBLISHER, created="2024-06-01T00:00:00Z"
        )["created"]
        == "2024-06-01T00:00:00Z"
    )
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert {name: r["path"] for name, r in resources.items()} == {
        "kpis": "kpis.csv",
        "observations": "observations.csv",
        "projects": "projects.csv",
    }
    assert {r["encoding"] for r in resources.values()} == {"utf-8-sig"}
    own = descriptor["kpiledger"]
    assert own["fiscal_year"] == 2023 and own["year_columns"] == [2019, 2020, 2021, 2022, 2023]
    assert own["nearly_threshold"] == "80" and own["title"].startswith("令和5年度")


def test_the_kpis_schema_types_keys_and_units_every_column():
    result = judged(reference_report_path())
    resources = {r["name"]: r for r in datapackage.descriptor(result, PUBLISHER)["resources"]}
    kpis = resources["kpis"]["schema"]
    fields = {f["name"]: f for f in kpis["fields"]}
    assert list(fields) == opendata.wide_header(result.report.year_columns)
    types = {name: f["type"] for name, f in fields.items()}
    assert types["全国地方公共団体コード"] == "string"
    assert types["報告年度"] == types["KPI番号"] == types["目標年度"] == "integer"
    assert types["目標値"] == types["基準値"] == types["実績値_2023年度"] == "number"
    assert types["達成率"] == types["公表達成率"] == "number"
    assert types["目標年月"] == "yearmonth"
    assert types["実績は年度ごとの増分"] == "boolean"
    assert fields["達成率"]["unit"] == "%" and fields["公表達成率"]["unit"] == "%"
    for name in ("目標値", "基準値", "実績値_2019年度"):
        assert fields[name]["unitField"] == "単位" and "単位" in fields[name]["description"]
    assert fields["状況コード"]["constraints"]["enum"] == [s.value for s in Status]
    assert fields["方向コード"]["constraints"]["enum"] == ["increase", "decrease"]
    assert fields["全国地方公共団体コード"]["constraints"]["required"] is True
    assert all(f["title"] and f["description"] for f in fields.values())
    assert kpis["primaryKey"] == ["全国地方公共団体コード", "報告年度", "KPI番号"]
    assert kpis["foreignKeys"] == [
        {
            "fields": ["全国地方公共団体コード", "報告年度", "事業番号"],
            "reference": {
                "resource": "projects",
                "fields": ["全国地方公共団体コード", "報告年度", "事業番号"],
            },
        }
    ]
    observations = resources["observations"]["schema"]
    assert [f["name"] for f in observations["fields"]] == opendata.long_header()
    assert observations["primaryKey"] == ["全国地方公共団体コード", "報告年度", "KPI番号", "年度"]
    assert observations["foreignKeys"] == [
        {
            "fields": ["全国地方公共団体コード", "報告年度", "KPI番号"],
            "reference": {
                "resource": "kpis",
                "fields": ["全国地方公共団体コード", "報告年度", "KPI番号"],
            },
        }
    ]
    projects = resources["projects"]["schema"]
    assert [f["name"] for f in projects["fields"]] == [ja for _, ja in PROJECT_COLUMNS]
    assert projects["primaryKey"] == ["全国地方公共団体コード", "報告年度", "事業番号"]


def test_every_column_of_the_writers_has_a_field_type():
    keys = {key for key, _ in (*KPI_COLUMNS, *YEAR_COLUMNS, *RESULT_COLUMNS, *PROJECT_COLUMNS)}
    assert keys - set(table_schema.FIELD_TYPES) == set()
    valid = {"string", "integer", "number", "boolean", "yearmonth", "date"}
    assert {spec["type"] for spec in table_schema.FIELD_TYPES.values()} <= valid


def test_a_column_without_a_field_type_fails(monkeypatch):
    monkeypatch.setattr(datapackage, "KPI_COLUMNS", (*KPI_COLUMNS, ("new_column", "新しい列")))
    with pytest.raises(KeyError, match="new_column"):
        datapackage.kpis_schema([2023])


def test_the_zip_is_deterministic_and_holds_the_folders_files(tmp_path):
    result = judged(reference_report_path())
    first = datapackage.dumps_zip(result, PUBLISHER)
    assert datapackage.dumps_zip(judged(reference_report_path()), PUBLISHER) == first
    datapackage.write_folder(result, PUBLISHER, tmp_path)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert names == ["datapackage.json", "kpis.csv", "observations.csv", "projects.csv"]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        for name in names:
            assert archive.read(name) == (tmp_path / name).read_bytes()
    assert (tmp_path / "kpis.csv").read_bytes() == opendata.dumps_wide(result, PUBLISHER).encode(
        "utf-8-sig"
    )
    assert (tmp_path / "observations.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_writing_a_folder_again_replaces_its_files_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "kpis.csv").write_text("old", encoding="utf-8")
    datapackage.write_folder(judged(reference_report_path()), PUBLISHER, tmp_path)
    datapackage.write_folder(judged(LAYOUTS / "09_lower_is_better.txt"), PUBLISHER, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "datapackage.json",
        "kpis.csv",
        "observations.csv",
        "projects.csv",
    ]
    text = (tmp_path / "kpis.csv").read_bytes().decode("utf-8-sig")
    assert text.count("\r\n") == 1 + len(judged(LAYOUTS / "09_lower_is_better.txt").kpis)


# --- the schemas constrain ---------------------------------------------------------------------


def edit(folder: Path, name: str, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite one CSV of the package through `change(rows)` (header first)."""
    path = folder / name
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    change(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")


def set_cell(rows: list[list[str]], row: int, column: str, value: str) -> None:
    rows[row][rows[0].index(column)] = value


@pytest.fixture
def package(tmp_path) -> Path:  # type: ignore[no-untyped-def]
    datapackage.write_folder(judged(reference_report_path()), PUBLISHER, tmp_path)
    return tmp_path


def validate(folder: Path) -> list[tuple[str, str]]:
    return errors(frictionless.validate(str(folder / "datapackage.json")))


def test_a_duplicated_primary_key_is_reported(package):
    edit(package, "kpis.csv", lambda rows: rows.append(list(rows[3])))
    assert validate(package) == [("kpis", "primary-key")]


def test_an_observation_of_a_missing_kpi_is_reported(package):
    edit(package, "observations.csv", lambda rows: set_cell(rows, 5, "KPI番号", "999"))
    assert validate(package) == [("observations", "foreign-key")]


def test_a_kpi_of_a_missing_project_is_reported(package):
    edit(package, "kpis.csv", lambda rows: set_cell(rows, 2, "事業番号", "99"))
    assert validate(package) == [("kpis", "foreign-key")]


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        ("目標値", "16,000", "type-error"),
        ("目標年月", "2024/03", "type-error"),
        ("報告年度", "R5", "type-error"),
        ("状況コード", "great", "constraint-error"),
        ("全国地方公共団体コード", "12068", "constraint-error"),
        ("指標", "", "constraint-error"),
    ],
)
def test_a_wrong_value_is_reported(package, column, value, error):
    edit(package, "kpis.csv", lambda rows: set_cell(rows, 4, column, value))
    found = validate(package)
    assert ("kpis", error) in found
    assert {resource for resource, _ in found} <= {"kpis", "observations"}
