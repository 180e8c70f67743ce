from django.contrib.auth.views import LogoutView
from django.urls import path

from kpiledger.web.ledger import staff_auth, staff_views

urlpatterns = [
    path("login/", staff_auth.login, name="login"),
    path("import/", staff_views.upload, name="import_upload"),
    # The imports of the user's organizations (pending, applied, discarded), one pending import
    # (its preview) and its confirmation (apply or discard, POST).
    path("imports/", staff_views.imports, name="staff_imports"),
    path("imports/<int:pk>/", staff_views.preview, name="import_preview"),
    path("imports/<int:pk>/confirm/", staff_views.confirm, name="import_confirm"),
    # POST only (Django 5): the header's logout button; back to the public list afterwards.
    path("logout/", LogoutView.as_view(next_page="ledger:home"), name="logout"),
]
