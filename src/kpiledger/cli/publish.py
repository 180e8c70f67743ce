"""`kpiledger publish --all -o DIR`: the whole ledger as a static site (web/static_site/)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from kpiledger.cli.options import _bounded

MAX_WORKERS = 64


def worker_count(text: str) -> int:
    """argparse type: a number of worker processes, 1–64."""
    return _bounded(text, 1, MAX_WORKERS, "プロセス数", "the number of worker processes")


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def add_command(commands: argparse._SubParsersAction, formatter) -> None:  # type: ignore[type-arg,no-untyped-def]
    publish = commands.add_parser(
        "publish",
        formatter_class=formatter,
        help="台帳全体を静的サイトとして書き出す (write the whole ledger as a static site)",
        description="全団体（または --org の1団体）の公開ページ（報告書・ダッシュボード・KPIごとの"
        "ページ・団体一覧・比較ページ）を、CSS・JS・グラフ用ECharts、報告書ごとのCSVとJSON、REST"
        " APIと同じ形のJSON、全国のCSVとそれを記述する1つのFrictionlessデータパッケージ"
        "（datapackage.json）とともにフォルダに書き出します。リンクはすべて相対で index.html で"
        "終わるため、サーバなしでファイルとして（file://）開くことも、任意の静的ホスティングに置くことも"
        "できます。PDFとExcelは含みません（kpiledger export で作れます）。出力は隣の一時フォルダに"
        "作ってから置き換えるので、中断しても以前のサイトが残ります。"
        " (Write every organization's public pages (report, dashboard, a page per KPI), the"
        " home and comparison pages, with their CSS, JS and ECharts, each report's CSV and JSON,"
        " the REST API's JSON, and national CSV files described by one Frictionless Data Package"
        " (datapackage.json). Every link is relative and ends in index.html: open it from the"
        " file system (file://) with no server, or put it on any static host. No PDF or Excel"
        " files (kpiledger export makes those). The site is built in a folder beside DIR and"
        " then put in its place: an interrupted run leaves the previous site.)",
    )
    which = publish.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--all",
        action="store_true",
        help="公表された報告書のある全団体 (every organization with a published report)",
    )
    which.add_argument(
        "--org",
        metavar="CODE",
        help="この団体だけ（全国地方公共団体コード6桁） (this organization only: its 6-digit code)",
    )
    publish.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        required=True,
        help="書き出すフォルダ。新しいフォルダか、以前 publish で作ったフォルダ"
        " (the folder to write: a new one, or one made by publish before)",
    )
    publish.add_argument(
        "--workers",
        type=worker_count,
        default=default_workers(),
        metavar="N",
        help="並行して働くプロセスの数（既定はCPUコア数 %(default)s）"
        " (worker processes; default: the CPU cores, %(default)s)",
    )
    publish.add_argument(
        "--english",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="英語のページ（/en/）も書き出す（既定）。--no-english で日本語のみ"
        " (also write the English pages under en/, the default; --no-english: Japanese only)",
    )
    publish.add_argument(
        "--force",
        action="store_true",
        help="空でなく、publish で作ったものでもないフォルダの中身を置き換える"
        " (replace what DIR holds even when it is not empty and was not made by publish)",
    )


def run(args: argparse.Namespace) -> int:
    from kpiledger.cli.database import prepare
    from kpiledger.web.static_site.build import Options, build

    prepare()
    options = Options(
        target=Path(args.output).absolute(),
        org=args.org,
        workers=args.workers,
        languages=("ja", "en") if args.english else ("ja",),
        force=args.force,
    )
    with contextlib.suppress(OSError):
        os.nice(5)  # batch work: pages served from this machine come first
    with _progress() as step:
        summary = build(options, step)
    _print_summary(summary)
    return 0


@contextlib.contextmanager
def _progress():  # type: ignore[no-untyped-def]
    from rich.progress import Progress

    with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("書き出し中 / publishing", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield step


def _print_summary(summary) -> None:  # type: ignore[no-untyped-def]
    counts = summary.counts
    print(f"書き出しました / published: {summary.target}")
    print(
        f"  団体 / organizations: {summary.organizations:,}  報告書 / reports: {counts.reports:,}"
        f"  KPI: {counts.kpis:,}"
    )
    print(
        f"  ページ / pages: {counts.pages:,}  ファイル / files: {counts.files:,}"
        f"  {counts.bytes / 1e6:,.1f} MB"
    )
    print(
        f"  {summary.seconds:.1f} 秒 / s（{summary.ms_per_kpi:.2f} ms/KPI、"
        f"{summary.workers} プロセス / processes）"
        f"  最大メモリ / peak memory: {summary.peak_mb:.0f} MB"
        f"（ワーカー / worker {summary.worker_peak_mb:.0f} MB）"
    )
