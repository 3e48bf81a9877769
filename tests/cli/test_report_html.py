"""The HTML report as a browser lays it out: headless Chromium at a laptop's 1280 px and a phone's
420 px. Nothing runs off the right edge, every chart has labelled axes and keeps its labels inside,
and a one-day report says what it cannot chart instead of drawing dots.

Skipped without Chromium (Debian: `apt-get install chromium`, or `.ci/chromium.sh`), except in CI
(CI or SPARKIFY_CI set), where a missing browser fails: there it must be installed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support import chromium
from support.cli import invoke
from support.data import REAL_DATA, write_source
from support.report_data import CATALOG, DAYS, ENDLESS, HARD_CATALOG, HARD_DAYS, THORN, ZHIZN

BROWSER = chromium.find()
# Read at import: the autouse `isolated` fixture clears SPARKIFY_* before each test runs.
IN_CI = any(os.environ.get(k, "").strip().lower() not in ("", "0", "false", "no") for k in ("CI", "SPARKIFY_CI"))
WIDTHS = (1280, 420)
SHOT = "test_a_full_page_screenshot_at_phone_width"

# Run in the laid-out page (the report itself has no script): what a reader would see.
PROBE = """(() => {
const box = e => { const b = e.getBoundingClientRect(); return {left: b.left, right: b.right, width: b.width,
                                                                 height: b.height}; };
const describe = e => `${e.tagName.toLowerCase()}.${e.getAttribute('class') || ''} ${
  (e.textContent || '').trim().slice(0, 60)}`;
const vw = document.documentElement.clientWidth;
const overflowing = [...document.querySelectorAll('body *')].filter(e => {
  const b = e.getBoundingClientRect();
  return b.width > 0 && (b.right > vw + 0.5 || b.left < -0.5);
}).map(describe);
const charts = [...document.querySelectorAll('svg')].map(svg => {
  const frame = svg.getBoundingClientRect();
  const texts = sel => [...svg.querySelectorAll(sel)].map(t => ({text: t.textContent, ...box(t)}));
  return {
    section: svg.closest('section').id, ...box(svg),
    axis_x: texts('text.axis-x'), axis_y: texts('text.axis-y'), ticks_x: texts('text.tick-x'),
    labels: texts('text.label'),
    outside: [...svg.querySelectorAll('text')].filter(t => {
      const b = t.getBoundingClientRect();
      return b.width > 0 && (b.left < frame.left - 0.5 || b.right > frame.right + 0.5);
    }).map(describe),
    lines: [...svg.querySelectorAll('polyline')].map(p => p.points.numberOfItems),
    dots: svg.querySelectorAll('circle').length,
    bars: [...svg.querySelectorAll('rect.bar')].filter(r => r.getBoundingClientRect().height > 0).length,
  };
});
const sections = Object.fromEntries([...document.querySelectorAll('section')].map(s => [s.id, {
  charts: s.querySelectorAll('svg').length,
  empty: [...s.querySelectorAll('.empty')].map(e => e.textContent.trim()),
}]));
const notice = document.querySelector('.notice');
const style = notice && getComputedStyle(notice);
return {
  viewport: vw, page: document.documentElement.scrollWidth, overflowing, charts, sections,
  notice: notice && {text: notice.textContent.trim(), font: parseFloat(style.fontSize), color: style.color,
                     background: style.backgroundColor, ...box(notice)},
  provenance: (document.querySelector('.provenance') || {}).textContent || null,
};
})()"""


@pytest.fixture(scope="module")
def browser() -> Iterator[chromium.Chromium]:
    """One headless Chromium for the module's pages."""
    if BROWSER is None:
        if IN_CI:
            pytest.fail("Chromium is missing: CI must install it (.ci/chromium.sh)")
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    with chromium.Chromium(BROWSER) as page:
        yield page


def measure(browser: chromium.Chromium, report: Path, width: int) -> dict[str, Any]:
    """The report laid out in a viewport `width` px wide, as the probe saw it."""
    browser.open(report.as_uri(), width)
    measured: dict[str, Any] = browser.evaluate(PROBE)
    assert measured["viewport"] == width
    return measured


