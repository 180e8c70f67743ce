import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.orgcode import check_digit, normalize_code, prefecture_of


@pytest.mark.parametrize(
    ("code", "prefecture"),
    [
        ("012068", "北海道"),
        ("131016", "東京都"),
        ("011002", "北海道"),
        ("271004", "大阪府"),
        ("472018", "沖縄県"),
        ("010006", "北海道"),
        ("130001", "東京都"),
    ],
)
def test_valid_codes(code, prefecture):
    assert normalize_code(code) == code
    assert prefecture_of(code) == prefecture


def test_full_width_is_accepted():
    assert normalize_code("０１２０６８") == "012068"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("012067", "検査数字"),
        ("01206", "6桁"),
        ("abcdef", "6桁"),
        ("482010", "都道府県"),
        ("002011", "都道府県"),
        ("", "6桁"),
    ],
)
def test_invalid_codes(text, why):
    with pytest.raises(KpiledgerError) as err:
        normalize_code(text)
    assert err.value.codes == ["bad-org-code"]
    assert why in err.value.problems[0].message_ja


@given(st.integers(min_value=1, max_value=47), st.integers(min_value=0, max_value=999))
def test_exactly_one_check_digit_is_valid(pref, city):
    five = f"{pref:02d}{city:03d}"
    valid = [d for d in range(10) if _ok(five + str(d))]
    assert valid == [check_digit(five)]


def _ok(code):
    try:
        normalize_code(code)
    except KpiledgerError:
        return False
    return True
