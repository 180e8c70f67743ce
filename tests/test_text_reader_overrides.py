"""Direction and aggregation stated in the report's own 方向 / 集計 columns override the
inference (EVALUATION.md: inferred with a reason, and can be overridden)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import Status, evaluate_report
from kpiledger.core.model import Aggregation, Direction
from kpiledger.io.readers.overrides import parse_aggregation, parse_direction
from kpiledger.io.readers.text import parse, read

LAYOUT = Path(__file__).parent / "data" / "layouts" / "21_direction_and_aggregation_columns.txt"


def test_columns_override_the_inference():
    report = read(LAYOUT)
    social, outings, consultations = report.kpis
    assert (social.aggregation_override, social.actuals_are_increments) == (
        Aggregation.CUMULATIVE, True)  # fmt: skip
    assert outings.direction_override is Direction.DECREASE
    assert (consultations.direction_override, consultations.aggregation_override) == (None, None)
    results = {k.kpi.indicator: k for k in evaluate_report(report).kpis}
    # 30 + 40 + 35 = 105 against a cumulative target of 100.
    assert (results["社会増減数"].actual, results["社会増減数"].status) == (
        Decimal(105), Status.ACHIEVED)  # fmt: skip
    # Lower is better as the report says: 40 / 41 → 97.6, nearly achieved.
    outing = results["高齢者の外出機会の割合"]
    assert outing.direction.overridden and outing.direction.value is Direction.DECREASE
    assert (outing.achievement_rate, outing.status) == (Decimal("97.6"), Status.NEARLY_ACHIEVED)
    assert not results["移住相談件数"].direction.overridden


@pytest.mark.parametrize(
    ("text", "expected"),
    [("増加", Direction.INCREASE), ("↓", Direction.DECREASE), ("低いほど良い", Direction.DECREASE),
     ("Decrease", Direction.DECREASE), ("", None)],
)  # fmt: skip
def test_direction_words(text, expected):
    assert parse_direction(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("累計", (Aggregation.CUMULATIVE, False)),
        ("累計（単年度値）", (Aggregation.CUMULATIVE, True)),
        ("年間", (Aggregation.ANNUAL, False)),
        ("水準", (Aggregation.LEVEL, False)),
        ("", (None, False)),
    ],
)
def test_aggregation_words(text, expected):
    assert parse_aggregation(text) == expected


def test_unreadable_words_are_located_problems():
    text = LAYOUT.read_text(encoding="utf-8").replace("\t減少\t", "\tたぶん減\t")
    text = text.replace("累計（単年度値）", "ときどき")
    with pytest.raises(ReportError) as error:
        parse(text)
    assert [(p.code, p.line, p.column, p.field) for p in error.value.problems] == [
        ("bad-aggregation", 4, 8, "集計"),
        ("bad-direction", 5, 7, "方向"),
    ]
    assert "増加 / 減少" in error.value.problems[1].message_ja
