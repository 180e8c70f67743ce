"""Writing the national synthetic dataset (`synthetic.py`) as report files, through the writers of
`kpiledger.io.writers`:

    DIR/reports/<code>_2024.<ext>        every organization's report, in the main format
    DIR/formats/<format>/<code>_2024.<ext>  a sample of organizations in each other format
    DIR/manifest.csv                     file, code, name of every file of reports/
    DIR/organizations.csv                code, name, prefecture, kind, kana, population
    DIR/README.md                        what this is, how it was made, how to import it

The main format is the open-data CSV of one row per KPI (`csv-wide`): of the formats kpiledger
reads, it is read fastest (about 0.1 ms per KPI), and every KPI reads back to the same
judgement. It does not keep the report's title, project summaries, the national form's texts or
which "no value" marker a year had; the data package, the JSON and the Excel workbook keep them
(see `readers/own.py`, `own_tables.py`).

Every file is the same, byte for byte, for the same seed: no date of today is written (the
workbook's zip entries and its created/modified properties are fixed), nothing depends on the
order of a set or a dict built at random.

`build` makes every file in memory (the main files of the whole nation are ~35 MB) and `write`
writes them, so that a caller can check them (e.g. against the ledger, `demo-data`) before
anything is written; `write_dataset` does both.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kpiledger.core.evaluate import ReportResult
from kpiledger.core.orgcode import GovernmentKind
from kpiledger.io.synthetic import REPORT_YEAR, Organization, judged_report, organizations
from kpiledger.io.writers.datapackage import ZIP_TIME
from kpiledger.io.writers.formats import FORMATS
from kpiledger.io.writers.opendata import Publisher

MAIN_FORMAT = "csv-wide"
#: Every format kpiledger writes and reads back: the main one and the samples' choices.
READABLE_FORMATS = ("csv-wide", "csv", "json", "datapackage", "xlsx", "pdf")
SAMPLE_SIZE = 10
PDF_SAMPLE_SIZE = 3
#: The workbook's created/modified date: the end of FY2024, not the day it was written.
FIXED_DATE = "2025-03-31T00:00:00Z"
KIND_ORDER = (
    GovernmentKind.PREFECTURE,
    GovernmentKind.DESIGNATED_CITY,
    GovernmentKind.CITY,
    GovernmentKind.SPECIAL_WARD,
    GovernmentKind.TOWN,
    GovernmentKind.VILLAGE,
)


@dataclass(frozen=True)
class Options:
    """What to write: the seed, how many municipalities (None: all), the main format, the
    sample's formats and how many organizations each has (the PDFs: the first of them)."""

    seed: int = 1
    municipalities: int | None = None
    main_format: str = MAIN_FORMAT
    sample_formats: tuple[str, ...] = tuple(f for f in READABLE_FORMATS if f != MAIN_FORMAT)
    sample_size: int = SAMPLE_SIZE
    pdf_sample_size: int = PDF_SAMPLE_SIZE  # PDFs take seconds each: fewer of them


@dataclass(frozen=True)
class Written:
    """One report file: where, and whose."""

    path: Path
    code: str
    name: str


@dataclass
class Dataset:
    """What was written: the main files (in code order) and the sample files by format."""

    directory: Path
    organizations: list[Organization] = field(default_factory=list)
    files: list[Written] = field(default_factory=list)
    samples: dict[str, list[Written]] = field(default_factory=dict)
    kpis: int = 0
    projects: int = 0

    def size(self) -> int:
        """Bytes of every report file written."""
        every = [*self.files, *(w for ws in self.samples.values() for w in ws)]
        return sum(w.path.stat().st_size for w in every)


Step = Callable[[int, int], None]  # (done, total)


def file_name(code: str, format_name: str) -> str:
    """`012068_2024.csv`: the code first, so `kpiledger import DIR` finds the organization."""
    return f"{code}_{REPORT_YEAR}{FORMATS[format_name].suffix}"


def render(result: ReportResult, organization: Organization, format_name: str) -> bytes:
    """The report as the bytes of a file of `format_name`, the same for the same report."""
    data = FORMATS[format_name].render(result, Publisher(organization.code, organization.name))
    return reproducible_workbook(data) if format_name == "xlsx" else data


@dataclass(frozen=True)
class Rendered:
    """One organization's files, made but not written: its report in the main format and in
    each sample format it has, and the report's size."""

    organization: Organization
    main: bytes
    samples: dict[str, bytes]
    projects: int
    kpis: int

    @property
    def sha256(self) -> str:
        """The main file's digest (what the ledger keeps of an imported file)."""
        return hashlib.sha256(self.main).hexdigest()


