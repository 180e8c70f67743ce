from django.contrib.auth.views import LogoutView
from django.urls import path

from kpiledger.web.ledger import (
    staff_auth,
    staff_entry,
    staff_evaluation,
    staff_money,
    staff_review,
    staff_views,
    staff_year,
)

urlpatterns = [
    path("login/", staff_auth.login, name="login"),
    path("import/", staff_views.upload, name="import_upload"),
    # The imports of the user's organizations (pending, applied, discarded), one pending import
    # (its preview) and its confirmation (apply or discard, POST).
    path("imports/", staff_views.imports, name="staff_imports"),
    path("imports/<int:pk>/", staff_views.preview, name="import_preview"),
    path("imports/<int:pk>/confirm/", staff_views.confirm, name="import_confirm"),
    # Data entry of one organization's actuals for a fiscal year, and one KPI's value history
    # (with revert to an earlier value).
    path("org/<str:code>/<int:year>/entry/", staff_entry.entry, name="staff_entry"),
    path("kpi/<int:kpi_id>/history/", staff_entry.kpi_history, name="staff_kpi_history"),
    # The yearly cycle (issue 10): the user's organizations and their years; opening a year
    # (carrying the previous year over) and setting up its projects and KPIs.
    path("", staff_year.home, name="staff_home"),
    path("org/<str:code>/years/", staff_year.years, name="staff_years"),
    path("org/<str:code>/<int:year>/setup/", staff_year.year_setup, name="staff_year_setup"),
    # A year's hub: its projects and their states; submit / return / approve one project (POST);
    # publish the year's report (POST).
    path("org/<str:code>/<int:year>/", staff_review.year, name="staff_year"),
    path(
        "org/<str:code>/<int:year>/project/<int:project_id>/<str:action>/",
        staff_review.project_action,
        name="staff_project_action",
    ),
    path("org/<str:code>/<int:year>/publish/", staff_review.publish, name="staff_publish"),
    # Close the year to entry (締切) or open it again (POST).
    path(
        "org/<str:code>/<int:year>/entry-window/",
        staff_year.entry_window,
        name="staff_entry_window",
    ),
    # Each project's money of the year (総事業費, 交付金額, 実績額).
    path("org/<str:code>/<int:year>/money/", staff_money.money, name="staff_money"),
    # One project's evaluation chain of the year; the organization's evaluation steps.
    path(
        "org/<str:code>/<int:year>/evaluation/<int:project_id>/",
        staff_evaluation.evaluation,
        name="staff_evaluation",
    ),
    path(
        "org/<str:code>/evaluation-steps/",
        staff_evaluation.evaluation_steps,
        name="staff_evaluation_steps",
    ),
    # POST only (Django 5): the header's logout button; back to the public list afterwards.
    path("logout/", LogoutView.as_view(next_page="ledger:home"), name="logout"),
]
