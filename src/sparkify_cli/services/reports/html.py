"""The report as one self-contained HTML file: inline CSS and SVG charts, no script, no network.

It reads well on a laptop and on a phone: one column under 760 px, tables whose cells wrap, charts
that scale with their column. Every chart has labelled axes and keeps its labels inside (no script
measures text, so widths are estimated generously, for the widest font of the stack); a chart
with nothing to show (one day's line, one weekday's bars) says so in words instead. The report's
JSON (the same document `--format json` prints) is embedded too, for the numbers behind a chart.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from html import escape

from sparkify_cli.services.reports.report import WEEKDAYS, DayActivity, Report, percent

_BLUE, _ORANGE, _GREY, _INK, _MUTED, _GRID = "#2b6cb0", "#dd6b20", "#a0aec0", "#1a202c", "#4a5568", "#e2e8f0"
_LEVEL_COLORS = {"free": _GREY, "paid": _BLUE}
_OTHER_LEVELS = (_ORANGE, "#38a169", "#805ad5")
_FONT = 12  # chart text, in the charts' own units (about CSS px: a chart is drawn about as wide as its column)
_WIDTH = 400  # every chart's viewBox width

_CSS = """
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1a202c; margin: 0; background: #f7fafc; }
main { max-width: 1080px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 0 0 10px; }
.sub { color: #2d3748; margin: 0; }
.provenance { color: #4a5568; font-size: 13px; margin: 2px 0 18px; overflow-wrap: anywhere; }
.provenance::first-letter { text-transform: uppercase; }
.cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; margin-bottom: 16px; }
.card, section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 14px 16px; min-width: 0; }
.card b { display: block; font-size: 26px; } .card span { color: #4a5568; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; margin-bottom: 16px; }
section { margin-bottom: 16px; } .grid section { margin-bottom: 0; }
.notice { background: #fffaf0; border: 1px solid #f6ad55; border-left: 6px solid #dd6b20; border-radius: 8px;
          color: #1a202c; font-size: 15px; padding: 12px 16px; margin-bottom: 16px; }
.empty { background: #f7fafc; border: 1px dashed #a0aec0; border-radius: 6px; color: #2d3748; margin: 0;
         padding: 14px 16px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; overflow-wrap: break-word; }
th { border-bottom: 2px solid #e2e8f0; vertical-align: bottom; } td { border-bottom: 1px solid #edf2f7; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; } td.n { white-space: nowrap; }
svg { display: block; width: 100%; height: auto; } svg text { font-size: 12px; fill: #2d3748; }
svg .axis-x, svg .axis-y { fill: #4a5568; font-weight: 600; }
.note { color: #4a5568; font-size: 13px; margin: 8px 0 0; }
code { overflow-wrap: anywhere; }
footer { color: #4a5568; font-size: 13px; margin-top: 8px; }
@media (max-width: 760px) {
  main { padding: 12px; }
  h1 { font-size: 21px; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; margin-bottom: 12px; }
  .card b { font-size: 22px; }
  .grid { grid-template-columns: minmax(0, 1fr); gap: 12px; margin-bottom: 12px; }
  .card, section { padding: 12px; } section { margin-bottom: 12px; }
  th, td { padding: 4px 5px; }
}
"""


def to_html(report: Report) -> str:
    # No "<" at all in the embedded JSON: neither "</script>" nor "<!--<script" can end or upset the element.
    data = json.dumps(report.to_dict(), ensure_ascii=False).replace("<", "\\u003c")
    span = report.span
    provenance = f'<p class="provenance">{escape(report.provenance.describe())}</p>' if report.provenance else ""
    notices = "".join(
        f'<div class="notice" role="note"><strong>Notice:</strong> {_text(n)}</div>' for n in report.notices
    )
    body = f"""
<h1>sparkify report</h1>
<p class="sub">{escape(report.scope)}{escape(f" — {span}" if span else "")}</p>
{provenance}
<div class="cards">{_cards(report)}</div>
{notices}
{_charts(report) if report.plays else '<section id="nothing"><p class="empty">No plays in these days.</p></section>'}
<footer>The numbers behind the charts are in the script element <code>#report-data</code> (the same JSON as
<code>sparkify report --format json</code>).</footer>
"""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>sparkify report — {escape(report.scope)}</title><style>{_CSS}</style></head>\n"
        f"<body><main>{body}</main>\n"
        f'<script type="application/json" id="report-data">{data}</script>\n</body></html>\n'
    )


def _text(plain: str) -> str:
    """Escaped, with `code` in backticks shown as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(plain))


def _cards(report: Report) -> str:
    return "".join(
        f'<div class="card"><b>{value}</b><span>{label}</span></div>'
        for value, label in (
            (f"{report.plays:,}", "plays"),
            (f"{report.users_with_plays:,}", "users with plays"),
            (f"{report.sessions:,}", "sessions"),
            (percent(report.match_rate), f"matched to a catalog song ({report.matched:,} of {report.plays:,})"),
        )
    )


def _charts(report: Report) -> str:
    songs = [(s.title or s.song_id, s.artist or "", s.plays) for s in report.top_songs]
    artists = [(a.name or a.artist_id, "", a.plays) for a in report.top_artists]
    no_match = '<p class="empty">No play in these days matched a catalog song.</p>'
    days = report.per_day
    day_axis = _day_axis(days)
    return f"""
<div class="grid">
<section id="top-songs"><h2>Top songs</h2>{_hbars(songs, _BLUE, "song — artist") if songs else no_match}
<p class="note">Of the {report.matched:,} plays matched to a catalog song.</p></section>
<section id="top-artists"><h2>Top artists</h2>{_hbars(artists, _ORANGE, "artist") if artists else no_match}</section>
</div>
<div class="grid">
<section id="hours"><h2>Plays per hour of day (UTC)</h2>
{_lines(report.plays_by_hour, "plays", _BLUE, [f"{h:02d}" for h in range(24)], (1, 2, 3, 4, 6), "hour of day (UTC)")}
</section>
<section id="weekdays"><h2>Plays per weekday</h2>{_weekdays(report)}</section>
</div>
<div class="grid">
<section id="plays-per-day"><h2>Plays per day</h2>
{_per_day(days, [d.plays for d in days], "plays", _BLUE, day_axis)}</section>
<section id="sessions-per-day"><h2>Sessions per day</h2>
{_per_day(days, [d.sessions for d in days], "sessions", _ORANGE, day_axis)}</section>
</div>
<div class="grid">
<section id="levels"><h2>Free vs paid</h2>{_levels(report)}</section>
<section id="users"><h2>Most active users</h2>{_users(report)}</section>
</div>"""


# --- text widths --------------------------------------------------------------------------------

_NARROW, _SLIM, _WIDE = set("ijl.,;:!|'`"), set('frtI()[]{}/-"*'), set("mwMW@%—…")


def _char_width(c: str) -> float:
    """Advance width in em, a little above DejaVu Sans' (the widest font of the stack; checked in
    Chromium by tests/cli/test_report_html.py)."""
    if c in _NARROW:
        return 0.34
    if c == " ":
        return 0.35
    if c in _SLIM:
        return 0.45
    if c in _WIDE or unicodedata.east_asian_width(c) in "WF":
        return 1.05
    if c.isdigit() and c.isascii():
        return 0.66
    if c.isascii():
        return 0.74 if c.isupper() else 0.62
    if c.lower() in "жшщыюмф":
        return 0.95
    return 0.8 if c.isupper() else 0.68


def _width(text: str, bold: bool = False) -> float:
    return sum(map(_char_width, text)) * _FONT * (1.14 if bold else 1.0)


def _fit(text: str, room: float, bold: bool = False) -> str:
    """text, or as much of it as fits in room with an ellipsis."""
    if _width(text, bold) <= room:
        return text
    while text and _width(text + "…", bold) > room:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


# --- axes ---------------------------------------------------------------------------------------


def _ticks(most: int) -> list[int]:
    """0 up to a round maximum at or above most, in at most 5 equal whole steps."""
    step, scale = 1, 1
    while True:
        for m in (1, 2, 5) if scale == 1 else (1, 2, 2.5, 5):
            step = int(m * scale)
            if -(-max(most, 1) // step) <= 5:
                return list(range(0, step * -(-max(most, 1) // step) + 1, step))
        scale *= 10


def _every(gap: float, label: float, steps: Sequence[int]) -> int:
    """The first step at which labels `label` wide, on points `gap` apart, do not collide."""
    return next((s for s in steps if s * gap >= label + 10), steps[-1])


def _y_axis(
    parts: list[str], ticks: list[int], title: str, left: float, right: float, top: float, plot_h: float
) -> None:
    for k, value in enumerate(ticks):
        y = top + plot_h - plot_h * k / (len(ticks) - 1)
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{_GRID if k else _GREY}"/>'
            f'<text class="tick-y" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:,}</text>'
        )
    parts.append(
        f'<text class="axis-y" transform="rotate(-90)" x="{-(top + plot_h / 2):.1f}" y="{_FONT + 1}" '
        f'text-anchor="middle">{escape(title)}</text>'
    )


def _left_margin(ticks: list[int]) -> float:
    return _FONT + 10 + max(_width(f"{t:,}") for t in ticks) + 8


# --- charts -------------------------------------------------------------------------------------


def _hbars(items: list[tuple[str, str, int]], color: str, what: str) -> str:
    """Ranked bars with the label above each bar, across the chart's whole width: (title, artist, plays)."""
    row, head, x0 = 38, 22, 6
    ticks = _ticks(max(v for _, _, v in items))
    value_room = _width(f"{ticks[-1]:,}") + 8
    plot_w = _WIDTH - x0 - max(value_room, _width(f"{ticks[-1]:,}") / 2 + 2)
    parts = [f'<text class="axis-y" x="0" y="{_FONT + 2}">{escape(what)}</text>']
    for i, (title, artist, value) in enumerate(items):
        y = head + i * row
        w = max(1.0, value / ticks[-1] * plot_w)
        full = f"{title} — {artist}" if artist else title
        parts.append(
            f"<g><title>{escape(full)}: {value:,} plays</title>"
            f'<text class="label" x="1" y="{y + 13}">{_label(title, artist, _WIDTH - 2)}</text>'
            f'<rect class="bar" x="{x0}" y="{y + 18}" width="{w:.1f}" height="13" fill="{color}" rx="2"/>'
            f'<text class="value" x="{x0 + w + 5:.1f}" y="{y + 29}">{value:,}</text></g>'
        )
    bottom = head + len(items) * row + 2
    for value in ticks:
        x = x0 + value / ticks[-1] * plot_w
        parts.insert(0, f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{head}" y2="{bottom}" stroke="{_GRID}"/>')
        parts.append(f'<text class="tick-x" x="{x:.1f}" y="{bottom + 14}" text-anchor="middle">{value:,}</text>')
    parts.append(
        f'<text class="axis-x" x="{x0 + plot_w / 2:.1f}" y="{bottom + 32}" text-anchor="middle">plays '
        "(matched to a catalog song)</text>"
    )
    return _svg(bottom + 38, "".join(parts))


def _label(title: str, artist: str, room: float) -> str:
    """'title — artist' in room; when too long the title gives way first, so the artist shows."""
    if not artist:
        return f'<tspan font-weight="600">{escape(_fit(title, room, bold=True))}</tspan>'
    dash = _width(" — ")
    if _width(title, bold=True) + dash + _width(artist) > room:
        artist = _fit(artist, max(room * 0.6, room - dash - _width(title, bold=True)))
        title = _fit(title, room - dash - _width(artist), bold=True)
    return f'<tspan font-weight="600">{escape(title)}</tspan><tspan fill="{_MUTED}"> — {escape(artist)}</tspan>'


def _lines(
    values: list[int], name: str, color: str, labels: list[str], steps: Sequence[int], x_title: str, height: int = 230
) -> str:
    """A line over evenly spaced points (at least two), ticks every `step` points from the first."""
    ticks = _ticks(max(values))
    left, top, bottom = _left_margin(ticks), 10, 44
    right = max(_width(label) for label in labels) / 2 + 4
    plot_w, plot_h = _WIDTH - left - right, height - top - bottom
    gap = plot_w / (len(values) - 1)
    step = _every(gap, max(_width(label) for label in labels), steps)
    parts: list[str] = []
    _y_axis(parts, ticks, name, left, _WIDTH - right, top, plot_h)
    points = [(left + i * gap, top + plot_h - plot_h * v / ticks[-1]) for i, v in enumerate(values)]
    for i in range(0, len(values), step):
        x = points[i][0]
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" stroke="{_GREY}"/>'
            f'<text class="tick-x" x="{x:.1f}" y="{top + plot_h + 17}" text-anchor="middle">{escape(labels[i])}</text>'
        )
    parts.append(
        f'<text class="axis-x" x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">'
        f"{escape(x_title)}</text>"
    )
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.2"/>')
    parts.extend(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{color}"><title>{escape(labels[i])}: '
        f"{values[i]:,} {escape(name)}</title></circle>"
        for i, (x, y) in enumerate(points)
    )
    return _svg(height, "".join(parts))


def _day_axis(days: list[DayActivity]) -> tuple[list[str], str]:
    """Tick labels and the axis title of a per-day chart: the year(s) in the title, or in every
    label when the days cross a new year."""
    years = sorted({d.day.year for d in days})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else "".join(map(str, years))
    labels = [f"{d.day:%b} {d.day.day}" + (f" {d.day.year}" if len(years) > 1 else "") for d in days]
    return labels, f"day (UTC), {span}"


def _per_day(days: list[DayActivity], values: list[int], name: str, color: str, axis: tuple[list[str], str]) -> str:
    if len(days) == 1:
        (d,) = days
        return (
            f'<p class="empty">One day only, {WEEKDAYS[(d.day.weekday() + 1) % 7]} {d.day}: {d.plays:,} plays, '
            f"{d.sessions:,} sessions, {d.users_with_plays:,} users with plays. A line per day needs two days or "
            "more.</p>"
        )
    return _lines(values, name, color, axis[0], (1, 2, 3, 5, 7, 14, 28, 56, 91, 182, 364), axis[1])


def _weekdays(report: Report) -> str:
    """Only the weekdays the report's days hold: a one-day report has no six empty weekdays."""
    held = report.days_by_weekday
    shown = [d for d in range(7) if held[d]]
    if len(shown) == 1:  # one day
        return (
            f'<p class="empty">All {report.plays:,} plays are on one day, a {WEEKDAYS[shown[0]]} '
            f"({report.per_day[0].day}): no other weekday to compare it with.</p>"
        )
    chart = _vbars([WEEKDAYS[d][:3] for d in shown], [report.plays_by_weekday[d] for d in shown])
    if len({held[d] for d in shown}) > 1:
        counts = ", ".join(f"{WEEKDAYS[d][:3]} {held[d]}" for d in shown)
        chart += f'<p class="note">Each bar adds up all its days, and they differ in number: {counts}.</p>'
    return chart


def _vbars(labels: list[str], values: list[int], height: int = 230) -> str:
    ticks = _ticks(max(values))
    left, top, bottom, right = _left_margin(ticks), 20, 44, 4  # room above the tallest bar for its value
    plot_h, slot = height - top - bottom, (_WIDTH - left - right) / len(labels)
    parts: list[str] = []
    _y_axis(parts, ticks, "plays", left, _WIDTH - right, top, plot_h)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / ticks[-1]
        x = left + i * slot + slot * 0.15
        mid = x + slot * 0.35
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{_BLUE}" rx="2"><title>{escape(label)}: {value:,}</title></rect>'
            f'<text class="value" x="{mid:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle">{value:,}</text>'
            f'<text class="tick-x" x="{mid:.1f}" y="{top + plot_h + 17}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(
        f'<text class="axis-x" x="{left + (_WIDTH - left - right) / 2:.1f}" y="{height - 6}" '
        'text-anchor="middle">weekday (UTC)</text>'
    )
    return _svg(height, "".join(parts))


def _levels(report: Report) -> str:
    rows = (("plays", "play_share"), ("users with plays", "user_share"))
    label_w = max(_width(title) for title, _ in rows) + 10
    plot_w, row, top = _WIDTH - label_w - _width("100%") / 2 - 4, 32, 24
    colors = {
        lv.level: _LEVEL_COLORS.get(lv.level, _OTHER_LEVELS[i % len(_OTHER_LEVELS)])
        for i, lv in enumerate(report.levels)
    }
    parts = [f'<text class="axis-y" x="0" y="{_FONT + 2}">share of</text>']
    legend_x = float(_WIDTH)
    for lv in reversed(report.levels):  # the legend, right-aligned above the bars
        legend_x -= _width(lv.level) + 4
        parts.append(f'<text x="{legend_x:.1f}" y="{_FONT + 2}">{escape(lv.level)}</text>')
        legend_x -= 16
        parts.append(f'<rect x="{legend_x:.1f}" y="4" width="11" height="11" fill="{colors[lv.level]}"/>')
        legend_x -= 12
    for r, (title, attr) in enumerate(rows):
        x, y = float(label_w), top + r * row
        parts.append(f'<text class="tick-y" x="{label_w - 8}" y="{y + 16}" text-anchor="end">{title}</text>')
        for lv in report.levels:
            share = getattr(lv, attr)
            w = share * plot_w
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 8}" fill="{colors[lv.level]}">'
                f"<title>{escape(lv.level)}: {percent(share)} of {title}</title></rect>"
            )
            text = f"{lv.level} {percent(share)}"
            if w > _width(text) + 10:
                ink = _INK if colors[lv.level] == _GREY else "#fff"
                parts.append(f'<text x="{x + 6:.1f}" y="{y + 16}" style="fill:{ink}">{escape(text)}</text>')
            x += w
    bottom = top + 2 * row - 4
    for k in range(5):
        x = label_w + plot_w * k / 4
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="{_GREY}"/>'
            f'<text class="tick-x" x="{x:.1f}" y="{bottom + 17}" text-anchor="middle">{25 * k}%</text>'
        )
    parts.append(
        f'<text class="axis-x" x="{label_w + plot_w / 2:.1f}" y="{bottom + 35}" text-anchor="middle">share (%)</text>'
    )
    cells = "".join(
        f"<tr><td>{escape(lv.level)}</td><td class='n'>{lv.plays:,}</td><td class='n'>{percent(lv.play_share)}</td>"
        f"<td class='n'>{lv.users_with_plays:,}</td><td class='n'>{percent(lv.user_share)}</td></tr>"
        for lv in report.levels
    )
    table = (
        "<table><tr><th>level</th><th class='n'>plays</th><th class='n'>share of plays</th>"
        f"<th class='n'>users with plays</th><th class='n'>share of users</th></tr>{cells}</table>"
    )
    note = '<p class="note">A user counts at the level of their last play in these days.</p>'
    return _svg(bottom + 42, "".join(parts)) + table + note


def _users(report: Report) -> str:
    rows = "".join(
        f"<tr><td>{escape(u.user_id)}</td><td>{escape(' '.join(p for p in (u.first_name, u.last_name) if p))}</td>"
        f"<td>{escape(u.level or '')}</td><td class='n'>{u.plays:,}</td><td class='n'>{u.sessions:,}</td></tr>"
        for u in report.top_users
    )
    return (
        "<table><tr><th>user</th><th>name</th><th>level</th><th class='n'>plays</th>"
        f"<th class='n'>sessions</th></tr>{rows}</table>"
    )


def _svg(height: float, content: str) -> str:
    return f'<svg viewBox="0 0 {_WIDTH} {height:.0f}" role="img">{content}</svg>'
