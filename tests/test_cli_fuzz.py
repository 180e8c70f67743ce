"""Hypothesis over the whole command line: the reference report with random cells replaced by
tricky texts (rich markup, huge and tiny numbers, full-width digits, △, "no value" markers,
very long texts, control characters, tabs and line breaks, era dates, random bytes) goes
through read → evaluate → table, JSON and CSV exactly as a user runs it (`main([...])`).

Whatever the file holds, the command ends with 0 (a result) or 2 (bilingual problems on stderr,
nothing on stdout): never 1 (内部エラー), never a traceback.

The number of examples is KPILEDGER_FUZZ_EXAMPLES (default 300, about 10 s); run it with
`KPILEDGER_FUZZ_EXAMPLES=5000` for a long search.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from kpiledger.cli.main import main, reference_report_path
from kpiledger.core.numbers import format_number

EXAMPLES = int(os.environ.get("KPILEDGER_FUZZ_EXAMPLES", "300"))
RAW = reference_report_path().read_text(encoding="utf-8")
LINES = RAW.split("\n")
#: Every cell of the file as (line index, cell index): title, headings, headers and KPI rows.
CELLS = [(i, j) for i, line in enumerate(LINES) for j in range(len(line.split("\t")))]
#: The cells of KPI rows (the lines with a target date): the ones most worth varying.
KPI_CELLS = [(i, j) for i, j in CELLS if "R6.3" in LINES[i].split("\t")]

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z][A-Za-z-]*){2,}")
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")

TRICKY = [
    # rich markup and emoji codes
    "[red]利用者数[/red]",
    "[/x]利用者数",
    "[/]",
    "[link=https://example.com]x[/link]",
    ":smile: :thumbs_up:",
    "[bold]",
    "\\[b]",
    "【[x]】事業",
    # huge, tiny and exponent-like numbers
    "1" + "0" * 30,
    "99999999999999999999999999999",
    "0." + "0" * 29 + "1",
    "1E+30",
    "1e-30",
    "1E5",
    "１Ｅ５",
    "12e3件",
    "100000000000",
    "99999999999.9999",
    "99999999999.99999",
    "1.23456",
    "1兆",
    "9999兆",
    "0.0001",
    # full-width digits, △, signs
    "１，３００，０００",
    "７３．５",
    "△",
    "△0",
    "▲12",
    "△1,234.5",
    "−0",
    "+",
    "1,2345",
    "約20",
    # "no value" markers
    "",
    "-",
    "－",
    "―",
    "――",
    "N/A",
    "未集計",
    "集計中",
    # very long texts
    "あ" * 3000,
    "1" * 3000,
    "1,000" * 500,
    # control characters, tabs and line breaks, quotes
    "\x00",
    "\x1b[2J",
    "\x07\x08\x0b\x0c",
    "\x85\u2028\u2029",
    "a\tb",
    "a\nb",
    "a\r\nb",
    '"a\tb"',
    '"a\nb"',
    '"unclosed',
    '""',
    '"',
    # era dates, fiscal years, headers
    "R6.3",
    "R1.4",
    "令和元年4月",
    "令和元年5月",
    "H31.4",
    "S64.1",
    "R999.3",
    "R0.3",
    "2200/3",
    "2201/3",
    "1900/3",
    "1926/3",
    "令和６年３月末",
    "R6年度末",
    "天平6年3月",
    "平成元年1月7日",
    "R5年度",
    "S1年度",
    "1926年度",
    "2200年度",
    "R7年度見込",
    "指標",
    "事業の名称",
    "指標値",
    "単位",
    "年月",
    "基準値",
    "達成率",
    "方向",
    "集計",
    "減少",
    "累計（単年度値）",
    "## 令和5年度の実績",
    "【関連事業】",
    "※ 注",
]

#: Numbers the reader accepts, as published (`△1,234.5`), to reach every rule of evaluation.
accepted_numbers = st.decimals(
    min_value=Decimal("-99999999999.9999"), max_value=Decimal("99999999999.9999"), places=4
).map(format_number)

cell_texts = st.one_of(
    st.sampled_from(TRICKY),
    accepted_numbers,
    accepted_numbers.map(lambda text: unicodedata.normalize("NFKC", text).translate(FULL_WIDTH)),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers().map(str),
    st.text(max_size=40),
    st.builds("".join, st.lists(st.sampled_from(TRICKY), min_size=2, max_size=3)),
)


@dataclass(frozen=True)
class Mutation:
    """Cells replaced (line index, cell index, text), then bytes spliced in at an offset."""

    cells: tuple[tuple[int, int, str], ...]
    splice: tuple[int, bytes] | None

    def apply(self) -> bytes:
        lines = [line.split("\t") for line in LINES]
        for i, j, text in self.cells:
            lines[i][j] = text
        data = "\n".join("\t".join(cells) for cells in lines).encode("utf-8")
        if self.splice is not None:
            offset, junk = self.splice
            at = offset % (len(data) + 1)
            data = data[:at] + junk + data[at:]
        return data


mutations = st.builds(
    Mutation,
    st.lists(
        st.tuples(st.sampled_from(KPI_CELLS) | st.sampled_from(CELLS), cell_texts).map(
            lambda p: (*p[0], p[1])
        ),
        min_size=1,
        max_size=4,
    ).map(tuple),
    st.one_of(  # random bytes spliced into one file in four
        st.none(),
        st.none(),
        st.none(),
        st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=16)),
    ),
)
options = st.lists(
    st.sampled_from(
        [
            ["--year", "2019"],
            ["--year", "2022"],
            ["--year", "2024"],
            ["--year", "1926"],
            ["--nearly", "90"],
            ["--nearly", "0"],
            ["--encoding", "cp932"],  # CSV in Shift_JIS: a character it lacks is a problem
        ]
    ),
    max_size=2,
).map(lambda chosen: [arg for option in chosen for arg in option])


def run(argv: list[str]) -> tuple[int, str, str]:
    """`main(argv)` with stdout (text and bytes) and stderr captured; argparse's exit too."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", newline="")
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", newline="")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else 2
        out.flush()
        err.flush()
    encoding = "cp932" if "cp932" in argv and "csv" in argv else "utf-8"
    return status, out_bytes.getvalue().decode(encoding), err_bytes.getvalue().decode("utf-8")


