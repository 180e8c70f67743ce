"""The yearly cycle end to end in Chromium (issue 10): a planning admin (企画担当), a department
editor (事業担当課) and a committee member (外部有識者) take the reference report (釧路市,
R5年度, imported and published) to a published R6年度 with the committee's evaluation, each in
their own browser, through the staff pages only — and the public pages show it. Every staff
page on the way is checked as the public ones are: axe-core finds no WCAG 2.1 AA violation, the
page fits the screen, no script error, no failed request.

The steps:
1. 企画担当 signs in, opens R6年度 from R5 on the years page: the three KPIs of 音別地域交流拠点
   施設整備事業 get new targets for R7.3 (their R6.3 targets have passed), the six other projects
   end with R5; the year's setup page lists the one project carried over.
2. 事業担当課 (assigned 音別 only) enters the three R6 actuals in Japanese notation (`３６，１２０`,
   `205`, `5,800,000`) and the project's money (`1億2,000万円`, `118,500千円`), records the
   self-evaluation (自己評価) and submits the project on the year's hub page.
3. 企画担当 records the primary review (一次評価).
4. 外部有識者 records the committee's evaluation (外部評価): effect, opinion (with HTML in it,
   shown as text), 今後の方針 — beside kpiledger's suggestion.
5. 企画担当 records the final decision (最終判断), approves the project and publishes R6年度.
6. The public: the home page lists R6年度, the R6 report shows the entered actuals, the money,
   the committee's effect and opinion (escaped) and the final 今後の方針; the R5 report is
   unchanged; the entry page now refuses the editor (published: locked, with the reason).
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from .test_browser import ADMIN_PASSWORD
from .test_layout import check_page

pytestmark = pytest.mark.browser

CODE, R5, R6 = "012068", 2023, 2024
OTOBETSU = "音別地域交流拠点施設整備事業"
USERS = {"kikaku": "planning_admin", "tanto": "department_editor", "iin": "committee_member"}
# the three KPIs of 音別: new target, new target date, the R6 actual as typed, as stored
OTOBETSU_KPIS = {
    "音別地域交流拠点施設利用者数": ("36,000", "R7.3", "３６，１２０", Decimal(36120)),
    "ふき紙漉き体験者数": ("200", "令和7年3月", "205", Decimal(205)),
    "特産品販売の売上額": ("5,600,000", "2025-03", "5,800,000", Decimal(5800000)),
}
OPINION = "<b>利用者数</b>は目標の2倍を超え、地域の交流拠点として定着した"
SELF = "施設利用者数・体験者数・売上額のすべてが目標を上回った"
FINAL = "利用が定着したため、周辺地域との連携事業に発展させる"


@pytest.fixture
def cycle(ledger: Any) -> dict[str, Any]:
    """The reference imported (R5 published) and the three members of 釧路市."""
    from django.contrib.auth.models import User

    from kpiledger.web.ledger import models as m

    organization = m.Organization.objects.get(code=CODE)
    otobetsu = m.Project.objects.get(organization=organization, name__endswith=OTOBETSU)
    for name, role in USERS.items():
        user = User.objects.create_user(name, password=ADMIN_PASSWORD)
        membership = m.Membership.objects.create(user=user, organization=organization, role=role)
        if role == "department_editor":
            membership.projects.set([otobetsu])
    kpis = {k.indicator: k.pk for k in m.Kpi.objects.filter(project=otobetsu)}
    others = list(
        m.Project.objects.filter(organization=organization)
        .exclude(pk=otobetsu.pk)
        .values_list("pk", flat=True)
    )
    return {"project": otobetsu.pk, "kpis": kpis, "others": others}


def sign_in(open_tab: Any, ledger: Any, username: str) -> Any:
    from django.urls import reverse

    tab = open_tab("ja", bypass_csp=True)  # bypass only lets axe-core's script in
    page = tab.page
    tab.open(f"{ledger.base}{reverse('ledger:login')}?next={reverse('ledger:staff_home')}")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', ADMIN_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator('main form button[type="submit"]').click()
    assert page.url.endswith(reverse("ledger:staff_home")), page.url
    return tab


def submit(tab: Any, form: str) -> None:
    """Click the submit button of the form matched by `form` and wait for the next page."""
    with tab.page.expect_navigation(wait_until="load"):
        tab.page.locator(f"{form} button[type=submit]").first.click()


def url(ledger: Any, name: str, *args: object) -> str:
    from django.urls import reverse

    return f"{ledger.base}{reverse(f'ledger:{name}', args=args)}"


SHOTS = os.environ.get("KPILEDGER_SCREENSHOTS")  # a folder: full-page screenshots of the steps


def shot(tab: Any, name: str) -> None:
    if SHOTS:
        tab.page.screenshot(path=str(Path(SHOTS) / f"cycle-{name}.png"), full_page=True)


def main_text(tab: Any) -> str:
    return str(tab.page.locator("main").inner_text())


def test_a_planning_admin_an_editor_and_the_committee_publish_r6(ledger, cycle, open_tab):
    from kpiledger.web.ledger import models as m

    project_id, kpis = cycle["project"], cycle["kpis"]

    # 1. 企画担当 opens R6 from R5
    admin = sign_in(open_tab, ledger, "kikaku")
    assert "釧路市" in main_text(admin)
    check_page(admin, "staff home", "ja")
    admin.open(url(ledger, "staff_years", CODE))
    check_page(admin, "years", "ja")
    shot(admin, "years")
    page = admin.page
    assert page.locator("form.open-year-form").count() == 1
    for indicator, (target, date, _typed, _stored) in OTOBETSU_KPIS.items():
        page.fill(f'input[name="target_{kpis[indicator]}"]', target)
        page.fill(f'input[name="date_{kpis[indicator]}"]', date)
    for other in cycle["others"]:
        page.check(f'input[name="end_{other}"]')
    submit(admin, "form.open-year-form")
    assert m.FiscalYear.objects.filter(organization__code=CODE, year=R6).exists()
    assert list(
        m.ProjectYear.objects.filter(fiscal_year=R6).values_list("project_id", "state")
    ) == [(project_id, "draft")]
    assert m.Kpi.objects.get(pk=kpis["音別地域交流拠点施設利用者数"]).target == 36000
    check_page(admin, "years (opened)", "ja")
    admin.open(url(ledger, "staff_year_setup", CODE, R6))
    assert OTOBETSU in main_text(admin)
    check_page(admin, "year setup", "ja")

    # 2. 事業担当課 enters the actuals and the money, self-evaluates and submits
    editor = sign_in(open_tab, ledger, "tanto")
    check_page(editor, "staff home (editor)", "ja")
    editor.open(url(ledger, "staff_entry", CODE, R6))
    page = editor.page
    assert page.locator('main input[name^="value_"]').count() == 3  # only 音別's KPIs
    for indicator, (_target, _date, typed, _stored) in OTOBETSU_KPIS.items():
        page.fill(f'input[name="value_{kpis[indicator]}"]', typed)
    check_page(editor, "entry", "ja")
    shot(editor, "entry")
    submit(editor, "form.entry-form")
    for indicator, (_target, _date, _typed, stored) in OTOBETSU_KPIS.items():
        observation = m.Observation.objects.get(kpi_id=kpis[indicator], fiscal_year=R6)
        assert observation.value == stored
    check_page(editor, "entry (saved)", "ja")

    editor.open(url(ledger, "staff_money", CODE, R6))
    page.fill(f'input[name="total_cost_{project_id}"]', "1億2,000万円")
    page.fill(f'input[name="grant_amount_{project_id}"]', "60,000,000")
    page.fill(f'input[name="spent_{project_id}"]', "118,500千円")
    check_page(editor, "money", "ja")
    shot(editor, "money")
    submit(editor, "form.staff-form")
    money = m.ProjectYear.objects.get(project_id=project_id, fiscal_year=R6)
    assert (money.total_cost, money.grant_amount, money.spent) == (120000000, 60000000, 118500000)
    editor.open(f"{url(ledger, 'staff_money', CODE, R6)}?project={project_id}&history=1")
    assert "118,500,000" in main_text(editor)
    check_page(editor, "money history", "ja")

    evaluation = url(ledger, "staff_evaluation", CODE, R6, project_id)
    editor.open(evaluation)
    assert "kpiledgerの提案" in main_text(editor)
    page.locator('input[name="self-effect"][value="地方創生に相当程度効果があった"]').check()
    page.fill('textarea[name="self-comment"]', SELF)
    check_page(editor, "evaluation (self)", "ja")
    submit(editor, "#step-self form")
    assert m.Evaluation.objects.get(project_id=project_id, fiscal_year=R6, step="self").effect

    editor.open(url(ledger, "staff_year", CODE, R6))
    check_page(editor, "year hub (editor)", "ja")
    submit(editor, f"#project-{project_id} form[action$='/submit/']")
    assert m.ProjectYear.objects.get(project_id=project_id, fiscal_year=R6).state == "submitted"

    # 3. 企画担当: primary review
    admin.open(evaluation)
    page = admin.page
    page.fill('textarea[name="primary-comment"]', "実績値と事業費を確認した")
    submit(admin, "#step-primary form")
    assert m.Evaluation.objects.filter(step="primary", fiscal_year=R6).count() == 1

    # 4. 外部有識者: the committee's evaluation beside kpiledger's suggestion
    committee = sign_in(open_tab, ledger, "iin")
    committee.open(evaluation)
    page = committee.page
    text = main_text(committee)
    assert "自己評価" in text and SELF in text
    page.locator('input[name="committee-effect"][value="地方創生に非常に効果的であった"]').check()
    page.fill('textarea[name="committee-comment"]', OPINION)
    page.locator('input[name="committee-policy"][value="事業の継続"]').check()
    check_page(committee, "evaluation (committee)", "ja")
    shot(committee, "evaluation")
    submit(committee, "#step-committee form")
    assert m.Evaluation.objects.get(step="committee", fiscal_year=R6).comment == OPINION
    check_page(committee, "evaluation (recorded)", "ja")
    # a committee member enters no actual: the entry page refuses, in Japanese and English
    refused = committee.page.goto(url(ledger, "staff_entry", CODE, R6))
    assert refused is not None and refused.status == 403
    assert "権限がありません" in main_text(committee)
    committee.failed.clear()  # the 403 was the point

    # 5. 企画担当: final decision, approval, publication
    admin.open(evaluation)
    page = admin.page
    page.locator('input[name="final-policy"][value="更に発展させる"]').check()
    page.fill('textarea[name="final-comment"]', FINAL)
    submit(admin, "#step-final form")
    check_page(admin, "evaluation (final)", "ja")
    admin.open(url(ledger, "staff_year", CODE, R6))
    check_page(admin, "year hub (admin)", "ja")
    shot(admin, "hub")
    submit(admin, f"#project-{project_id} form[action$='/approve/']")
    assert m.ProjectYear.objects.get(project_id=project_id, fiscal_year=R6).state == "approved"
    submit(admin, f"form[action$='/{R6}/publish/']")
    assert m.FiscalYear.objects.get(organization__code=CODE, year=R6).published_at is not None
    assert "公表された報告書" in main_text(admin)
    admin.open(url(ledger, "staff_evaluation_steps", CODE))
    check_page(admin, "evaluation steps", "ja")
    admin.open(url(ledger, "staff_kpi_history", kpis["ふき紙漉き体験者数"]))
    assert "205" in main_text(admin)
    check_page(admin, "kpi history", "ja")

    # 6. The public sees R6
    public = open_tab("ja", bypass_csp=True)
    public.open(ledger.home())
    assert "R6年度" in main_text(public) or "令和6年度" in main_text(public)
    public.open(url(ledger, "report", CODE, R6))
    text = main_text(public)
    for shown in ("36,120", "205", "5,800,000", "118,500,000", "120,000,000", "60,000,000"):
        assert shown in text, shown
    # the cost per unit of the counting KPIs: 118,500,000円 ÷ 36,120人, ÷ 205人 (not of 円)
    assert "3,281" in text and "578,049" in text
    assert OPINION in text  # the tags as text: escaped, not markup
    assert public.page.locator("main b").filter(has_text="利用者数").count() == 0
    assert "地方創生に非常に効果的であった" in text and "更に発展させる" in text
    assert "ふき紙漉き体験者数" in text and "本事業による雇用創出数" not in text
    check_page(public, "R6 report", "ja")
    shot(public, "report-r6")
    public.open(url(ledger, "report", CODE, R5))
    r5 = main_text(public)
    assert "35,245" in r5 and "本事業による雇用創出数" in r5 and "36,120" not in r5
    public.open(url(ledger, "dashboard", CODE, R6))
    check_page(public, "R6 dashboard", "ja")

    # published: the department's entry page is locked and says why
    editor.open(url(ledger, "staff_entry", CODE, R6))
    assert editor.page.locator('main input[name^="value_"]:not([disabled])').count() == 0
    assert re.search("公表済みのため編集できません", main_text(editor))
