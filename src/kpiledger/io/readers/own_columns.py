"""kpiledger's own columns in a workbook it wrote (`io.writers.excel`, the official layout).

Beside the published data, that workbook shows kpiledger's judgement (達成率 and 状況 as
computed, the suggested 事業効果). Their headings carry the mark `kpiledger`
(`達成率（kpiledger算定）`), and a heading with the mark is never read as published data: the
file reads back to the report it was written from, not to one whose computed rate became a
published one.

One of them is read back: `読取時の注意（kpiledger）` holds the reader's remarks on the file the
report was first read from (`forecast-not-read`, `time-point-assumed` …), which the workbook's
cells cannot say again; each remark is one line `［code］日本語` and, when there is one, a line
`　English` (a full-width space first), so the remarks survive the round trip.
"""

from __future__ import annotations

import re

from kpiledger.core.model import Flag

#: The mark of kpiledger's own headings (after NFKC, spaces removed).
OWN_MARK = "kpiledger"
RATE_HEADING = "達成率\n（kpiledger算定）"
STATUS_HEADING = "状況\n（kpiledger判定）"
EFFECT_HEADING = "事業効果\n（kpiledger提案）"
COST_HEADING = "単位あたり費用\n（kpiledger算定）"
FLAGS_HEADING = "読取時の注意\n（kpiledger）"

_CODE_LINE = re.compile(r"^［([a-z0-9-]+)］(.*)$")
_EN_INDENT = "\u3000"


def is_own(key: str) -> bool:
    """Whether a heading (NFKC, spaces removed) is one of kpiledger's own."""
    return OWN_MARK in key.lower()


def flags_text(flags: list[Flag]) -> str:
    """The remarks as the cell of `FLAGS_HEADING` holds them."""
    lines: list[str] = []
    for flag in flags:
        lines.append(f"［{flag.code}］{flag.message_ja}")
        if flag.message_en:
            lines.append(_EN_INDENT + flag.message_en)
    return "\n".join(lines)


def read_flags(text: str) -> list[Flag]:
    """The remarks of a `FLAGS_HEADING` cell (`flags_text`); lines of no remark are skipped."""
    flags: list[tuple[str, list[str], list[str]]] = []
    for line in text.split("\n"):
        match = _CODE_LINE.match(line.strip())
        if match:
            flags.append((match.group(1), [match.group(2)], []))
        elif flags and line.startswith(_EN_INDENT):
            flags[-1][2].append(line.removeprefix(_EN_INDENT))
        elif flags:
            (flags[-1][2] or flags[-1][1]).append(line)
    return [Flag(code, "\n".join(ja), "\n".join(en)) for code, ja, en in flags]
