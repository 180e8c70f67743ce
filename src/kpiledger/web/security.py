"""The Content-Security-Policy header on every response (Django 5.2 has none built in), and
the limit on the size of an upload request.

The policy is the `SECURE_CSP` setting, in the form Django 6.0 uses for its own
`django.middleware.csp.ContentSecurityPolicyMiddleware`: a dict from directive to a list of
sources (`True` for a directive without a value). On Django 6 this module can be replaced by
that middleware without touching the setting.

Pages carry no inline script or style, so the policy needs neither `'unsafe-inline'` nor
nonces. The one exception is Django's own debug pages (DEBUG only), which are built with inline
`<style>` and `<script>`: a 404 or 500 response is left without the header when DEBUG is on,
as django-csp does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponseBase

HEADER = "Content-Security-Policy"
DEBUG_PAGE_STATUSES = (404, 500)


def policy_header(policy: Mapping[str, Sequence[str] | bool]) -> str:
    """`{"default-src": ["'self'"], "upgrade-insecure-requests": True}` →
    `"default-src 'self'; upgrade-insecure-requests"`; a directive set to `False` or to an
    empty list is left out."""
    parts = []
    for directive, sources in policy.items():
        if sources is True:
            parts.append(directive)
        elif sources:
            parts.append(" ".join([directive, *sources]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Adds `SECURE_CSP` as the Content-Security-Policy header unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if HEADER in response:
            return response
        if settings.DEBUG and response.status_code in DEBUG_PAGE_STATUSES:
            return response  # Django's technical 404/500 pages are inline styles and scripts
        header = policy_header(getattr(settings, "SECURE_CSP", {}))
        if header:
            response[HEADER] = header
        return response


class RequestSizeLimitUploadHandler(FileUploadHandler):
    """The first of FILE_UPLOAD_HANDLERS: refuses a multipart request (a file upload) whose body
    is over `KPILEDGER_MAX_REQUEST_BYTES` before any of it is read, so a huge upload is never
    written to a temporary file. Django answers `RequestDataTooBig` with the 400 page.

    DATA_UPLOAD_MAX_MEMORY_SIZE leaves uploaded files out of its count; this limit covers them.
    It is above the import form's own limit (10 MB), so a file a little too large still gets
    the form's message beside the field."""

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, Any],
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        limit = getattr(settings, "KPILEDGER_MAX_REQUEST_BYTES", None)
        if limit is not None and content_length > limit:
            raise RequestDataTooBig(
                f"Request body of {content_length} bytes exceeds"
                f" KPILEDGER_MAX_REQUEST_BYTES ({limit})."
            )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # passed on to the next handler

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
