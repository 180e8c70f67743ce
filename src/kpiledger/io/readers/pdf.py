"""Reader for pdf reports (being written: the format seam is in place, the reader not yet)."""

from __future__ import annotations

from kpiledger.core.errors import ReportError
from kpiledger.io.readers.source import Source


def source(data: bytes, *args: object, **kwargs: object) -> Source:
    raise ReportError.single(
        "unsupported-format",
        "PDFの読み込みはまだできません。タブ区切りテキストで保存してください",
        "this kpiledger cannot read pdf files yet: save the report as tab-separated text",
    )
