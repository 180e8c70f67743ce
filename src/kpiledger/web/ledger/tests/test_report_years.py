"""A published report stays as published: importing next year's report (new targets,
corrected actuals, new and dropped KPIs) does not change how an earlier year's report reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kpiledger.core.evaluate import Status
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import reports
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db
K_BIZ_VISITS = "釧路市ビジネスサポートセンターk-Bizの来所相談件数"


def fy2024_text() -> str:
    """The FY2024 variant with a raised target (2,300 → 2,500) for k-Biz visits."""
    return f.next_year_text().replace(f"{K_BIZ_VISITS}\t2,300\t", f"{K_BIZ_VISITS}\t2,500\t")


def import_text(tmp_path, text: str, name: str):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return f.import_file(path)


@pytest.fixture
def two_years(tmp_path):
    f.import_reference()
    import_text(tmp_path, fy2024_text(), "r6.txt")
    return m.Organization.objects.get()


def results(org, year):
    ledger = reports.load_report(org, year)
    return {k.kpi.indicator: k for k in ledger.result.kpis}, ledger


def test_the_earlier_report_keeps_its_rows_targets_and_values(two_years):
    fy2023, ledger = results(two_years, 2023)
    assert len(fy2023) == 24 and f.NEW_KPI not in fy2023
    assert f.NEW_PROJECT not in [p.project.name for p in ledger.result.projects]
    visits = fy2023[K_BIZ_VISITS]
    assert (visits.kpi.target, visits.achievement_rate, visits.status) == (
        Decimal(2300), Decimal("81.7"), Status.NEARLY_ACHIEVED)  # fmt: skip
    migrants = fy2023[f.MIGRANTS]
    assert migrants.actual == Decimal(105)  # as published in FY2023 …
    flags = {flag.code: flag for flag in migrants.flags}
    assert "105 から 106" in flags["revised-after-publication"].message_ja  # … and corrected since
    assert ledger.result.report.year_columns == [2019, 2020, 2021, 2022, 2023]


def test_the_later_report_has_its_own_terms(two_years):
    fy2024, ledger = results(two_years, 2024)
    assert len(fy2024) == 26 and f.NEW_KPI in fy2024
    assert fy2024[K_BIZ_VISITS].kpi.target == Decimal(2500)
    assert fy2024[f.MIGRANTS].kpi.actuals[2023].value == Decimal(106)
    assert ledger.result.report.year_columns[-1] == 2024
    kpi = m.Kpi.objects.get(indicator=K_BIZ_VISITS)
    assert kpi.target == Decimal(2500)  # the KPI's current terms follow the newest report


def test_an_older_report_imported_later_does_not_roll_back_newer_values(two_years, tmp_path):
    # Re-import FY2023 from other bytes (CRLF): its 移住者数 R5 of 105 must not undo the 106.
    plan, _ = import_text(tmp_path, f.REFERENCE_TEXT.replace("\n", "\r\n"), "r5-again.txt")
    assert plan.counts()["kept-observation"] == 1
    assert plan.counts()["changed-observation"] == 0 and plan.counts()["changed-kpi"] == 0
    assert f.observation(f.MIGRANTS, 2023).value == Decimal(106)
    assert m.Kpi.objects.get(indicator=K_BIZ_VISITS).target == Decimal(2500)


def test_pages_of_both_years(client, two_years):
    page_2023 = client.get(reverse("ledger:report", args=["012068", 2023])).content.decode()
    page_2024 = client.get(reverse("ledger:report", args=["012068", 2024])).content.decode()
    assert "2,300" in page_2023 and "2,500" not in page_2023 and f.NEW_PROJECT not in page_2023
    assert "2,500" in page_2024 and f.NEW_PROJECT in page_2024
    kpi = m.Kpi.objects.get(indicator=f.NEW_KPI)
    url = reverse("ledger:kpi", args=["012068", kpi.id])
    assert client.get(url + "?year=2023").status_code == 404  # not in the FY2023 report
    assert client.get(url).status_code == 200  # default: the latest report that has it


def test_project_texts_are_kept_per_report_year(tmp_path):
    summary_2024 = "令和6年度に改めた事業の概要。"
    f.import_reference()
    text = fy2024_text().replace("k-Bizに、新たにチーフディレクター", f"{summary_2024}k-Bizに")
    import_text(tmp_path, text, "r6.txt")
    org = m.Organization.objects.get()
    _, fy2023 = results(org, 2023)
    _, fy2024 = results(org, 2024)
    assert summary_2024 not in fy2023.result.projects[0].project.summary
    assert summary_2024 in fy2024.result.projects[0].project.summary
    # The FY2023 report imported again afterwards does not roll the project back.
    import_text(tmp_path, f.REFERENCE_TEXT.replace("\n", "\r\n"), "r5-again.txt")
    assert summary_2024 in m.Project.objects.get(name__startswith="釧路市ビジネス").summary
    assert summary_2024 in results(org, 2024)[1].result.projects[0].project.summary


def test_a_corrected_report_of_the_same_year_replaces_its_rows(tmp_path, client):
    typo = f.REFERENCE_TEXT.replace(f.MIGRANTS + "\t", "移住着数\t")
    import_text(tmp_path, typo, "typo.txt")
    plan, _ = import_text(tmp_path, f.REFERENCE_TEXT, "fixed.txt")
    assert plan.counts()["removed-reported"] == 1 and plan.counts()["new-reported"] == 1
    org = m.Organization.objects.get()
    fy2023, _ = results(org, 2023)
    assert len(fy2023) == 24 and "移住着数" not in fy2023 and f.MIGRANTS in fy2023
    deleted = m.ReportedKpi.history.filter(history_type="-").get()
    assert "fixed.txt" in deleted.history_change_reason


def test_an_older_report_never_overrides_a_value_a_newer_report_confirmed(tmp_path):
    # FY2023 publishes R4 = 112 (as the FY2024 report does); an FY2022 file then says 100.
    f.import_reference()
    import_text(tmp_path, fy2024_text(), "r6.txt")
    older = f.REFERENCE_TEXT.replace("令和5年度", "令和4年度", 1).replace(
        "\t112\t105", "\t100\t105"
    )
    plan, _ = import_text(tmp_path, older, "r4.txt")
    assert plan.counts()["kept-observation"] >= 1 and plan.counts()["changed-observation"] == 0
    assert f.observation(f.MIGRANTS, 2022).value == Decimal(112)


def test_going_back_to_an_earlier_file_of_the_year_is_applied(tmp_path):
    f.import_reference()
    corrected = f.REFERENCE_TEXT.replace("\t112\t105", "\t112\t107")
    import_text(tmp_path, corrected, "corrected.txt")
    plan, batch = f.import_reference()
    assert batch is not None and not plan.already_imported
    assert f.observation(f.MIGRANTS, 2023).value == Decimal(105)


def test_texts_too_long_for_the_ledger_are_refused(tmp_path):
    from kpiledger.core.errors import KpiledgerError

    long_name = "長" * 501
    text = f.REFERENCE_TEXT.replace("移住者数\t", long_name + "\t")
    with pytest.raises(KpiledgerError) as error:
        import_text(tmp_path, text, "long.txt")
    assert error.value.codes == ["text-too-long"]
    assert m.Organization.objects.count() == 0


def test_overrides_stated_in_the_report_reach_the_ledger(tmp_path):
    from pathlib import Path

    layout = Path(__file__).resolve().parents[5] / "tests" / "data" / "layouts"
    text = (layout / "21_direction_and_aggregation_columns.txt").read_text(encoding="utf-8")
    import_text(tmp_path, text, "overrides.txt")
    outings = m.Kpi.objects.get(indicator="高齢者の外出機会の割合")
    social = m.Kpi.objects.get(indicator="社会増減数")
    assert outings.direction_override == "decrease" and outings.aggregation_override == ""
    assert (social.aggregation_override, social.actuals_are_increments) == ("cumulative", True)
    org = m.Organization.objects.get()
    fy2023, _ = results(org, 2023)
    assert fy2023["社会増減数"].actual == Decimal(105)
    # An admin override is not erased by a later report that states nothing.
    consultations = m.Kpi.objects.get(indicator="移住相談件数")
    consultations.direction_override = "decrease"
    consultations.save()
    import_text(tmp_path, text.replace("190", "191"), "overrides-2.txt")
    consultations.refresh_from_db()
    assert consultations.direction_override == "decrease"


def test_published_digits_are_kept_as_written(tmp_path, client):
    # 73.5 published as 73.50 and the k-Biz target 2,300 as 2,300.00: the same numbers, but the
    # report row keeps the digits as published and the pages show them so.
    text = f.REFERENCE_TEXT.replace("\t73.5\n", "\t73.50\n").replace(
        f"{K_BIZ_VISITS}\t2,300\t", f"{K_BIZ_VISITS}\t2,300.00\t"
    )
    assert "73.50" in text and "2,300.00" in text
    import_text(tmp_path, text, "r5.txt")
    visits = m.ReportedKpi.objects.get(kpi__indicator=K_BIZ_VISITS)
    assert visits.target == Decimal("2300") and visits.target_text == "2300.00"
    (satisfaction,) = [
        r for r in m.ReportedKpi.objects.all() if r.actuals["2023"].get("value") == "73.50"
    ]
    assert satisfaction.target_text == "55"
    page = client.get(reverse("ledger:report", kwargs={"code": "012068", "year": 2023}))
    body = page.content.decode()
    assert "73.50" in body and "2,300.00" in body
    kpi = client.get(
        reverse("ledger:kpi", kwargs={"code": "012068", "kpi_id": satisfaction.kpi_id})
    )
    assert "73.50" in kpi.content.decode()
