"""Benchmark (`make bench`): how fast each format is read — a 5,000-row workbook (.xlsx and
.xls), a 10 MB CSV (UTF-8 and CP932) and 100-page PDFs (ruled as reportlab draws a table, and
without rules, glyph by glyph, as Excel exports one), built here with the same libraries the
tests use. Prints seconds and rows per second, written to benchmarks/results/readers-<store>.json
(no ledger is used: `make bench` runs it once); nothing is asserted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from benchmarks.common import peak_rss_mb, write_results  # noqa: E402
from benchmarks.run import synthetic  # noqa: E402
from kpiledger.io.readers import read_report_bytes  # noqa: E402

FIGURES: dict[str, float | int] = {}


def timed(label: str, data: bytes, name: str) -> None:
    start = time.perf_counter()
    report = read_report_bytes(data, name)
    seconds = time.perf_counter() - start
    kpis = len(report.kpis)
    key = label.split(" (")[0].replace(" ", "_").replace(",", "").lower()
    FIGURES[f"{key}_s"], FIGURES[f"{key}_kpis"] = round(seconds, 3), kpis
    print(
        f"{label:32} {len(data) / 1e6:6.1f} MB {kpis:6,} KPIs  {seconds:6.2f} s"
        f"  {kpis / seconds:8,.0f} KPIs/s"
    )


def csv_text(megabytes: float) -> str:
    """The reference table repeated (distinct project names) as comma-separated text."""
    import csv
    import io

    text = synthetic(1)
    copies = max(1, int(megabytes * 1e6 / len(text.encode())))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in synthetic(copies).split("\n"):
        writer.writerow(line.split("\t"))
    return out.getvalue()


def main() -> None:
    from tests import excel_files, pdf_drawn, pdf_files

    rows_text = synthetic(210)  # 24 KPI rows a copy: about 5,000 table rows
    sheet = excel_files.sheet_of_text("KPI", rows_text)
    print(f"workbook rows: {len(sheet.rows):,}")
    timed("xlsx (openpyxl)", excel_files.xlsx([sheet]), "big.xlsx")
    timed("xls (xlrd)", excel_files.xls([sheet]), "big.xls")
    text = csv_text(10)
    timed("CSV UTF-8", text.encode("utf-8"), "big.csv")
    timed("CSV CP932", text.encode("cp932"), "big.csv")
    title = "令和5年度デジタル田園都市国家構想交付金事業の実績"
    rows = pdf_files.long_sections(100)
    timed("PDF 100 pages", pdf_files.report_pdf(title, rows), "big.pdf")
    bare = pdf_drawn.Drawn(rules="none", glyphs="chars", merge_names=False, rows_per_page=7)
    timed("PDF 100 pages, no rules, glyphs", pdf_drawn.report_pdf(title, rows, bare), "bare.pdf")
    FIGURES["peak_rss_mb"] = peak_rss_mb()
    write_results("readers", FIGURES)


if __name__ == "__main__":
    main()
