"""`kpiledger` — KPI実績台帳 command line.

Bad input never shows a traceback: every problem is printed with its place, in Japanese and
English, and the exit status is 2. Set KPILEDGER_DEBUG=1 to see tracebacks of internal errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from kpiledger import __version__
from kpiledger.cli.options import (  # noqa: F401  (port_number, thread_count, reference_report_path: public names)
    MAX_PROBLEMS_SHOWN,
    SHEET_HELP,
    fiscal_year,
    percent,
    port_number,
    reference_report_path,
    thread_count,
)
from kpiledger.cli.overrides import DIRECTION_HELP, direction_option
from kpiledger.cli.parser import Parser
from kpiledger.cli.terminal import printable
from kpiledger.core.errors import KpiledgerError

if TYPE_CHECKING:
    from kpiledger.core.model import Report

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


def build_parser(width: int | None = None) -> argparse.ArgumentParser:
    """The command line; `width` fixes the help text's width (for the generated docs)."""

    def formatter(prog: str) -> argparse.HelpFormatter:
        return argparse.HelpFormatter(prog, width=width)

    parser = Parser(
        prog="kpiledger",
        formatter_class=formatter,
        description="KPI実績台帳 — 地方創生交付金事業のKPIを読み込み、評価し、公表する "
        "(KPI ledger for regional-revitalization grant projects)",
    )
    parser.add_argument("--version", action="version", version=f"kpiledger {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    evaluate = commands.add_parser(
        "evaluate",
        formatter_class=formatter,
        help="報告書を読み込み、全KPIを評価して表示 (read a report and judge every KPI)",
        description="KPI実績報告を読み込み、達成率・状況・事業効果を判定して表示します。"
        " FILE を省略すると同梱の参考報告（釧路市 令和5年度）を評価します。"
        " (Read a KPI result report and judge every KPI. Without FILE, the bundled reference"
        " report of Kushiro City, FY2023, is evaluated.)",
    )
    evaluate.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="報告書ファイル（Excel .xlsx/.xls/.ods、CSV、タブ区切りテキスト、PDF）。- は標準入力"
        " (report file: Excel, CSV, tab-separated text or PDF; - reads standard input)",
    )
    evaluate.add_argument("--sheet", metavar="NAME", help=SHEET_HELP)
    evaluate.add_argument(
        "--direction",
        type=direction_option,
        action="append",
        default=[],
        metavar="KPI=DIR",
        help=DIRECTION_HELP,
    )
    evaluate.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="出力形式 (output format; default: table)",
    )
    evaluate.add_argument(
        "--nearly",
        type=percent,
        default=Decimal(80),
        metavar="PERCENT",
        help="「概ね達成」とする達成率の下限 (rate threshold for nearly achieved; default 80)",
    )
    evaluate.add_argument(
        "--encoding",
        choices=("utf-8-sig", "utf-8", "cp932"),
        default=None,
        help="CSVの文字コード（既定はExcelで開けるBOM付きUTF-8）"
        " (CSV encoding; default UTF-8 with BOM, which Excel opens correctly)",
    )
    evaluate.add_argument(
        "--year",
        type=fiscal_year,
        metavar="FY",
        help="評価する年度（西暦、既定は報告書の年度）(fiscal year to judge, e.g. 2023)",
    )
    from kpiledger.cli import web_commands

    web_commands.add_commands(commands, formatter)
    return parser


