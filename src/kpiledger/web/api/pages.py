"""Page numbers of the API's lists (`page`, `page_size`), shared by every list operation."""

from __future__ import annotations

from math import ceil
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000


class Pages(PageNumberPagination):
    """Page numbers from 1, at most 200 items a page; `count` is the number of all items."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="page number, from 1")
        page_size: int = Field(
            PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="items per page (at most 200)"
        )

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    def paginate_queryset(  # type: ignore[override]
        self, queryset: list[Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        size, count = pagination.page_size, len(queryset)
        start = (pagination.page - 1) * size
        return {
            "items": queryset[start : start + size],
            "count": count,
            "page": pagination.page,
            "page_size": size,
            "pages": ceil(count / size),
        }
