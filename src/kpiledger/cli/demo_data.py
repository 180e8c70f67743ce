"""`kpiledger demo-data --national --seed N`: the national synthetic dataset
(`kpiledger.io.synthetic`) written as report files and imported into the ledger."""

from __future__ import annotations

import argparse
import errno
import hashlib
import os
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
        " The same seed gives the same files, byte for byte.)"
        " 台帳が空でないとき: 台帳にあるのがこの合成データ（同じシード・形式）の一部だけなら"
        "（以前の実行、中断した実行、より少ない --municipalities の実行）、残りを取り込み、"
        "取込済みの団体は変わりません。他のデータ（この合成データにない団体、他のシードや形式の"
        "ファイル、手で加えた事業）があれば、ファイルも台帳も何も書かずに止まります"
        "（ledger-not-empty）。合成データは他のデータと混ぜません。"
        " (A ledger that is not empty: when it holds only part of this dataset (same seed and"
        " format: an earlier run, an interrupted one, one with fewer --municipalities), the rest"
        " is imported and what is there stays unchanged; when it holds anything else"
        " (organizations not in this dataset, files of another seed or format, projects added by"
        " hand), neither files nor the ledger are written (ledger-not-empty). Synthetic data is"
        " never mixed with other data.)",
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
        help="書き出すフォルダ。ないか空のフォルダ、または以前 demo-data が書き出したフォルダ"
        "（reports/ と formats/ を置き換え）。既定: データフォルダの demo-data/national-seed<N>"
        " (folder to write: new, empty, or one demo-data wrote before, whose reports/ and"
        " formats/ are replaced; default: demo-data/national-seed<N> in the data directory)",
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
    """Check everything (the options, the output folder, the ledger), make every file in
    memory, check the ledger against them, and only then write the files and import them: an
    error writes nothing."""
    if not args.national:
        raise KpiledgerError.single(
            "national-required",
            "作るデータを指定してください。今は --national（全国の合成データ）だけです:"
            " kpiledger demo-data --national",
            "say which dataset to make; for now there is --national only (the national synthetic"
            " dataset): kpiledger demo-data --national",
        )
    from kpiledger.io.synthetic_files import build, write

    options = _options(args)
    directory = _output(args)
    if not args.no_ledger:
        _check_ledger(options, None)
    start = time.perf_counter()
    with _bar("合成データを作成中 / generating") as step:
        rendered = build(options, step)
    if not args.no_ledger:
        _check_ledger(options, rendered)
    try:
        dataset = write(directory, options, rendered)
    except OSError as error:
        raise _cannot_write(directory, error, partly=True) from None
    seconds = time.perf_counter() - start
    print(
        f"作成しました / written: {len(dataset.organizations):,}団体 organizations,"
        f" {dataset.projects:,}事業 projects, {dataset.kpis:,} KPI,"
        f" {dataset.size() / 1e6:,.1f} MB, {seconds:.1f} s → {directory}"
    )
    if args.no_ledger:
        reports, manifest = directory / "reports", directory / "manifest.csv"
        print(f"取り込むには / to import: kpiledger import {reports} --manifest {manifest}")
        return 0
    return _load(dataset, args.workers)


def _check_ledger(options, rendered) -> None:  # type: ignore[no-untyped-def]
    """The ledger must be empty or hold only (part of) this dataset (`services.demo_data`):
    before the files are made (by their names), and after (by their digests)."""
    from kpiledger.cli.database import prepare
    from kpiledger.io.synthetic import judged_report, organizations
    from kpiledger.io.synthetic_files import file_name, render
    from kpiledger.web.ledger.services.demo_data import Expected, check_ledger, first_imported

    if rendered is None:
        prepare()
        every = {o.code: o for o in organizations(options.seed, options.municipalities)}
        expected = {code: Expected(file_name(code, options.main_format)) for code in every}
        code = first_imported(every)
        if code is not None:  # one file made now: another seed is refused at once
            org = every[code]
            content = render(judged_report(org, options.seed), org, options.main_format)
            expected[code] = Expected(expected[code].file_name, hashlib.sha256(content).hexdigest())
    else:
        expected = {
            r.organization.code: Expected(
                file_name(r.organization.code, options.main_format), r.sha256, r.projects
            )
            for r in rendered
        }
    subset_ja = f"、市区町村 {options.municipalities}" if options.municipalities else ""
    subset_en = f", {options.municipalities} municipalities" if options.municipalities else ""
    check_ledger(
        expected,
        (
            f"この合成データ（シード {options.seed}、形式 {options.main_format}{subset_ja}）",
            f"this synthetic dataset (seed {options.seed}, format {options.main_format}"
            f"{subset_en})",
        ),
    )


