"""The Python API for analysts: a report and its judgement in two lines.

    import kpiledger
    df = kpiledger.read("report.xlsx").to_pandas()

`read(path)` reads a report file (any format the command line reads) and judges it as
`kpiledger evaluate` does; `ledger(org, year)` loads a report from the ledger as `kpiledger
export` does (this one needs Django and the ledger's database). Both return a `Judged`:
`.report` (the core `Report`), `.result` (the core `ReportResult`), `.to_records()` (plain
dicts, exact `Decimal`s), `.to_json()` (the EVALUATION.md schema, the text of
`evaluate --format json`) and `.to_pandas()` (pandas is the optional extra
`kpiledger[pandas]`, imported only there). `import kpiledger` imports none of this module's
dependencies; `read` never imports Django.

Every problem of the input or of an argument given in a report's terms (a year the report
cannot be judged in, a `direction` naming no KPI) is a `KpiledgerError` (a `ReportError` for
an unreadable file) with located, bilingual problems, as on the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from kpiledger.core.evaluate import DEFAULT_NEARLY, ReportResult
from kpiledger.core.model import Direction, Report
from kpiledger.io.writers.opendata import Publisher

if TYPE_CHECKING:
    import pandas

Form = Literal["long", "kpi"]
FORMS = ("long", "kpi")
PROJECT_KEYS = ("section", "grant", "project")  # first in a record, after the KPI's number

PANDAS_MISSING = (
    'to_pandas() には pandas が必要です。pip install "kpiledger[pandas]" で入れてください'
    ' / to_pandas() needs pandas: install it with pip install "kpiledger[pandas]"'
)


@dataclass(frozen=True)
class Judged:
    """A report and its judgement in one fiscal year.

    `org_code` and `org_name` are the organization's (全国地方公共団体コード, name) for a report
    from the ledger, None for a file."""

    result: ReportResult
    org_code: str | None = None
    org_name: str | None = None

    @property
    def report(self) -> Report:
        """The report as read (or as published, from the ledger)."""
        return self.result.report

    @property
    def fiscal_year(self) -> int:
        """The fiscal year the KPIs were judged in (the report's own year unless `year=`)."""
        return self.result.fiscal_year

    def summary(self) -> dict[str, int]:
        """The number of KPIs and the count per status (the JSON output's `summary`)."""
        return self.result.summary()

    def to_json(self) -> str:
        """The EVALUATION.md schema: exactly what `kpiledger evaluate FILE --format json`
        writes (and `kpiledger export --format json` for the ledger)."""
        from kpiledger.io.writers import json as json_writer

        return json_writer.dumps(self.result)

    def to_records(self, form: Form = "long") -> list[dict[str, Any]]:
        """Flat records (str, int, `Decimal`, None): one per KPI × published year
        (`form="long"`, as the open-data CSV) or one per KPI (`form="kpi"`, as the report).

        Every record has the KPI's fields of the CSV output (English keys: `project`,
        `indicator`, `unit`, `target`, `direction`, `status`, `achievement_rate` …, each coded
        value with its Japanese `*_label`), `number` (the KPI's place in the report, 1…),
        `report_year`, `org_code`, `org_name` and the project's `effect_suggestion`. A long
        record adds `year`, `value` (the actual, None when the report has none) and `marker`
        (what the cell said instead, e.g. `-`); a KPI record has `actual_2019` … one key per
        published year column. Numbers are the exact `Decimal`s of the JSON output."""
        if form not in FORMS:
            raise ValueError(f"form must be 'long' or 'kpi', not {form!r}")
        from kpiledger.io.writers.csv import rows

        years = self.report.year_columns
        effects = [
            (p.effect_suggestion.value if p.effect_suggestion else None)
            for p in self.result.projects
            for _ in p.kpis
        ]
        out: list[dict[str, Any]] = []
        flat = zip(rows(self.result), self.result.kpis, effects, strict=True)
        for number, (row, kpi_result, effect) in enumerate(flat, 1):
            head = {
                "org_code": self.org_code,
                "org_name": self.org_name,
                "report_year": self.fiscal_year,
                "number": number,
            }
            body = {key: row[key] for key in PROJECT_KEYS} | {
                key: value for key, value in row.items() if key not in (*PROJECT_KEYS, "actuals")
            }
            body["effect_suggestion"] = effect
            if form == "kpi":
                actuals = {f"actual_{y}": row["actuals"].get(str(y)) for y in years}
                out.append(head | body | actuals)
                continue
            for year in years:
                actual = kpi_result.kpi.actuals.get(year)
                value = actual.value if actual is not None else None
                marker = actual.marker if actual is not None and value is None else None
                out.append(head | body | {"year": year, "value": value, "marker": marker})
        return out

    def to_pandas(self, form: Form = "long") -> pandas.DataFrame:
        """`to_records(form)` as a pandas DataFrame (columns in the records' order). Numbers
        stay exact `Decimal`s (object columns): `df["value"].astype(float)` for arithmetic in
        floats. Needs the optional extra: `pip install "kpiledger[pandas]"`."""
        try:
            import pandas
        except ImportError:
            raise ImportError(PANDAS_MISSING, name="pandas") from None
        return pandas.DataFrame.from_records(self.to_records(form))

    def write(self, path: str | Path, format: str | None = None, *, org: str | None = None) -> Path:
        """Write the report to `path` in any export format (`xlsx`, `pdf`, `csv`, `csv-wide`,
        `json`, `datapackage`), by default the one its suffix names (`.xlsx`, `.pdf`, `.csv`
        = one row per KPI × year, `.json`, `.zip` = a data package; a folder or a name without
        suffix = a data package folder). Exactly what `kpiledger export` writes, written to a
        temporary file and renamed into place. The open-data formats name the organization
        (全国地方公共団体コード): a report from the ledger knows it; for a file, give `org=`
        ("012068"), whose name comes from the table of local governments."""
        from kpiledger.cli.export import check_folder, check_writable, write_file
        from kpiledger.io.writers import datapackage
        from kpiledger.io.writers.formats import FORMATS

        target = Path(path)
        fmt = format or _format_of(target)
        if fmt not in FORMATS:
            raise ValueError(
                f"形式は {', '.join(FORMATS)} のいずれかです / format must be one of"
                f" {', '.join(FORMATS)}: {fmt!r}"
            )
        publisher = self._publisher(org, needed=fmt in ("csv", "csv-wide", "datapackage"))
        if fmt == "datapackage" and target.suffix.lower() != ".zip":
            check_folder(target)
            datapackage.write_folder(self.result, publisher, target)
            return target
        check_writable(target)
        write_file(target, FORMATS[fmt].render(self.result, publisher))
        return target

    def _publisher(self, org: str | None, *, needed: bool) -> Publisher:
        from kpiledger.core.orgcode import normalize_code, organization_name

        if org is None and self.org_code is not None:
            return Publisher(self.org_code, self.org_name or "")
        if org is None:
            if needed:
                raise ValueError(
                    'オープンデータ形式には団体コードが必要です: write(path, org="012068")'
                    ' / the open-data formats name the organization: write(path, org="012068")'
                )
            return Publisher("", "")
        code = normalize_code(org)
        ask = ("団体コードを確かめてください", "check the code")
        return Publisher(code, organization_name(code, ask))

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.summary().items())
        where = f" {self.org_code}" if self.org_code else ""
        return f"<Judged{where} {self.report.title or ''} FY{self.fiscal_year}: {counts}>"


