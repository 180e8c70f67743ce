from django.contrib.auth.views import LogoutView
from django.urls import path

from kpiledger.web.ledger import staff_views

urlpatterns = [
    path("import/", staff_views.upload, name="import_upload"),
    path("import/preview/", staff_views.preview, name="import_preview"),
    path("import/confirm/", staff_views.confirm, name="import_confirm"),
    # POST only (Django 5): the header's logout button; back to the public list afterwards.
    path("logout/", LogoutView.as_view(next_page="ledger:home"), name="logout"),
]
