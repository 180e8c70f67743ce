"""kpiledger reads its own outputs back (issue 9, item 4): report → judged → JSON, open-data CSV
or data package → read → judged again gives the same JSON, for the reference report and every
layout; a damaged file is a located, bilingual problem, never a traceback."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from kpiledger.cli.main import main, reference_report_path
from kpiledger.core import grades
from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import ReportResult, evaluate_report
from kpiledger.io.readers import read_report, read_report_bytes
from kpiledger.io.readers.detect import detect
from kpiledger.io.writers import datapackage, opendata
from kpiledger.io.writers import json as json_writer
from kpiledger.io.writers.opendata import ENCODING, Publisher

PUBLISHER = Publisher("012068", "釧路市")
LAYOUTS = Path(__file__).parent / "data" / "layouts"
FILES = [reference_report_path(), *sorted(LAYOUTS.glob("*.txt"))]
IDS = [p.name for p in FILES]


@cache
def judged(path: Path) -> ReportResult:
    return evaluate_report(read_report(path))


def as_json(result: ReportResult) -> dict[str, Any]:
    return json.loads(json_writer.dumps(result), parse_float=Decimal)  # type: ignore[no-any-return]


def again(data: bytes, name: str) -> dict[str, Any]:
    """The JSON of the report read back from `data` and judged again."""
    return as_json(evaluate_report(read_report_bytes(data, name)))


def without(record: dict[str, Any], code: str) -> dict[str, Any]:
    """The JSON with flag `code` taken off every KPI."""
    out = copy.deepcopy(record)
    for project in out["projects"]:
        for kpi in project["kpis"]:
            kpi["flags"] = [c for c in kpi["flags"] if c != code]
    return out


def kpis_of(record: dict[str, Any]) -> list[Any]:
    return [p["kpis"] for p in record["projects"]]


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_the_data_package_zip_reads_back_into_the_same_judgement(path):
    result = judged(path)
    data = datapackage.dumps_zip(result, PUBLISHER)
    assert detect(data) == "datapackage"
    report = read_report_bytes(data, "package.zip")
    assert report.warnings == result.report.warnings
    assert again(data, "package.zip") == as_json(result)
    # the ledger itself is the same: every file of the package, markers, 備考 and notes included
    assert datapackage.files(evaluate_report(report), PUBLISHER) == datapackage.files(
        result, PUBLISHER
    )


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_the_data_package_folder_reads_back_into_the_same_judgement(path, tmp_path):
    result = judged(path)
    datapackage.write_folder(result, PUBLISHER, tmp_path)
    for target in (tmp_path, tmp_path / "datapackage.json"):
        assert as_json(evaluate_report(read_report(target))) == as_json(result)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_the_json_reads_back_into_the_same_judgement(path):
    """Identical, except that the JSON keeps only the code of a published grade's flag, not
    the grade: the `grade-mismatch` resting on it is not recomputed (said in `own`)."""
    result = judged(path)
    data = json_writer.dumps(result).encode("utf-8")
    assert detect(data) == "json"
    want = as_json(result)
    got = again(data, "report.json")
    assert got == without(want, "grade-mismatch")
    if "published-grade" not in json_writer.encode(want):
        assert got == want


def test_a_grade_mismatch_is_the_only_thing_the_json_loses():
    want = as_json(judged(LAYOUTS / "24_published_grades.txt"))
    got = again(json_writer.dumps(judged(LAYOUTS / "24_published_grades.txt")).encode(), "r.json")
    assert got != want and json_writer.encode(want).count("grade-mismatch") == 4
    assert "grade-mismatch" not in json_writer.encode(got)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_the_long_csv_alone_gives_every_kpi_the_same_judgement(path):
    """The long CSV keeps every KPI's terms, markers and reader flags; alone it has no title,
    notes, project summary or assessment texts, so a grade legend in the notes is lost; each row
    carries its project's money (実績額 …), so the cost per unit of each KPI is the same."""
    result = judged(path)
    data = opendata.dumps_long(result, PUBLISHER).encode(ENCODING)
    assert detect(data) == "opendata"
    report = read_report_bytes(data, "report.csv")
    assert report.warnings == []  # a .csv name is no format mismatch
    want, got = as_json(result), as_json(evaluate_report(report))
    if grades.read_legend(result.report.notes) is None:
        assert kpis_of(got) == kpis_of(want)
    else:
        assert kpis_of(without(got, "grade-mismatch")) == kpis_of(without(want, "grade-mismatch"))
    keys = ("name", "grant", "section", "effect_suggestion")
    assert [[p[k] for k in keys] for p in got["projects"]] == [
        [p[k] for k in keys] for p in want["projects"] if p["kpis"]
    ]
    assert report.year_columns == result.report.year_columns
    assert (
        opendata.dumps_long(evaluate_report(report), PUBLISHER)
        == opendata.dumps_long(result, PUBLISHER)
        or grades.read_legend(result.report.notes) is not None
    )


