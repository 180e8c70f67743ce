"""Reading kpiledger's own outputs back: the JSON of `writers/json.py` (the schema of
EVALUATION.md), the open-data CSV of `writers/opendata.py` (wide or long) and the data package
of `writers/datapackage.py` (a folder or its zip). The CSV is in `own_tables`, the package in
`own_package`.

The judged fields (達成率, 状況 …) are not read: the rebuilt report is judged again, and gives
the same judgement. What the ledger needs that the output states only as a judgement is
recovered from it:
- a direction or aggregation whose reason is 「明示的な指定による」 was set explicitly: it becomes
  the override; a direction whose reason is a target bound (`目標値が「以下」と書かれている…`)
  gives the KPI's `target_bound`;
- reader flags (`published-grade`, `unit-mismatch` …) are the flag codes the judgement does not
  compute (`COMPUTED_FLAGS`); the JSON keeps only their codes, not their messages;
- the JSON does not say whether a cumulative KPI's actuals are yearly increments: a KPI is
  read as running totals, and as increments only when that is what gives its published
  judgement back.

What the JSON does not keep (kpiledger reads it as stated): the "no value" markers (a `null`
actual is read as a blank cell), the published year columns (read as every year any KPI has),
KPI 備考, the 概ね達成 threshold (the default 80), the report's own fiscal year when it was
judged in another year, and the text of reader flags, so a `grade-mismatch` resting on a
published grade cannot be recomputed from JSON alone (the CSV and the package keep the text).

Every problem is collected and raised in one `ReportError` (`damaged-export`, located by line
and column for text, by the JSON path in `field`); nothing is half-read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kpiledger.core import grades
from kpiledger.core.era import YearMonth
from kpiledger.core.errors import Problem, ReportError
from kpiledger.core.evaluate import DEFAULT_NEARLY, evaluate_kpi
from kpiledger.core.inference import BOUND_DIRECTIONS, bound_direction
from kpiledger.core.model import (
    Actual,
    Aggregation,
    Assessment,
    Baseline,
    Direction,
    Flag,
    Kpi,
    Project,
    Report,
    Section,
)
from kpiledger.io.writers.records import kpi_record

#: The reason an overridden direction or aggregation gives (`inference._overridden`).
OVERRIDE_REASON = "明示的な指定による"
#: Flag codes the judgement computes (`core.quality.check_kpi`); any other code was the
#: reader's, and is kept with the KPI.
COMPUTED_FLAGS = frozenset(
    {
        "rate-mismatch",
        "missing-years",
        "percent-over-100",
        "implausible-jump",
        "met-at-baseline",
        "target-year-not-published",
        "cumulative-decreases",
        "rate-undefined",
        "direction-doubtful",
        "grade-mismatch",
    }
)
#: The keys that tell the JSON of `writers/json.py` from any other JSON.
JSON_KEYS = ("fiscal_year", "summary", "projects")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def damaged(
    ja: str, en: str, *, line: int | None = None, column: int | None = None, at: str | None = None
) -> Problem:
    return Problem("damaged-export", ja, en, line=line, column=column, field=at)


@dataclass
class Collector:
    """The problems found so far; `raise_if_any` raises them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ReportError(self.problems)


def target_bound(reason: str) -> str | None:
    """The bound whose direction reason is `reason` (see `inference.bound_direction`)."""
    for bound in BOUND_DIRECTIONS:
        if bound_direction(bound).reason_ja == reason:
            return bound
    return None


def reader_flags(codes: list[str], messages: list[str] | None = None) -> list[Flag]:
    """The reader's flags among a KPI's flag codes (with their Japanese messages when known,
    aligned with `codes`)."""
    texts = messages if messages is not None and len(messages) == len(codes) else None
    return [
        Flag(code, texts[i] if texts else "", "")
        for i, code in enumerate(codes)
        if code not in COMPUTED_FLAGS
    ]


def year_month(text: str) -> YearMonth | None:
    match = YEAR_MONTH.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return YearMonth(int(match.group(1)), int(match.group(2)))


# --- JSON -------------------------------------------------------------------------------------


