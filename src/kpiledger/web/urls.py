from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    # The language switch on every public page needs no CSRF token (it only sets the visitor's
    # language cookie), so public pages carry no per-visitor token and can be served from the
    # page cache (docs/adr/0003-hardening.md).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("kpiledger.web.ledger.urls")),
]
