"""`kpiledger demo-data --national` (issue 11, item 4), the command end to end: the report files
it writes, the ledger it fills, its determinism, a second run into a ledger that is not empty,
its errors, and the public pages (/, /nation/, /org/<code>/2024/) on the ledger it makes.

The generator itself (`kpiledger.io.synthetic*`: codes, names, projects, KPIs, every format read
back, PDFs included) is tested in tests/test_synthetic.py. Here a few municipalities
(`--municipalities 3`: Hokkaido and Aomori with 3 of their municipalities) keep each run to
seconds; `--formats none` unless the sample files are what is tested (no PDF: each takes
seconds to write and to read, and test_synthetic reads one back).
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from kpiledger.cli.demo_data import README_MARK
from kpiledger.cli.main import main
from kpiledger.io import synthetic
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests.factories import make_organization

pytestmark = pytest.mark.django_db(transaction=True)

SMALL = ("--municipalities", "3")
NO_SAMPLES = ("--formats", "none")
#: The five organizations of --municipalities 3, in code order.
SMALL_ORGS = [
    ("010006", "北海道", "prefecture"),
    ("011002", "札幌市", "designated_city"),
    ("012025", "函館市", "city"),
    ("020001", "青森県", "prefecture"),
    ("022012", "青森市", "city"),
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def demo(capsys, output: Path, *options: str, seed: int = 1) -> tuple[int, str, str]:
    """`kpiledger demo-data --national` of the small dataset (read in this process)."""
    argv = ["demo-data", "--national", "--seed", str(seed), "-o", str(output), "--workers", "1"]
    return run(capsys, *argv, *(options or (*SMALL, *NO_SAMPLES)))


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}


# --- what the ledger holds --------------------------------------------------------------------


def expected_dataset(seed: int = 1, municipalities: int = 3):  # type: ignore[no-untyped-def]
    return list(synthetic.generate(seed, municipalities))


def test_the_ledger_holds_every_organization_report_kpi_and_judgement(capsys, client, tmp_path):
    status, out, err = demo(capsys, tmp_path / "out")
    assert (status, err) == (0, "")
    generated = expected_dataset()
    projects = sum(len(r.projects) for _, r in generated)
    kpis = sum(len(r.report.kpis) for _, r in generated)
    assert f"作成しました / written: 5団体 organizations, {projects:,}事業 projects," in out
    assert "台帳に取り込みました / imported: 5件 files, 変更なし unchanged 0, 失敗 failed 0," in out
    assert f" {kpis:,} KPI, " in out.splitlines()[1]

    rows = list(m.Organization.objects.order_by("code").values_list("code", "name", "kind"))
    assert rows == SMALL_ORGS
    people = {o.code: (o.kana, o.population, o.prefecture) for o, _ in generated}
    for org in m.Organization.objects.all():
        assert (org.kana, org.population, org.prefecture) == people[org.code]
        assert org.kana and org.population > 0
    hokkaido = m.Organization.objects.get(code="010006")
    assert hokkaido.kana == "ホッカイドウ" and hokkaido.population > 1_000_000
    assert m.Project.objects.count() == projects and 5 * 5 <= projects <= 5 * 15
    assert m.Kpi.objects.count() == kpis and 2 * projects <= kpis <= 5 * projects
    assert m.Observation.objects.count() == 10 * kpis  # FY2015–FY2024 for every KPI
    assert set(m.Observation.objects.values_list("fiscal_year", flat=True)) == set(synthetic.YEARS)
    assert m.ImportBatch.objects.filter(status="applied", fiscal_year=2024).count() == 5
    published = m.FiscalYear.objects.filter(year=2024, published_at__isnull=False)
    assert published.count() == 5

    # a stored judgement for every KPI of the report year, the generator's own judgement
    assert m.Judgement.objects.count() == kpis
    assert not m.Kpi.objects.exclude(judgements__fiscal_year=2024).exists()
    want = {
        (org.code, project.project.name, kpi.kpi.indicator): kpi.status.value
        for org, result in generated
        for project in result.projects
        for kpi in project.kpis
    }
    got = {
        (j.organization.code, j.project.name, j.kpi.indicator): j.status
        for j in m.Judgement.objects.select_related("organization", "project", "kpi")
    }
    assert got == want
    statuses = set(want.values())
    assert {"achieved", "not_achieved", "not_due"} <= statuses
    assert m.ProjectJudgement.objects.count() == projects

    # cumulative (累計) and level KPIs, increase and decrease, with the files' manifest
    records = [j.record for j in m.Judgement.objects.all()]
    aggregations = {r["aggregation"]["value"] for r in records}
    assert {"annual", "cumulative"} <= aggregations and len(aggregations) >= 3
    assert {r["direction"]["value"] for r in records} == {"increase", "decrease"}
    with (tmp_path / "out" / "manifest.csv").open(encoding="utf-8") as source:
        manifest = list(csv.reader(source))
    assert manifest == [
        ["file", "code", "name"],
        *[[f"reports/{code}_2024.csv", code, name] for code, name, _ in SMALL_ORGS],
    ]
    the_public_pages_answer(client)


def the_public_pages_answer(client) -> None:  # type: ignore[no-untyped-def]
    """The home page, the nation's page and every organization's report page of the generated
    ledger answer 200 with its names and indicators."""
    home = client.get(reverse("ledger:home"))
    assert home.status_code == 200 and "北海道" in home.content.decode()
    nation = client.get(reverse("ledger:nation"))
    assert nation.status_code == 200
    assert all(name in nation.content.decode() for _, name, _ in SMALL_ORGS)
    for code, name, _ in SMALL_ORGS:
        page = client.get(reverse("ledger:report", args=[code, 2024]))
        assert page.status_code == 200, code
        html = page.content.decode()
        first = m.Kpi.objects.filter(project__organization__code=code).order_by("id").first()
        assert name in html and first is not None and first.indicator in html


def test_the_manifest_imports_the_same_ledger_and_demo_data_then_changes_nothing(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = demo(capsys, out, *SMALL, *NO_SAMPLES, "--no-ledger")
    reports, manifest = out / "reports", out / "manifest.csv"
    assert status == 0 and m.Organization.objects.count() == 0
    assert f"取り込むには / to import: kpiledger import {reports} --manifest {manifest}" in stdout
    status, stdout, err = run(
        capsys, "import", str(reports), "--manifest", str(manifest), "--workers", "1"
    )
    assert (status, err) == (0, "")
    assert "  取り込み / imported: 5" in stdout
    by_file = ledger_rows()
    assert set(m.Organization.objects.values_list("population", flat=True)) == {None}

    status, stdout, err = demo(capsys, tmp_path / "again")
    assert (status, err) == (0, "")
    assert "imported: 0件 files, 変更なし unchanged 5, 失敗 failed 0, 0 KPI" in stdout
    populations = {o.code: o.population for o, _ in expected_dataset()}
    assert dict(m.Organization.objects.values_list("code", "population")) == populations
    after = ledger_rows()
    assert after.pop("Organization") != by_file.pop("Organization")  # the populations only
    assert after == by_file


# --- deterministic ------------------------------------------------------------------------------

#: A foreign key's natural key in the ledger's rows (ids and times differ from run to run).
NATURAL = {
    "organization": ("organization__code",),
    "grant": ("grant__name",),
    "project": ("project__organization__code", "project__name"),
    "kpi": ("kpi__project__organization__code", "kpi__project__name", "kpi__indicator"),
    "import_batch": ("import_batch__sha256",),
}
LEDGER_MODELS = (
    m.Organization,
    m.GrantProgram,
    m.ImportBatch,
    m.Project,
    m.Kpi,
    m.Observation,
    m.ReportedKpi,
    m.ReportedProject,
    m.FiscalYear,
    m.ProjectYear,
    m.Judgement,
    m.ProjectJudgement,
)


def ledger_rows() -> dict[str, list[str]]:
    """Every row of the ledger's tables by natural keys: no ids, no times, no accounts."""
    user = get_user_model()
    tables = {}
    for model in LEDGER_MODELS:
        names: list[str] = []
        for field in model._meta.concrete_fields:
            if field.primary_key or isinstance(field, models.DateTimeField):
                continue
            if field.is_relation:
                if field.related_model is not user:
                    names += NATURAL[field.name]
            elif field.name != "content":  # the file itself: its sha256 is compared
                names.append(field.name)
        tables[model.__name__] = sorted(repr(row) for row in model.objects.values_list(*names))
    return tables