def test_the_long_csv_keeps_markers_and_notes():
    result = judged(LAYOUTS / "34_pending_values.txt")
    report = read_report_bytes(opendata.dumps_long(result, PUBLISHER).encode(ENCODING), "r.csv")
    markers = {a.marker for k in report.kpis for a in k.actuals.values() if a.value is None}
    assert {"R6.9公表予定", "調査未実施", "公表前", "対象外"} <= markers
    noted = judged(LAYOUTS / "05_notes_column.txt")
    back = read_report_bytes(opendata.dumps_long(noted, PUBLISHER).encode(ENCODING), "r.csv")
    assert [k.note for k in back.kpis] == [k.note for k in noted.report.kpis]
    assert any(k.note for k in back.kpis)


def test_overrides_bounds_and_increments_come_back():
    for name in ("21_direction_and_aggregation_columns.txt", "31_increment_columns.txt",
                 "32_bound_targets.txt"):  # fmt: skip
        result = judged(LAYOUTS / name)
        for data, file_name in (
            (opendata.dumps_long(result, PUBLISHER).encode(ENCODING), "r.csv"),
            (json_writer.dumps(result).encode(), "r.json"),
        ):
            report = read_report_bytes(data, file_name)
            fields = [
                (k.direction_override, k.aggregation_override, k.target_bound,
                 k.actuals_are_increments)
                for k in report.kpis
            ]  # fmt: skip
            assert fields == [
                (k.direction_override, k.aggregation_override, k.target_bound,
                 k.actuals_are_increments)
                for k in result.report.kpis
            ], (name, file_name)  # fmt: skip
    assert any(
        k.actuals_are_increments for k in judged(LAYOUTS / "31_increment_columns.txt").report.kpis
    )


def test_the_wide_csv_alone_reads_as_the_report():
    result = judged(reference_report_path())
    data = opendata.dumps_wide(result, PUBLISHER).encode(ENCODING)
    assert detect(data) == "opendata"
    assert kpis_of(again(data, "kpis.csv")) == kpis_of(as_json(result))


def test_another_zip_or_json_is_not_taken_for_a_kpiledger_file():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert detect(out.getvalue()) == "zip"
    assert detect(b'{"name": "x"}') == "text"
    assert detect("全国地方公共団体コード,団体名\r\n012068,釧路市\r\n".encode()) == "text"


# --- damaged files ----------------------------------------------------------------------------


def problems_of(data: bytes, name: str) -> list[tuple[Any, ...]]:
    with pytest.raises(ReportError) as caught:
        read_report_bytes(data, name)
    return [(p.code, p.line, p.column, p.field) for p in caught.value.problems]


def test_a_json_without_a_kpis_target_is_a_located_problem():
    record = as_json(judged(reference_report_path()))
    del record["projects"][1]["kpis"][0]["target"]
    record["projects"][2]["kpis"][0]["actuals"]["2022"] = "many"
    data = json_writer.encode(record).encode()
    with pytest.raises(ReportError) as caught:
        read_report_bytes(data, "report.json")
    problems = caught.value.problems
    assert [(p.code, p.field) for p in problems] == [
        ("damaged-export", "projects[1].kpis[0].target"),
        ("damaged-export", "projects[2].kpis[0].actuals.2022"),
    ]
    assert problems[0].message_ja == "「target」がありません"
    assert problems[0].message_en == "'target' is missing"
    assert "文字列" not in problems[1].message_ja and "数値" in problems[1].message_ja