def build(options: Options, step: Step | None = None) -> list[Rendered]:
    """Generate every organization's files in memory, in code order (nothing is written)."""
    samples = _sample_codes(options)
    every = organizations(options.seed, options.municipalities)
    rendered: list[Rendered] = []
    for organization in every:
        result = judged_report(organization, options.seed)
        rendered.append(
            Rendered(
                organization,
                render(result, organization, options.main_format),
                {
                    f: render(result, organization, f)
                    for f in _formats_of(organization.code, samples, options)
                },
                len(result.projects),
                len(result.report.kpis),
            )
        )
        if step is not None:
            step(len(rendered), len(every))
    return rendered


def write(directory: Path, options: Options, rendered: Sequence[Rendered]) -> Dataset:
    """Write the files into `directory` (created): its reports/ and formats/ are replaced
    whole (no file of an earlier, larger run is left), the README first (it marks the folder
    as demo-data's, also when the writing is interrupted), the manifest and the table of
    organizations."""
    dataset = Dataset(directory)
    sample_counts: dict[str, int] = {}
    for item in rendered:
        dataset.organizations.append(item.organization)
        dataset.kpis += item.kpis
        dataset.projects += item.projects
        for format_name in item.samples:
            sample_counts[format_name] = sample_counts.get(format_name, 0) + 1
            dataset.samples.setdefault(format_name, [])
    directory.mkdir(parents=True, exist_ok=True)
    _write_text(directory / "README.md", readme(dataset, options, sample_counts))
    for name in ("reports", "formats"):
        shutil.rmtree(directory / name, ignore_errors=True)
    reports = directory / "reports"
    reports.mkdir()
    for item in rendered:
        org = item.organization
        dataset.files.append(_write(reports, org, options.main_format, item.main))
        for format_name, content in item.samples.items():
            folder = directory / "formats" / format_name
            folder.mkdir(parents=True, exist_ok=True)
            dataset.samples[format_name].append(_write(folder, org, format_name, content))
    _write_text(directory / "manifest.csv", manifest(dataset.files, directory))
    _write_text(directory / "organizations.csv", organization_table(dataset.organizations))
    return dataset


def write_dataset(directory: Path, options: Options, step: Step | None = None) -> Dataset:
    """Generate and write the dataset into `directory` (`build`, then `write`)."""
    return write(directory, options, build(options, step))


def _write(folder: Path, org: Organization, format_name: str, content: bytes) -> Written:
    path = folder / file_name(org.code, format_name)
    path.write_bytes(content)
    return Written(path, org.code, org.name)


def _formats_of(code: str, samples: list[str], options: Options) -> list[str]:
    """The sample formats an organization is written in (none unless it is in the sample)."""
    if code not in samples:
        return []
    first = samples.index(code) < options.pdf_sample_size
    return [f for f in options.sample_formats if f != "pdf" or first]


def _sample_codes(options: Options) -> list[str]:
    """The organizations written in every other format: `sample_size` of them, one of each
    kind in turn (prefecture, designated city, city, special ward, town, village), each kind's
    drawn with the seed."""
    rng = random.Random(f"kpiledger-sample:{options.seed}")
    every = organizations(options.seed, options.municipalities)
    kinds = [[o for o in every if o.kind is kind] for kind in KIND_ORDER]
    queues = [rng.sample(group, len(group)) for group in kinds]
    chosen: list[str] = []
    while len(chosen) < options.sample_size and any(queues):
        chosen += [queue.pop(0).code for queue in queues if queue]
    return chosen[: options.sample_size]


def manifest(files: Sequence[Written], directory: Path) -> str:
    """The manifest CSV (file, code, name): `file` relative to the dataset's directory."""
    rows = [(w.path.relative_to(directory).as_posix(), w.code, w.name) for w in files]
    return _csv([("file", "code", "name"), *rows])


def organization_table(organizations: Iterable[Organization]) -> str:
    """Every organization with its synthetic population (code, name, prefecture, kind, kana,
    population)."""
    header = ("code", "name", "prefecture", "kind", "kana", "population")
    rows = [
        (o.code, o.name, o.prefecture, o.kind.value, o.kana, str(o.population))
        for o in organizations
    ]
    return _csv([header, *rows])


def read_organization_table(path: Path) -> dict[str, int]:
    """The populations of an `organizations.csv` by code."""
    with path.open(encoding="utf-8", newline="") as source:
        return {row["code"]: int(row["population"]) for row in csv.DictReader(source)}


