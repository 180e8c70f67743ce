"""Screenshots for the README: the report page and one KPI page, 1400 px wide.

    .venv/bin/python -m tests.browser.screenshots [--out docs/screenshots]

Starts `kpiledger serve` on a free port with a fresh temporary data directory (so the
reference report, 釧路市 令和5年度, is loaded into an empty SQLite database), opens the pages in
Debian's Chromium with every request to another host blocked, and saves report.png and
kpi.png. Fails if a page asks for anything outside this machine.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import block_external, launch, wait_for_chart

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1400, 900
REPORT_PATH = "/org/012068/2023/"
KPI_INDICATOR = "音別地域交流拠点施設利用者数"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(data_dir: str) -> Iterator[str]:
    """`kpiledger serve` on a temporary database; yields its base URL."""
    port = free_port()
    env = {**os.environ, "KPILEDGER_DATA_DIR": data_dir, "KPILEDGER_DEBUG": "0"}
    command = [sys.executable, "-m", "kpiledger.cli.main", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"kpiledger serve exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"kpiledger serve did not answer at {base} within {timeout:.0f} s")


def take(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(
            locale="ja-JP", viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1
        )
        external = block_external(context)
        page = context.new_page()
        page.goto(base + REPORT_PATH, wait_until="load")
        report = out / "report.png"
        page.screenshot(path=str(report), full_page=True)
        with page.expect_navigation(wait_until="load"):
            page.locator("table").get_by_role("link", name=KPI_INDICATOR, exact=True).first.click()
        wait_for_chart(page)
        page.wait_for_timeout(1200)  # let web fonts and the chart settle
        kpi = out / "kpi.png"
        page.screenshot(path=str(kpi), full_page=True)
        browser.close()
    if external:
        raise SystemExit(f"pages asked for other hosts: {external}")
    return [report, kpi]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="kpiledger-shots-") as data_dir,
        serve(data_dir) as base,
    ):
        for path in take(base, args.out):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
