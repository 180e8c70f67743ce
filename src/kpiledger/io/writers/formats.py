"""Every output format of a judged report, in one table: the command line's `export`, the
download links of the public pages and the Python API all take a format from here, so a format
is added in one place and written alike everywhere.

Each format renders a `ReportResult` (with the publishing organization) to the bytes of one
file. Writers are imported only when their format is asked for: openpyxl and WeasyPrint are not
loaded to serve a JSON file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from kpiledger.core.era import fiscal_year_label
from kpiledger.core.evaluate import ReportResult
from kpiledger.io.writers.opendata import ENCODING, Publisher


@dataclass(frozen=True)
class Format:
    """One output format: its name (`--format`), file suffix, content type and labels."""

    name: str
    suffix: str
    content_type: str
    label_ja: str
    label_en: str
    renderer: str  # "module:function" under kpiledger.io.writers, taking (result, publisher)
    stem_ja: str = "KPI実績"  # the file name after the organization and the year
    stem_en: str = ""  # after kpi_<code>_<year> in the ASCII name

    def render(self, result: ReportResult, publisher: Publisher) -> bytes:
        """The report as the bytes of the file."""
        module_name, function_name = self.renderer.split(":")
        module = import_module(f"kpiledger.io.writers.{module_name}")
        function: Callable[[ReportResult, Publisher], bytes] = getattr(module, function_name)
        return function(result, publisher)

    def file_name(self, publisher: Publisher, fiscal_year: int) -> str:
        """The downloaded file's name in Japanese: `釧路市_令和5年度_KPI実績.xlsx`."""
        label = fiscal_year_label(fiscal_year, "long")
        return f"{publisher.name}_{label}_{self.stem_ja}{self.suffix}"

    def ascii_file_name(self, publisher: Publisher, fiscal_year: int) -> str:
        """The name for clients that cannot take a Japanese one: `kpi_012068_2023.xlsx`."""
        return f"kpi_{publisher.code}_{fiscal_year}{self.stem_en}{self.suffix}"


def _json(result: ReportResult, publisher: Publisher) -> bytes:
    from kpiledger.io.writers import json as json_writer

    return json_writer.dumps(result).encode("utf-8")


def _csv_long(result: ReportResult, publisher: Publisher) -> bytes:
    from kpiledger.io.writers import opendata

    return opendata.dumps_long(result, publisher).encode(ENCODING)


def _csv_wide(result: ReportResult, publisher: Publisher) -> bytes:
    from kpiledger.io.writers import opendata

    return opendata.dumps_wide(result, publisher).encode(ENCODING)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "xlsx",
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel（様式）",
            "Excel (official layout)",
            "excel:dumps",
        ),
        Format("pdf", ".pdf", "application/pdf", "PDF（A4横）", "PDF (A4 landscape)", "pdf:dumps"),
        Format(
            "csv",
            ".csv",
            "text/csv; charset=utf-8",
            "CSV（年度別・オープンデータ）",
            "CSV (per year, open data)",
            "formats:_csv_long",
            "KPI実績_年度別",
            "_long",
        ),
        Format(
            "csv-wide",
            ".csv",
            "text/csv; charset=utf-8",
            "CSV（報告書の形）",
            "CSV (as the report)",
            "formats:_csv_wide",
        ),
        Format(
            "json",
            ".json",
            "application/json; charset=utf-8",
            "JSON",
            "JSON",
            "formats:_json",
        ),
        Format(
            "datapackage",
            ".zip",
            "application/zip",
            "データパッケージ（Frictionless, ZIP）",
            "Data Package (Frictionless, zip)",
            "datapackage:dumps_zip",
            "KPI実績_データパッケージ",
            "_datapackage",
        ),
    )
}
