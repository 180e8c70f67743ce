from django.contrib.auth.views import LogoutView
from django.urls import path

from kpiledger.web.ledger import staff_auth, staff_entry, staff_views

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
    # POST only (Django 5): the header's logout button; back to the public list afterwards.
    path("logout/", LogoutView.as_view(next_page="ledger:home"), name="logout"),
]