def run_evaluate(args: argparse.Namespace) -> int:
    from kpiledger.cli.inputs import read_input, warning_label
    from kpiledger.cli.overrides import apply_directions
    from kpiledger.core.evaluate import evaluate_report

    report = read_input(args.file or str(reference_report_path()), args.sheet).report
    apply_directions(report, args.direction)
    if args.encoding and args.format != "csv":
        print(
            "警告: --encoding は --format csv のときだけ使います（この出力はUTF-8です）/ "
            "Warning: --encoding applies to --format csv only (this output is UTF-8)",
            file=sys.stderr,
        )
    check_year(report, args.year)
    for warning in [*report.notices, *report.warnings]:  # how it was read; what to look at
        print(printable(f"{warning_label(warning.code)}: {warning.format()}"), file=sys.stderr)
    result = evaluate_report(report, fiscal_year=args.year, nearly=args.nearly)
    if args.format == "json":
        from kpiledger.io.writers import json as writer

        sys.stdout.write(writer.dumps(result))
    elif args.format == "csv":
        from kpiledger.io.writers import csv as csv_writer

        sys.stdout.flush()
        sys.stdout.buffer.write(
            encode_output(csv_writer.dumps(result), args.encoding or "utf-8-sig")
        )
        sys.stdout.buffer.flush()
    else:
        from kpiledger.cli.table import print_report

        print_report(result)
    return EXIT_OK


def check_year(report: Report, year: int | None) -> None:
    """A `--year` must be one the report can be judged in (`judgeable_years`), else
    `year-not-in-report` naming the years it has."""
    from kpiledger.core.era import fiscal_year_label
    from kpiledger.core.evaluate import judgeable_years

    years = judgeable_years(report)
    if year is None or year in years:
        return
    first, last = years[0], years[-1]
    labels = f"{fiscal_year_label(first)}〜{fiscal_year_label(last)}"
    raise KpiledgerError.single(
        "year-not-in-report",
        f"{year}年度はこの報告書では評価できません。この報告書の年度は"
        f"{first}〜{last}年度（{labels}）です",
        f"FY{year} cannot be judged with this report: it has the fiscal years {first} to"
        f" {last} ({labels})",
    )


def encode_output(text: str, encoding: str) -> bytes:
    """`text` in `encoding`; a character the encoding lacks is an error naming it (never
    silently replaced)."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        char = error.object[error.start]
        raise KpiledgerError.single(
            "unencodable",
            f"文字「{char}」（U+{ord(char):04X}）は {encoding} で表せません。"
            "--encoding utf-8-sig を使ってください",
            f"the character '{char}' (U+{ord(char):04X}) cannot be written in {encoding};"
            " use --encoding utf-8-sig",
        ) from None


def report_problems(error: KpiledgerError) -> None:
    """Every problem (up to MAX_PROBLEMS_SHOWN, then how many more) on stderr."""
    count = len(error.problems)
    print(
        f"エラー: {count}件の問題があります。何も出力・書き込みしていません。\n"
        f"Error: {count} problem(s) found; nothing was output or written.",
        file=sys.stderr,
    )
    for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
        print(printable(problem.format()), file=sys.stderr)
    if count > MAX_PROBLEMS_SHOWN:
        rest = count - MAX_PROBLEMS_SHOWN
        print(f"…ほか{rest}件 / …and {rest} more", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    try:
        if args.command == "evaluate":
            return run_evaluate(args)
        from kpiledger.cli import web_commands

        return web_commands.run(args)
    except KpiledgerError as error:
        report_problems(error)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `kpiledger evaluate | head`: the reader has gone, as with any tool
        return output_closed(args.command)
    except Exception as error:
        if os.environ.get("KPILEDGER_DEBUG"):
            raise
        print(
            f"内部エラーが発生しました（KPILEDGER_DEBUG=1 で詳細表示）: {error!r}\n"
            f"Internal error (set KPILEDGER_DEBUG=1 for details): {error!r}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a Unix tool in this case


def output_closed(command: str) -> int:
    """The program reading our output closed it: stop quietly (an import's transaction has been
    rolled back, so say that nothing was written)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout at exit
    if command == "import":
        print(
            "出力先が閉じられたため取込を中止しました。台帳には何も書き込んでいません / "
            "the output was closed, so the import stopped; nothing was written",
            file=sys.stderr,
        )
    return EXIT_BROKEN_PIPE


def _utf8_streams() -> None:
    """Japanese output must not fail on a terminal or pipe with an ASCII locale."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure and (stream.encoding or "").lower().replace("-", "") != "utf8":
            reconfigure(encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
