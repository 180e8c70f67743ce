"""A bad environment setting or an unreachable database is the user's to fix: a bilingual
message naming the variable and what to do, exit status 2 — never "internal error" (issue 7)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from contextlib import closing

import pytest


def closed_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def kpiledger(tmp_path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("KPILEDGER_DATABASE_URL", "DATABASE_URL")
    }
    environment |= {"KPILEDGER_DATA_DIR": str(tmp_path / "data")} | env
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "kpiledger.cli.main", *argv],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_users_mistake(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "内部エラー" not in done.stderr and "Internal error" not in done.stderr
    assert "Traceback" not in done.stderr
    for text in expected:
        assert text in done.stderr, done.stderr


@pytest.mark.parametrize("command", [["serve", "--port", "8"], ["manage", "check"]])
def test_a_database_url_of_another_kind_says_how_to_write_it(tmp_path, command):
    done = kpiledger(tmp_path, *command, KPILEDGER_DATABASE_URL="mysql://db/kpi")
    assert_users_mistake(
        done, "[bad-setting]", "環境変数 KPILEDGER_DATABASE_URL", "postgres://user:password@host"
    )


def test_the_conventional_database_url_is_read_when_kpiledger_s_is_not_set(tmp_path):
    """`DATABASE_URL` (Heroku, Render, Docker conventions) is used when KPILEDGER_DATABASE_URL
    is unset, named in its errors; KPILEDGER_DATABASE_URL wins when both are set."""
    done = kpiledger(tmp_path, "manage", "check", DATABASE_URL="mysql://db/kpi")
    assert_users_mistake(
        done, "[bad-setting]", "環境変数 DATABASE_URL", "postgres://user:password@"
    )
    url = f"postgres://nobody:secret-password@127.0.0.1:{closed_port()}/kpi"
    done = kpiledger(tmp_path, "manage", "check", DATABASE_URL=url)
    assert_users_mistake(done, "[database-unavailable]", "127.0.0.1:", "DATABASE_URL")
    assert "secret-password" not in done.stderr
    done = kpiledger(
        tmp_path, "manage", "check", DATABASE_URL="mysql://db/kpi", KPILEDGER_DATABASE_URL=url
    )
    assert_users_mistake(done, "[database-unavailable]")  # not the other's bad-setting


def test_an_unreachable_database_names_where_and_what_to_check(tmp_path):
    url = f"postgres://nobody:secret-password@127.0.0.1:{closed_port()}/kpi"
    done = kpiledger(tmp_path, "manage", "check", KPILEDGER_DATABASE_URL=url)
    assert_users_mistake(done, "[database-unavailable]", "データベース（127.0.0.1:", "check that")
    assert "secret-password" not in done.stderr


def test_a_data_directory_that_cannot_be_made_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = kpiledger(tmp_path, "manage", "check", KPILEDGER_DATA_DIR=str(blocker / "data"))
    assert_users_mistake(done, "[bad-setting]", "KPILEDGER_DATA_DIR", str(blocker / "data"))


@pytest.mark.parametrize("value", ["abc", "120", "NaN"])
def test_a_bad_nearly_threshold_is_named(tmp_path, value):
    done = kpiledger(tmp_path, "manage", "check", KPILEDGER_NEARLY=value)
    assert_users_mistake(done, "[bad-setting]", "KPILEDGER_NEARLY", "0〜100", repr(value))


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("KPILEDGER_LOGIN_FAILURES", "0", "1〜100"),
        ("KPILEDGER_LOGIN_FAILURES", "five", "from 1 to 100"),
        ("KPILEDGER_LOGIN_COOLOFF_MINUTES", "-5", "1〜10080"),
        ("KPILEDGER_LOGIN_COOLOFF_MINUTES", "1.5", "from 1 to 10080"),
    ],
)
def test_a_bad_login_throttling_setting_is_named(tmp_path, name, value, expected):
    done = kpiledger(tmp_path, "manage", "check", **{name: value})
    assert_users_mistake(done, "[bad-setting]", f"環境変数 {name}", expected, repr(value))
