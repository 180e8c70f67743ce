"""Texts that mark a report's layout: section headings (【…】) and notes (※…)."""

from __future__ import annotations

import re

SECTION_HEADING = re.compile(r"^[【\[](.+)[】\]]$")
#: A one-text row starting with one of these is a note (※ 実績値は…), never a project name.
NOTE_PREFIXES = (
    "※",
    "＊",
    "*",
    "（注",
    "(注",
    "注）",
    "注)",
    "注:",
    "注：",
    "出典:",
    "出典：",
    "資料:",
    "資料：",
)


def is_note(text: str) -> bool:
    """A note such as `※ 実績値は各年度末時点`, `（注）…`, `出典：…` (see `NOTE_PREFIXES`)."""
    return text.startswith(NOTE_PREFIXES)
