"""Each project's money per fiscal year (issue 10, item 6).

A placeholder being written: every view answers 404 for now."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def money(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
