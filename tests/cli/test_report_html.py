"""The HTML report renders in headless Chromium with every chart visible. Skipped without Chromium
(Debian: `apt-get install chromium`)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support.cli import invoke
from support.data import write_source
from support.report_data import CATALOG, DAYS

BROWSER = next((b for b in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if b), None)
# The flags the README documents for taking a screenshot of the report.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

# Appended to a copy of the report: measures every chart as laid out, into <pre id="probe">.
PROBE = """<script>
const charts = [...document.querySelectorAll('svg')].map(svg => {
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('rect, polyline, circle')]
    .filter(e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length;
  const style = getComputedStyle(svg);
  return {width: box.width, height: box.height, left: box.left, right: box.right, marks,
          visible: style.visibility === 'visible' && style.display !== 'none'};
});
const pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = JSON.stringify({charts, page: document.documentElement.scrollWidth});
document.body.appendChild(pre);
</script>"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    return subprocess.run(
        [BROWSER, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed")
def test_html_report_renders_with_its_charts_visible(tmp_path: Path) -> None:
    source = write_source(tmp_path / "src", DAYS, CATALOG)
    assert invoke("run", "--source", str(source)).exit_code == 0
    report = tmp_path / "report.html"
    assert invoke("report", "--format", "html", "--output", str(report)).exit_code == 0

    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path, "--window-size=1100,1600", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S)
    assert found, dom.stderr[-2000:]
    measured = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    charts = measured["charts"]
    assert len(charts) == 7
    for chart in charts:
        assert chart["visible"] and chart["width"] > 200 and chart["height"] > 40, chart
        assert chart["marks"] > 0, chart  # bars, lines and points were laid out with a size
        assert 0 <= chart["left"] and chart["right"] <= measured["page"], chart  # nothing off to the side

    shot = tmp_path / "report.png"
    chromium(tmp_path, "--window-size=1100,1600", "--hide-scrollbars", f"--screenshot={shot}", report.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