def test_the_same_seed_gives_the_same_files_and_ledger_and_another_seed_differs(capsys, tmp_path):
    samples = (*SMALL, "--formats", "json,xlsx", "--sample", "1")
    assert demo(capsys, tmp_path / "a", *samples)[0] == 0
    first = ledger_rows()
    assert len(first["Kpi"]) > 100 and len(first["Observation"]) == 10 * len(first["Kpi"])
    call_command("flush", interactive=False, verbosity=0)
    assert m.Organization.objects.count() == 0
    assert demo(capsys, tmp_path / "b", *samples)[0] == 0
    assert ledger_rows() == first
    written = files_of(tmp_path / "a")
    assert written == files_of(tmp_path / "b")
    assert sorted(written) == [
        "README.md",
        "formats/json/010006_2024.json",
        "formats/xlsx/010006_2024.xlsx",
        "manifest.csv",
        "organizations.csv",
        *[f"reports/{code}_2024.csv" for code, _, _ in SMALL_ORGS],
    ]

    call_command("flush", interactive=False, verbosity=0)
    assert demo(capsys, tmp_path / "c", seed=2)[0] == 0  # no sample files
    other = ledger_rows()
    assert other["Organization"] != first["Organization"]  # the same codes, other populations
    assert [r.split(",")[0] for r in other["Organization"]] == [
        r.split(",")[0] for r in first["Organization"]
    ]
    for table in ("Project", "Kpi", "Observation", "Judgement", "ImportBatch"):
        assert other[table] != first[table], table
    again = files_of(tmp_path / "c")
    assert sorted(again) == [name for name in sorted(written) if not name.startswith("formats/")]
    assert again["manifest.csv"] == written["manifest.csv"]  # the same files, codes and names
    for name in again.keys() - {"manifest.csv"}:
        assert again[name] != written[name], name


