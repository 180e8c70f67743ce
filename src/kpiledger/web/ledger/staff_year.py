"""Opening a fiscal year and setting up its projects and KPIs (issue 10, item 3).

A placeholder being written: every view answers 404 for now."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def home(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def years(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def year_setup(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