def html_report(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / f"report{'-'.join(('', *args)).replace(':', '')}.html"
    result = invoke("report", "--format", "html", "--output", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture
def hard(tmp_path: Path) -> Path:
    """The warehouse loaded with the hard cases (tests/support/report_data.py)."""
    source = write_source(tmp_path / "src", HARD_DAYS, HARD_CATALOG)
    result = invoke("run", "--source", str(source))
    assert result.exit_code == 0, result.stderr
    return source


def fits(measured: dict[str, Any]) -> None:
    assert measured["page"] <= measured["viewport"], measured["overflowing"]
    assert measured["overflowing"] == []


def chart(measured: dict[str, Any], section: str) -> dict[str, Any]:
    (found,) = [c for c in measured["charts"] if c["section"] == section]
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_every_chart_fits_and_has_labelled_axes(
    browser: chromium.Chromium, hard: Path, tmp_path: Path, width: int
) -> None:
    measured = measure(browser, html_report(tmp_path), width)
    fits(measured)
    charts = measured["charts"]
    assert {c["section"] for c in charts} == {
        "top-songs",
        "top-artists",
        "hours",
        "weekdays",
        "plays-per-day",
        "sessions-per-day",
        "levels",
    }
    for c in charts:
        for axis in ("axis_x", "axis_y"):
            assert c[axis] and all(t["text"].strip() and t["width"] > 0 for t in c[axis]), (c["section"], axis)
        assert c["outside"] == [], c["section"]  # no label cut at either edge
        assert c["bars"] or all(n >= 2 for n in c["lines"]), c["section"]

    songs = chart(measured, "top-songs")
    labels = [t["text"] for t in songs["labels"]]
    first = next(t for t in songs["labels"] if t["text"].startswith("Жизнь"))
    assert first["left"] >= songs["left"]  # "Жизнь" starts inside the chart
    for s in (ZHIZN, THORN, ENDLESS):  # every artist shows, whatever the title's length
        assert any(s["artist_name"] in label for label in labels), (s["artist_name"], labels)
    assert "The Boy With The Thorn In His Side" in " ".join(labels)  # fits: not cut at a fixed length
    assert any(label.startswith("An Extraordinarily") and "…" in label for label in labels)

    hours = [int(t["text"]) for t in chart(measured, "hours")["ticks_x"]]
    step = hours[1] - hours[0]
    assert hours == list(range(0, 24, step)) and 24 % step == 0, hours  # evenly over 0..23, 21 included if due
    for section in ("plays-per-day", "sessions-per-day"):
        assert "2018" in " ".join(t["text"] for t in chart(measured, section)["axis_x"])  # the year is there

    notice = measured["notice"]
    assert notice and "44 of 1,047 plays (4.20%)" in notice["text"]
    assert notice["font"] >= 14 and notice["background"] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    assert measured["provenance"] and "DuckDB" in measured["provenance"]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_one_day_report_says_what_it_cannot_chart(
    browser: chromium.Chromium, hard: Path, tmp_path: Path, width: int
) -> None:
    measured = measure(browser, html_report(tmp_path, "--date", "2018-11-04"), width)
    fits(measured)
    sections = measured["sections"]
    for name in ("plays-per-day", "sessions-per-day", "weekdays"):  # one day: no line, no six empty weekdays
        assert sections[name]["charts"] == 0 and sections[name]["empty"], name
    assert "Sunday" in sections["weekdays"]["empty"][0]
    for c in measured["charts"]:
        assert c["dots"] == 0 or all(n >= 2 for n in c["lines"]), c["section"]
        assert c["axis_x"] and c["axis_y"], c["section"]
    assert chart(measured, "hours")["lines"] == [24]
    assert measured["notice"] is None  # 40 of 40 plays matched


def test_a_report_without_plays_draws_no_empty_chart(browser: chromium.Chromium, tmp_path: Path) -> None:
    source = write_source(tmp_path / "src", DAYS, CATALOG)
    assert invoke("run", "--source", str(source)).exit_code == 0
    measured = measure(browser, html_report(tmp_path, "--date", "2018-11-02"), 420)
    fits(measured)
    assert measured["charts"] == []
    assert any("No plays" in " ".join(s["empty"]) for s in measured["sections"].values())


def test_days_across_a_new_year_carry_their_years(browser: chromium.Chromium, tmp_path: Path) -> None:
    args = ["--events", "800", "--songs", "60", "--days", "20", "--start-date", "2018-12-20"]
    made = invoke("generate", str(tmp_path / "data"), *args)
    assert made.exit_code == 0, made.stderr
    assert invoke("run", "--source", str(tmp_path / "data")).exit_code == 0
    measured = measure(browser, html_report(tmp_path), 420)
    fits(measured)
    days = chart(measured, "plays-per-day")
    assert [t["text"] for t in days["axis_x"]] == ["day (UTC), 2018–2019"]
    ticks = [t["text"] for t in days["ticks_x"]]
    assert ticks[0] == "Dec 20 2018" and any(t.endswith(" 2019") for t in ticks), ticks
    assert [c["outside"] for c in measured["charts"] if c["outside"]] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_real_sample_fits_on_a_laptop_and_a_phone(browser: chromium.Chromium, tmp_path: Path, width: int) -> None:
    if not (REAL_DATA / "log_data").is_dir():
        pytest.skip("real Sparkify data (../shared/data/sparkify) is not present")
    assert invoke("run", "--source", str(REAL_DATA)).exit_code == 0
    measured = measure(browser, html_report(tmp_path), width)
    fits(measured)
    assert [c["outside"] for c in measured["charts"] if c["outside"]] == []
    assert "39 of 6,820 plays (0.57%)" in measured["notice"]["text"]


def test_a_full_page_screenshot_at_phone_width(browser: chromium.Chromium, hard: Path, tmp_path: Path) -> None:
    browser.open(html_report(tmp_path).as_uri(), 420)
    shot = tmp_path / "report.png"
    browser.screenshot(shot)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 420  # IHDR width
    assert int.from_bytes(png[20:24], "big") > 1500  # the whole page, not one screenful


@pytest.mark.parametrize(
    ("ci", "outcome"), [({}, "1 skipped"), ({"CI": "true"}, "1 error"), ({"SPARKIFY_CI": "1"}, "1 error")]
)
def test_without_chromium_the_browser_tests_skip_except_in_ci(tmp_path: Path, ci: dict[str, str], outcome: str) -> None:
    """CI runs .ci/run with CI=true: there a browser test must never pass by skipping."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SPARKIFY_CI", "PYTEST_XDIST_WORKER")}
    env.update(ci, PATH=str(tmp_path))  # no chromium on this PATH
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q", f"{__file__}::{SHOT}"],
        cwd=Path(__file__).parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert outcome in result.stdout.splitlines()[-1], result.stdout[-2000:]
    assert (result.returncode == 0) is (outcome == "1 skipped")