def _options(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from kpiledger.io.synthetic_files import READABLE_FORMATS, SAMPLE_SIZE, Options

    others = tuple(f for f in READABLE_FORMATS if f != args.format)
    formats = others if args.formats is None else tuple(f for f in args.formats if f != args.format)
    size = SAMPLE_SIZE if args.sample is None else args.sample
    pdf = min(size, PDF_SAMPLE) if args.sample is None else size
    return Options(args.seed, args.municipalities, args.format, formats, size, pdf)


def _output(args: argparse.Namespace) -> Path:
    """The folder to write: new, empty, or one demo-data wrote before (`write` replaces its
    reports/ and formats/). Only checked here: nothing is written yet."""
    if args.output:
        directory = Path(args.output)
    else:
        from django.conf import settings

        suffix = f"-{args.municipalities}" if args.municipalities else ""
        directory = Path(settings.DATA_DIR) / "demo-data" / f"national-seed{args.seed}{suffix}"
    if directory.exists() and not directory.is_dir():
        raise _not_a_folder(directory, directory)
    if directory.is_dir():
        if any(directory.iterdir()) and not _ours(directory):
            raise KpiledgerError.single(
                "output-not-empty",
                f"書き出し先 {directory} は空ではありません。新しいフォルダか、以前 demo-data で"
                "作ったフォルダを指定してください",
                f"the output folder {directory} is not empty: give a new folder or one"
                " demo-data wrote before",
            )
        writable = directory
    else:
        writable = directory.absolute().parent
        while not writable.exists():
            writable = writable.parent
        if not writable.is_dir():
            raise _not_a_folder(directory, writable)
    if not os.access(writable, os.W_OK | os.X_OK):
        raise _cannot_write(
            directory, PermissionError(errno.EACCES, os.strerror(errno.EACCES)), partly=False
        )
    return directory


def _not_a_folder(directory: Path, file: Path) -> KpiledgerError:
    if file == directory:
        ja, en = "", ""
    else:
        ja, en = f"（{file} がファイルです）", f" ({file} is a file)"
    return KpiledgerError.single(
        "output-not-folder",
        f"書き出し先 {directory} はフォルダではありません{ja}",
        f"the output {directory} is not a folder{en}",
    )


def _cannot_write(directory: Path, error: OSError, *, partly: bool) -> KpiledgerError:
    reason = error.strerror or str(error)
    where = f"{error.filename}: " if error.filename else ""
    ja = "。書きかけのファイルが残っています。もう一度実行すると置き換えます" if partly else ""
    en = "; files partly written remain there, and running again replaces them" if partly else ""
    return KpiledgerError.single(
        "output-cannot-write",
        f"書き出し先 {directory} に書き込めません（{where}{reason}）{ja}",
        f"cannot write into the output folder {directory} ({where}{reason}){en}",
    )


def _ours(directory: Path) -> bool:
    readme = directory / "README.md"
    try:
        return readme.read_text(encoding="utf-8").startswith(README_MARK)
    except (OSError, UnicodeDecodeError):
        return False


def _load(dataset, workers: int | None) -> int:  # type: ignore[no-untyped-def]
    from kpiledger.web.ledger.services.demo_data import load_dataset

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
