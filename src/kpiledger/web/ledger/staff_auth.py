"""The staff login page (/staff/login/) and the page a throttled login gets.

Logins are throttled by django-axes (settings: AXES_*): after the allowed number of failures
for one user name from one address, that pair is refused — even with the right password —
until the cool-off has passed since the last attempt. axes calls `locked_out` for the answer,
for this login form and the admin's alike.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LOCKED_TEMPLATE = "ledger/staff/locked.html"

# Every message of the form in Japanese, then English (Django's own are in the page's
# language only), like the import form's.
LOGIN_MESSAGES = {
    "invalid_login": "利用者名またはパスワードが違います（大文字と小文字は区別されます）"
    " / the user name or the password is wrong (capital and small letters differ)",
    "inactive": "このアカウントは使えません。管理者にお問い合わせください"
    " / this account is disabled: ask the administrator",
}
REQUIRED = "入力してください / this field is required"


class StaffLoginForm(AuthenticationForm):
    error_messages = LOGIN_MESSAGES

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("利用者名")
        self.fields["password"].label = _("パスワード")
        for field in self.fields.values():
            field.error_messages["required"] = REQUIRED


class StaffLoginView(LoginView):
    """Django's login view with the site's look. After login: `next` (a local address only,
    checked by LoginView) or LOGIN_REDIRECT_URL, the staff import page."""

    template_name = "ledger/staff/login.html"
    authentication_form = StaffLoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["cooloff_minutes"] = _minutes(get_cool_off(self.request))
        return context


login = StaffLoginView.as_view()


def _minutes(delta: timedelta | None) -> int:
    return int((delta or timedelta()).total_seconds() // 60)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the lockout as a page of the site, 429 Too Many
    Requests with Retry-After. Each attempt while locked out restarts the cool-off
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it ends one cool-off from now."""
    cool_off = get_cool_off(request) or timedelta()
    until = timezone.localtime(timezone.now() + cool_off)
    context = {
        "cooloff_minutes": _minutes(cool_off),
        "until": until,
        "login_url": request.get_full_path(),
    }
    response = render(request, LOCKED_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
