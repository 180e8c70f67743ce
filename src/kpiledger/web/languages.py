"""The language switch: each page's address in every language (`/org/…` ↔ `/en/org/…`).

A template context processor, so every page's switch is a pair of links (they work in the
static site of `kpiledger publish --all` too, where no form can be posted)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation


def language_links(request: HttpRequest) -> dict[str, object]:
    current = translation.get_language()
    here = request.get_full_path()
    links = []
    for code, name in settings.LANGUAGES:
        links.append(
            {
                "code": code,
                "name": name,
                "url": here if code == current else translate_url(here, code),
                "current": code == current,
            }
        )
    return {"language_links": links}