# --- every format read back to the ledger's judgement --------------------------------------------


def judged_by_file(capsys, path: Path) -> dict[tuple[str, str], tuple]:  # type: ignore[type-arg]
    """`kpiledger evaluate FILE --format json`: each KPI's (status, rate, judged year,
    direction, aggregation) by (project, indicator)."""
    status, out, err = run(capsys, "evaluate", str(path), "--format", "json")
    assert status == 0, err
    data = json.loads(out, parse_float=Decimal)
    assert data["fiscal_year"] == 2024
    return {
        (project["name"], kpi["indicator"]): (
            kpi["status"],
            kpi["achievement_rate"],
            kpi["judged_year"],
            kpi["direction"],
            kpi["aggregation"],
        )
        for project in data["projects"]
        for kpi in project["kpis"]
    }


def judged_in_ledger(code: str) -> dict[tuple[str, str], tuple]:  # type: ignore[type-arg]
    rows = m.Judgement.objects.filter(organization__code=code, fiscal_year=2024)
    return {
        (j.project.name, j.kpi.indicator): (
            j.status,
            None if j.rate is None else Decimal(j.record["rate"]),
            j.judged_year,
            j.record["direction"]["value"],
            j.record["aggregation"]["value"],
        )
        for j in rows.select_related("project", "kpi")
    }


def test_every_format_reads_back_to_the_judgement_stored_in_the_ledger(capsys, tmp_path):
    out = tmp_path / "out"
    formats = "csv,json,datapackage,xlsx"
    status, _, err = demo(capsys, out, *SMALL, "--formats", formats, "--sample", "2")
    assert (status, err) == (0, "")
    samples = {p.relative_to(out).as_posix() for p in (out / "formats").rglob("*.*")}
    sampled = ("010006", "011002")  # a prefecture, then a designated city
    suffixes = {"csv": "csv", "json": "json", "datapackage": "zip", "xlsx": "xlsx"}
    assert samples == {
        f"formats/{fmt}/{code}_2024.{suffix}"
        for fmt, suffix in suffixes.items()
        for code in sampled
    }
    for code, _, _ in SMALL_ORGS:
        stored = judged_in_ledger(code)
        assert len(stored) >= 10
        assert judged_by_file(capsys, out / "reports" / f"{code}_2024.csv") == stored, code
    for code in sampled:
        stored = judged_in_ledger(code)
        for fmt, suffix in suffixes.items():
            path = out / "formats" / fmt / f"{code}_2024.{suffix}"
            assert judged_by_file(capsys, path) == stored, path