def _csv(rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def reproducible_workbook(data: bytes) -> bytes:
    """An .xlsx with its zip entries dated ZIP_TIME and its created/modified properties
    FIXED_DATE, so that the same workbook gives the same bytes on any day."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>" + FIXED_DATE.encode(),
                    content,
                )
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def readme(dataset: Dataset, options: Options, sample_counts: dict[str, int] | None = None) -> str:
    """The README of the dataset (Japanese, then English); no date, so it is reproducible.
    `sample_counts`: the files of each sample format (default: those of `dataset.samples`)."""
    counts = _counts(dataset)
    main = FORMATS[options.main_format]
    if sample_counts is None:
        sample_counts = {name: len(files) for name, files in dataset.samples.items()}
    samples = ", ".join(
        f"{name}（{sample_counts.get(name, 0)}）" for name in options.sample_formats
    )
    return README.format(
        command=command_line(options),
        seed=options.seed,
        year=REPORT_YEAR,
        first=REPORT_YEAR - 9,
        main=options.main_format,
        main_ja=main.label_ja,
        main_en=main.label_en,
        samples=samples or "-",
        **counts,
    )


def command_line(options: Options) -> str:
    """The `kpiledger demo-data` command that writes these files (the options that change
    them)."""
    words = ["kpiledger demo-data --national", f"--seed {options.seed}"]
    if options.municipalities is not None:
        words.append(f"--municipalities {options.municipalities}")
    if options.main_format != MAIN_FORMAT:
        words.append(f"--format {options.main_format}")
    return " ".join(words)


def _counts(dataset: Dataset) -> dict[str, int]:
    prefectures = sum(1 for o in dataset.organizations if o.kind.value == "prefecture")
    return {
        "organizations": len(dataset.organizations),
        "municipalities": len(dataset.organizations) - prefectures,
        "prefectures": prefectures,
        "projects": dataset.projects,
        "kpis": dataset.kpis,
    }


README = """\
# kpiledger 全国合成データ / national synthetic dataset

`{command}` が作成した架空のKPI実績報告です。
団体コード・団体名・読みは実在の地方公共団体のものですが、人口、事業、KPI、実績値、評価はすべて乱数から作った架空の
データです。実在の団体の実績ではありません。

- 団体: {organizations}（市区町村 {municipalities}、都道府県 {prefectures}）
- 事業: {projects}、KPI: {kpis}
- 報告年度: 令和6年度（{year}年度）、実績値は平成27年度〜令和6年度の10年度分
- 同じシード（{seed}）からは、いつ作っても同じバイト列のファイルができます

## ファイル

- `reports/<団体コード>_{year}.*`: 全団体の報告（{main_ja}、`{main}`）
- `formats/<形式>/<団体コード>_{year}.*`: 一部の団体の同じ報告を他の形式で
  （形式（件数）: {samples}）
- `manifest.csv`: reports/ の各ファイルの file, code, name
- `organizations.csv`: 団体ごとの code, name, prefecture, kind, kana, population（架空の人口）

台帳への取込（このフォルダで）: `kpiledger import reports --manifest manifest.csv`
（`kpiledger import reports` でも同じ: ファイル名の先頭6桁が団体コード）。`formats/` は同じ報告書の
別の形式なので、このフォルダ全体は取り込みません（同じ団体・年度の2つ目の報告書として
duplicate-report になります）。人口は報告書になく、`demo-data` が台帳に入れます。

This is made-up data written by `{command}`.
Codes, names and kana are those of real local governments; populations, projects, KPIs, actuals
and evaluations are random and describe no real municipality.

- {organizations} organizations ({municipalities} municipalities, {prefectures} prefectures),
  {projects} projects, {kpis} KPIs
- report year FY{year} (令和6年度), actuals for the ten fiscal years FY{first}–FY{year}
- the same seed gives the same files, byte for byte, whenever they are made

Files: `reports/` holds every organization's report ({main_en}, `{main}`), `formats/<format>/`
the same reports of a sample of organizations in the other formats ({samples}),
`manifest.csv` the file, code and name of each report, `organizations.csv` each organization's
synthetic population. Import (in this folder) with `kpiledger import reports --manifest
manifest.csv` (or `kpiledger import reports`: the first six digits of a file's name are the
organization's code). Do not import the whole folder: `formats/` holds the same reports again,
which would be refused as a second report of the same organization and year (duplicate-report).
Populations are not in the reports; `demo-data` puts them into the ledger.
"""
