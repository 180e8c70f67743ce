from django.urls import path

from kpiledger.web.ledger import staff_views

urlpatterns = [
    path("import/", staff_views.upload, name="import_upload"),
    path("import/preview/", staff_views.preview, name="import_preview"),
    path("import/confirm/", staff_views.confirm, name="import_confirm"),
]
