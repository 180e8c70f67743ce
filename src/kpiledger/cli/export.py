"""`kpiledger export`: a year's report of one organization, from the ledger, in a file format.

The report is read from the ledger as it was published (`services.reports.load_report`) and
judged by the core, so `--format json` is exactly what `kpiledger evaluate FILE --format json`
writes for the imported file. The output is written to a temporary file beside PATH and renamed
into place: on any error nothing is written.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

from kpiledger.cli.options import fiscal_year
from kpiledger.core.errors import KpiledgerError
from kpiledger.io.writers.formats import FORMATS
from kpiledger.io.writers.opendata import Publisher

BINARY = ("xlsx", "pdf", "datapackage")  # not written to a terminal


def add_command(commands: argparse._SubParsersAction, formatter) -> None:  # type: ignore[type-arg,no-untyped-def]
    export = commands.add_parser(
        "export",
        formatter_class=formatter,
        help="台帳の報告書をファイルに書き出す (export a report from the ledger)",
        description="台帳に取り込んだ団体・年度の報告書を、公表時の値で評価して書き出します。"
        " xlsx は報告書の様式のExcel（A4横、印刷範囲・印刷タイトル設定済み）、pdf は公表用のPDF"
        "（A4横、ページ番号・グラフ付き）、json は evaluate --format json と同じ形式、csv は"
        "オープンデータ用（BOM付きUTF-8、全国地方公共団体コード列）のKPI×年度の縦持ち、csv-wide"
        " はKPIごとに1行（報告書の形）、datapackage はCSVと datapackage.json（Frictionless Data"
        " Package）で、-o がフォルダならその中に、.zip ならZIPに書きます。概ね達成の下限はページと"
        "同じ KPILEDGER_NEARLY です。 (Write an organization's report of a fiscal year from the"
        " ledger, judged on the published values: xlsx is the official layout (A4 landscape,"
        " print area and titles set), pdf the published report (A4 landscape, page numbers,"
        " charts), json the schema of evaluate --format json, csv open data (UTF-8 with BOM, a"
        " 全国地方公共団体コード column), one row per KPI and fiscal year, csv-wide one row per"
        " KPI as the report, datapackage the CSVs with their datapackage.json (a Frictionless"
        " Data Package) into the folder -o names, or into a .zip. The nearly-achieved threshold"
        " is KPILEDGER_NEARLY, as on the pages.)",
    )
    export.add_argument(
        "--org",
        required=True,
        metavar="CODE",
        help="全国地方公共団体コード6桁 (6-digit local government code, e.g. 012068)",
    )
    export.add_argument(
        "--year",
        type=fiscal_year,
        metavar="FY",
        help="報告書の年度（西暦、既定は台帳にある最新の年度）"
        " (fiscal year of the report, e.g. 2023; default: the latest in the ledger)",
    )
    export.add_argument(
        "--format",
        choices=list(FORMATS),
        default="json",
        help="出力形式 (output format; default: json)",
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        default="-",
        help="書き出すファイル（datapackage はフォルダか .zip）。- または省略で標準出力"
        " (output file, a folder or a .zip for datapackage; - or omitted: standard output)",
    )


def run_export(org: str, year: int | None, fmt: str, output: str) -> int:
    """Load, judge, render and write; every failure is a KpiledgerError (exit status 2)."""
    from django.conf import settings

    from kpiledger.cli.database import prepare
    from kpiledger.web.ledger.services import reports

    target = None if output == "-" else Path(output)
    folder = fmt == "datapackage" and target is not None and target.suffix.lower() != ".zip"
    if target is None and fmt in BINARY and sys.stdout.isatty():
        raise KpiledgerError.single(
            "binary-to-terminal",
            f"{fmt} 形式は端末には書き出せません。-o で書き出すファイルを指定してください",
            f"the {fmt} format cannot be written to a terminal; name a file with -o",
        )
    if target is not None:
        check_folder(target) if folder else check_writable(target)
    prepare()
    organization = reports.organization_of(org)
    year = reports.report_year(organization, year)
    result = reports.load_report(organization, year, settings.KPILEDGER_NEARLY).result
    publisher = Publisher(organization.code, organization.name)
    if folder:
        from kpiledger.io.writers import datapackage

        assert target is not None
        try:
            datapackage.write_folder(result, publisher, target)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise _cannot_write(target, reason, reason) from None
        return 0
    content = render(result, fmt, publisher)
    if target is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        write_file(target, content)
    return 0


def render(result, fmt: str, publisher: Publisher) -> bytes:  # type: ignore[no-untyped-def]
    """The report in `fmt` as the bytes of the file."""
    return FORMATS[fmt].render(result, publisher)


def check_folder(path: Path) -> None:
    """Refuse, before any work, a data package folder that is a file, whose parent folder does
    not exist, or that cannot be written to (`cannot-write`)."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.exists() and not path.is_dir():
        raise _cannot_write(path, "フォルダではなくファイルです", "it is a file, not a folder")
    if not parent.is_dir():
        raise _cannot_write(path, "親フォルダがありません", "its parent folder does not exist")
    where = path if path.is_dir() else parent
    if not os.access(where, os.W_OK):
        raise _cannot_write(path, "書き込む権限がありません", "no permission to write")


def check_writable(path: Path) -> None:
    """Refuse, before any work, a PATH that is a folder or whose folder does not exist or
    cannot be written to (`cannot-write`)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise _cannot_write(path, "フォルダです", "it is a folder")
    if not folder.is_dir():
        raise _cannot_write(path, "フォルダがありません", "its folder does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise _cannot_write(path, "書き込む権限がありません", "no permission to write")


def write_file(path: Path, content: bytes) -> None:
    """Write `content` to a temporary file beside `path`, then rename it into place."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.chmod(temporary, _file_mode(path))
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise _cannot_write(path, reason, reason) from None


def _file_mode(path: Path) -> int:
    """The mode of the file replaced, else that of a new file (mkstemp's is 0600)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _cannot_write(path: Path, why_ja: str, why_en: str) -> KpiledgerError:
    return KpiledgerError.single(
        "cannot-write",
        f"{path} に書き込めません（{why_ja}）。-o で書き込めるファイルを指定してください",
        f"cannot write {path} ({why_en}); give a writable file with -o",
    )
