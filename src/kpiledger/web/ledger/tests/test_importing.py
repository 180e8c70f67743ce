"""Importing reports into the ledger: the reference report exactly, re-import, next year's
report, all-or-nothing, the `kpiledger import` command and the reference loaded by `serve`.

Expected numbers were counted by hand in the reference report: 7 projects, 24 KPI rows,
5 year columns (R1–R5) → 120 observations, of which 70 cells are `-` (no value) and 50 numbers.
"""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.cli.main import main
from kpiledger.cli.web_commands import ensure_reference
from kpiledger.core.errors import KpiledgerError, ReportError
from kpiledger.io.readers import read_report
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import importing, reports, writer
from kpiledger.web.ledger.tests import factories as f

REFERENCE_COUNTS = {
    "new-project": 7, "changed-project": 0, "new-kpi": 24, "changed-kpi": 0,
    "new-reported": 24, "changed-reported": 0, "removed-reported": 0,
    "new-observation": 120, "changed-observation": 0, "kept-observation": 0,
    "new-assessment": 0, "changed-assessment": 0, "removed-assessment": 0,
}  # fmt: skip
# FY2024 variant: 1 new project, 2 new KPIs (one in it, one in an existing project);
# 24 + 2 observations for R6, plus R1–R5 of the 2 new KPIs (5 × 2) = 36; 移住者数 R5 changed.
# The FY2024 report's 26 rows are recorded as published, beside the FY2023 report's 24.
NEXT_YEAR_COUNTS = {
    "new-project": 1, "changed-project": 0, "new-kpi": 2, "changed-kpi": 0,
    "new-reported": 26, "changed-reported": 0, "removed-reported": 0,
    "new-observation": 36, "changed-observation": 1, "kept-observation": 0,
    "new-assessment": 0, "changed-assessment": 0, "removed-assessment": 0,
}  # fmt: skip
GRANTS = {
    "デジタル田園都市国家構想交付金（地方創生推進タイプ）",
    "地方創生拠点整備交付金",
    "地方創生テレワーク交付金",
    "デジタル田園都市国家構想交付金（デジタル実装タイプ）",
}


