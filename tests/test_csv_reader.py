"""Delimited text read from its content: the encoding detected (never asked) and reported, the
delimiter (tab or comma) found, CSV cells as Excel writes them, and the reference report saved
by Excel as CSV or Unicode text judged to exactly the same JSON as the published text file.

Hypothesis feeds arbitrary bytes and mutated reference files in every encoding and delimiter
through `text.source_bytes` + `table.interpret`: a Report or the project's own error, nothing
else, and quickly.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import charset_normalizer
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.test_text_reader_layouts import REFERENCE

from kpiledger.core.errors import KpiledgerError, Problem, ReportError
from kpiledger.core.evaluate import evaluate_report
from kpiledger.core.model import Report
from kpiledger.io.readers import read_report_bytes, text
from kpiledger.io.readers.columns import Row
from kpiledger.io.readers.detect import detect
from kpiledger.io.readers.table import interpret
from kpiledger.io.writers.json import dumps
from kpiledger.io.writers.records import report_record

ROWS = [line.split("\t") for line in REFERENCE.split("\n")]
WIDTH = max(len(cells) for cells in ROWS)
KBIZ_LINE = (
    11  # 釧路市ビジネスサポートセンターk-Bizの来所相談件数: 2,300 … 1,878 (columns 4 and 11)
)


def judged(report: Report) -> Any:
    return json.loads(dumps(evaluate_report(report)), parse_float=Decimal)


REFERENCE_JSON = judged(text.parse(REFERENCE))


def judged_beside_notice(report: Report) -> Any:
    """The JSON of a report read by `read_report_bytes`, whose warnings may hold the encoding
    notice (it travels with the report) but nothing else."""
    result = judged(report)
    assert {w["code"] for w in result.pop("warnings", [])} <= {"encoding-detected"}
    return result


def excel_saved(rows: list[list[str]], delimiter: str = ",") -> str:
    """`rows` as Excel saves them: every row padded to the table's width, cells quoted only
    when they need it (a delimiter, a quote, a line break), lines ending CRLF."""
    width = max(len(cells) for cells in rows)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(cells + [""] * (width - len(cells)) for cells in rows)
    return out.getvalue()


def read_bytes(data: bytes) -> Report:
    return interpret(text.source_bytes(data))


def problems_of(data: bytes) -> list[tuple[str, int | None, int | None]]:
    with pytest.raises(ReportError) as err:
        read_bytes(data)
    return [(p.code, p.line, p.column) for p in err.value.problems]


def decode_problem(data: bytes) -> Problem:
    with pytest.raises(ReportError) as err:
        text.decode_bytes(data)
    (problem,) = err.value.problems
    return problem


def notices_of(data: bytes) -> list[Problem]:
    return text.source_bytes(data).notices


CSV = excel_saved(ROWS)
UNICODE_TEXT = excel_saved(ROWS, "\t")  # Excel's "Unicode テキスト": tab-separated UTF-16
WAVE = REFERENCE.replace("～", "〜")  # EUC-JP and ISO-2022-JP have only the wave dash


# --- the reference, saved by Excel, judged the same -------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding", "kind"),
    [
        (CSV.encode("utf-8"), "utf-8", "csv"),
        (CSV.encode("utf-8-sig"), "utf-8-sig", "csv"),  # Excel's "CSV UTF-8"
        (CSV.encode("cp932"), "cp932", "csv"),  # Excel's "CSV (コンマ区切り)" on Windows
        (CSV.encode("utf-16"), "utf-16", "csv"),
        (UNICODE_TEXT.encode("utf-16"), "utf-16", "text"),  # Excel's "Unicode テキスト"
        (codecs.BOM_UTF16_LE + UNICODE_TEXT.encode("utf-16-le"), "utf-16", "text"),
        (codecs.BOM_UTF16_BE + UNICODE_TEXT.encode("utf-16-be"), "utf-16", "text"),
        (UNICODE_TEXT.encode("utf-16-le"), "utf-16-le", "text"),
        (CSV.encode("utf-16-be"), "utf-16-be", "csv"),
        (UNICODE_TEXT.encode("cp932"), "cp932", "text"),
        (REFERENCE.encode("cp932"), "cp932", "text"),
    ],
)
def test_reference_saved_by_excel_judges_the_same(data: bytes, encoding: str, kind: str) -> None:
    source = text.source_bytes(data)
    assert (source.encoding, source.kind) == (encoding, kind)
    assert judged(interpret(source)) == REFERENCE_JSON
    if encoding not in ("utf-16-le", "utf-16-be"):  # see test_detect_takes_bomless_utf16_for_text
        assert judged_beside_notice(read_report_bytes(data, "report.csv")) == REFERENCE_JSON


def test_detect_takes_bomless_utf16_for_text() -> None:
    """The reference holds 世界一級: 一 is U+4E00, a 00 byte on the other parity."""
    assert detect(UNICODE_TEXT.encode("utf-16-le")) == "text"


@pytest.mark.parametrize("encoding", ["euc_jp", "iso2022_jp"])
def test_older_japanese_encodings(encoding: str) -> None:
    for written in (WAVE, excel_saved([line.split("\t") for line in WAVE.split("\n")])):
        source = text.source_bytes(written.encode(encoding))
        assert source.encoding == encoding
        assert judged(interpret(source)) == judged(text.parse(WAVE))


def test_numbers_written_with_or_without_thousands_separators() -> None:
    plain = [[cell.replace(",", "") if cell[:1].isdigit() else cell for cell in r] for r in ROWS]
    assert plain[KBIZ_LINE - 1][3:11:7] == ["2300", "1878"]
    written = excel_saved(plain)
    assert '"2,300"' in CSV and '"1,878"' in CSV and ",2300," in written
    assert judged(read_bytes(written.encode("cp932"))) == REFERENCE_JSON


def test_a_cell_quoted_over_two_lines_moves_the_lines_after_it() -> None:
    rows = [list(cells) for cells in ROWS]
    rows[10][1] = '概要の1行目,\n2行目「引用」と"記号"'
    rows[11][3] = "約30"  # line 12 in the text, 13 once line 11's summary spans two lines
    data = excel_saved(rows).encode("utf-8")
    assert problems_of(data) == [("bad-number", 13, 4)]


# --- encodings --------------------------------------------------------------------------------

CP932_ONLY = "①②Ⅰ㈱～∥－￢髙"  # NEC/IBM extensions and the characters shift_jis maps otherwise


def test_cp932_wins_over_shift_jis() -> None:
    line = f"{CP932_ONLY}事業,指標,単位\n"
    data = (line * 3).encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("shift_jis")
    assert text.decode_bytes(data) == (line * 3, "cp932")
    assert b"\x81\x60".decode("shift_jis") == "〜"  # U+301C WAVE DASH
    assert text.decode_bytes(b"\x81\x60" * 2) == ("～～", "cp932")  # U+FF5E, as Windows means it


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("事業,指標".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "事業".encode(), "utf-8-sig"),
        ("事業".encode("utf-16"), "utf-16"),
        ("一\u3000事業\t1\n".encode("utf-16-le"), "utf-16-le"),  # U+4E00, U+3000 hold a 00 byte
        ("一\u3000事業\t1\n".encode("utf-16-be"), "utf-16-be"),
        ("事業の名称\n".encode("euc_jp"), "euc_jp"),
        ("事業の名称\n".encode("iso2022_jp"), "iso2022_jp"),
        (b"plain ascii\n", "utf-8"),
    ],
)
def test_encoding_detected(data: bytes, encoding: str) -> None:
    decoded, found = text.decode_bytes(data)
    assert found == encoding
    assert decoded.lstrip("\ufeff") == data.decode(encoding).lstrip("\ufeff")
    assert text.decode(data) == decoded


def test_a_guessed_encoding_is_a_notice_in_both_languages() -> None:
    (notice,) = notices_of(CSV.encode("cp932"))
    assert notice.code == "encoding-detected"
    assert notice.message_ja == "文字コードを CP932（Shift_JIS）と判定して読みました"
    assert notice.message_en == "read as CP932 (Shift_JIS)"
    assert [n.message_en for n in notices_of(UNICODE_TEXT.encode("utf-16-le"))] == [
        "read as UTF-16LE without a BOM"
    ]
    assert [n.code for n in notices_of(WAVE.encode("euc_jp"))] == ["encoding-detected"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_utf8_and_a_bom_need_no_notice(encoding: str) -> None:
    assert notices_of(CSV.encode(encoding)) == []


def test_the_notice_travels_with_the_report_but_not_into_the_json() -> None:
    report = read_report_bytes(CSV.encode("cp932"), "report.csv")
    assert [n.code for n in report.notices] == ["encoding-detected"]
    assert report.warnings == []  # a notice says how the file was read, not a data concern
    record = report_record(evaluate_report(report))
    assert "warnings" not in record


def test_undecodable_bytes_name_what_was_tried() -> None:
    problem = decode_problem(b"\x81\x20" * 8)  # a CP932 lead byte without its trail byte
    assert (problem.code, problem.line) == ("bad-encoding", None)
    assert problem.message_ja.startswith("文字コードを判別できません（UTF-8、CP932（Shift_JIS）")
    assert "EUC-JP" in problem.message_ja and "ISO-2022-JP" in problem.message_ja
    assert problem.message_en.startswith("cannot decode the file (tried UTF-8, CP932 (Shift_JIS)")


def test_utf8_broken_in_the_middle_is_refused_at_its_line() -> None:
    lines = REFERENCE.encode().split(b"\n")
    lines[KBIZ_LINE - 1] = lines[KBIZ_LINE - 1].replace("件".encode(), b"\x8c\x8f")  # 件 in cp932
    problem = decode_problem(b"\n".join(lines))
    assert (problem.code, problem.line) == ("bad-encoding", KBIZ_LINE)
    assert "UTF-8" in problem.message_ja and "not valid UTF-8" in problem.message_en


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_utf8_cut_inside_a_character_is_refused_at_the_last_line(bom: bytes) -> None:
    data = bom + REFERENCE.encode()[: REFERENCE.encode().rindex("児".encode()) + 2]
    problem = decode_problem(data)
    assert (problem.code, problem.line) == ("bad-encoding", REFERENCE.count("\n") + 1)
    assert "切れています" in problem.message_ja and "cut off" in problem.message_en


def test_utf16_cut_in_half_a_character_is_refused() -> None:
    problem = decode_problem(UNICODE_TEXT.encode("utf-16-le")[:-1])
    assert problem.code == "bad-encoding" and "UTF-16LE" in problem.message_ja


def test_detection_looks_at_a_bounded_head_cut_at_a_line_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bytes] = []
    real = charset_normalizer.from_bytes

    def spy(data: bytes, **options: Any) -> Any:
        seen.append(data)
        return real(data, **options)

    monkeypatch.setattr(charset_normalizer, "from_bytes", spy)
    data = (CSV * 200).encode("cp932")
    assert len(data) > 2 * text.DETECT_BYTES
    assert text.decode_bytes(data)[1] == "cp932"
    (head,) = seen
    assert len(head) <= text.DETECT_BYTES and head.endswith(b"\n") and data.startswith(head)


def test_a_codec_that_fails_later_in_the_file_gives_way_to_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Match:
        encoding = "euc_jp"

    def ranks_euc_jp(data: bytes, **options: Any) -> list[Match]:
        return [Match()]

    monkeypatch.setattr(charset_normalizer, "from_bytes", ranks_euc_jp)
    assert text.decode_bytes(CSV.encode("cp932")) == (CSV, "cp932")


# --- delimiters and cells ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "delimiter"),
    [
        ("a,b,c\n1,2,3\n4,5,6\n", ","),
        ('a,"b,\nc",d\n1,2,3\n4,5,6\n', ","),
        ("a\tb,c\n1,2,3\n4,5,6\n", "\t"),  # a tab anywhere: tab-separated
        # A short file: two lines alike are most of it (a header and one KPI; a title above)
        ("a,b,c\n1,2,3\n", ","),
        ("title,,,,,\na,b,c,d,e\n1,2,3,4,5\n", ","),
        ("a,b,c\n1,2,3\n4,5\n6,7\n8,9\n", "\t"),  # two lines alike out of five
        ("a,b,c\n", "\t"),  # one line is not enough
        ("A, B, C and D\nOne, two\nThree, four, five, six, seven\n", "\t"),  # prose
        ("", "\t"),
    ],
)
def test_delimiter_from_content(written: str, delimiter: str) -> None:
    assert text.delimiter_of(written) == delimiter


def test_tokenize_csv_as_excel_writes_it() -> None:
    written = 'a,"b,c","1,000"\r\n\r\n"x\r\ny","say ""hi""", z \r\nlast'
    assert text.tokenize(written, ",") == [
        Row(1, ["a", "b,c", "1,000"]),
        Row(2, []),
        Row(3, ["x\ny", 'say "hi"', "z"]),
        Row(5, ["last"]),
    ]