def looks_like_json(data: bytes) -> bool:
    """Text starting with `{` that names the schema's keys (EVALUATION.md)."""
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{") and all(f'"{key}"'.encode() in data for key in JSON_KEYS)


def utf8_text(data: bytes, name: str) -> str:
    """The text of a file kpiledger wrote (UTF-8, with or without a BOM); `damaged-export`
    naming the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReportError.single(
            "damaged-export",
            f"{name} がUTF-8ではありません（{error.start + 1}バイト目）",
            f"{name} is not UTF-8 (byte {error.start + 1})",
        ) from None


def read_json(data: bytes) -> Report:
    """The report in the JSON of `writers/json.py`."""
    text = utf8_text(data, "JSON")
    try:
        record = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ReportError.single(
            "damaged-export",
            f"JSONとして読めません（{error.msg}）",
            f"not valid JSON ({error.msg})",
            line=error.lineno,
            column=error.colno,
        ) from None
    if isinstance(record, dict) and "resources" in record:
        raise ReportError.single(
            "damaged-export",
            "データパッケージの datapackage.json だけでは読めません。"
            "フォルダかZIPを指定してください",
            "a data package's datapackage.json alone cannot be read: give its folder or zip",
        )
    return JsonReader().report(record)


class JsonReader:
    """Builds a Report from a parsed JSON record, collecting every problem."""

    def __init__(self) -> None:
        self.problems = Collector()

    def problem(self, path: str, ja: str, en: str) -> None:
        self.problems.add(damaged(ja, en, at=path))

    def get(self, obj: Any, key: str, path: str, kinds: tuple[type, ...], null: bool) -> Any:
        """`obj[key]` when present and of one of `kinds` (or None when `null`), else a
        problem (and None)."""
        where = f"{path}.{key}" if path else key
        if not isinstance(obj, dict) or key not in obj:
            self.problem(where, f"「{key}」がありません", f"'{key}' is missing")
            return None
        value = obj[key]
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, kinds):
            names = "/".join(_kind_name(k) for k in kinds)
            self.problem(
                where,
                f"「{key}」の値 {_show(value)} は{names}ではありません",
                f"'{key}' is {_show(value)}, not {names}",
            )
            return None
        return value

    def number(self, obj: Any, key: str, path: str, null: bool = False) -> Decimal | None:
        value = self.get(obj, key, path, (int, Decimal), null)
        return None if value is None else Decimal(value)

    def text(self, obj: Any, key: str, path: str, null: bool = False) -> str | None:
        value = self.get(obj, key, path, (str,), null)
        return None if value is None else str(value)

    def report(self, record: Any) -> Report:
        if not isinstance(record, dict):
            self.problem(
                "", "JSONの最上位がオブジェクトではありません", "the JSON is not an object"
            )
            self.problems.raise_if_any()
        year = self.get(record, "fiscal_year", "", (int,), False)
        title = self.text(record, "title", "", null=True)
        notes = self.get(record, "notes", "", (list,), False) or []
        projects = self.get(record, "projects", "", (list,), False) or []
        listed = self.get(record, "warnings", "", (list,), False) if "warnings" in record else []
        warnings = [self.warning(w, f"warnings[{i}]") for i, w in enumerate(listed or [])]
        legend = grades.read_legend(str(n) for n in notes)
        report = Report(title, year or 0, notes=[str(n) for n in notes], warnings=warnings)
        report.projects = [
            self.project(p, f"projects[{i}]", year or 0, legend) for i, p in enumerate(projects)
        ]
        self.problems.raise_if_any()
        report.year_columns = sorted({y for k in report.kpis for y in k.actuals})
        return report

    def warning(self, record: Any, path: str) -> Problem:
        where: dict[str, Any] = {}
        for key in ("line", "column"):
            where[key] = self.get(record, key, path, (int,), True)
        return Problem(
            self.text(record, "code", path) or "",
            self.text(record, "message_ja", path) or "",
            self.text(record, "message_en", path) or "",
            field=self.text(record, "field", path, null=True),
            **where,
        )

    def project(self, record: Any, path: str, year: int, legend: grades.Legend | None) -> Project:
        section_text = self.text(record, "section", path)
        section = Section.TARGET
        if section_text is not None:
            if section_text in {s.value for s in Section}:
                section = Section(section_text)
            else:
                self.problem(
                    f"{path}.section",
                    f"区分「{section_text}」は対象事業・関連事業のどちらでもありません",
                    f"section '{section_text}' is neither 対象事業 nor 関連事業",
                )
        kpis = self.get(record, "kpis", path, (list,), False) or []
        project = Project(
            self.text(record, "name", path) or "",
            section,
            grant=self.text(record, "grant", path, null=True),
            summary=self.text(record, "summary", path, null=True),
            kpis=[self.kpi(k, f"{path}.kpis[{i}]", year, legend) for i, k in enumerate(kpis)],
        )
        if isinstance(record, dict) and record.get("assessment") is not None:
            project.assessment = self.assessment(record["assessment"], f"{path}.assessment")
        return project

    def assessment(self, record: Any, path: str) -> Assessment:
        texts = {name: self.text(record, name, path, null=True) for name in Assessment.TEXTS}
        spent = self.number(record, "spent", path, null=True)
        unit = self.text(record, "spent_unit", path, null=True)
        assessment = Assessment(spent=spent, spent_unit=unit or "円")
        if isinstance(record, dict):  # 総事業費 and 交付金額 (円): absent in older exports
            for name in ("total_cost", "grant_amount"):
                if name in record:
                    setattr(assessment, name, self.number(record, name, path, null=True))
        for name, value in texts.items():
            setattr(assessment, name, value)
        return assessment

    def kpi(self, record: Any, path: str, year: int, legend: grades.Legend | None) -> Kpi:
        target = self.number(record, "target", path)
        kpi = Kpi(
            self.text(record, "indicator", path) or "",
            self.text(record, "unit", path) or "",
            target if target is not None else Decimal(0),
            self.target_date(record, path),
            actuals=self.actuals(record, path),
            baseline=self.baseline(record, path),
            published_rate=self.number(record, "published_rate", path, null=True),
        )
        direction = self.text(record, "direction", path)
        reason = self.text(record, "direction_reason", path) or ""
        if direction in {d.value for d in Direction} and reason == OVERRIDE_REASON:
            kpi.direction_override = Direction(direction)
        kpi.target_bound = target_bound(reason)
        aggregation = self.text(record, "aggregation", path)
        reason = self.text(record, "aggregation_reason", path) or ""
        if aggregation in {a.value for a in Aggregation} and reason == OVERRIDE_REASON:
            kpi.aggregation_override = Aggregation(aggregation)
        codes = self.get(record, "flags", path, (list,), False) or []
        kpi.reader_flags = reader_flags([str(c) for c in codes])
        if isinstance(record, dict):  # the cost per unit is computed, never read
            record = {key: value for key, value in record.items() if key != "cost_per_unit"}
        if (
            not self.problems.problems
            and kpi_record(evaluate_kpi(kpi, year, DEFAULT_NEARLY, legend)) != record
        ):
            kpi.actuals_are_increments = True
            again = kpi_record(evaluate_kpi(kpi, year, DEFAULT_NEARLY, legend))
            kpi.actuals_are_increments = again == record
        return kpi

    def target_date(self, record: Any, path: str) -> YearMonth | None:
        text = self.text(record, "target_date", path, null=True)
        if text is None:
            return None
        month = year_month(text)
        if month is None:
            self.problem(
                f"{path}.target_date",
                f"目標年月「{text}」はYYYY-MMではありません",
                f"target_date '{text}' is not YYYY-MM",
            )
        return month

    def baseline(self, record: Any, path: str) -> Baseline | None:
        value = self.get(record, "baseline", path, (dict,), True)
        if value is None:
            return None
        number = self.number(value, "value", f"{path}.baseline")
        year = self.get(value, "fiscal_year", f"{path}.baseline", (int,), True)
        return Baseline(number, year) if number is not None else None

    def actuals(self, record: Any, path: str) -> dict[int, Actual]:
        values = self.get(record, "actuals", path, (dict,), False) or {}
        out = {}
        for key in values:
            if not re.fullmatch(r"[0-9]{4}", key):
                self.problem(
                    f"{path}.actuals",
                    f"実績の年度「{key}」は4桁の西暦ではありません",
                    f"actual year '{key}' is not a four-digit year",
                )
                continue
            value = self.number(values, key, f"{path}.actuals", null=True)
            out[int(key)] = Actual(value) if value is not None else Actual(None, "")
        return out


def _kind_name(kind: type) -> str:
    return {int: "整数", Decimal: "数値", str: "文字列", list: "配列", dict: "オブジェクト"}.get(
        kind, kind.__name__
    )


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


def decimal_or_none(text: str) -> Decimal | None:
    """A number as the CSV writer writes it (`73.5`, `-50`, `2300.00`), else None."""
    if not NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