# --- a second run: the same dataset goes on, anything else is refused -------------------------


def test_running_again_changes_nothing_and_a_larger_run_adds_the_rest(capsys, tmp_path):
    assert demo(capsys, tmp_path / "out")[0] == 0
    before = ledger_rows()
    (tmp_path / "out" / "reports" / "999999_stale.csv").write_text("x", encoding="utf-8")
    status, out, err = demo(capsys, tmp_path / "out")  # the same folder: its files replaced
    assert (status, err) == (0, "")
    assert "imported: 0件 files, 変更なし unchanged 5, 失敗 failed 0, 0 KPI" in out
    assert ledger_rows() == before
    assert sorted(p.name for p in (tmp_path / "out" / "reports").iterdir()) == [
        f"{code}_2024.csv" for code, _, _ in SMALL_ORGS
    ]

    status, out, err = demo(capsys, tmp_path / "more", "--municipalities", "5", *NO_SAMPLES)
    assert (status, err) == (0, "")
    assert "imported: 2件 files, 変更なし unchanged 5, 失敗 failed 0" in out
    codes = [o.code for o in synthetic.organizations(1, 5)]
    assert list(m.Organization.objects.order_by("code").values_list("code", flat=True)) == codes
    after = ledger_rows()
    assert set(before.pop("GrantProgram")) <= set(after["GrantProgram"])
    for table, rows in before.items():  # the same rows (populations too), and more
        assert set(rows) < set(after[table]), table


def refused(status: int, out: str, err: str, *reasons: str) -> None:
    assert (status, out) == (2, "")
    assert "エラー: 1件の問題があります。" in err and "[ledger-not-empty]" in err
    assert "台帳には既にこの合成データ（シード" in err
    assert "the ledger already holds data other than this synthetic dataset (seed" in err
    assert "KPILEDGER_DATA_DIR=$(mktemp -d)" in err and "--no-ledger" in err
    for reason in reasons:
        assert reason in err, reason


def test_a_ledger_with_other_data_is_refused_and_nothing_is_written(capsys, tmp_path):
    assert demo(capsys, tmp_path / "out")[0] == 0
    before = ledger_rows()

    status, out, err = demo(capsys, tmp_path / "seed2", seed=2)
    ja = "この合成データのファイルではない取込 1件（010006 010006_2024.csv など）"
    en = "1 imports of other files (010006 010006_2024.csv, …)"  # the one file checked first
    refused(status, out, err, ja, en, "（シード 2、形式 csv-wide、市区町村 3）")
    status, out, err = demo(capsys, tmp_path / "json", *SMALL, *NO_SAMPLES, "--format", "json")
    refused(status, out, err, "（シード 1、形式 json、市区町村 3）", "5 imports of other files")
    status, out, err = demo(capsys, tmp_path / "fewer", "--municipalities", "1", *NO_SAMPLES)
    ja = "この合成データにない団体 2（012025 函館市 など）"
    en = "2 organizations not in this dataset (012025 函館市, …)"
    refused(status, out, err, ja, en)
    assert not any(tmp_path.joinpath(name).exists() for name in ("seed2", "json", "fewer"))
    assert ledger_rows() == before

    m.Project.objects.create(
        organization=m.Organization.objects.get(code="020001"),
        name="手で加えた事業",
        section="対象事業",
    )
    status, out, err = demo(capsys, tmp_path / "out")
    ja = "この合成データの取込によらない事業がある団体 1（020001 など）"
    en = "1 organizations with projects not from this dataset's files (020001, …)"
    refused(status, out, err, ja, en)


