"""The evaluation chain and the committee's evaluation (issue 10, items 7 and 8).

A placeholder being written: every view answers 404 for now."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def evaluation(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def evaluation_steps(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