def all_zero() -> bool:
    return not any(f.row_counts().values())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def with_bad_cell(text: str = f.REFERENCE_TEXT) -> tuple[str, int]:
    """The reference with 音別地域交流拠点施設利用者数's R5 value (column 11) unreadable;
    returns the text and the 1-based line of that row."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if f.OTOBETSU_USERS in line)
    cells = lines[index].split("\t")
    assert cells[10] == "35,245"
    cells[10] = "三万五千"
    lines[index] = "\t".join(cells)
    return "\n".join(lines) + "\n", index + 1


# --- the reference report --------------------------------------------------------------------


@pytest.mark.django_db
def test_reference_import_counts_and_rows():
    plan, _ = f.import_reference()
    assert plan.counts() == REFERENCE_COUNTS
    assert f.row_counts() == {
        "GrantProgram": 4, "ImportBatch": 1, "Organization": 1, "Project": 7, "Kpi": 24,
        "Observation": 120, "HistoricalOrganization": 1, "HistoricalProject": 7,
        "HistoricalKpi": 24, "HistoricalObservation": 120, "ReportedKpi": 24,
        "HistoricalReportedKpi": 24, "LedgerVersion": 1, "ReportedProject": 0,
        "HistoricalReportedProject": 0,
        # The year is published, each of its projects a published project year (issue 10).
        "FiscalYear": 1, "HistoricalFiscalYear": 1, "ProjectYear": 7,
        "HistoricalProjectYear": 7, "Evaluation": 0, "HistoricalEvaluation": 0,
        "RefusedChange": 0,
        # Each KPI's and project's judgement of the year, stored (issue 11).
        "Judgement": 24, "ProjectJudgement": 7,
    }  # fmt: skip
    assert set(m.GrantProgram.objects.values_list("name", flat=True)) == GRANTS
    assert m.Observation.objects.filter(fiscal_year=2023).count() == 24
    years = set(m.Observation.objects.values_list("fiscal_year", flat=True))
    assert years == set(range(2019, 2024))


@pytest.mark.django_db
def test_reference_no_value_cells_are_kept_as_markers():
    f.import_reference()
    empty = m.Observation.objects.filter(value__isnull=True)
    assert empty.count() == 70
    assert set(empty.values_list("marker", flat=True)) == {"-"}
    filled = m.Observation.objects.filter(value__isnull=False)
    assert filled.count() == 50
    assert set(filled.values_list("marker", flat=True)) == {""}
    assert f.observation(f.OTOBETSU_USERS, 2021).value is None
    assert f.observation(f.OTOBETSU_USERS, 2021).marker == "-"


@pytest.mark.django_db
def test_reference_organization_projects_and_values():
    f.import_reference()
    org = m.Organization.objects.get()
    assert (org.code, org.name, org.prefecture) == ("012068", "釧路市", "北海道")
    projects = list(org.projects.order_by("position"))
    assert [p.position for p in projects] == list(range(7))
    otobetsu = m.Project.objects.get(name="音別地域交流拠点施設整備事業")  # without its 【】 prefix
    assert otobetsu.section == m.Section.RELATED
    assert otobetsu.grant.name == "地方創生拠点整備交付金"
    assert otobetsu.summary.startswith("音別地域では域外への人口流出")
    assert projects[0].section == m.Section.TARGET
    assert projects[0].grant.name == "デジタル田園都市国家構想交付金（地方創生推進タイプ）"
    assert f.observation(f.SATISFACTION, 2023).value == Decimal("73.5")
    assert f.observation(f.SPECIALTY_SALES, 2023).value == Decimal("5516080")
    assert f.observation(f.OTOBETSU_USERS, 2022).value == Decimal("33633")
    sales = m.Kpi.objects.get(indicator=f.SPECIALTY_SALES)
    assert (sales.target, sales.unit) == (Decimal("1300000"), "円")
    assert (sales.target_year, sales.target_month) == (2024, 3)
    assert sales.baseline is None
    assert m.Kpi.objects.get(indicator="欧米豪の訪日外国人旅行消費額").unit == "円/人"


@pytest.mark.django_db
def test_reference_import_batch():
    _, batch = f.import_reference()
    batch.refresh_from_db()
    assert batch.file_name == "kushiro_r5_kpi_report.txt"
    assert batch.sha256 == hashlib.sha256(f.REFERENCE_BYTES).hexdigest()
    assert bytes(batch.content) == f.REFERENCE_BYTES
    assert batch.title == "令和5年度デジタル田園都市国家構想交付金事業の実績"
    assert batch.fiscal_year == 2023
    assert batch.status == m.ImportBatch.Status.APPLIED
    assert batch.applied_at is not None
    assert batch.summary == REFERENCE_COUNTS
    assert batch.organization.code == "012068"
    assert m.Observation.objects.exclude(import_batch=batch).count() == 0


@pytest.mark.django_db
def test_import_history_records_the_file_as_reason():
    f.import_reference()
    reason = "取込 / import: kushiro_r5_kpi_report.txt"
    for model in (m.Project, m.Kpi, m.Observation):
        history = model.history.all()
        assert set(history.values_list("history_change_reason", flat=True)) == {reason}
        assert set(history.values_list("history_type", flat=True)) == {"+"}


@pytest.mark.django_db
def test_the_plan_is_a_preview_and_writes_nothing():
    report = read_report(f.REFERENCE_PATH)
    organization = importing.organization_for("012068", "釧路市")
    plan = importing.plan_import(organization, report, f.REFERENCE_BYTES)
    assert plan.counts() == REFERENCE_COUNTS
    assert organization.pk is None
    assert all_zero()


# --- re-importing ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reimport_of_the_same_file_changes_nothing():
    f.import_reference()
    before = f.row_counts()
    assert before["HistoricalObservation"] == 120
    organization = importing.organization_for("012068")
    plan = importing.plan_import(organization, read_report(f.REFERENCE_PATH), f.REFERENCE_BYTES)
    assert plan.already_imported is True
    assert plan.changes == []
    batch = importing.apply_import(plan, file_name="kushiro.txt", content=f.REFERENCE_BYTES)
    assert batch is None
    assert f.row_counts() == before


@pytest.mark.django_db
def test_same_data_in_other_bytes_plans_no_change(tmp_path):
    """The same table saved with CRLF line ends is another file, but changes no value."""
    f.import_reference()
    crlf = tmp_path / "kushiro_crlf.txt"
    crlf.write_bytes(f.REFERENCE_BYTES.replace(b"\n", b"\r\n"))
    history = f.history_counts()
    plan, _ = f.import_file(crlf)
    assert plan.already_imported is False
    assert plan.is_empty
    assert f.history_counts() == history
    assert m.Observation.objects.count() == 120


# --- next year's report ----------------------------------------------------------------------


@pytest.fixture
def next_year_file(tmp_path):
    return write(tmp_path, "kushiro_r6_kpi_report.txt", f.next_year_text())


@pytest.mark.django_db
def test_next_year_plan_counts_and_preview(next_year_file):
    f.import_reference()
    before = f.row_counts()
    organization = importing.organization_for("012068")
    report = read_report(next_year_file)
    assert report.fiscal_year == 2024
    plan = importing.plan_import(organization, report, next_year_file.read_bytes())
    assert plan.counts() == NEXT_YEAR_COUNTS
    [changed] = [c for c in plan.changes if c.kind == "changed-observation"]
    assert (changed.indicator, changed.fiscal_year) == (f.MIGRANTS, 2023)
    assert (changed.before, changed.after) == ("105", "106")
    assert f.row_counts() == before  # the preview wrote nothing


@pytest.mark.django_db
def test_next_year_extends_the_same_projects_and_kpis(next_year_file):
    f.import_reference()
    project_ids = set(m.Project.objects.values_list("id", flat=True))
    kpi_ids = set(m.Kpi.objects.values_list("id", flat=True))
    _, batch = f.import_file(next_year_file)
    assert batch.fiscal_year == 2024
    assert batch.summary == NEXT_YEAR_COUNTS
    assert m.Organization.objects.count() == 1
    assert m.Project.objects.count() == 8
    assert m.Kpi.objects.count() == 26
    assert project_ids < set(m.Project.objects.values_list("id", flat=True))
    assert kpi_ids < set(m.Kpi.objects.values_list("id", flat=True))
    assert m.Project.objects.get(name=f.NEW_PROJECT).grant.name == "地方創生推進交付金"
    assert m.GrantProgram.objects.count() == 5
    new_kpi = m.Kpi.objects.get(indicator=f.NEW_KPI)
    assert new_kpi.project.name.startswith("釧路市におけるテレワーク等推進事業")
    assert (new_kpi.target_year, new_kpi.target_month) == (2025, 3)
    assert m.Observation.objects.count() == 120 + 36
    assert m.Observation.objects.filter(fiscal_year=2024).count() == 26
    assert f.observation(f.OTOBETSU_USERS, 2024).value == Decimal("35246")
    assert f.observation(f.SATISFACTION, 2024).value == Decimal("74.5")
    assert f.observation(f.NEW_KPI, 2024).value == Decimal("52")
    assert reports.report_years(m.Organization.objects.get()) == [2024, 2023]


@pytest.mark.django_db
def test_next_year_changed_value_keeps_its_history(next_year_file):
    _, first = f.import_reference()
    _, second = f.import_file(next_year_file)
    migrants = f.observation(f.MIGRANTS, 2023)
    assert migrants.value == Decimal("106")
    assert migrants.import_batch == second
    newest, oldest = migrants.history.order_by("-history_id")
    assert (newest.value, newest.history_type) == (Decimal("106"), "~")
    assert "kushiro_r6_kpi_report.txt" in newest.history_change_reason
    assert (oldest.value, oldest.history_type) == (Decimal("105"), "+")
    assert "kushiro_r5_kpi_report.txt" in oldest.history_change_reason
    untouched = f.observation(f.OTOBETSU_USERS, 2023)
    assert untouched.import_batch == first
    assert untouched.history.count() == 1
    # one history row per written row: 1 project, 2 KPIs, 36 new + 1 changed observations
    assert f.history_counts() == {"HistoricalOrganization": 1, "HistoricalProject": 8,
                                  "HistoricalKpi": 26, "HistoricalObservation": 157,
                                  "HistoricalReportedKpi": 50,
                                  "HistoricalReportedProject": 0,
                                  "HistoricalFiscalYear": 2, "HistoricalProjectYear": 15,
                                  "HistoricalEvaluation": 0}  # fmt: skip


# --- all or nothing --------------------------------------------------------------------------


@pytest.mark.django_db
def test_bad_cell_is_reported_by_the_reader_and_nothing_is_written(tmp_path):
    text, line = with_bad_cell()
    path = write(tmp_path, "bad.txt", text)
    with pytest.raises(ReportError) as caught:
        read_report(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (line, 11)
    assert problem.field == "R5年度"
    assert all_zero()


@pytest.mark.django_db
def test_value_too_precise_for_the_ledger_is_refused_before_writing(tmp_path):
    text = f.REFERENCE_TEXT.replace("\t73.5\n", "\t73.12345\n")
    assert text != f.REFERENCE_TEXT
    path = write(tmp_path, "precise.txt", text)
    with pytest.raises(KpiledgerError) as caught:
        importing.plan_import(importing.organization_for("012068"), read_report(path),
                              path.read_bytes())  # fmt: skip
    assert caught.value.codes == ["value-out-of-range"]
    assert "73.12345" in caught.value.problems[0].message_en
    assert all_zero()


@pytest.mark.django_db(transaction=True)
def test_error_during_apply_rolls_everything_back(monkeypatch):
    real = writer.create_with_history
    written = []

    def failing(objs, model, **kwargs):  # type: ignore[no-untyped-def]
        if model is m.Observation:
            assert m.Kpi.objects.count() == 24  # projects and KPIs are already in the database
            raise RuntimeError("disk full")
        written.append(model)
        return real(objs, model, **kwargs)

    monkeypatch.setattr(writer, "create_with_history", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        f.import_reference()
    assert written == [m.Project, m.Kpi, m.ReportedKpi]
    assert f.row_counts() == dict.fromkeys(f.row_counts(), 0)
    monkeypatch.undo()
    _, batch = f.import_reference()  # the failed attempt left nothing behind
    assert batch is not None
    assert m.Observation.objects.count() == 120


# --- `kpiledger import` ----------------------------------------------------------------------


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


REFERENCE = str(f.REFERENCE_PATH)


@pytest.mark.django_db(transaction=True)
def test_cli_import_previews_then_imports(capsys):
    status, out, err = run(capsys, "import", REFERENCE, "--org", "012068", "--name", "釧路市")
    assert status == 0, err
    assert "釧路市（012068） ← kushiro_r5_kpi_report.txt  R5年度（2023年度）" in out
    assert "[追加 / added] 音別地域交流拠点施設整備事業" in out
    assert "    - [追加 / added] 音別地域交流拠点施設利用者数" in out
    assert "KPI: 追加 / added 24、変更あり / changed 0、実績値の追加 / new actuals 0、" in out
    assert "新しい団体として登録します: 釧路市（北海道）" in out
    assert "事業の追加 / new projects: 7" in out
    assert "KPIの追加 / new KPIs: 24" in out
    assert "実績値の追加 / new actuals: 120" in out
    assert "実績値の変更 / changed actuals: 0" in out
    assert "取り込みました" in out
    batch = m.ImportBatch.objects.get()
    assert f"batch {batch.pk}" in out
    assert m.Observation.objects.count() == 120
    assert m.Organization.objects.get().name == "釧路市"


@pytest.mark.django_db(transaction=True)
def test_cli_second_import_says_already_imported(capsys):
    assert run(capsys, "import", REFERENCE, "--org", "012068")[0] == 0
    before = f.row_counts()
    status, out, err = run(capsys, "import", REFERENCE, "--org", "０１２０６８")
    assert status == 0, err
    assert "取込済み" in out
    assert "already imported" in out
    assert "新しい団体" not in out
    assert "取り込みました" not in out
    assert f.row_counts() == before


@pytest.mark.django_db(transaction=True)
def test_cli_dry_run_writes_nothing(capsys):
    status, out, err = run(capsys, "import", REFERENCE, "--org", "012068", "--dry-run")
    assert status == 0, err
    assert "実績値の追加 / new actuals: 120" in out
    assert "取り込みました" not in out
    assert all_zero()


@pytest.mark.django_db(transaction=True)
def test_cli_next_year_shows_the_changed_value(capsys, next_year_file):
    assert run(capsys, "import", REFERENCE, "--org", "012068")[0] == 0
    status, out, err = run(capsys, "import", str(next_year_file), "--org", "012068")
    assert status == 0, err
    assert "  R6年度（2024年度）" in out
    assert f"    - [変更あり / changed] {f.MIGRANTS}" in out
    assert "        ! 実績値の変更 / changed actuals R5年度: 105 → 106" in out
    assert "[変更なし / unchanged] 音別地域交流拠点施設利用者数" not in out  # it gets R6 values
    assert "[実績値の追加 / new actuals] 音別地域交流拠点施設利用者数" in out
    assert "実績値の追加 / new actuals: 36" in out
    assert f.observation(f.MIGRANTS, 2023).value == Decimal("106")


@pytest.mark.django_db(transaction=True)
def test_cli_bad_org_code_names_the_check_digit(capsys):
    status, out, err = run(capsys, "import", REFERENCE, "--org", "012067")
    assert status == 2
    assert "検査数字" in err and "check digit" in err
    assert "012068" in err  # the message says what the code should be
    assert "Traceback" not in out + err
    assert all_zero()


@pytest.mark.django_db(transaction=True)
def test_cli_names_a_new_organization_from_the_table_of_local_governments(capsys):
    status, out, err = run(capsys, "import", REFERENCE, "--org", "011002", "--dry-run")
    assert status == 0, err
    assert "札幌市（011002） ← kushiro_r5_kpi_report.txt" in out and all_zero()
    status, out, err = run(capsys, "import", REFERENCE, "--org", "011002")
    assert status == 0, err
    org = m.Organization.objects.get()
    assert (org.code, org.name, org.prefecture) == ("011002", "札幌市", "北海道")


@pytest.mark.django_db(transaction=True)
def test_cli_name_overrides_the_table(capsys):
    status, _, err = run(capsys, "import", REFERENCE, "--org", "011002", "--name", "札幌市役所")
    assert status == 0, err
    assert m.Organization.objects.get().name == "札幌市役所"


@pytest.mark.django_db(transaction=True)
def test_cli_code_not_in_the_table_needs_a_name(capsys):
    status, out, err = run(capsys, "import", REFERENCE, "--org", "016951")  # 色丹村
    assert status == 2
    assert "[unknown-org-code]" in err
    assert "団体コード 016951 は地方公共団体コード表（2026年10月時点）にありません" in err
    assert "団体名を --name で指定してください" in err
    assert "not in the table of local governments (as of 2026-10)" in err and "--name" in err
    assert "Traceback" not in out + err
    assert all_zero()
    status, _, err = run(capsys, "import", REFERENCE, "--org", "016951", "--name", "色丹村")
    assert status == 0, err
    assert m.Organization.objects.get().name == "色丹村"


@pytest.mark.django_db(transaction=True)
def test_cli_existing_organization_needs_no_name_even_if_not_in_the_table(capsys):
    f.make_organization("016951", "色丹村")
    status, _, err = run(capsys, "import", REFERENCE, "--org", "016951")
    assert status == 0, err
    assert list(m.Organization.objects.values_list("name", flat=True)) == ["色丹村"]
    assert m.ImportBatch.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_cli_bad_file_is_located_and_nothing_is_written(capsys, tmp_path):
    text, line = with_bad_cell()
    path = write(tmp_path, "bad.txt", text)
    status, out, err = run(capsys, "import", str(path), "--org", "012068")
    assert status == 2
    assert f"{line}行目 11列目" in err
    assert f"line {line}, column 11" in err
    assert "三万五千" in err
    assert "Traceback" not in out + err
    assert all_zero()


# --- the reference loaded by `kpiledger serve` -----------------------------------------------


@pytest.mark.django_db
def test_ensure_reference_loads_kushiro_into_an_empty_ledger():
    out = io.StringIO()
    assert ensure_reference(out) is True
    assert "釧路市（012068）" in out.getvalue()
    org = m.Organization.objects.get()
    assert (org.code, org.name, org.prefecture) == ("012068", "釧路市", "北海道")
    assert (m.Project.objects.count(), m.Kpi.objects.count()) == (7, 24)
    assert m.Observation.objects.count() == 120
    batch = m.ImportBatch.objects.get()
    assert (batch.file_name, batch.fiscal_year) == ("kushiro_r5_kpi_report.txt", 2023)
    before = f.row_counts()
    assert ensure_reference(io.StringIO()) is False
    assert f.row_counts() == before


@pytest.mark.django_db
def test_ensure_reference_leaves_a_ledger_with_data_alone():
    f.make_organization("011002", "札幌市")
    out = io.StringIO()
    assert ensure_reference(out) is False
    assert out.getvalue() == ""
    assert list(m.Organization.objects.values_list("code", flat=True)) == ["011002"]
    assert m.Project.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_cli_import_shows_a_cut_file_warning_before_writing(capsys, tmp_path):
    cut = tmp_path / "cut.txt"
    cut.write_bytes(f.REFERENCE_PATH.read_bytes()[:7409])  # `head -c 7409`: 88 becomes 8
    status, out, _ = run(capsys, "import", str(cut), "--org", "012068", "--dry-run")
    assert status == 0
    warning = out.index("[possibly-truncated]")
    assert warning < out.index("事業の追加") and "39行目" in out
    assert "nothing was written" in out and m.Organization.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_cli_dry_run_says_nothing_was_written(capsys):
    status, out, _ = run(capsys, "import", REFERENCE, "--org", "012068", "--dry-run")
    assert status == 0 and "確認のみ：台帳には何も書き込んでいません" in out
    assert m.Organization.objects.count() == m.ImportBatch.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_cli_imports_standard_input_for_a_dash(capsys, monkeypatch):
    import io
    import sys

    stdin = io.TextIOWrapper(io.BytesIO(f.REFERENCE_PATH.read_bytes()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    status, out, err = run(capsys, "import", "-", "--org", "012068")
    assert status == 0, err
    assert "釧路市（012068） ← 標準入力 (stdin)  R5年度（2023年度）" in out
    assert m.Observation.objects.count() == 120
    assert m.ImportBatch.objects.get().file_name == "標準入力 (stdin)"


def test_cli_import_whose_output_is_closed_writes_nothing_and_says_so(tmp_path):
    import os
    import subprocess
    import sys

    env = os.environ | {"KPILEDGER_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "kpiledger.cli.main", "import", REFERENCE, "--org", "012068"]
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -0`: the reader is gone before the first line
    try:
        done = subprocess.run(
            command, env=env, stdout=write_end, stderr=subprocess.PIPE, timeout=120, check=False
        )
    finally:
        os.close(write_end)
    err = done.stderr.decode()
    assert done.returncode == 141, err
    assert "Traceback" not in err and "内部エラー" not in err
    assert "何も書き込んでいません" in err and "nothing was written" in err
    check = subprocess.run(
        [*command, "--dry-run"], env=env, capture_output=True, timeout=120, check=False
    )
    assert "新しい団体として登録します" in check.stdout.decode()  # the import was rolled back


def test_change_descriptions_never_show_python_values():
    """The preview's before/after read なし, はい/いいえ and 和暦 years, not None/True/2023年度."""
    from kpiledger.web.ledger.services.planner import _field, _years_text

    assert [_field(v) for v in (None, "", True, False)] == ["なし", "なし", "はい", "いいえ"]
    assert _field(Decimal("2300.0000")) == "2300"
    actuals = {"2023": {"value": "105"}, "2022": {"marker": "-"}}
    assert _years_text(actuals, ["2021", "2022", "2023"]) == "R3年度: なし、R4年度: -、R5年度: 105"


