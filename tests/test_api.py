"""The Python API for analysts (issue 9, item 7): `kpiledger.read(path)` and
`kpiledger.ledger(org, year)` → `Judged` with `.to_records()`, `.to_json()`, `.to_pandas()`.

The reference report has 24 KPIs and 5 year columns (R1–R5 = 2019–2023): 24 KPI records and
24 × 5 = 120 long records.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from tests.test_reference_report import EXPECTED_SUMMARY

import kpiledger
from kpiledger.cli.main import main, reference_report_path
from kpiledger.core.errors import KpiledgerError, ReportError
from kpiledger.core.model import Direction

REFERENCE = reference_report_path()
YEARS = [2019, 2020, 2021, 2022, 2023]
K_BIZ = "釧路市ビジネスサポートセンターk-Bizの来所相談件数"
LOWER_IS_BETTER = "標準学力検査結果平均正答率が全国比-5ポイント以下の学校数"


@pytest.fixture(scope="module")
def judged() -> kpiledger.Judged:
    return kpiledger.read(REFERENCE)


def evaluate_json(capsys, *argv: str) -> str:  # type: ignore[no-untyped-def]
    assert main(["evaluate", str(REFERENCE), "--format", "json", *argv]) == 0
    return capsys.readouterr().out


def of(records: list[dict], indicator: str) -> list[dict]:  # type: ignore[type-arg]
    return [r for r in records if r["indicator"] == indicator]


# --- read -------------------------------------------------------------------------------------


def test_read_the_reference(judged):
    assert len(judged.report.kpis) == 24 == len(judged.result.kpis)
    assert judged.fiscal_year == 2023 == judged.report.fiscal_year
    assert judged.summary() == EXPECTED_SUMMARY  # counted by hand in test_reference_report
    assert judged.org_code is None and judged.org_name is None
    assert "kpis=24" in repr(judged)


def test_to_json_is_what_evaluate_writes(judged, capsys):
    assert judged.to_json() == evaluate_json(capsys)


def test_to_json_with_the_options_is_what_evaluate_writes_with_them(capsys):
    judged = kpiledger.read(
        str(REFERENCE), year=2022, nearly="90", direction={LOWER_IS_BETTER: "increase"}
    )
    expected = evaluate_json(
        capsys, "--year", "2022", "--nearly", "90", "--direction", f"{LOWER_IS_BETTER}=increase"
    )
    assert judged.to_json() == expected
    assert judged.fiscal_year == 2022


# --- records ------------------------------------------------------------------------------------


def test_long_records_one_per_kpi_and_published_year(judged):
    records = judged.to_records()
    assert records == judged.to_records("long")
    assert len(records) == 24 * 5
    assert [r["year"] for r in records[:5]] == YEARS
    assert [r["number"] for r in records[::5]] == list(range(1, 25))
    assert {r["report_year"] for r in records} == {2023}
    assert list(records[0])[:7] == [
        "org_code",
        "org_name",
        "report_year",
        "number",
        "section",
        "grant",
        "project",
    ]
    assert list(records[0])[-3:] == ["year", "value", "marker"]
    assert "actuals" not in records[0]


def test_long_records_of_k_biz_value_by_value(judged):
    records = of(judged.to_records(), K_BIZ)
    assert [(r["year"], r["value"], r["marker"]) for r in records] == [
        (2019, Decimal("1581"), None),
        (2020, Decimal("2124"), None),
        (2021, Decimal("1832"), None),
        (2022, Decimal("2026"), None),
        (2023, Decimal("1878"), None),
    ]
    first = records[0]
    assert first["number"] == 2
    assert first["project"] == "釧路市ビジネスサポートセンターk-Bizを核とした「しごと創生」事業"
    assert first["section"] == "対象事業"
    assert first["unit"] == "件"
    assert first["target"] == Decimal("2300") and isinstance(first["target"], Decimal)
    assert first["target_date"] == "2024-03" and first["target_fiscal_year"] == 2023
    assert (first["direction"], first["direction_label"]) == ("increase", "高いほど良い")
    assert (first["aggregation"], first["aggregation_label"]) == ("annual", "年間値")
    assert first["judged_year"] == 2023
    assert first["achievement_rate"] == Decimal("81.7")
    assert str(first["achievement_rate"]) == "81.7"
    assert first["published_rate"] is None
    assert (first["status"], first["status_label"]) == ("nearly_achieved", "概ね達成")
    assert first["effect_suggestion"] is not None
    # the judgement is the same on every year's record of the KPI
    assert {(r["status"], r["achievement_rate"]) for r in records} == {
        ("nearly_achieved", Decimal("81.7"))
    }


def test_long_records_of_a_lower_is_better_kpi_keep_the_no_value_markers(judged):
    records = of(judged.to_records(), LOWER_IS_BETTER)
    assert [(r["year"], r["value"], r["marker"]) for r in records] == [
        (2019, None, "-"),
        (2020, None, "-"),
        (2021, None, "-"),
        (2022, None, "-"),
        (2023, Decimal("6"), None),
    ]
    last = records[-1]
    assert last["number"] == 22
    assert last["target"] == Decimal("5") and last["unit"] == "学校数"
    assert (last["direction"], last["direction_label"]) == ("decrease", "低いほど良い")
    assert last["achievement_rate"] == Decimal("83.3")
    assert (last["status"], last["status_label"]) == ("nearly_achieved", "概ね達成")


def test_kpi_records_one_per_kpi_with_a_column_per_year(judged):
    records = judged.to_records("kpi")
    assert len(records) == 24
    k_biz = of(records, K_BIZ)[0]
    assert [k_biz[f"actual_{y}"] for y in YEARS] == [
        Decimal(v) for v in ("1581", "2124", "1832", "2026", "1878")
    ]
    lower = of(records, LOWER_IS_BETTER)[0]
    assert [lower[f"actual_{y}"] for y in YEARS] == [None, None, None, None, Decimal("6")]
    assert "year" not in lower and "actuals" not in lower
    # the long records are the KPI records plus the year's value
    long = of(judged.to_records(), K_BIZ)[0]
    shared = {k: v for k, v in k_biz.items() if not k.startswith("actual_")}
    assert {k: v for k, v in long.items() if k not in ("year", "value", "marker")} == shared


def test_records_agree_with_the_json_output(judged):
    """Same numbers as the JSON (exact decimals), KPI by KPI."""
    document = json.loads(judged.to_json(), parse_float=Decimal)
    kpis = [k for p in document["projects"] for k in p["kpis"]]
    for record, kpi in zip(judged.to_records("kpi"), kpis, strict=True):
        assert record["indicator"] == kpi["indicator"]
        assert record["target"] == kpi["target"]
        assert record["achievement_rate"] == kpi["achievement_rate"]
        assert record["status"] == kpi["status"]
        assert {str(y): record[f"actual_{y}"] for y in YEARS if record[f"actual_{y}"]} == {
            y: v for y, v in kpi["actuals"].items() if v is not None
        }


def test_a_bad_form_is_refused(judged):
    with pytest.raises(ValueError, match="long"):
        judged.to_records("wide")  # type: ignore[arg-type]


# --- options ------------------------------------------------------------------------------------


def test_nearly_and_direction_change_the_judgement():
    strict = kpiledger.read(REFERENCE, nearly=90)
    assert of(strict.to_records("kpi"), K_BIZ)[0]["status"] == "not_achieved"
    turned = kpiledger.read(REFERENCE, direction={LOWER_IS_BETTER: Direction.INCREASE})
    assert of(turned.to_records("kpi"), LOWER_IS_BETTER)[0]["direction"] == "increase"
    japanese = kpiledger.read(REFERENCE, direction={LOWER_IS_BETTER: "高いほど良い"})
    assert japanese.to_json() == turned.to_json()


def test_arguments_in_the_reports_terms_are_located_problems():
    with pytest.raises(KpiledgerError) as error:
        kpiledger.read(REFERENCE, year=2031)
    assert [p.code for p in error.value.problems] == ["year-not-in-report"]
    with pytest.raises(KpiledgerError) as error:
        kpiledger.read(REFERENCE, direction={"空き店舗数": "decrease"})
    assert [p.code for p in error.value.problems] == ["unknown-kpi"]


@pytest.mark.parametrize("nearly", [101, -1, "eighty", True, float("nan")])
def test_a_bad_threshold_is_a_value_error(nearly):
    with pytest.raises(ValueError, match="0 to 100"):
        kpiledger.read(REFERENCE, nearly=nearly)


def test_a_bad_direction_word_is_a_value_error():
    with pytest.raises(ValueError, match="increase"):
        kpiledger.read(REFERENCE, direction={LOWER_IS_BETTER: "sideways"})


# --- bad files ----------------------------------------------------------------------------------


def test_a_file_that_is_no_report_is_a_report_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("会議メモ\n来週の予定\n", encoding="utf-8")
    with pytest.raises(ReportError) as error:
        kpiledger.read(path)
    assert error.value.problems
    assert all(p.code and p.message_ja and p.message_en for p in error.value.problems)


def test_a_damaged_workbook_is_a_report_error(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 64)
    with pytest.raises(ReportError) as error:
        kpiledger.read(path)
    assert error.value.problems


def test_a_missing_file_is_a_kpiledger_error(tmp_path):
    with pytest.raises(KpiledgerError) as error:
        kpiledger.read(tmp_path / "missing.xlsx")
    assert error.value.problems


# --- pandas -------------------------------------------------------------------------------------


def test_to_pandas_without_pandas_says_how_to_install_it(judged, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if not installed
    with pytest.raises(ImportError) as error:
        judged.to_pandas()
    message = str(error.value)
    assert 'pip install "kpiledger[pandas]"' in message
    assert "pandas が必要です" in message and "needs pandas" in message
    assert error.value.name == "pandas"


def test_to_pandas_with_pandas(judged):
    import pandas  # in the test extra: the optional extra is tested for real

    frame = judged.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert frame.shape[0] == 120
    assert list(frame.columns) == list(judged.to_records()[0])
    row = frame[(frame["indicator"] == K_BIZ) & (frame["year"] == 2019)].iloc[0]
    assert row["value"] == Decimal("1581") and row["achievement_rate"] == Decimal("81.7")
    assert judged.to_pandas("kpi").shape[0] == 24


# --- import cost ----------------------------------------------------------------------------------


def test_import_kpiledger_stays_light_and_read_never_imports_django():
    code = (
        "import sys, kpiledger\n"
        "assert 'kpiledger.api' not in sys.modules\n"
        "assert not {'django', 'pandas', 'kpiledger.io'} & set(sys.modules)\n"
        f"kpiledger.read({str(REFERENCE)!r}).to_records()\n"
        "assert 'django' not in sys.modules and 'pandas' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attributes_are_attribute_errors():
    with pytest.raises(AttributeError):
        kpiledger.nothing  # noqa: B018


# --- ledger ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ledger_is_what_export_writes(capsys):
    assert main(["import", str(REFERENCE), "--org", "012068"]) == 0
    capsys.readouterr()
    judged = kpiledger.ledger("012068", 2023)
    assert judged.to_json() == evaluate_json(capsys)
    assert kpiledger.ledger("012068").to_json() == judged.to_json()
    assert judged.org_code == "012068" and judged.org_name
    records = judged.to_records()
    assert len(records) == 120
    assert {r["org_code"] for r in records} == {"012068"}
    assert of(records, K_BIZ)[0]["achievement_rate"] == Decimal("81.7")
    with pytest.raises(KpiledgerError) as error:
        kpiledger.ledger("012068", 2019)
    assert [p.code for p in error.value.problems] == ["year-not-in-ledger"]


@pytest.mark.django_db(transaction=True)
def test_ledger_without_the_organization_is_a_located_problem():
    with pytest.raises(KpiledgerError) as error:
        kpiledger.ledger("131016")
    assert [p.code for p in error.value.problems] == ["org-not-in-ledger"]


# --- write: every export format from Python ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first"),
    [("r.xlsx", b"PK"), ("r.pdf", b"%PDF-"), ("r.json", b"{"), ("r.zip", b"PK")],
)
def test_write_takes_the_format_from_the_suffix_and_reads_back(judged, tmp_path, name, first):
    target = judged.write(tmp_path / name, org="012068")
    assert target == tmp_path / name and target.read_bytes().startswith(first)
    again = kpiledger.read(target)
    assert again.to_records("kpi") == judged.to_records("kpi")


def test_write_csv_is_the_open_data_file_of_the_organization(judged, tmp_path):
    import csv

    target = judged.write(tmp_path / "r.csv", org="０１２０６８")
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 24 * 5
    assert {(r["全国地方公共団体コード"], r["地方公共団体名"]) for r in rows} == {
        ("012068", "釧路市")
    }
    wide = judged.write(tmp_path / "w.csv", "csv-wide", org="012068")
    assert len(wide.read_text(encoding="utf-8-sig").splitlines()) == 1 + 24


def test_write_a_data_package_folder(judged, tmp_path):
    folder = judged.write(tmp_path / "package", org="012068")
    assert sorted(p.name for p in folder.iterdir()) == [
        "datapackage.json",
        "kpis.csv",
        "observations.csv",
        "projects.csv",
    ]
    assert kpiledger.read(folder / "datapackage.json").to_json() == judged.to_json()


def test_write_refuses_what_it_cannot_do_and_writes_nothing(judged, tmp_path):
    with pytest.raises(ValueError, match="org="):
        judged.write(tmp_path / "r.csv")  # open data names the organization
    with pytest.raises(ValueError, match="format="):
        judged.write(tmp_path / "r.docx")
    with pytest.raises(ValueError, match="format must be one of"):
        judged.write(tmp_path / "r.bin", "docx")
    with pytest.raises(KpiledgerError) as raised:
        judged.write(tmp_path / "missing" / "r.xlsx")
    assert raised.value.problems[0].code == "cannot-write"
    with pytest.raises(KpiledgerError) as raised:
        judged.write(tmp_path / "r.csv", org="012069")  # a wrong check digit
    assert raised.value.problems[0].code == "bad-org-code"
    assert list(tmp_path.iterdir()) == []
