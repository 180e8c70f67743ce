"""`kpiledger serve` end to end: a fresh data directory, migrations, the reference report
preloaded as 釧路市, pages served by waitress; a busy port is a clear error, not a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import closing

import pytest


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(tmp_path, port: int) -> subprocess.Popen:
    env = os.environ | {"KPILEDGER_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "kpiledger.cli.main", "serve", "--port", str(port)]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def get(url: str, deadline: float) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_preloads_the_reference_report(tmp_path):
    port = free_port()
    process = serve(tmp_path, port)
    try:
        status, body = get(f"http://127.0.0.1:{port}/org/012068/2023/", time.monotonic() + 60)
        assert status == 200
        assert "音別地域交流拠点施設利用者数" in body and "220.3%" in body
        assert (tmp_path / "kpiledger.sqlite3").exists()
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in out
    assert "釧路市（012068）" in out
    # a new user learns where the staff pages are and how to get an account (issue 7)
    assert f"http://127.0.0.1:{port}/staff/ " in out
    assert "kpiledger manage member" in out and "manage createsuperuser" in out


@pytest.mark.django_db(transaction=True)
def test_busy_port_is_a_bilingual_error(capsys):
    from kpiledger.cli.main import main

    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert "待ち受けできません" in err and "cannot listen" in err and "Traceback" not in err


@pytest.mark.parametrize("host", ["256.1.1.1", "example.invalid", "a b"])
def test_a_host_that_cannot_be_listened_on_is_a_bilingual_error(capsys, host):
    from kpiledger.cli.main import main

    assert main(["serve", "--host", host, "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "[bad-host]" in err and "待ち受けできる" in err and "can listen on" in err
    assert "内部エラー" not in err


def test_manage_prepares_a_fresh_data_directory(tmp_path):
    from kpiledger.web.ledger.tests import processes as p

    env = p.environment(tmp_path) | {"DJANGO_SUPERUSER_PASSWORD": "pw-for-tests-only-1"}
    command = [sys.executable, "-m", "kpiledger.cli.main", "manage", "createsuperuser"]
    done = subprocess.run(
        [*command, "--noinput", "--username", "kikaku", "--email", "k@example.org"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert p.query(tmp_path, "SELECT username FROM auth_user") == [("kikaku",)]