def test_broken_json_text_is_located_by_line_and_column():
    text = json_writer.dumps(judged(reference_report_path()))
    broken = text.replace('"fiscal_year": 2023,', '"fiscal_year": 2023', 1)
    ((code, line, column, _),) = problems_of(broken.encode(), "report.json")
    assert code == "damaged-export"
    assert line == 4 and column == 3  # where the comma is missing: before the next key


@pytest.mark.parametrize("write", ["json", "csv"])
def test_bytes_that_are_not_utf8_are_named_by_their_place(write):
    result = judged(reference_report_path())
    text = json_writer.dumps(result) if write == "json" else opendata.dumps_wide(result, PUBLISHER)
    data = text.encode("utf-8")
    at = data.index("釧路".encode())
    broken = data[:at] + b"\x82\xa0" + data[at + 2 :]  # Shift_JIS bytes in a UTF-8 file
    with pytest.raises(ReportError) as raised:
        read_report_bytes(broken, f"report.{write}")
    ((problem),) = raised.value.problems
    assert problem.code == "damaged-export"
    assert f"{at + 1}バイト目" in problem.message_ja and f"byte {at + 1}" in problem.message_en


def test_a_bad_target_in_the_csv_is_located_at_its_row_and_column():
    text = opendata.dumps_wide(judged(reference_report_path()), PUBLISHER)
    lines = text.split("\r\n")
    header = lines[0].split(",")
    cells = lines[2].split(",")
    column = header.index("目標値")
    cells[column] = "16千"
    lines[2] = ",".join(cells)
    data = "\r\n".join(lines).encode(ENCODING)
    assert problems_of(data, "kpis.csv") == [("bad-number", 3, column + 1, "目標値")]


def test_a_csv_without_a_column_says_which():
    text = opendata.dumps_long(judged(reference_report_path()), PUBLISHER)
    data = text.replace(",掲載,", ",掲載欄,", 1).encode(ENCODING)
    assert problems_of(data, "r.csv") == [("missing-column", 1, None, "掲載")]


def test_a_package_with_a_kpi_of_a_missing_project_is_refused():
    result = judged(reference_report_path())
    out = io.BytesIO()
    files = datapackage.files(result, PUBLISHER)
    lines = files["projects.csv"].decode(ENCODING).split("\r\n")
    files["projects.csv"] = "\r\n".join([*lines[:-3], ""]).encode(ENCODING)  # drop 2 projects
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    found = problems_of(out.getvalue(), "package.zip")
    assert {code for code, *_ in found} == {"damaged-export"}
    assert {f for *_, f in found} == {"事業番号"} and len(found) >= 2


def test_the_command_line_says_the_problem_without_a_traceback(tmp_path, capsys):
    record = as_json(judged(reference_report_path()))
    del record["projects"][0]["kpis"][0]["indicator"]
    path = tmp_path / "report.json"
    path.write_text(json_writer.encode(record), encoding="utf-8")
    assert main(["evaluate", str(path), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "「indicator」がありません" in err and "'indicator' is missing" in err
    assert "projects[0].kpis[0].indicator" in err and "Traceback" not in err


def package_zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_package_cut_short_or_with_a_wrong_descriptor_is_a_damaged_export():
    files = datapackage.files(judged(reference_report_path()), PUBLISHER)
    whole = package_zip(files)
    assert problems_of(whole[:300], "package.zip")[0][0] == "damaged-export"
    descriptor = json.loads(files["datapackage.json"])
    descriptor["kpiledger"]["fiscal_year"] = "令和5年度"
    descriptor["resources"][2]["path"] = "missing.csv"
    files["datapackage.json"] = json.dumps(descriptor, ensure_ascii=False).encode()
    assert problems_of(package_zip(files), "package.zip") == [
        ("damaged-export", None, None, "datapackage.json")
    ]
    descriptor["resources"][2]["path"] = "projects.csv"
    files["datapackage.json"] = json.dumps(descriptor, ensure_ascii=False).encode()
    assert problems_of(package_zip(files), "package.zip") == [
        ("damaged-export", None, None, "kpiledger.fiscal_year")
    ]