def test_problems_in_csv_are_located_by_comma_cells() -> None:
    rows = [list(cells) for cells in ROWS]
    rows[KBIZ_LINE - 1][10] = "1,8x8"
    rows[KBIZ_LINE][5] = "X6.3"
    assert problems_of(excel_saved(rows).encode("cp932")) == [
        ("bad-number", KBIZ_LINE, 11),
        ("unknown-era", KBIZ_LINE + 1, 6),
    ]


def test_unclosed_quote_in_csv_is_located_where_it_opens() -> None:
    lines = CSV.split("\r\n")
    last = len(ROWS)  # the last KPI row: no quote after it closes this one
    lines[last - 1] = lines[last - 1].replace(",,", ',,"', 1)
    assert problems_of("\r\n".join(lines).encode()) == [("unclosed-quote", last, 3)]


def test_a_comma_separated_txt_is_read_not_refused() -> None:
    report = read_report_bytes(CSV.encode("utf-8"), "report.txt")
    assert judged(report) == REFERENCE_JSON
    assert [w.code for w in report.warnings] == []


def test_prose_with_commas_is_not_a_report() -> None:
    prose = "拝啓、時下ますます、ご清祥のことと、お慶び申し上げます。\n" * 5
    assert text.source_bytes(prose.encode()).kind == "text"
    assert problems_of(prose.encode()) == [("not-a-report", 1, None)]


