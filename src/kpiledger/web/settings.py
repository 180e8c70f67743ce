"""Django settings, read from environment variables with safe defaults for one laptop.

| variable | default | meaning |
|---|---|---|
| KPILEDGER_DATA_DIR | $XDG_DATA_HOME/kpiledger (~/.local/share/kpiledger) | SQLite, secret key |
| KPILEDGER_DATABASE_URL | (SQLite in the data directory) | `postgres://user:pass@host:5432/name` |
| DATABASE_URL | — | the conventional name, used when KPILEDGER_DATABASE_URL is not set |
| KPILEDGER_SECRET_KEY | generated once into the data directory | Django's SECRET_KEY |
| KPILEDGER_DEBUG | 0 | 1 turns on Django's debug pages (never in production) |
| KPILEDGER_ALLOWED_HOSTS | 127.0.0.1,localhost,[::1] | comma-separated host names |
| KPILEDGER_HTTPS | 0 | 1 behind TLS: secure cookies, HSTS |
| KPILEDGER_NEARLY | 80 | 概ね達成 threshold (achievement rate, percent) |
| KPILEDGER_API_MAX_AGE | 300 | seconds a REST API answer may be cached (Cache-Control) |
| KPILEDGER_PAGE_MAX_AGE | 60 | seconds a shared cache may keep a public page unrevalidated |
| KPILEDGER_VERSION_TTL_MS | 250 | ms a process trusts the ledger version it read (page_cache.py) |
| KPILEDGER_LOGIN_FAILURES | 5 | failed logins (one user name from one address) before a lockout |
| KPILEDGER_LOGIN_COOLOFF_MINUTES | 15 | minutes a locked-out login waits |
| KPILEDGER_HSTS_SUBDOMAINS | 0 | 1 adds includeSubDomains to HSTS (the whole domain's choice) |
| KPILEDGER_HSTS_PRELOAD | 0 | 1 adds preload to HSTS (the whole domain's choice) |
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import unquote, urlparse

from kpiledger.core.errors import KpiledgerError
from kpiledger.web import datadir

WEB_DIR = Path(__file__).resolve().parent


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "0").strip().lower() in ("1", "true", "yes", "on")


def data_dir() -> Path:
    explicit = os.environ.get("KPILEDGER_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "kpiledger"


def _setting_error(name: str, why_ja: str, why_en: str) -> KpiledgerError:
    """A bad environment setting: a user's mistake, named with what to do (never an internal
    error)."""
    return KpiledgerError.single(
        "bad-setting",
        f"環境変数 {name}: {why_ja}",
        f"environment variable {name}: {why_en}",
    )


def _data_dir_error(directory: Path, error: OSError) -> KpiledgerError:
    return _setting_error(
        "KPILEDGER_DATA_DIR",
        f"データ用フォルダ {directory} を作成・使用できません（{error.strerror or error}）。"
        "書き込めるフォルダを指定してください",
        f"cannot create or use the data directory {directory} ({error.strerror or error});"
        " choose a folder you can write to",
    )


def _secret_key(directory: Path) -> str:
    """KPILEDGER_SECRET_KEY, else a random key kept (mode 0600) in the data directory."""
    key = os.environ.get("KPILEDGER_SECRET_KEY", "").strip()
    if key:
        return key
    try:
        return datadir.secret_key(directory)
    except OSError as error:
        raise _data_dir_error(directory, error) from None


def _database(directory: Path) -> dict[str, object]:
    variable = "KPILEDGER_DATABASE_URL"  # the conventional DATABASE_URL when it is not set
    if not os.environ.get(variable) and os.environ.get("DATABASE_URL"):
        variable = "DATABASE_URL"
    url = os.environ.get(variable)
    if not url:
        try:
            datadir.ensure_private_dir(directory)
        except OSError as error:
            raise _data_dir_error(directory, error) from None
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": directory / "kpiledger.sqlite3",
            "CONN_MAX_AGE": 600,  # one connection per server thread, kept between requests
            # WAL: pages are read while an import writes; IMMEDIATE: a writer takes the write
            # lock when its transaction begins, so an import plans and writes on one state.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 60,
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise _setting_error(
            variable,
            "postgres://利用者:パスワード@ホスト:5432/データベース名 の形で指定してください"
            "（未設定ならデータ用フォルダのSQLiteを使います）",
            "write it as postgres://user:password@host:5432/database (unset, the SQLite file in"
            " the data directory is used)",
        )
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # One connection per server thread (waitress: a fixed pool, `serve --threads`), kept
        # between requests (docs/deployment.md).
        "CONN_MAX_AGE": 60,
    }


def _nearly() -> Decimal:
    text = os.environ.get("KPILEDGER_NEARLY", "80")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not 0 <= value <= 100:
        raise _setting_error(
            "KPILEDGER_NEARLY",
            f"「概ね達成」の下限は0〜100の数で指定してください（指定: {text!r}）",
            f"the 'nearly achieved' threshold must be a number from 0 to 100, not {text!r}",
        )
    return value


def _api_max_age() -> int:
    text = os.environ.get("KPILEDGER_API_MAX_AGE", "300").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > 31536000:
        raise _setting_error(
            "KPILEDGER_API_MAX_AGE",
            "APIの応答をキャッシュしてよい秒数を0〜31536000の整数で指定してください"
            f"（指定: {text!r}）",
            f"the seconds an API answer may be cached must be a whole number from 0 to 31536000,"
            f" not {text!r}",
        )
    return int(text)


def _whole_number(name: str, default: int, low: int, high: int, what_ja: str, what_en: str) -> int:
    text = os.environ.get(name, str(default)).strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise _setting_error(
            name,
            f"{what_ja}を{low}〜{high}の整数で指定してください（指定: {text!r}）",
            f"{what_en} must be a whole number from {low} to {high}, not {text!r}",
        )
    return int(text)


DATA_DIR = data_dir()
KPILEDGER_NEARLY = _nearly()
KPILEDGER_API_MAX_AGE = _api_max_age()
KPILEDGER_PAGE_MAX_AGE = _whole_number(
    "KPILEDGER_PAGE_MAX_AGE",
    60,
    0,
    31536000,
    "公開ページをキャッシュしてよい秒数",
    "the seconds a public page may be cached",
)
KPILEDGER_VERSION_TTL_MS = _whole_number(
    "KPILEDGER_VERSION_TTL_MS",
    250,
    0,
    1000,
    "台帳の版を読み直すまでの時間（ミリ秒）",
    "the milliseconds a read ledger version is trusted",
)
SECRET_KEY = _secret_key(DATA_DIR)
DEBUG = _env_flag("KPILEDGER_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("KPILEDGER_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",  # login throttling
    "simple_history",
    # django-ninja in INSTALLED_APPS: its Swagger UI files are served from /static/, no CDN.
    "ninja",
    "kpiledger.web.ledger",
    "kpiledger.web.api",
]

# A change's reason ("データ入力: <comment>") as long as the comment a form accepts; the
# default column (100 characters) would cut it, and PostgreSQL would refuse a longer one.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

MIDDLEWARE = [
    "kpiledger.web.security.ContentSecurityPolicyMiddleware",  # outermost: every response
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session middleware, to see its `Vary: Cookie` (web/http_cache.py).
    "kpiledger.web.http_cache.PublicCacheHeaders",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kpiledger.web.http_cache.LanguageByAddress",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its page
]

ROOT_URLCONF = "kpiledger.web.urls"
WSGI_APPLICATION = "kpiledger.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "kpiledger.web.languages.language_links",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": _database(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff sign in at /staff/login/ (the admin keeps its own login form; both are throttled).
LOGIN_URL = "ledger:login"
LOGIN_REDIRECT_URL = "ledger:import_upload"

# Login throttling (django-axes): after KPILEDGER_LOGIN_FAILURES failed logins for one user name
# from one address, that pair is refused — even with the right password — until
# KPILEDGER_LOGIN_COOLOFF_MINUTES have passed since the last attempt. A success before the
# limit clears the count. The lockout is a page of the site (ledger/staff/locked.html, 429).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _whole_number(
    "KPILEDGER_LOGIN_FAILURES",
    5,
    1,
    100,
    "ロックまでのログイン失敗回数",
    "the failed logins before a lockout",
)
AXES_COOLOFF_TIME = timedelta(
    minutes=_whole_number(
        "KPILEDGER_LOGIN_COOLOFF_MINUTES",
        15,
        1,
        10080,
        "ロック後に待つ時間（分）",
        "the minutes a locked-out login waits",
    )
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "kpiledger.web.ledger.staff_auth.locked_out"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [WEB_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# WhiteNoise serves the apps' static files directly (no collectstatic step); STATIC_ROOT is
# only for deployments that prefer `kpiledger manage collectstatic` behind another server.
if os.environ.get("KPILEDGER_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["KPILEDGER_STATIC_ROOT"])
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: a KPI report is small; refuse anything huge before it is read. The import form
# refuses a file over 10 MiB with its own message; a request over the limits below is answered
# by the 400 page (templates/400.html, in Japanese and English).
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024  # a request body, files excepted
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024  # larger files go to a temporary file
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# A whole upload request (files included): refused before it is read (security.py).
KPILEDGER_MAX_REQUEST_BYTES = 25 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "kpiledger.web.security.RequestSizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 10

SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (kpiledger.web.security; the format of Django 6.0's SECURE_CSP).
# Everything is served by this app and nothing is inline: no 'unsafe-inline', no nonces.
# ECharts draws on a canvas (its SVG renderer writes style attributes, which this forbids).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
if _env_flag("KPILEDGER_HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # includeSubDomains and preload bind every host of the domain (and, for preload, browsers'
    # built-in lists) to HTTPS: a decision for the city's whole domain, not for this app, so
    # both are off unless asked for. Only while they are off are exactly their two deploy
    # check warnings silenced (docs/deployment.md, "HTTPS").
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("KPILEDGER_HSTS_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = _env_flag("KPILEDGER_HSTS_PRELOAD")
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
