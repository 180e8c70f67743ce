"""Typed, located problems and the project's own error type.

A reader collects every problem it finds (it does not stop at the first) and raises one
`KpiledgerError` carrying them all. Each problem has a stable code, a message in Japanese and
English, and where it is (line, column, field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self


@dataclass(frozen=True)
class Problem:
    """One problem in an input, located as precisely as the input allows.

    `line` and `column` are 1-based; `column` counts tab-separated cells (or sheet columns).
    `field` is the header text of that column as published (e.g. 「単位」), when known.
    """

    code: str
    message_ja: str
    message_en: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def location_ja(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"{self.line}行目")
        if self.column is not None:
            parts.append(f"{self.column}列目")
        if self.field:
            parts.append(f"「{self.field}」")
        return " ".join(parts)

    def location_en(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.field:
            parts.append(f"({self.field})")
        return ", ".join(parts[:2]) + (" " + parts[2] if len(parts) > 2 else "")

    def format(self) -> str:
        """Two lines: Japanese first, then English, each prefixed by the location."""
        loc_ja, loc_en = self.location_ja(), self.location_en()
        ja = f"{loc_ja}: {self.message_ja}" if loc_ja else self.message_ja
        en = f"{loc_en}: {self.message_en}" if loc_en else self.message_en
        return f"[{self.code}] {ja}\n    {en}"


class KpiledgerError(Exception):
    """The project's own error: one or more problems, never a bare traceback for users."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("KpiledgerError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    @classmethod
    def single(
        cls,
        code: str,
        message_ja: str,
        message_en: str,
        **where: int | str | None,
    ) -> Self:
        return cls([Problem(code, message_ja, message_en, **where)])  # type: ignore[arg-type]

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


class EraError(KpiledgerError):
    """A date or fiscal-year text that cannot be read as 和暦 or western calendar."""


class NumberError(KpiledgerError):
    """A cell that cannot be read as a number or a "no value" marker."""


class ReportError(KpiledgerError):
    """An input that is not a readable KPI report."""