# --- fuzz -------------------------------------------------------------------------------------

ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-sig": lambda t: t.encode("utf-8-sig"),
    "cp932": lambda t: t.encode("cp932"),
    "utf-16": lambda t: t.encode("utf-16"),
    "utf-16-le": lambda t: t.encode("utf-16-le"),
    "euc_jp": lambda t: t.replace("～", "〜").encode("euc_jp"),
}
WRITTEN = {"\t": REFERENCE, ",": CSV}
SLOW = 10.0  # seconds: far above any real case (a few ms); a hang fails here, not in CI's timeout


def report_or_own_error(data: bytes) -> None:
    started = time.perf_counter()
    try:
        assert isinstance(read_bytes(data), Report)
    except KpiledgerError as error:
        assert error.problems
    assert time.perf_counter() - started < SLOW


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes(data: bytes) -> None:
    report_or_own_error(data)


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(buffer)))
        action = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        if action == "flip" and at < len(buffer):
            buffer[at] ^= draw(st.integers(1, 255))
        elif action == "truncate":
            del buffer[at:]
        elif action == "insert":
            buffer[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del buffer[at : at + draw(st.integers(1, 16))]
    return bytes(buffer)


@pytest.mark.parametrize("delimiter", ["\t", ","])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_reference(encoding: str, delimiter: str, data: st.DataObject) -> None:
    report_or_own_error(data.draw(mutated(ENCODINGS[encoding](WRITTEN[delimiter]))))


CSV_ALPHABET = st.sampled_from(list(',"\r\n\t 事業の名称指標値単位年月R5度1,0.-△'))


@st.composite
def edited_csv(draw: st.DrawFn) -> bytes:
    """The reference CSV edited as text (quotes, commas, line breaks moved), then encoded."""
    written = CSV
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(written)))
        if draw(st.booleans()):
            written = (
                written[:at] + draw(st.text(CSV_ALPHABET, min_size=1, max_size=6)) + written[at:]
            )
        else:
            written = written[:at] + written[at + draw(st.integers(1, 40)) :]
    return ENCODINGS[draw(st.sampled_from(list(ENCODINGS)))](written)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_csv())
def test_edited_csv(data: bytes) -> None:
    report_or_own_error(data)
