from django.conf.urls.i18n import i18n_patterns
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
    # Kept for links and forms of older pages: sets the language cookie and goes to the page's
    # address in that language. Pages switch language by links (`/en/…`), and need no token.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("favicon.ico", favicon, name="favicon"),
    # The read-only REST API, its OpenAPI document and docs page (docs/api-rest.md).
    path("api/v1/", api.urls),
]
# The language is part of a page's address: Japanese without a prefix (`/org/012068/2023/`),
# English under `/en/` — a page's content depends on its address alone, so shared caches may
# keep public pages without `Vary: Cookie` (docs/adr/0007-national-scale.md).
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("kpiledger.web.ledger.urls")),
    prefix_default_language=False,
)
