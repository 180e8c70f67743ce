from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from kpiledger.web.api.api import api

FAVICON = "ledger/img/favicon.svg"


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico, which browsers ask for on pages without an icon link (the admin, a JSON
    response): the site's icon. A temporary redirect, so a later static address is followed."""
    return HttpResponseRedirect(static(FAVICON))


urlpatterns = [
    path("admin/", admin.site.urls),
    # The language switch on every public page needs no CSRF token (it only sets the visitor's
    # language cookie), so public pages carry no per-visitor token and can be served from the
    # page cache (docs/adr/0003-hardening.md).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("favicon.ico", favicon, name="favicon"),
    # The read-only REST API, its OpenAPI document and docs page (docs/api-rest.md).
    path("api/v1/", api.urls),
    path("", include("kpiledger.web.ledger.urls")),
]