def check(status: int, out: str, err: str, fmt: str) -> None:
    assert status in (0, 2), err
    assert "Traceback" not in out + err and "内部エラー" not in err, err
    if status == 2:
        assert out == "", "nothing may be half-output"
        assert JAPANESE.search(err) and ENGLISH.search(err), err
        return
    if fmt == "json":
        json.loads(out)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
        assert rows and all(len(row) == len(rows[0]) for row in rows)
    else:
        assert not CONTROL.search(out), "a control character reached the terminal"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutation=mutations, extra=options)
@example(mutation=Mutation((), None), extra=[])  # the reference report itself
@example(mutation=Mutation(((11, 2, "[/x]利用者数"),), None), extra=[])  # MarkupError
@example(mutation=Mutation(((11, 10, "1" + "0" * 30),), None), extra=[])  # InvalidOperation
@example(mutation=Mutation((), None), extra=["--year", "0"])  # ValueError
def test_any_mutated_report_ends_in_a_result_or_bilingual_problems(mutation, extra):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "report.txt"
        path.write_bytes(mutation.apply())
        for fmt in ("table", "json", "csv"):
            status, out, err = run(["evaluate", str(path), "--format", fmt, *extra])
            check(status, out, err, fmt)
        codes = sorted(set(re.findall(r"^\[([a-z-]+)\]", err, re.MULTILINE)))
        event(f"exit {status}: {', '.join(codes) or 'result'}")
