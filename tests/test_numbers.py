"""Tests for numbers as published (kpiledger.core.numbers)."""

from __future__ import annotations

from decimal import Decimal, Inexact, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiledger.core.errors import KpiledgerError, NumberError
from kpiledger.core.numbers import (
    MAX_ABS_VALUE,
    NO_VALUE_MARKERS,
    VALUE_DIGITS,
    VALUE_PLACES,
    ParsedNumber,
    fits_ledger,
    format_number,
    out_of_range,
    parse_number,
    to_plain_string,
)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1,300,000", "1300000", None),
        ("１，３００，０００", "1300000", None),
        ("１，２００", "1200", None),
        ("73.5", "73.5", None),
        ("７３．５", "73.5", None),
        ("0", "0", None),
        ("△12", "-12", None),
        ("▲12", "-12", None),
        ("△ 12", "-12", None),
        ("△1,234.5", "-1234.5", None),
        ("-12", "-12", None),
        ("−12", "-12", None),
        ("－12", "-12", None),
        ("+12", "12", None),
        ("3件", "3", "件"),
        ("3 件", "3", "件"),
        ("200万円", "2000000", "円"),
        ("1.5億円", "150000000", "円"),
        ("3万", "30000", None),
        ("12千円", "12000", "円"),
        ("5百万円", "5000000", "円"),
        ("1兆", "1000000000000", None),
        ("7,946人", "7946", "人"),
        ("12.5%", "12.5", "%"),
        ("12.5％", "12.5", "％"),
        ("45件/年", "45", "件/年"),
        ("14,323人泊", "14323", "人泊"),
        ("38,117円/人", "38117", "円/人"),
        ("2社・団体", "2", "社・団体"),
        ("100㎡", "100", "㎡"),
        ("  33,633  ", "33633", None),
        # a digit right after a Latin letter belongs to the unit
        ("100m²", "100", "m²"),
        ("10m2", "10", "m2"),
        ("3.5km2", "3.5", "km2"),
        ("5t-CO2", "5", "t-CO2"),
        ("1,200t-CO2/年", "1200", "t-CO2/年"),
        ("12CO2", "12", "CO2"),
        ("１００ｍ２", "100", "ｍ２"),
        ("2千m³", "2000", "m³"),
    ],
)
def test_parse_number_values(text: str, value: str, unit: str | None) -> None:
    parsed = parse_number(text)
    assert parsed.value == Decimal(value)
    assert parsed.unit == unit
    assert parsed.marker is None
    assert parsed.raw == text
    assert not parsed.is_missing


def test_parse_number_keeps_exact_decimal_places() -> None:
    assert str(parse_number("73.50").value) == "73.50"
    assert str(parse_number("1,300,000").value) == "1300000"


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("200万円", "2000000"),
        ("1.5億円", "150000000"),
        ("1.50万", "15000"),
        ("1.2345千", "1234.5"),
        ("3万", "30000"),
    ],
)
def test_multiplied_values_print_plainly(text: str, plain: str) -> None:
    value = parse_number(text).value
    assert value is not None
    assert format(value, "f") == plain
    assert str(value) == plain


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("-", "-"),
        ("－", "－"),
        ("―", "―"),
        ("—", "—"),
        ("‐", "‐"),
        ("–", "–"),
        ("ー", "ー"),
        ("−", "−"),
        ("――", "――"),
        (" - ", "-"),
        ("", ""),
        ("   ", ""),
        ("\u3000", ""),
        ("N/A", "N/A"),
        ("n/a", "n/a"),
        ("NA", "NA"),
        ("Ｎ／Ａ", "Ｎ／Ａ"),
        ("未集計", "未集計"),
        ("集計中", "集計中"),
        ("未実施", "未実施"),
    ],
)
def test_no_value_markers_are_kept(text: str, marker: str) -> None:
    parsed = parse_number(text)
    assert parsed == ParsedNumber(value=None, marker=marker, unit=None, raw=text)
    assert parsed.is_missing


@pytest.mark.parametrize("marker", sorted(NO_VALUE_MARKERS))
def test_every_declared_marker_reads_as_no_value(marker: str) -> None:
    parsed = parse_number(marker)
    assert parsed.value is None
    assert parsed.marker == marker.strip()


def test_required_markers_are_declared() -> None:
    required = {"-", "－", "―", "—", "‐", "–", "ー", "", "N/A", "n/a", "NA", "未集計", "集計中"}
    assert required <= NO_VALUE_MARKERS


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "約",
        "件",
        "万",
        "1,2345",
        "1,30,0",
        "12,",
        "1.2.3",
        "約20",
        "約 20",
        "12 34",
        "12 3件",
        "1.",
        # place values: a later part below the place above it, whole, after 万/億/兆 only
        "1万12000",
        "1万2億",
        "1.5億2000万",
        "1千5百",
        "1億2000万5億",
        "1万0",
        ".5",
        "1E5",
        "1½",
        "20)",
        "12-",
        "+-12",
        "(12)",
        "R6.3",
        "12件34件",
        "٣",
        # digits in a unit only right after a Latin letter, and no exponent
        "12m34",
        "12件3",
        "1e5",
        "１e5",
        "1E+5",
        "0x10",
        "1_000",
        "5t-2",
    ],
)
def test_bad_numbers(text: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text)
    assert caught.value.codes == ["bad-number"]
    assert isinstance(caught.value, KpiledgerError)
    problem = caught.value.problems[0]
    assert text.strip() in problem.message_ja
    assert text.strip() in problem.message_en


