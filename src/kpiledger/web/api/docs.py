"""The API's docs page (`/api/v1/docs`): Swagger UI from django-ninja's own static files.

Nothing comes from a CDN, and the page holds no inline script: the settings travel in a JSON
data block (`json_script`, never executed) that ninja's `swagger-ui-init.js` reads, so the page
works under the site's Content-Security-Policy (`script-src 'self'`). The online validator
badge (an external image) is switched off, and "Try it out" offers GET only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI

SWAGGER_SETTINGS: dict[str, Any] = {
    "layout": "BaseLayout",
    "deepLinking": True,
    "validatorUrl": None,
    "supportedSubmitMethods": ["get"],
    "defaultModelsExpandDepth": 0,
}


class LocalSwagger(Swagger):
    template = "kpiledger_api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        openapi_url = self.get_openapi_url(api, kwargs)
        context = {
            "api": api,
            "openapi_url": openapi_url,
            "swagger_settings": SWAGGER_SETTINGS | {"url": openapi_url},
        }
        return render(request, self.template, context)
