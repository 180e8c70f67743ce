"""Issue 10 item 11: login throttling, the staff login page, `check --deploy`, upload limits and
the security headers on every page."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kpiledger.web.ledger.tests.test_csp import assert_no_inline_code, assert_strict_policy

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
LOGIN = "/staff/login/"
LOCKED_JA = "ログインを一時停止しています"
LOCKED_EN = "Login paused"


@pytest.fixture
def user() -> User:
    return User.objects.create_user("kikaku", password=PASSWORD, is_staff=True)


def attempt(client: Client, password: str, url: str = LOGIN, username: str = "kikaku"):  # type: ignore[no-untyped-def]
    return client.post(url, {"username": username, "password": password})


def fail(client: Client, times: int, **kwargs: str) -> None:
    for number in range(times):
        response = attempt(client, f"wrong-{number}", **kwargs)
        assert response.status_code == 200, f"failure {number + 1} already refused"
        body = response.content.decode()
        assert "利用者名またはパスワードが違います" in body
        assert "the user name or the password is wrong" in body


def pass_the_cool_off() -> None:
    """Time passes: every recorded failure moves back by the cool-off and a second."""
    cool_off = django_settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off - timedelta(seconds=1))


# --- settings ---------------------------------------------------------------------------------


def test_axes_is_set_up_as_its_documentation_asks():
    assert "axes" in django_settings.INSTALLED_APPS
    assert django_settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert django_settings.AXES_RESET_ON_SUCCESS is True
    assert django_settings.LOGIN_URL == "ledger:login"


# --- the lockout ------------------------------------------------------------------------------


def test_after_the_limit_even_the_right_password_is_refused_until_the_cool_off(client, user):
    limit = django_settings.AXES_FAILURE_LIMIT
    fail(client, limit - 1)
    locked = attempt(client, "wrong-again")  # the limit-th failure
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session

    right = attempt(client, PASSWORD)
    assert right.status_code == 429, "the right password must wait for the cool-off"
    assert "_auth_user_id" not in client.session
    body = right.content.decode()
    assert body.index(LOCKED_JA) < body.index(LOCKED_EN), "Japanese first"
    assert "15分間停止" in body and "for 15 minutes" in body

    pass_the_cool_off()
    after = attempt(client, PASSWORD)
    assert after.status_code == 302
    assert after["Location"] == reverse("ledger:import_upload")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_lockout_page_says_when_to_try_again(client, user, settings):
    from django.utils import timezone

    fail(client, settings.AXES_FAILURE_LIMIT - 1)
    before = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    response = attempt(client, "wrong-again")
    after = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    body = response.content.decode()
    shown = {before.strftime("%Y-%m-%d %H:%M"), after.strftime("%Y-%m-%d %H:%M")}
    assert any(f"after <strong>{when}</strong>" in body for when in shown), body
    shown_ja = {f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}" for t in (before, after)}
    assert any(f"<strong>{when}</strong>以降" in body for when in shown_ja), body
    assert f'<a href="{LOGIN}">ログイン画面へ / Back to the login page</a>' in body


def test_the_lockout_is_for_one_user_name_from_one_address(client, user):
    User.objects.create_user("tanto", password=PASSWORD)
    fail(client, django_settings.AXES_FAILURE_LIMIT - 1)
    assert attempt(client, "wrong-again").status_code == 429
    other_user = attempt(client, PASSWORD, username="tanto")
    assert other_user.status_code == 302, "another user name from the same address"
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    assert attempt(other_address, PASSWORD).status_code == 302, "the same name elsewhere"


def test_a_success_before_the_limit_clears_the_count(client, user):
    limit = django_settings.AXES_FAILURE_LIMIT
    fail(client, limit - 1)
    assert attempt(client, PASSWORD).status_code == 302
    assert AccessAttempt.objects.count() == 0
    client.post(reverse("ledger:logout"))
    fail(client, limit - 1)  # without the reset, this would pass the limit
    assert attempt(client, PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_with_the_same_page(client, user):
    url = reverse("admin:login")
    for number in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, f"wrong-{number}", url=url).status_code == 200
    locked = attempt(client, PASSWORD + "x", url=url)
    assert locked.status_code == 429
    assert LOCKED_JA in locked.content.decode() and LOCKED_EN in locked.content.decode()
    assert attempt(client, PASSWORD, url=url).status_code == 429


# --- the login page ---------------------------------------------------------------------------


def test_an_anonymous_visitor_of_a_staff_page_is_sent_to_the_login(client):
    response = client.get("/staff/import/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/staff/import/"


def test_the_login_page_looks_like_the_site(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<link rel="stylesheet" href="/static/ledger/css/ledger.css">' in body
    assert 'class="site-header"' in body and 'class="breadcrumbs"' in body
    assert '<form method="post" action="/staff/login/" class="staff-form">' in body
    assert '<label for="id_username">利用者名:</label>' in body
    assert '<label for="id_password">パスワード:</label>' in body
    assert "ログインに5回続けて失敗すると、15分間ログインできなくなります。" in body
    english = client.get("/en" + LOGIN).content.decode()
    assert '<label for="id_username">User name:</label>' in english
    assert "After 5 failed logins in a row, logging in is paused for 15 minutes." in english


def test_login_goes_to_next_or_to_the_import_page(client, user):
    done = client.post(
        f"{LOGIN}?next=/org/012068/",
        {"username": "kikaku", "password": PASSWORD, "next": "/org/012068/"},
    )
    assert done.status_code == 302 and done["Location"] == "/org/012068/"
    client.post(reverse("ledger:logout"))
    elsewhere = client.post(
        LOGIN, {"username": "kikaku", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert elsewhere.status_code == 302 and elsewhere["Location"] == "/staff/import/"


def test_empty_fields_are_named_in_both_languages(client):
    body = client.post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert body.count("入力してください / this field is required") == 2


# --- check --deploy ---------------------------------------------------------------------------


def manage_check_deploy(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = (
        os.environ
        | {
            "KPILEDGER_DATA_DIR": str(tmp_path / "data"),
            "KPILEDGER_HTTPS": "1",
            "KPILEDGER_SECRET_KEY": "x7Qp2-deploy-check-" + "k9Vz3mW8rT1yL6hN4bF0jS5dG2" * 2,
            "KPILEDGER_ALLOWED_HOSTS": "kpi.city.example.jp",
            "KPILEDGER_DEBUG": "0",
        }
        | env
    )
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    # The browser tests allow Django's ORM inside Playwright's loop in this process
    # (tests/browser/conftest.py); a deployment never has that, nor does its check.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "-m", "kpiledger.cli.main", "manage", "check", "--deploy"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_prints_no_warning_behind_https(tmp_path):
    done = manage_check_deploy(tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNINGS" not in output and "security." not in output, output
    # exactly the two HSTS choices of the city's domain are silenced, nothing else
    assert "System check identified no issues (2 silenced)." in output


def test_check_deploy_with_the_domain_wide_hsts_choices_silences_nothing(tmp_path):
    done = manage_check_deploy(tmp_path, KPILEDGER_HSTS_SUBDOMAINS="1", KPILEDGER_HSTS_PRELOAD="1")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_check_deploy_without_https_does_warn(tmp_path):
    """The test above can fail: without KPILEDGER_HTTPS the deploy checks do speak."""
    done = manage_check_deploy(tmp_path, KPILEDGER_HTTPS="0")
    assert "security.W012" in done.stdout + done.stderr  # SESSION_COOKIE_SECURE


# --- upload limits ----------------------------------------------------------------------------


def test_a_request_body_over_the_limit_gets_the_bilingual_400_page(client):
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 20 * 1024 * 1024
    body = "username=" + "x" * django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post(LOGIN, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    page = response.content.decode()
    assert page.index("リクエストを処理できません") < page.index("Bad request")
    assert "送信されたデータが大きすぎる" in page and "The data sent is too large" in page
    assert '<link rel="stylesheet" href="/static/ledger/css/ledger.css">' in page
    assert_strict_policy(response, "400")
    assert_no_inline_code(response, "400")


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=3)
def test_too_many_fields_get_the_400_page(client):
    response = client.post(LOGIN, {f"f{n}": "x" for n in range(5)})
    assert response.status_code == 400
    assert "項目やファイルが多すぎる" in response.content.decode()


@override_settings(KPILEDGER_MAX_REQUEST_BYTES=64 * 1024)
def test_an_upload_over_the_request_limit_is_refused_before_it_is_read(client):
    big = SimpleUploadedFile("report.xlsx", b"x" * (64 * 1024))
    response = client.post(LOGIN, {"username": "a", "password": "b", "file": big})
    assert response.status_code == 400
    assert "リクエストを処理できません" in response.content.decode()
    small = SimpleUploadedFile("report.xlsx", b"x" * 1024)
    passed = client.post(LOGIN, {"username": "a", "password": "b", "file": small})
    assert passed.status_code == 200  # the login form, with its own message
    assert "利用者名またはパスワードが違います" in passed.content.decode()


def test_the_request_limit_leaves_room_for_the_import_forms_own_message():
    assert django_settings.KPILEDGER_MAX_REQUEST_BYTES > 11 * 1024 * 1024
    handlers = django_settings.FILE_UPLOAD_HANDLERS
    assert handlers[0] == "kpiledger.web.security.RequestSizeLimitUploadHandler"


# --- headers on every page --------------------------------------------------------------------


def urls_without_arguments(resolver=None, prefix: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """Every URL pattern of the site that takes no argument."""
    found: list[str] = []
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += urls_without_arguments(entry, pattern)
        elif isinstance(entry, URLPattern) and not entry.pattern.regex.groups:
            found.append("/" + pattern.removeprefix("^").removesuffix("$"))
    return found


def assert_security_headers(response, label: str) -> None:  # type: ignore[no-untyped-def]
    assert_strict_policy(response, label)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", label
    assert response.headers.get("Referrer-Policy") == "same-origin", label
    assert response.headers.get("X-Frame-Options") == "DENY", label


def test_the_walk_finds_the_pages():
    urls = urls_without_arguments()
    assert {"/", "/staff/login/", "/staff/import/", "/admin/", "/api/v1/docs"} <= set(urls)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff"])
def test_every_page_without_arguments_carries_the_security_headers(client, user, signed_in):
    if signed_in:
        client.force_login(User.objects.create_superuser("root", "r@example.org", PASSWORD))
    statuses = {}
    for url in urls_without_arguments():
        response = client.get(url)
        statuses[url] = response.status_code
        assert response.status_code < 500, f"{url}: {response.status_code}"
        assert_security_headers(response, url)  # refusals and redirects too
    assert statuses["/"] == statuses["/staff/login/"] == statuses["/api/v1/docs"] == 200
    assert statuses["/staff/import/"] == (200 if signed_in else 302)
    assert statuses["/admin/"] == (200 if signed_in else 302)
    assert list(statuses.values()).count(200) >= 5


def test_the_lockout_page_carries_the_security_headers(client, user):
    fail(client, django_settings.AXES_FAILURE_LIMIT - 1)
    locked = attempt(client, "wrong-again")
    assert locked.status_code == 429
    assert_security_headers(locked, "lockout")
    assert_no_inline_code(locked, "lockout")


def https_settings():  # type: ignore[no-untyped-def]
    return override_settings(
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
        SECURE_SSL_REDIRECT=True,
        SECURE_HSTS_SECONDS=31536000,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    )


def test_behind_https_the_cookies_are_secure(client, user):
    with https_settings():
        plain = client.get(LOGIN)
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        page = client.get(LOGIN, secure=True)
        assert page["Strict-Transport-Security"] == "max-age=31536000"
        csrf = page.cookies["csrftoken"]
        assert csrf["secure"] is True and csrf["samesite"] == "Lax"
        done = client.post(LOGIN, {"username": "kikaku", "password": PASSWORD}, secure=True)
        assert done.status_code == 302
        session = done.cookies[django_settings.SESSION_COOKIE_NAME]
        assert session["secure"] is True and session["httponly"] is True
        assert session["samesite"] == "Lax"


def test_the_https_environment_gives_those_settings(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SILENCED_SYSTEM_CHECKS)"
    )
    environment = os.environ | {
        "KPILEDGER_DATA_DIR": str(tmp_path / "data"),
        "KPILEDGER_HTTPS": "1",
        "DJANGO_SETTINGS_MODULE": "kpiledger.web.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    expected = "True True True Lax True 31536000 False False ['security.W005', 'security.W021']"
    assert done.stdout.strip() == expected
