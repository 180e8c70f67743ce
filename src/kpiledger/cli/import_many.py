"""`kpiledger import FILE|DIR …`: one report, or many files and folders at once.

One file (not a folder) is imported as always: its preview, then one transaction. Several files,
or a folder, go through `services.bulk.import_files`: read in parallel, one transaction per file,
one progress bar, one summary; a bad file is reported (where and why) and the others still go in.

Each file's organization, in this order: its row in `--manifest`; `--org`; the 6-digit code at
the start of its name (`012068_r5.xlsx`, `012068-令和5年度.csv`; check digit verified). A file
with none of them is reported as failed (`no-org-code`).

Folders are read recursively, in name order; hidden files and folders (`.…`), Excel's lock
files (`~$…`), the manifest itself and files whose suffix is not a report's (REPORT_SUFFIXES)
are skipped. A file named on the command line is always taken. A file reached twice is imported
once.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kpiledger.cli.terminal import printable
from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.core.orgcode import normalize_code

STDIN = "-"
REPORT_SUFFIXES = frozenset(
    {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv", ".txt", ".tab", ".pdf", ".json"}
)
CODE_AT_START = re.compile(r"([0-9]{6})(?![0-9])")
EXIT_OK, EXIT_FAILED = 0, 2

# Manifest columns: the English name, and the Japanese headings accepted for it.
MANIFEST_COLUMNS = {
    "file": ("file", "ファイル", "ファイル名"),
    "code": ("code", "団体コード", "コード"),
    "name": ("name", "団体名"),
}


@dataclass(frozen=True)
class Entry:
    """A manifest row: a file's organization (and a new organization's name)."""

    code: str
    name: str | None
    line: int


def run(args: argparse.Namespace) -> int:
    """The `import` command: one file as before, else many (see the module's docstring)."""
    from kpiledger.cli import import_one

    files: list[str] = args.file
    manifest = read_manifest(Path(args.manifest)) if args.manifest else {}
    if len(files) == 1 and (files[0] == STDIN or not Path(files[0]).is_dir()):
        code, name = _single_organization(files[0], args.org, args.name, manifest)
        return import_one.run_import(files[0], code, name, args.dry_run, args.sheet, args.direction)
    _refuse_single_file_options(files, args.direction)
    paths = collect(files, skip=Path(args.manifest) if args.manifest else None)
    items, unassigned = assign(paths, args.org, args.name, manifest, args.sheet)
    _note_unused(manifest, paths)
    from kpiledger.cli.database import prepare

    prepare()
    return import_many(items, unassigned, workers=args.workers, dry_run=args.dry_run)


# --- which files, as which organization ---------------------------------------------------------


def collect(arguments: list[str], *, skip: Path | None = None) -> list[Path]:
    """The files to import: each file named, and the report files under each folder named."""
    seen: set[Path] = set()
    paths: list[Path] = []
    skipped = skip.resolve() if skip else None
    for argument in arguments:
        path = Path(argument)
        found = report_files(path) if path.is_dir() else [path]
        for file in found:
            key = file.resolve()
            if key not in seen and key != skipped:
                seen.add(key)
                paths.append(file)
    return paths


def report_files(folder: Path) -> list[Path]:
    """Report files under `folder`, recursively, in name order (see the module's docstring)."""
    found = []
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            if name.startswith((".", "~$")) or Path(name).suffix.lower() not in REPORT_SUFFIXES:
                continue
            found.append(Path(root) / name)
    return found


def code_in_name(path: Path) -> str | None:
    """The 6 digits at the start of a file's name (full-width digits too), or None."""
    match = CODE_AT_START.match(unicodedata.normalize("NFKC", path.name))
    return match[1] if match else None


def assign(
    paths: list[Path],
    org: str | None,
    name: str | None,
    manifest: dict[Path, Entry],
    sheet: str | None = None,
):  # type: ignore[no-untyped-def]
    """(files to import with their organization, [(file, problem)] for files without one)."""
    from kpiledger.web.ledger.services.bulk import FileToImport

    items, unassigned = [], []
    for path in paths:
        entry = manifest.get(path.resolve())
        if entry is not None:
            items.append(FileToImport(path, entry.code, entry.name, sheet))
        elif org is not None:
            items.append(FileToImport(path, org, name, sheet))
        elif (code := code_in_name(path)) is not None:
            try:
                items.append(FileToImport(path, normalize_code(code), None, sheet))
            except KpiledgerError as error:
                unassigned.append((path, _named(error.problems[0], path)))
        else:
            unassigned.append((path, no_org_code(path)))
    return items, unassigned


def _single_organization(
    file: str, org: str | None, name: str | None, manifest: dict[Path, Entry]
) -> tuple[str, str | None]:
    entry = manifest.get(Path(file).resolve()) if file != STDIN else None
    if entry is not None:
        return entry.code, entry.name
    if org is not None:
        return org, name
    code = code_in_name(Path(file)) if file != STDIN else None
    if code is None:
        raise KpiledgerError([no_org_code(Path(file) if file != STDIN else None)])
    try:
        return normalize_code(code), name
    except KpiledgerError as error:
        raise KpiledgerError([_named(error.problems[0], Path(file))]) from None


def no_org_code(path: Path | None) -> Problem:
    shown_ja = f"「{path}」" if path else "標準入力"
    shown_en = f"'{path}'" if path else "standard input"
    return Problem(
        "no-org-code",
        f"{shown_ja}の団体が分かりません。ファイル名を団体コード6桁で始めるか"
        "（例: 012068_r5.xlsx）、--manifest に書くか、--org で指定してください",
        f"the organization of {shown_en} is not known: start its name with the 6-digit code"
        " (e.g. 012068_r5.xlsx), list it in --manifest, or give --org",
    )


def _named(problem: Problem, path: Path) -> Problem:
    """A problem of the code at the start of a file's name, saying so."""
    return Problem(
        problem.code,
        f"ファイル名「{path.name}」の先頭の{problem.message_ja}",
        f"the code at the start of the file name '{path.name}': {problem.message_en}",
    )


def _refuse_single_file_options(files: list[str], directions: list[object]) -> None:
    problems = []
    if STDIN in files:
        problems.append(
            Problem(
                "one-file-only",
                "標準入力（-）は1つのファイルの取込でだけ使えます",
                "standard input (-) can only be imported on its own",
            )
        )
    if directions:
        problems.append(
            Problem(
                "one-file-only",
                "--direction は1つのファイルの取込でだけ使えます",
                "--direction works with one file only",
            )
        )
    if problems:
        raise KpiledgerError(problems)


def _note_unused(manifest: dict[Path, Entry], paths: list[Path]) -> None:
    unused = len(manifest.keys() - {p.resolve() for p in paths})
    if unused:
        print(
            f"お知らせ: マニフェストの{unused}行のファイルは指定されたファイル・フォルダに"
            f"ありません（取り込みません）/ Note: {unused} manifest row(s) name files not"
            " among those given (not imported)",
            file=sys.stderr,
        )


# --- the manifest ---------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[Path, Entry]:
    """A manifest CSV: a header row naming the columns file, code and optionally name (or
    ファイル, 団体コード, 団体名), then one row per file; file paths relative to the manifest's
    folder; UTF-8 (with or without BOM) or Shift_JIS (CP932). Every problem is collected and
    raised together (`bad-manifest`, `bad-org-code`), located by line and column."""
    from kpiledger.io.readers import read_bytes

    text = _decoded(read_bytes(path), path)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise KpiledgerError([_bad(path, "行がありません", "it has no rows")])
    columns = _columns(rows[0], path)
    entries: dict[Path, Entry] = {}
    problems = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {key: row[i].strip() if i < len(row) else "" for key, i in columns.items()}
        problem = _entry(path, line, cells, columns, entries)
        if problem is not None:
            problems.append(problem)
    if problems:
        raise KpiledgerError(problems)
    return entries


def _entry(
    manifest: Path,
    line: int,
    cells: dict[str, str],
    columns: dict[str, int],
    entries: dict[Path, Entry],
) -> Problem | None:
    if not cells["file"]:
        return _bad(manifest, "ファイルが空欄です", "the file is blank", line, columns["file"])
    try:
        code = normalize_code(cells["code"])
    except KpiledgerError as error:
        p = error.problems[0]
        where = {"line": line, "column": columns["code"] + 1, "field": "code"}
        return Problem(p.code, f"{manifest.name}: {p.message_ja}", p.message_en, **where)  # type: ignore[arg-type]
    file = (manifest.parent / cells["file"]).resolve()
    earlier = entries.get(file)
    if earlier is not None and earlier.code != code:
        return _bad(
            manifest,
            f"「{cells['file']}」は{earlier.line}行目にも別の団体コードで書かれています",
            f"'{cells['file']}' is also on line {earlier.line} with another code",
            line,
            columns["file"],
        )
    entries[file] = Entry(code, cells.get("name") or None, line)
    return None


def _decoded(content: bytes, path: Path) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict")
    for encoding in ("utf-8", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise KpiledgerError(
        [_bad(path, "文字コードがUTF-8でもShift_JISでもありません", "not UTF-8 or Shift_JIS")]
    )


def _columns(header: list[str], path: Path) -> dict[str, int]:
    names = [unicodedata.normalize("NFKC", h).strip().lower() for h in header]
    columns = {}
    for key, accepted in MANIFEST_COLUMNS.items():
        found = [i for i, name in enumerate(names) if name in accepted]
        if found:
            columns[key] = found[0]
    missing = [key for key in ("file", "code") if key not in columns]
    if missing:
        raise KpiledgerError(
            [
                _bad(
                    path,
                    f"1行目に列名 {', '.join(missing)} がありません（file, code[, name] または"
                    " ファイル, 団体コード[, 団体名]）",
                    f"the header row lacks {', '.join(missing)} (file, code[, name])",
                    1,
                )
            ]
        )
    return columns


def _bad(
    path: Path, ja: str, en: str, line: int | None = None, column: int | None = None
) -> Problem:
    return Problem(
        "bad-manifest",
        f"マニフェスト {path.name}: {ja}",
        f"manifest {path.name}: {en}",
        line=line,
        column=None if column is None else column + 1,
    )


# --- many files -----------------------------------------------------------------------------------


def import_many(items, unassigned, *, workers: int | None, dry_run: bool) -> int:  # type: ignore[no-untyped-def]
    """Import the files with one progress bar; failures on stderr as they come, the summary on
    stdout. Exit status 0 when every file went in (or was unchanged), 2 when any failed."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from kpiledger.web.ledger.services.bulk import import_files

    terminal = _is_terminal(sys.stderr)
    console = Console(file=sys.stderr, force_terminal=terminal or None)
    for path, problem in unassigned:
        _print_failure(console, path, [problem])
    columns = (
        TextColumn("取込中 / importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not terminal) as bar:
        task = bar.add_task("import", total=len(items))

        def done(outcome) -> None:  # type: ignore[no-untyped-def]
            if not outcome.ok:
                _print_failure(bar.console, outcome.item.path, outcome.problems)
            bar.advance(task)

        summary = import_files(items, workers=workers, on_done=done, dry_run=dry_run)
    print_summary(summary, len(unassigned), dry_run)
    return EXIT_OK if summary.ok and not unassigned else EXIT_FAILED


def _print_failure(console, path: Path, problems: list[Problem]) -> None:  # type: ignore[no-untyped-def]
    from kpiledger.cli.options import MAX_PROBLEMS_SHOWN

    lines = [f"失敗 / failed: {path}"]
    lines += ["  " + p.format().replace("\n", "\n  ") for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        rest = len(problems) - MAX_PROBLEMS_SHOWN
        lines.append(f"  …ほか{rest}件 / …and {rest} more")
    console.print(printable("\n".join(lines)), markup=False, highlight=False, soft_wrap=True)


def print_summary(summary, unassigned: int, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    files = len(summary.outcomes) + unassigned
    failed = summary.failed + unassigned
    rate = len(summary.outcomes) / summary.seconds if summary.seconds else 0.0
    title = (
        "確認のみ（書き込んでいません）/ dry run (nothing written)"
        if dry_run
        else "取込結果 / summary"
    )
    print(f"{title}: {files:,} ファイル / files")
    print(f"  取り込み / imported: {summary.imported:,}")
    print(f"  変更なし / unchanged: {summary.unchanged:,}")
    print(f"  失敗 / failed: {failed:,}")
    print(f"  KPI: {summary.kpis:,}（{'書き込む予定' if dry_run else '書き込み'} / written）")
    print(f"  時間 / time: {summary.seconds:.1f} s（{rate:.1f} ファイル/秒 / files/s）")
    if failed and not dry_run:
        print(
            "失敗したファイルは何も書き込んでいません。その他のファイルは取り込みました / "
            "nothing of the failed files was written; the other files were imported"
        )


def _is_terminal(stream) -> bool:  # type: ignore[no-untyped-def]
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