SUFFIX_FORMATS = {
    ".xlsx": "xlsx",
    ".pdf": "pdf",
    ".csv": "csv",
    ".json": "json",
    ".zip": "datapackage",
}


def _format_of(path: Path) -> str:
    """The format a path's suffix names; a folder or a name without a suffix: a data package."""
    if path.is_dir() or not path.suffix:
        return "datapackage"
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"拡張子 {path.suffix} から形式が分かりません。format= で指定してください"
            f" / no format for the suffix {path.suffix}: give format="
        )
    return fmt


def read(
    path: str | Path,
    *,
    year: int | None = None,
    nearly: Decimal | float | str | None = None,
    sheet: str | None = None,
    direction: Mapping[str, Direction | str] | None = None,
) -> Judged:
    """Read a report file and judge it, as `kpiledger evaluate FILE` does.

    `year`: the fiscal year to judge in (default: the report's own year); `nearly`: the 概ね達成
    threshold in percent (default 80); `sheet`: the workbook sheet; `direction`: a person's
    decision on KPIs' directions, `{"空き店舗数": "decrease"}` (as `--direction`). A file that
    cannot be read raises `ReportError` with every located problem."""
    from kpiledger.cli.main import check_year
    from kpiledger.cli.overrides import apply_directions
    from kpiledger.core.evaluate import evaluate_report
    from kpiledger.io.readers import read_report

    threshold = _nearly(nearly)
    report = read_report(path, sheet=sheet)
    apply_directions(report, _directions(direction))
    check_year(report, year)
    return Judged(evaluate_report(report, fiscal_year=year, nearly=threshold))


def ledger(
    org: str, year: int | None = None, *, nearly: Decimal | float | str | None = None
) -> Judged:
    """An organization's report of `year` (default: the latest) from the ledger, as published
    and judged, as `kpiledger export --org CODE --year FY` does. Needs the ledger's database
    (Django settings from the environment, as for the command line); `nearly` defaults to
    KPILEDGER_NEARLY, as on the pages. Unknown organizations and years are
    `org-not-in-ledger` and `year-not-in-ledger`."""
    from kpiledger.web import setup

    setup()
    from django.conf import settings  # type: ignore[import-untyped]

    from kpiledger.cli.database import prepare
    from kpiledger.web.ledger.services import reports

    threshold = settings.KPILEDGER_NEARLY if nearly is None else _nearly(nearly)
    prepare()
    organization = reports.organization_of(org)
    fiscal_year = reports.report_year(organization, year)
    result = reports.load_report(organization, fiscal_year, threshold).result
    return Judged(result, organization.code, organization.name)


def _nearly(value: Decimal | float | str | None) -> Decimal:
    if value is None:
        return DEFAULT_NEARLY
    try:
        threshold = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        threshold = Decimal("NaN")
    if isinstance(value, bool) or not threshold.is_finite() or not 0 <= threshold <= 100:
        raise ValueError(f"nearly must be a percentage from 0 to 100: {value!r}")
    return threshold


def _directions(choices: Mapping[str, Direction | str] | None) -> list[tuple[str, Direction]]:
    """`{"指標": "decrease"}` as the `--direction` choices (words as the option takes them)."""
    from kpiledger.cli.overrides import direction_option

    out = []
    for indicator, chosen in (choices or {}).items():
        if isinstance(chosen, Direction):
            out.append((indicator, chosen))
            continue
        try:
            out.append(direction_option(f"{indicator}={chosen}"))
        except Exception as error:  # argparse.ArgumentTypeError: the option's bilingual words
            raise ValueError(str(error)) from None
    return out
