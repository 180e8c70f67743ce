"""A fiscal year's hub, review and publishing (issue 10, item 5).

A placeholder being written: every view answers 404 for now."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def year(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def project_action(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def publish(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