@pytest.mark.django_db(transaction=True)
def test_cli_import_keeps_a_direction_given_on_the_command_line(capsys):
    status, _out, err = run(
        capsys, "import", REFERENCE, "--org", "012068", "--direction", "移住者数=decrease"
    )
    assert status == 0, err
    kpi = m.Kpi.objects.get(indicator=f.MIGRANTS)
    assert kpi.direction_override == "decrease"
    organization = m.Organization.objects.get()
    from kpiledger.web.ledger.services import reports

    [result] = [k for k in reports.load_report(organization, 2023).result.kpis
                if k.kpi.indicator == f.MIGRANTS]  # fmt: skip
    assert (result.direction.value.value, result.status.value) == ("decrease", "achieved")


def test_a_locked_ledger_is_the_problem_ledger_busy_and_other_database_errors_go_on() -> None:
    from django.db import OperationalError

    from kpiledger.core.errors import KpiledgerError
    from kpiledger.web.ledger.services.importing import busy_as_problem

    with pytest.raises(KpiledgerError) as busy, busy_as_problem():
        raise OperationalError("database is locked")
    assert [p.code for p in busy.value.problems] == ["ledger-busy"]
    assert "使用中" in busy.value.problems[0].message_ja
    with pytest.raises(OperationalError, match="no such table"), busy_as_problem():
        raise OperationalError("no such table: x")
