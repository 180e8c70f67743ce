"""Issue 11, item 5: a KPI's or project's category (基本目標, 分野) set by hand in the Django
admin. The admin shows the category inferred from the words beside the override, and refuses
an override without its reason (in Japanese and English); the override is kept with its reason
and its history, only in the user's own organization."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.admin import REASON_NEEDED
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def kikaku(client: Client):  # type: ignore[no-untyped-def]
    user = f.make_planning_admin("kikaku", is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def kpi(kikaku) -> m.Kpi:  # type: ignore[no-untyped-def]
    organization = m.Organization.objects.get(code=f.KUSHIRO[0])
    project = f.make_project(organization, "釧路市観光振興事業", summary="周遊ルートを造成した。")
    return f.make_kpi(project, "観光入込客数", unit="人", target=Decimal(1000))


def _value(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    return "" if value is None else value


def posted(page: Any, **changes: str) -> dict[str, Any]:
    """The change form as the browser would send it back (its fields and inline rows), with
    `changes`."""
    form = page.context["adminform"].form
    data = {
        name: _value(form.initial.get(name, field.initial)) for name, field in form.fields.items()
    }
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, 0)
        for row in formset.forms:
            for name, field in row.fields.items():
                data[row.add_prefix(name)] = _value(row.initial.get(name, field.initial))
    data.update(changes)
    # Empty fields and unticked boxes are not sent; 0 is (`0 == False`, hence `is`).
    return {k: v for k, v in data.items() if v != "" and v is not None and v is not False}


def test_the_kpi_page_shows_the_inferred_category_beside_the_override(client: Client, kpi):
    page = client.get(reverse("admin:ledger_kpi_change", args=[kpi.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "推定された分類 / inferred category" in text
    assert "観光（人の流れ・移住） / Tourism (Flow of people, migration)" in text
    assert "指標名の「観光入込」から観光に分類" in text
    assert "classified as tourism from 観光入込 in the indicator" in text
    for name in ("goal_override", "field_override", "category_reason"):
        assert f'name="{name}"' in text
    section = text.index("分類（基本目標・分野） / Category (goal, field)")
    assert section < text.index("推定された分類") < text.index('name="field_override"')


def test_a_kpi_override_without_a_reason_is_refused_in_both_languages(client: Client, kpi):
    url = reverse("admin:ledger_kpi_change", args=[kpi.pk])
    page = client.get(url)
    for changes in ({"field_override": "economy"}, {"field_override": "industry"},
                    {"goal_override": "work", "category_reason": "   "}):  # fmt: skip
        response = client.post(url, posted(page, **changes))
        assert response.status_code == 200, changes
        kpi.refresh_from_db()
        assert (kpi.field_override, kpi.goal_override, kpi.category_reason) == ("", "", "")
    assert REASON_NEEDED in response.content.decode()
    assert "理由を書いてください" in REASON_NEEDED and "give the reason" in REASON_NEEDED


def test_a_kpi_override_with_its_reason_is_kept_with_its_history(client: Client, kpi):
    url = reverse("admin:ledger_kpi_change", args=[kpi.pk])
    reason = "観光消費を狙う事業のため / the project aims at spending"
    response = client.post(
        url,
        posted(
            client.get(url), field_override="tourism", goal_override="work", category_reason=reason
        ),
    )
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert (kpi.field_override, kpi.goal_override, kpi.category_reason) == (
        "tourism",
        "work",
        reason,
    )
    latest = kpi.history.latest()
    assert latest.history_user.username == "kikaku" and latest.goal_override == "work"
    # clearing the override needs no reason
    cleared = posted(client.get(url), field_override="", goal_override="", category_reason="")
    assert client.post(url, cleared).status_code == 302
    kpi.refresh_from_db()
    assert (kpi.field_override, kpi.goal_override) == ("", "")


def test_a_project_override_needs_its_reason_too(client: Client, kpi):
    project = kpi.project
    url = reverse("admin:ledger_project_change", args=[project.pk])
    page = client.get(url)
    text = page.content.decode()
    assert "観光（人の流れ・移住） / Tourism (Flow of people, migration)" in text
    assert "事業名の「観光」から観光に分類" in text
    refused = client.post(url, posted(page, field_override="migration"))
    assert refused.status_code == 200 and REASON_NEEDED in refused.content.decode()
    project.refresh_from_db()
    assert project.field_override == ""
    kept = client.post(
        url, posted(page, field_override="migration", category_reason="移住促進が主眼 / migration")
    )
    assert kept.status_code == 302
    project.refresh_from_db()
    assert (project.field_override, project.category_reason) == (
        "migration",
        "移住促進が主眼 / migration",
    )


def test_another_organizations_kpi_cannot_be_categorized(client: Client, kpi):
    sapporo = f.make_organization("011002", "札幌市")
    foreign = f.make_kpi(f.make_project(sapporo, "札幌の事業"), "移住者数")
    url = reverse("admin:ledger_kpi_change", args=[foreign.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"field_override": "tourism", "category_reason": "x"})
    assert response.status_code in (403, 404)
    foreign.refresh_from_db()
    assert foreign.field_override == ""


def test_the_add_page_says_the_category_is_shown_once_saved(client: Client, kpi):
    page = client.get(reverse("admin:ledger_kpi_add"))
    assert page.status_code == 200
    assert "保存すると表示します / shown once saved" in page.content.decode()
