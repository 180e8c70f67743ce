"""`kpiledger demo-data --national --seed N`: the national synthetic dataset
(`kpiledger.io.synthetic`) written as report files and imported into the ledger."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from kpiledger.cli.options import _bounded
from kpiledger.core.errors import KpiledgerError

MAIN_FORMATS = ("csv-wide", "csv", "json", "datapackage", "xlsx")
PDF_SAMPLE = 3  # PDFs take seconds each: this many unless --sample is given
README_MARK = "# kpiledger 全国合成データ"


def seed_number(text: str) -> int:
    return _bounded(text, 0, 2**31 - 1, "シード", "the seed")


def municipality_count(text: str) -> int:
    return _bounded(text, 1, 1741, "市区町村の数", "the number of municipalities")


def sample_count(text: str) -> int:
    return _bounded(text, 0, 1788, "見本の団体数", "the number of sample organizations")


def worker_count(text: str) -> int:
    return _bounded(text, 1, 64, "プロセス数", "the number of worker processes")


def format_list(text: str) -> tuple[str, ...]:
    """argparse type: formats separated by commas (`none`: no sample files)."""
    from kpiledger.io.synthetic_files import READABLE_FORMATS

    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if names == ("none",):
        return ()
    unknown = [n for n in names if n not in READABLE_FORMATS]
    if unknown or not names:
        known = ", ".join(READABLE_FORMATS)
        raise argparse.ArgumentTypeError(
            f"知らない形式です: {', '.join(unknown) or text}（使える形式: {known}, none） /"
            f" unknown format: {', '.join(unknown) or text} (formats: {known}, none)"
        )
    return names


def add_command(commands: argparse._SubParsersAction, formatter) -> None:  # type: ignore[type-arg,no-untyped-def]
    demo = commands.add_parser(
        "demo-data",
        formatter_class=formatter,
        help="全国の合成データを作り台帳に取り込む (make a national synthetic dataset and load it)",
        description="全国1,741市区町村と47都道府県の架空のKPI実績報告（令和6年度、実績は10年度分、"
        "1団体5〜15事業、1事業2〜5指標）を作り、報告書ファイルとして書き出して台帳に取り込みます。"
        "団体コード・団体名は実在のもの、人口・事業・実績はシードから作る架空のものです。同じシード"
        "からは同じバイト列のファイルができます。 (Make made-up KPI reports for the 1,741"
        " municipalities and 47 prefectures of Japan (FY2024, ten years of actuals, 5–15 projects"
        " each, 2–5 KPIs a project), write them as report files and import them into the ledger."
        " Codes and names are real; populations, projects and actuals are made up from the seed."
        " The same seed gives the same files, byte for byte.)",
    )
    demo.add_argument(
        "--national",
        action="store_true",
        help="全国の団体のデータを作る（今はこれだけ） (the nation's organizations; the only"
        " dataset for now)",
    )
    demo.add_argument(
        "--seed",
        type=seed_number,
        default=1,
        metavar="N",
        help="乱数のシード（既定 1） (random seed; default 1)",
    )
    demo.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        help="書き出すフォルダ（既定: データフォルダの demo-data/national-seed<N>）"
        " (folder to write; default: demo-data/national-seed<N> in the data directory)",
    )
    demo.add_argument(
        "--format",
        choices=MAIN_FORMATS,
        default="csv-wide",
        help="全団体の報告書の形式（既定 csv-wide: 読むのが最も速い） (format of every"
        " organization's report; default csv-wide, the fastest to read)",
    )
    demo.add_argument(
        "--formats",
        type=format_list,
        default=None,
        metavar="F,F…",
        help="見本の団体を書き出す他の形式（既定: 読み戻せる他の全形式。none で書かない）"
        " (other formats written for a sample of organizations; default: every other format"
        " kpiledger reads back; none: no sample)",
    )
    demo.add_argument(
        "--sample",
        type=sample_count,
        default=None,
        metavar="N",
        help="他の形式で書く団体の数（既定 10、PDFは時間がかかるため既定 3）"
        " (organizations written in each other format; default 10, PDF 3 as each takes seconds)",
    )
    demo.add_argument(
        "--municipalities",
        type=municipality_count,
        default=None,
        metavar="N",
        help="市区町村をN団体に絞る（約5団体ずつ⌈N/5⌉都道府県から、その都道府県も含む）"
        " (only N municipalities, about five from each of ⌈N/5⌉ prefectures, with those"
        " prefectures)",
    )
    demo.add_argument(
        "--no-ledger",
        action="store_true",
        help="ファイルを書き出すだけで台帳には取り込まない (write the files only; do not import)",
    )
    demo.add_argument(
        "--workers",
        type=worker_count,
        default=None,
        metavar="N",
        help="取込でファイルを読むプロセス数（既定: CPUコア数） (processes reading files for"
        " the import; default: the CPU cores)",
    )


def run(args: argparse.Namespace) -> int:
    if not args.national:
        raise KpiledgerError.single(
            "national-required",
            "作るデータを指定してください。今は --national（全国の合成データ）だけです:"
            " kpiledger demo-data --national",
            "say which dataset to make; for now there is --national only (the national synthetic"
            " dataset): kpiledger demo-data --national",
        )
    from kpiledger.io.synthetic_files import write_dataset

    options = _options(args)
    directory = _output(args)
    start = time.perf_counter()
    with _bar("合成データを作成中 / generating") as step:
        dataset = write_dataset(directory, options, step)
    seconds = time.perf_counter() - start
    print(
        f"作成しました / written: {len(dataset.organizations):,}団体 organizations,"
        f" {dataset.projects:,}事業 projects, {dataset.kpis:,} KPI,"
        f" {dataset.size() / 1e6:,.1f} MB, {seconds:.1f} s → {directory}"
    )
    if args.no_ledger:
        return 0
    return _load(dataset, args.workers)


def _options(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from kpiledger.io.synthetic_files import READABLE_FORMATS, SAMPLE_SIZE, Options

    others = tuple(f for f in READABLE_FORMATS if f != args.format)
    formats = others if args.formats is None else tuple(f for f in args.formats if f != args.format)
    size = SAMPLE_SIZE if args.sample is None else args.sample
    pdf = min(size, PDF_SAMPLE) if args.sample is None else size
    return Options(args.seed, args.municipalities, args.format, formats, size, pdf)


def _output(args: argparse.Namespace) -> Path:
    """The folder to write: new, empty, or one demo-data wrote before (its reports/ and
    formats/ are replaced)."""
    if args.output:
        directory = Path(args.output)
    else:
        from django.conf import settings

        suffix = f"-{args.municipalities}" if args.municipalities else ""
        directory = Path(settings.DATA_DIR) / "demo-data" / f"national-seed{args.seed}{suffix}"
    if directory.is_dir() and any(directory.iterdir()):
        if not _ours(directory):
            raise KpiledgerError.single(
                "output-not-empty",
                f"書き出し先 {directory} は空ではありません。新しいフォルダか、以前 demo-data で"
                "作ったフォルダを指定してください",
                f"the output folder {directory} is not empty: give a new folder or one"
                " demo-data wrote before",
            )
        for name in ("reports", "formats"):
            shutil.rmtree(directory / name, ignore_errors=True)
    elif directory.exists() and not directory.is_dir():
        raise KpiledgerError.single(
            "output-not-folder",
            f"書き出し先 {directory} はフォルダではありません",
            f"the output {directory} is not a folder",
        )
    return directory


def _ours(directory: Path) -> bool:
    readme = directory / "README.md"
    try:
        return readme.read_text(encoding="utf-8").startswith(README_MARK)
    except (OSError, UnicodeDecodeError):
        return False


def _load(dataset, workers: int | None) -> int:  # type: ignore[no-untyped-def]
    from kpiledger.cli.database import prepare
    from kpiledger.web.ledger.services.demo_data import load_dataset

    prepare()
    with _bar("台帳に取込中 / importing") as step:
        total = len(dataset.files)
        done = [0]

        def on_done(outcome) -> None:  # type: ignore[no-untyped-def]
            done[0] += 1
            step(done[0], total)

        summary = load_dataset(
            dataset.files, dataset.organizations, workers=workers, on_done=on_done
        )
    print(
        f"台帳に取り込みました / imported: {summary.imported:,}件 files,"
        f" 変更なし unchanged {summary.unchanged:,}, 失敗 failed {summary.failed:,},"
        f" {summary.kpis:,} KPI, {summary.seconds:.1f} s"
    )
    for outcome in summary.outcomes:
        if not outcome.ok:
            for problem in outcome.problems:
                print(f"  {outcome.item.path.name}: {problem.format()}", file=sys.stderr)
    return 0 if summary.ok else 1


class _bar:
    """A rich progress bar on a terminal (nothing otherwise); yields `step(done, total)`."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self):  # type: ignore[no-untyped-def]
        from rich.progress import Progress

        self.progress = Progress(transient=True, disable=not sys.stderr.isatty())
        self.progress.__enter__()
        task = self.progress.add_task(self.label, total=None)

        def step(done: int, total: int) -> None:
            self.progress.update(task, completed=done, total=total)

        return step

    def __exit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        self.progress.__exit__(*exc)
