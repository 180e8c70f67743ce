"""What a report publishes beside its KPIs (the national form's 実績額, 事業効果, 外部有識者からの
意見, 今後の方針 …) kept in the ledger per project and year (`ReportedProject`), with history,
re-imported without change, corrected and removed like the KPI rows, and shown on the report."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.io.readers import read_report
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import importing, reports
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

LAYOUTS = Path(__file__).resolve().parents[5] / "tests" / "data" / "layouts"
NATIONAL = LAYOUTS / "23_national_form.txt"
CODE = "016322"  # any valid code: the file names the town itself


def imported(path: Path = NATIONAL) -> tuple[importing.ImportPlan, m.Organization]:
    plan, _ = f.import_file(path, CODE, "霧見町")
    return plan, m.Organization.objects.get(code=CODE)


def test_assessments_recorded_with_history() -> None:
    plan, organization = imported()
    assert plan.counts()["new-assessment"] == 3
    rows = {r.project.name: r for r in m.ReportedProject.objects.select_related("project")}
    first = rows["霧見町移住・定住促進事業"]
    assert (first.fiscal_year, first.spent, first.spent_text, first.spent_unit) == (
        2023,
        Decimal("8412000"),
        "8412000",
        "円",
    )
    assert first.effect == "地方創生に相当程度効果があった"
    assert first.policy_reason == "お試し住宅の利用者への定住支援を強化する。"
    assert first.import_batch is not None
    assert m.ReportedProject.history.count() == 3
    loaded = reports.load_report(organization, 2023).result
    assert [p.project.assessment for p in loaded.projects] == [
        p.assessment for p in read_report(NATIONAL).projects
    ]
    assert [[fl.code for fl in p.flags] for p in loaded.projects] == [
        [],
        ["effect-mismatch"],
        ["effect-mismatch"],
    ]


def test_same_file_again_changes_nothing_and_a_correction_is_one_change(tmp_path: Path) -> None:
    imported()
    text = NATIONAL.read_text(encoding="utf-8")
    again = tmp_path / "again.txt"
    again.write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    plan, _ = f.import_file(again, CODE, "霧見町")
    assert plan.changes == []
    corrected = tmp_path / "corrected.txt"
    corrected.write_text(text.replace("8,412,000", "8,500,000"), encoding="utf-8")
    plan, _ = f.import_file(corrected, CODE, "霧見町")
    [change] = plan.changes
    assert (change.kind, change.project, change.fiscal_year) == (
        "changed-assessment",
        "霧見町移住・定住促進事業",
        2023,
    )
    assert (change.before, change.after) == ("実績額: 8412000", "実績額: 8500000")
    row = m.ReportedProject.objects.get(project__name="霧見町移住・定住促進事業")
    assert row.spent == Decimal("8500000")
    assert [h.spent for h in row.history.order_by("history_date")] == [
        Decimal("8412000"),
        Decimal("8500000"),
    ]


def test_a_reimport_without_the_columns_removes_them_with_history(tmp_path: Path) -> None:
    imported()
    lines = NATIONAL.read_text(encoding="utf-8").splitlines()
    kept = [[c for i, c in enumerate(line.split("\t")[:10]) if i != 3] for line in lines]
    cut = "\n".join("\t".join(cells) for cells in kept) + "\n"  # no 実績額, no 事業効果 …
    path = tmp_path / "kpis_only.txt"
    path.write_text(cut, encoding="utf-8")
    plan, _ = f.import_file(path, CODE, "霧見町")
    assert plan.counts()["removed-assessment"] == 3
    assert m.ReportedProject.objects.count() == 0
    assert m.ReportedProject.history.filter(history_type="-").count() == 3


def test_report_page_shows_what_was_published(client) -> None:  # type: ignore[no-untyped-def]
    imported()
    html = client.get(f"/org/{CODE}/2023/").content.decode()
    assert "事業効果（公表）" in html
    assert "8,412,000円" in html
    assert "外部有識者からの意見" in html
    assert "相談件数は目標を上回った。移住者数の伸びにつなげるため" in html
    assert "お試し住宅の利用者への定住支援を強化する。" in html
    assert (
        "公表された事業効果「地方創生に効果があった」は、KPIの実績から提案する"
        "「地方創生に効果がなかった」と異なります" in html
    )
    english = client.get(f"/en/org/{CODE}/2023/").content.decode()
    assert "Effect (as published)" in english
    assert "Amount spent" in english
    assert "differs from the one the KPI results suggest" in english


def test_reference_report_page_has_no_published_block(client) -> None:  # type: ignore[no-untyped-def]
    f.import_reference()
    html = client.get("/org/012068/2023/").content.decode()
    assert 'class="published"' not in html
    assert "事業効果（公表）" not in html
