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

    A location is the format's own: `line 11, column 4` in a text file; `Sheet1!C12` in a
    workbook (`sheet` set: `line` is the sheet's row, `column` its column); `p.3 row 5` in a
    PDF (`page` set: `line` is the row of that page's table). `line` and `column` are 1-based;
    `column` counts cells (tab- or comma-separated, or sheet columns). `field` is the header
    text of that column as published (e.g. 「単位」), when known.
    """

    code: str
    message_ja: str
    message_en: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    sheet: str | None = None
    page: int | None = None

    def location_ja(self) -> str:
        parts = []
        if self.sheet is not None:
            parts.append(f"シート「{self.sheet}」")
            if self.line is not None and self.column is not None:
                parts.append(f"{column_letters(self.column)}{self.line}セル")
            elif self.line is not None:
                parts.append(f"{self.line}行目")
        else:
            if self.page is not None:
                parts.append(f"{self.page}ページ")
            if self.line is not None:
                parts.append(f"{self.line}行目")
            if self.column is not None:
                parts.append(f"{self.column}列目")
        if self.field:
            parts.append(f"「{self.field}」")
        return " ".join(parts)

    def location_en(self) -> str:
        if self.sheet is not None:
            if self.line is not None and self.column is not None:
                place = f"{self.sheet}!{column_letters(self.column)}{self.line}"
            elif self.line is not None:
                place = f"{self.sheet}!{self.line}:{self.line}"
            else:
                place = f"sheet {self.sheet}"
            return place + (f" ({self.field})" if self.field else "")
        parts = []
        if self.page is not None:
            parts.append(f"p.{self.page}")
        if self.line is not None:
            parts.append(f"row {self.line}" if self.page is not None else f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        where = " ".join(parts[:2]) if self.page is not None else ", ".join(parts[:2])
        if self.page is not None and len(parts) > 2:
            where += f", {parts[2]}"
        elif self.page is None and len(parts) > 2:
            where = ", ".join(parts)
        return where + (f" ({self.field})" if self.field else "")

    def format(self) -> str:
        """Two lines: Japanese first, then English, each prefixed by the location."""
        loc_ja, loc_en = self.location_ja(), self.location_en()
        ja = f"{loc_ja}: {self.message_ja}" if loc_ja else self.message_ja
        en = f"{loc_en}: {self.message_en}" if loc_en else self.message_en
        return f"[{self.code}] {ja}\n    {en}"


def column_letters(column: int) -> str:
    """A 1-based column number as Excel writes it: 1 → A, 27 → AA."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


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