@pytest.mark.parametrize("text", ["△0", "▲0", "-0", "−0", "－0", "△0.00", "-0万", "▲0件"])
def test_negative_zero_is_plain_zero(text: str) -> None:
    value = parse_number(text).value
    assert value is not None and value.is_zero()
    assert not value.is_signed()
    assert format_number(value) in ("0", "0.00")
    assert to_plain_string(value) in ("0", "0.00")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1300000", "1,300,000"),
        ("1.3E+6", "1,300,000"),
        ("73.5", "73.5"),
        ("73.50", "73.50"),
        ("-12", "△12"),
        ("-1234567.25", "△1,234,567.25"),
        ("0", "0"),
        ("-0", "0"),
        ("0.00", "0.00"),
        ("999", "999"),
        ("1000", "1,000"),
        ("1E-7", "0.0000001"),
    ],
)
def test_format_number(value: str, text: str) -> None:
    assert format_number(Decimal(value)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1.3E+6", "1300000"),
        ("73.5", "73.5"),
        ("73.50", "73.50"),
        ("-12", "-12"),
        ("-0", "0"),
        ("1E-7", "0.0000001"),
    ],
)
def test_to_plain_string(value: str, text: str) -> None:
    assert to_plain_string(Decimal(value)) == text


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_values_are_programmer_errors(value: str) -> None:
    with pytest.raises(ValueError):
        format_number(Decimal(value))
    with pytest.raises(ValueError):
        to_plain_string(Decimal(value))


@given(st.integers())
def test_format_number_round_trips_integers(n: int) -> None:
    d = Decimal(n)
    assert parse_number(format_number(d)).value == d


@given(st.integers(min_value=-(10**40), max_value=10**40), st.integers(0, 30))
def test_format_number_round_trips_decimals(n: int, places: int) -> None:
    d = Decimal(f"{n}E-{places}")
    parsed = parse_number(format_number(d)).value
    assert parsed == d
    assert parsed is not None and parsed.as_tuple().exponent == d.as_tuple().exponent


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_format_number_round_trips_any_finite_decimal(d: Decimal) -> None:
    assert parse_number(format_number(d)).value == d
    assert Decimal(to_plain_string(d)) == d
    assert "E" not in to_plain_string(d)


@settings(deadline=None)
@given(st.text())
def test_parse_number_raises_only_number_error(text: str) -> None:
    try:
        parsed = parse_number(text)
    except NumberError:
        return
    assert (parsed.value is None) != (parsed.marker is None)
    assert parsed.raw == text


@settings(deadline=None)
@given(
    st.text(alphabet=st.sampled_from("0123456789,.△▲-−+万億千百十件円% 　１，．約"), max_size=15)
)
def test_parse_number_near_misses_raise_only_number_error(text: str) -> None:
    try:
        parsed = parse_number(text)
    except NumberError:
        return
    if parsed.value is not None:
        assert "E" not in format(parsed.value, "f")
        assert not (parsed.value.is_zero() and parsed.value.is_signed())  # never -0


# --- the values the system accepts (the ledger's DECIMAL(15, 4)) ------------------------------


@pytest.mark.parametrize(
    ("value", "fits"),
    [
        ("0", True),
        ("1.2345", True),
        ("1.50000", True),  # trailing zeros do not count
        ("0.000100", True),
        ("99999999999.9999", True),
        ("-99999999999.9999", True),
        ("1E+10", True),
        ("0E-30", True),
        ("1.23456", False),
        ("0.00001", False),
        ("100000000000", False),  # 10^11
        ("-100000000000", False),
        ("1E+11", False),
        ("1E+30", False),
        ("1E-30", False),
        ("99999999999999999999999999999", False),
        ("99999999999.99999999999999999999999", False),  # more digits than any context keeps
        ("NaN", False),
        ("Infinity", False),
        ("-Infinity", False),
    ],
)
def test_fits_ledger(value: str, fits: bool) -> None:
    assert fits_ledger(Decimal(value)) is fits


def test_fits_ledger_does_not_depend_on_the_decimal_context() -> None:
    with localcontext() as context:
        context.prec = 3
        context.traps[Inexact] = True
        assert fits_ledger(Decimal("12345678901.2345"))
        assert not fits_ledger(Decimal("12345678901.23456"))


def test_ledger_bound_constants() -> None:
    assert VALUE_DIGITS == 15 and VALUE_PLACES == 4  # the ledger's DECIMAL(15, 4)
    assert MAX_ABS_VALUE == 10**11


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_fits_ledger_agrees_with_quantizing(d: Decimal) -> None:
    """Same answer as the ledger's own DecimalField check, computed without any rounding."""
    with localcontext() as context:
        context.prec = 100
        expected = abs(d) < 10**11 and d == d.quantize(Decimal("0.0001"))
    assert fits_ledger(d) is expected


def test_out_of_range_is_a_bilingual_number_error() -> None:
    error = out_of_range(" 1000000000000 ")
    assert isinstance(error, NumberError)
    [problem] = error.problems
    assert problem.code == "value-out-of-range"
    assert "「1000000000000」" in problem.message_ja and "1000億" in problem.message_ja
    assert "'1000000000000'" in problem.message_en and "10^11" in problem.message_en


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1億2000万円", "120000000", "円"),
        ("1億2,000万円", "120000000", "円"),
        ("１億２０００万円", "120000000", "円"),
        ("3億5千万", "350000000", None),
        ("1万5千人", "15000", "人"),
        ("1万5000", "15000", None),
        ("2兆3億4万5", "2000300040005", None),
        ("△1億2000万円", "-120000000", "円"),
        ("12億3456万7890円", "1234567890", "円"),
        ("5百万3千円", "5003000", "円"),
    ],
)
def test_numbers_in_descending_place_values_read_whole(text: str, value: str, unit: str) -> None:
    parsed = parse_number(text)
    assert (parsed.value, parsed.unit) == (Decimal(value), unit)
