"""全国地方公共団体コード (local government codes): 6 digits, the last a check digit.

The first two digits are the prefecture (01 北海道 … 47 沖縄県); digits 3–5 the municipality
(000 for the prefecture itself). Check digit (総務省): multiply the five digits by 6, 5, 4, 3, 2,
sum them, take the remainder r modulo 11; the check digit is the last digit of 11 − r
(r = 0 → 1, r = 1 → 0). 釧路市 01206 → 0·6+1·5+2·4+0·3+6·2 = 25, r = 3, 11 − 3 = 8 → 012068.
"""

from __future__ import annotations

import unicodedata

from kpiledger.core.errors import KpiledgerError

WEIGHTS = (6, 5, 4, 3, 2)

PREFECTURES = (
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
)


def check_digit(five: str) -> int:
    """The check digit of a 5-digit code: the last digit of 11 − (Σ digit × 6,5,4,3,2) mod 11."""
    total = sum(int(d) * w for d, w in zip(five, WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def normalize_code(text: str) -> str:
    """A valid 6-digit code from `text` (full-width digits accepted); raises KpiledgerError
    `bad-org-code` naming why."""
    code = unicodedata.normalize("NFKC", text).strip()
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise _error(text, "6桁の数字ではありません", "it is not 6 digits")
    if not 1 <= int(code[:2]) <= len(PREFECTURES):
        raise _error(
            text,
            "都道府県コード（先頭2桁）が01〜47ではありません",
            "the prefecture part (first 2 digits) is not 01–47",
        )
    expected = check_digit(code[:5])
    if int(code[5]) != expected:
        raise _error(
            text,
            f"検査数字が違います（正しくは {code[:5]}{expected}）",
            f"wrong check digit (should be {code[:5]}{expected})",
        )
    return code


def prefecture_of(code: str) -> str:
    """The prefecture's name from a code's first two digits (`012068` → 北海道)."""
    return PREFECTURES[int(code[:2]) - 1]


def _error(text: str, why_ja: str, why_en: str) -> KpiledgerError:
    return KpiledgerError.single(
        "bad-org-code",
        f"全国地方公共団体コード「{text}」が正しくありません: {why_ja}",
        f"local government code '{text}' is invalid: {why_en}",
        field="団体コード",
    )
