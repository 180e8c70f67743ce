"""Stored judgements (issue 11, item 2): every KPI's and project's judgement of every public
report year is kept in the ledger, identical to judging it afresh — after imports of the
reference and of the layouts of tests/data, after every kind of change through the services and
the admin's saves, and after the 概ね達成 threshold changed and `rejudge` ran; rebuilt in the same
transaction as the change."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from kpiledger.core.categories import Field, Goal
from kpiledger.core.effect import Effect
from kpiledger.core.orgcode import local_governments
from kpiledger.io.writers.json import dumps
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import (
    entry,
    evaluation,
    judgements,
    money,
    reports,
    workflow,
    years,
)
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

LAYOUTS = Path(__file__).resolve().parents[5] / "tests" / "data" / "layouts"
CODE = f.KUSHIRO[0]
PUBLISHED, NEXT = 2023, 2024


def assert_stored_is_fresh(nearly: Decimal | None = None) -> int:
    """Every organization's stored judgements are those judged now, KPI by KPI and project by
    project, in every public year (and there are no others); returns the KPIs compared."""
    nearly = settings.KPILEDGER_NEARLY if nearly is None else nearly
    compared = 0
    for organization in m.Organization.objects.all():
        public = reports.report_years(organization)
        kept = m.Judgement.objects.filter(organization=organization)
        assert set(kept.values_list("fiscal_year", flat=True)) == set(public), organization.code
        for year in public:
            rows = reports.reported_rows(organization, year, with_judgements=True)
            stored = reports.stored_report(organization, year, nearly, rows)
            assert stored is not None, (organization.code, year)
            fresh = reports.judge_rows(
                organization, year, nearly, reports.reported_rows(organization, year)
            )
            assert (stored.kpi_ids, stored.project_ids) == (fresh.kpi_ids, fresh.project_ids)
            for kept_kpi, fresh_kpi in zip(stored.result.kpis, fresh.result.kpis, strict=True):
                assert kept_kpi == fresh_kpi, kept_kpi.kpi.indicator
                assert repr(kept_kpi) == repr(fresh_kpi)
            assert stored.result == fresh.result
            assert dumps(stored.result) == dumps(fresh.result)
            assert_columns(organization, year, fresh)
            compared += len(fresh.result.kpis)
    assert m.Judgement.objects.count() == compared
    return compared


def assert_columns(organization: m.Organization, year: int, fresh: reports.LedgerReport) -> None:
    """The columns the comparison pages read agree with the record."""
    rows = m.Judgement.objects.filter(organization=organization, fiscal_year=year)
    columns = [
        (j.kpi_id, j.status, j.rate, j.judged_year, j.progress or None)
        for j in rows.order_by("position")
    ]
    expected = [
        (kpi_id, r.status.value, r.achievement_rate, r.judged_year, r.progress)
        for kpi_id, r in zip(fresh.kpi_ids, fresh.result.kpis, strict=True)
    ]
    assert columns == expected
    projects = m.ProjectJudgement.objects.filter(organization=organization, fiscal_year=year)
    effects = dict(projects.values_list("project_id", "effect_suggestion"))
    assert effects == {
        pk: (p.effect_suggestion or "")
        for pk, p in zip(fresh.project_ids, fresh.result.projects, strict=True)
    }


def records(year: int = PUBLISHED) -> dict[int, dict]:  # type: ignore[type-arg]
    return dict(m.Judgement.objects.filter(fiscal_year=year).values_list("kpi_id", "record"))


def kpi(indicator: str) -> m.Kpi:
    return m.Kpi.objects.get(indicator=indicator, project__organization__code=CODE)


def enter(user, indicator: str, value: str, year: int, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    k = kpi(indicator)
    current = m.Observation.objects.filter(kpi=k, fiscal_year=year).first()
    row = entry.Entry(k.pk, entry.parse_value(value, k.unit), "", entry.token(current))
    entry.save_entries(user, k.project.organization, year, [row], comment)


@pytest.fixture
def admin():  # type: ignore[no-untyped-def]
    f.import_reference()
    return f.make_planning_admin()


# --- imports --------------------------------------------------------------------------------


def test_imports_store_every_judgement_of_the_reference_and_the_layouts():
    f.import_reference()
    assert m.Judgement.objects.count() == 24 and m.ProjectJudgement.objects.count() == 7
    codes = [c for c in sorted(local_governments()) if c != CODE]
    layouts = sorted(LAYOUTS.glob("*.txt"))
    for path, code in zip(layouts, codes, strict=False):
        f.import_file(path, code=code, name=None)
    assert m.Organization.objects.count() == len(layouts) + 1
    assert assert_stored_is_fresh() > 24 + 3 * len(layouts)


def test_the_stored_rows_are_what_pages_and_exports_read(client):
    f.import_reference()
    organization = m.Organization.objects.get(code=CODE)
    rows = reports.reported_rows(organization, PUBLISHED, with_judgements=True)
    assert reports.stored_report(organization, PUBLISHED, settings.KPILEDGER_NEARLY, rows)
    # A stored record tampered with shows on the page: the page does not judge again.
    judgement = m.Judgement.objects.get(kpi=kpi(f.OTOBETSU_USERS))
    assert judgement.record["status"] == "achieved" and judgement.record["rate"] == "220.3"
    judgement.record["rate"] = "999.9"
    judgement.save()
    assert "999.9%" in client.get(f"/org/{CODE}/{PUBLISHED}/").content.decode()
    loaded = reports.load_report(organization, PUBLISHED, settings.KPILEDGER_NEARLY)
    assert loaded.result.kpis[loaded.kpi_ids.index(judgement.kpi_id)].achievement_rate == Decimal(
        "999.9"
    )
    # Without stored judgements for the year the report is judged on the spot, the same.
    m.Judgement.objects.all().delete()
    assert reports.load_report(organization, PUBLISHED).result.kpis[0].status.value


def test_a_newer_reports_import_judges_both_years(tmp_path):
    f.import_reference()
    path = tmp_path / "r6.txt"
    path.write_text(f.next_year_text(), encoding="utf-8")
    f.import_file(path)
    assert set(m.Judgement.objects.values_list("fiscal_year", flat=True)) == {PUBLISHED, NEXT}
    assert assert_stored_is_fresh() == m.ReportedKpi.objects.count() > 48


# --- edits through the services -------------------------------------------------------------


def test_a_correction_of_a_published_year_is_flagged_in_the_stored_judgement(admin):
    before = records()[kpi(f.OTOBETSU_USERS).pk]
    enter(admin, f.OTOBETSU_USERS, "35,300", PUBLISHED, comment="集計漏れの追加")
    after = records()[kpi(f.OTOBETSU_USERS).pk]
    assert before["flags"] == [] and before["reader_flags"] == []
    assert [flag["code"] for flag in after["reader_flags"]] == ["revised-after-publication"]
    assert "集計漏れの追加" in after["reader_flags"][0]["message_ja"]
    assert_stored_is_fresh()
    # Reverting it through its history removes the flag again.
    record = (
        m.Observation.history.filter(kpi_id=kpi(f.OTOBETSU_USERS).pk, fiscal_year=PUBLISHED)
        .order_by("history_id")
        .first()
    )
    current = m.Observation.objects.get(kpi=kpi(f.OTOBETSU_USERS), fiscal_year=PUBLISHED)
    entry.revert(admin, record.history_id, "誤りでした", entry.token(current))
    assert records()[kpi(f.OTOBETSU_USERS).pk]["reader_flags"] == []
    assert_stored_is_fresh()


def test_a_year_opened_entered_evaluated_closed_and_published(admin):
    organization = m.Organization.objects.get(code=CODE)
    extend = {k.pk: (k.target, NEXT + 1, 3) for k in m.Kpi.objects.all()}
    years.open_year(admin, organization, NEXT, extend=extend)
    assert_stored_is_fresh()
    enter(admin, f.OTOBETSU_USERS, "36,012", NEXT)
    enter(admin, f.MIGRANTS, "99", NEXT)
    assert list(records(NEXT)) == []  # not a report year yet
    project = kpi(f.OTOBETSU_USERS).project
    token = money.token(m.ProjectYear.objects.get(project=project, fiscal_year=NEXT))
    saved = money.save_money(
        admin, organization, NEXT, [(project.pk, "1,000千円", Decimal(800000), "", "", token)]
    )
    assert saved.changed == [project.pk]
    evaluation.record(admin, project, NEXT, "self", Effect.EFFECTIVE.value, "良好", "")
    ended = m.Kpi.objects.filter(project=kpi(f.MIGRANTS).project).exclude(indicator=f.MIGRANTS)
    if ended:
        years.close_kpi(admin, ended[0], PUBLISHED)
    years.close_entry(admin, organization, NEXT)
    years.reopen_entry(admin, organization, NEXT)
    assert_stored_is_fresh()
    for row in workflow.year_projects(organization, NEXT):
        workflow.submit(admin, row.project, NEXT)
    years.close_entry(admin, organization, NEXT)
    for row in workflow.year_projects(organization, NEXT):
        workflow.approve(admin, row.project, NEXT)
    workflow.publish(admin, organization, NEXT)
    assert reports.report_years(organization) == [NEXT, PUBLISHED]
    assert len(records(NEXT)) == m.ReportedKpi.objects.filter(fiscal_year=NEXT).count() > 0
    assert records(NEXT)[kpi(f.OTOBETSU_USERS).pk]["actual"] == "36012"
    assert assert_stored_is_fresh() > 24


def test_admin_saves_of_overrides_rejudge(admin):
    migrants = kpi(f.MIGRANTS)
    assert records()[migrants.pk]["direction"]["overridden"] is False
    migrants.direction_override = m.DirectionChoice.DECREASE
    migrants.override_reason = "確認のため"
    migrants.save()
    assert records()[migrants.pk]["direction"] == records()[migrants.pk]["direction"] | {
        "value": "decrease",
        "overridden": True,
    }
    migrants.field_override = Field.MIGRATION.value
    migrants.category_reason = "移住の指標"
    migrants.save()
    stored = m.Judgement.objects.get(kpi=migrants)
    assert (stored.field, stored.goal) == (Field.MIGRATION.value, Goal.FLOW.value)
    assert stored.category_reason == "指定: 移住の指標"
    project = migrants.project
    project.field_override, project.goal_override = Field.EMPLOYMENT.value, Goal.FAMILY.value
    project.category_reason = "雇用と子育て"
    project.save()
    judged = m.ProjectJudgement.objects.get(project=project)
    assert (judged.field, judged.goal, judged.category_reason) == (
        "employment",
        "family",
        "指定: 雇用と子育て",
    )
    # What a report published beside the KPIs: a published effect other than the suggestion.
    suggested = judged.effect_suggestion
    other = next(e for e in Effect if e.value != suggested)
    m.ReportedProject.objects.create(project=project, fiscal_year=PUBLISHED, effect=other.value)
    judged = m.ProjectJudgement.objects.get(project=project)
    assert [flag["code"] for flag in judged.flags] == ["effect-mismatch"]
    assert_stored_is_fresh()
    # A published row deleted: the KPI is no longer in the year's report, nor judged there.
    before = m.ProjectJudgement.objects.get(project=project).effect_reason_ja
    m.ReportedKpi.objects.get(kpi=migrants, fiscal_year=PUBLISHED).delete()
    assert migrants.pk not in records() and len(records()) == 23
    assert m.ProjectJudgement.objects.get(project=project).effect_reason_ja != before
    # An actual deleted: still judged on the published value, without a correction's flag.
    m.Observation.objects.filter(kpi__project=project, fiscal_year=PUBLISHED).first().delete()
    assert_stored_is_fresh()


def test_a_save_that_changes_nothing_judged_does_not_rejudge(admin, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(judgements, "_rejudge", lambda org, *args: calls.append(org.pk) or 0)
    users = kpi(f.OTOBETSU_USERS)
    users.note = "備考だけ"
    users.save()
    users.project.summary = "概要だけ"
    users.project.save()
    assert calls == []
    users.indicator += "（改）"
    users.save()
    assert len(calls) == 1


# --- one rejudging per write, in its transaction --------------------------------------------


def test_a_write_of_many_rows_rejudges_its_organization_once(admin, monkeypatch):
    real, calls = judgements._rejudge, []

    def counted(organization, public, wanted):  # type: ignore[no-untyped-def]
        calls.append((organization.code, wanted))
        return real(organization, public, wanted)

    monkeypatch.setattr(judgements, "_rejudge", counted)
    rows = []
    for indicator, value in ((f.OTOBETSU_USERS, "35,300"), (f.MIGRANTS, "104")):
        k = kpi(indicator)
        current = m.Observation.objects.get(kpi=k, fiscal_year=PUBLISHED)
        rows.append(entry.Entry(k.pk, entry.parse_value(value, k.unit), "", entry.token(current)))
    entry.save_entries(admin, kpi(f.MIGRANTS).project.organization, PUBLISHED, rows, "再集計")
    assert calls == [(CODE, {PUBLISHED})]
    # Outside a write's block a change is rejudged at once; inside one, at its end.
    calls.clear()
    judgements.changed(kpi(f.MIGRANTS).project.organization_id)
    assert calls == [(CODE, None)]
    calls.clear()
    with transaction.atomic(), judgements.deferred():
        judgements.changed_kpi(kpi(f.MIGRANTS).pk, PUBLISHED)
        judgements.changed_project(kpi(f.MIGRANTS).project_id)
        assert calls == []
    assert calls == [(CODE, None)]
    # A change to a year after every report year rejudges nothing.
    calls.clear()
    judgements.changed(kpi(f.MIGRANTS).project.organization_id, since=NEXT)
    assert calls == []
    assert_stored_is_fresh()


def test_a_change_rolled_back_leaves_the_judgements_as_they_were(admin):
    before = records()
    with pytest.raises(RuntimeError), transaction.atomic():
        enter(admin, f.OTOBETSU_USERS, "1", PUBLISHED, comment="誤入力")
        assert records() != before  # rejudged inside the transaction …
        raise RuntimeError("rolled back")
    assert records() == before  # … and rolled back with it
    enter(admin, f.OTOBETSU_USERS, "1", PUBLISHED, comment="誤入力")
    assert records() != before
    assert_stored_is_fresh()


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_has_its_new_judgements_and_a_failed_one_none():
    f.import_reference()
    user = f.make_planning_admin()
    before = records()
    with pytest.raises(entry.EntryError):  # a correction without its reason: nothing written
        enter(user, f.OTOBETSU_USERS, "2", PUBLISHED)
    assert records() == before
    enter(user, f.OTOBETSU_USERS, "2", PUBLISHED, comment="再集計")
    after = records()[kpi(f.OTOBETSU_USERS).pk]
    assert after["reader_flags"][0]["code"] == "revised-after-publication"
    assert_stored_is_fresh()


# --- the threshold --------------------------------------------------------------------------


def test_a_new_threshold_is_judged_on_the_spot_until_rejudged(admin):
    organization = m.Organization.objects.get(code=CODE)
    with override_settings(KPILEDGER_NEARLY=Decimal(50)):
        rows = reports.reported_rows(organization, PUBLISHED, with_judgements=True)
        assert reports.stored_report(organization, PUBLISHED, Decimal(50), rows) is None
        loaded = reports.load_report(organization, PUBLISHED, Decimal(50))
        assert loaded.result.nearly_threshold == Decimal(50)
        written = judgements.rejudge(organization)
        assert written == 24 + 7
        assert set(m.Judgement.objects.values_list("nearly", flat=True)) == {Decimal(50)}
        assert reports.load_report(organization, PUBLISHED, Decimal(50)).result == loaded.result
        assert assert_stored_is_fresh(Decimal(50)) == 24
    statuses = dict(m.Judgement.objects.values_list("status").annotate(n=m.models.Count("id")))
    assert statuses["nearly_achieved"] > 4  # 4 at 80 %: more at 50 %
    assert judgements.rejudge_all() == 24 + 7
    assert assert_stored_is_fresh() == 24
