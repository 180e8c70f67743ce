"""Browser tests and screenshots: Debian's Chromium driven by Playwright, fully offline.

Shared by the pytest fixtures (conftest.py) and the screenshot script (screenshots.py): how
Chromium is launched (never a downloaded browser), how every request to another host is
blocked and recorded (municipal networks such as LGWAN have no internet), and how to wait for
an ECharts chart to be painted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
AXE_JS = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
CHART = '[role="img"][aria-label]'  # an ECharts container with its accessible description


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


def block_external(context: Any) -> list[str]:
    """Abort every request to a host other than this machine; return the list they go to."""
    attempted: list[str] = []

    def handle(route: Any, request: Any) -> None:
        if urlsplit(request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            attempted.append(request.url)
            route.abort("blockedbyclient")

    context.route("**/*", handle)
    return attempted


DRAWING = """(chart) => {
  const canvas = chart.querySelector('canvas');
  if (canvas) {
    const context = canvas.getContext('2d');
    let painted = 0;
    if (context && canvas.width && canvas.height) {
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    }
    const box = canvas.getBoundingClientRect();
    return {renderer: 'canvas', width: box.width, height: box.height,
            drawn: painted >= 2000, amount: painted};
  }
  const svg = chart.querySelector('svg');
  if (svg) {
    const box = svg.getBoundingClientRect();
    const shapes = svg.querySelectorAll('path, circle, rect, line, polyline, polygon, text').length;
    return {renderer: 'svg', width: box.width, height: box.height,
            drawn: shapes >= 10, amount: shapes};
  }
  return null;
}"""


def chart_drawing(chart: Any) -> dict | None:
    """What ECharts drew in a chart container: its renderer (canvas or svg), the drawing's
    size on screen, and whether something was drawn (painted pixels or shapes)."""
    return chart.evaluate(DRAWING)


def wait_for_charts(page: Any, timeout: float = 10_000) -> Any:
    """Every chart container on the page, once ECharts has drawn into each of them."""
    page.wait_for_function(
        f"() => Array.from(document.querySelectorAll({CHART!r}))"
        f".every(c => {{ const d = ({DRAWING})(c); return d && d.drawn && d.width > 0; }})",
        timeout=timeout,
    )
    return page.locator(CHART)


def wait_for_chart(page: Any, timeout: float = 10_000) -> Any:
    """The first chart container, once ECharts has drawn into it."""
    page.wait_for_function(
        f"() => Array.from(document.querySelectorAll({CHART!r}))"
        f".some(c => {{ const d = ({DRAWING})(c); return d && d.drawn && d.width > 0; }})",
        timeout=timeout,
    )
    return page.locator(CHART).filter(has=page.locator("canvas, svg")).first