def test_every_file_is_checked_against_the_ledger_before_any_is_written(capsys, tmp_path):
    """A ledger whose first import is this dataset's file and a later one another seed's: found
    when every file has been made, still before any is written."""
    for seed in (1, 2):
        assert (
            demo(capsys, tmp_path / f"seed{seed}", *SMALL, *NO_SAMPLES, "--no-ledger", seed=seed)[0]
            == 0
        )
    for path in (
        tmp_path / "seed1/reports/010006_2024.csv",
        tmp_path / "seed2/reports/022012_2024.csv",
    ):
        assert run(capsys, "import", str(path))[0] == 0
    before = ledger_rows()
    status, out, err = demo(capsys, tmp_path / "out")
    ja = "この合成データのファイルではない取込 1件（022012 022012_2024.csv など）"
    refused(status, out, err, ja, "1 imports of other files (022012 022012_2024.csv, …)")
    assert not (tmp_path / "out").exists() and ledger_rows() == before


def test_an_organization_outside_the_dataset_is_refused(capsys, tmp_path):
    make_organization()  # 釧路市, by hand
    status, out, err = demo(capsys, tmp_path / "out")
    refused(status, out, err, "この合成データにない団体 1（012068 釧路市 など）")
    assert not (tmp_path / "out").exists()
    assert list(m.Organization.objects.values_list("code", flat=True)) == ["012068"]
    assert m.ImportBatch.objects.count() == 0


# --- errors ---------------------------------------------------------------------------------------


def refused_output(status: int, out: str, err: str, code: str, ja: str, en: str) -> None:
    assert (status, out) == (2, "")
    assert "エラー: 1件の問題があります。何も出力・書き込みしていません。" in err
    assert f"[{code}] {ja}" in err and en in err


def test_errors_say_what_is_wrong_in_japanese_and_english_and_write_nothing(capsys, tmp_path):
    status, out, err = run(capsys, "demo-data", "-o", str(tmp_path / "out"))
    ja = "作るデータを指定してください。今は --national（全国の合成データ）だけです"
    en = "say which dataset to make; for now there is --national only"
    refused_output(status, out, err, "national-required", ja, en)
    file = tmp_path / "file.txt"
    file.write_text("memo", encoding="utf-8")
    status, out, err = demo(capsys, file)
    ja, en = f"書き出し先 {file} はフォルダではありません", f"the output {file} is not a folder"
    refused_output(status, out, err, "output-not-folder", ja, en)
    status, out, err = demo(capsys, file / "out")
    ja = f"書き出し先 {file / 'out'} はフォルダではありません（{file} がファイルです）"
    en = f"the output {file / 'out'} is not a folder ({file} is a file)"
    refused_output(status, out, err, "output-not-folder", ja, en)
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.md").write_text("# mine", encoding="utf-8")
    status, out, err = demo(capsys, full)
    ja, en = f"書き出し先 {full} は空ではありません。", f"the output folder {full} is not empty"
    refused_output(status, out, err, "output-not-empty", ja, en)
    with pytest.raises(SystemExit) as exit_status:  # argparse's own errors
        main(["demo-data", "--national", "--municipalities", "0"])
    err = capsys.readouterr().err
    assert (
        exit_status.value.code == 2 and "市区町村の数は1〜1741で指定してください（指定: 0）" in err
    )
    assert "the number of municipalities must be from 1 to 1741: 0" in err

    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "full"]
    assert [p.name for p in full.iterdir()] == ["notes.md"] and file.read_text() == "memo"
    assert m.Organization.objects.count() == 0 and m.ImportBatch.objects.count() == 0


def test_a_folder_demo_data_wrote_is_recognised_by_its_readme(capsys, tmp_path):
    out = tmp_path / "out"
    assert demo(capsys, out, *SMALL, *NO_SAMPLES, "--no-ledger")[0] == 0
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(README_MARK)
    assert "`kpiledger demo-data --national --seed 1 --municipalities 3`" in readme
    assert "kpiledger import reports --manifest manifest.csv" in readme
    assert demo(capsys, out, *SMALL, *NO_SAMPLES, "--no-ledger", seed=5)[0] == 0
    assert "--seed 5 --municipalities 3`" in (out / "README.md").read_text(encoding="utf-8")
