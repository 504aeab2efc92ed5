"""Small server-side SVG charts: bars and lines, accessible and readable on a 360-px phone.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>`` (``aria-labelledby``),
drawn in a ``viewBox`` close to a phone's width so that its text stays legible when it scales to
``width:100%``. Series differ by more than colour (solid / hatched bars; solid / dashed lines with round /
square markers) and the colours have at least 4.5:1 contrast on white. The page shows the chart's data
table beside it: the chart is a picture of the table, never the only place a number is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 320, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 6, 34, 36
COLOURS = ("#0b4f8a", "#a13d00", "#1b6e2e")  # 8.3:1, 6.4:1, 6.1:1 on white
FONT = 'font-family="system-ui, sans-serif" font-size="13" fill="#1a1a1a"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_max(value: float) -> float:
    """A round upper bound for the axis: 1, 2, 2.5, 5 × a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _frame(ident: str, title: str, desc: str, body: list[str]) -> SafeString:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="100%" preserveAspectRatio="xMidYMid meet" aria-labelledby="{ident}-title {ident}-desc">'
            f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>')
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text above is escaped


def _axes(top: float, percent: bool) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    out = []
    for i in range(5):
        value = top * i / 4
        y = HEIGHT - BOTTOM - plot_h * i / 4
        label = f"{_num(value * 100)}%" if percent else _num(value)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b8c4d0" '
                   f'stroke-width="1"/><text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" {FONT}>'
                   f'{escape(label)}</text>')
    return out


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    """One label per slot; a label "a\nb" is written on two lines (a month over its year)."""
    every = 1 if len(labels) <= 12 else 2
    out = []
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = LEFT + slot * (i + 0.5)
        lines = label.split("\n")
        spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if n == 0 else 14}">{escape(line)}</tspan>'
                        for n, line in enumerate(lines) if line)
        out.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" {FONT}>{spans}</text>')
    return out


def _legend(series: Sequence[Series], line: bool) -> list[str]:
    out, x = [], float(LEFT)
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        if line:
            dash = ' stroke-dasharray="6 3"' if i % 2 else ""
            out.append(f'<line x1="{x:.1f}" x2="{x + 18:.1f}" y1="12" y2="12" stroke="{colour}" stroke-width="3"'
                       f'{dash}/>')
        else:
            out.append(f'<rect x="{x:.1f}" y="5" width="14" height="14" fill="{_fill(i)}" stroke="{colour}"/>')
        out.append(f'<text x="{x + 22:.1f}" y="17" {FONT}>{escape(s.name)}</text>')
        x += 34 + 7.5 * len(s.name)
    return out


def _fill(i: int) -> str:
    return COLOURS[i % len(COLOURS)] if i % 2 == 0 else f"url(#hatch{i})"


def _patterns(series: Sequence[Series]) -> str:
    parts = []
    for i in range(1, len(series), 2):
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<pattern id="hatch{i}" width="6" height="6" patternUnits="userSpaceOnUse" '
                     f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
                     f'<rect width="3" height="6" fill="{colour}"/></pattern>')
    return f"<defs>{''.join(parts)}</defs>" if parts else ""


def bar_chart(ident: str, title: str, labels: Sequence[str], series: Sequence[Series], desc: str = "") -> SafeString:
    """Grouped vertical bars, one group per label."""
    values = [v for s in series for v in s.values if v is not None]
    top = nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    bar = slot * 0.8 / max(1, len(series))
    body = [_patterns(series), *_axes(top, False), *_x_labels(labels, slot), *_legend(series, False)]
    for j, s in enumerate(series):
        for i, v in enumerate(s.values):
            if not v:
                continue
            h = plot_h * v / top
            x = LEFT + slot * i + slot * 0.1 + bar * j
            body.append(f'<rect x="{x:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                        f'fill="{_fill(j)}" stroke="{COLOURS[j % len(COLOURS)]}" stroke-width="1"/>')
    return _frame(ident, title, desc, body)


def line_chart(ident: str, title: str, labels: Sequence[str], series: Sequence[Series], desc: str = "",
               percent: bool = True, intervals: Sequence[tuple[float, float] | None] = ()) -> SafeString:
    """Lines over the labels; ``percent`` draws values 0-1 on a 0-100 % axis. A gap where a value is None.
    ``intervals``: the first series' (low, high) at each label, drawn as whiskers (a confidence interval)."""
    values = [v for s in series for v in s.values if v is not None]
    top = 1.0 if percent else nice_max(max([*values, *(hi for b in intervals if b for hi in b[1:])], default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    body = [*_axes(top, percent), *_x_labels(labels, slot), *_legend(series, True)]
    for i, band in enumerate(intervals):
        if band is None:
            continue
        x = LEFT + slot * (i + 0.5)
        y_low, y_high = (HEIGHT - BOTTOM - plot_h * v / top for v in band)
        body.append(f'<path d="M{x - 4:.1f},{y_high:.1f}h8M{x:.1f},{y_high:.1f}V{y_low:.1f}M{x - 4:.1f},'
                    f'{y_low:.1f}h8" stroke="{COLOURS[0]}" stroke-width="1.5" fill="none"/>')
    for j, s in enumerate(series):
        colour = COLOURS[j % len(COLOURS)]
        dash = ' stroke-dasharray="6 3"' if j % 2 else ""
        points: list[str] = []
        runs: list[list[str]] = [points]
        for i, v in enumerate(s.values):
            if v is None:
                points = []
                runs.append(points)
                continue
            x, y = LEFT + slot * (i + 0.5), HEIGHT - BOTTOM - plot_h * v / top
            points.append(f"{x:.1f},{y:.1f}")
            marker = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>' if j % 2 == 0 else
                      f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>')
            body.append(marker)
        for run in runs:
            if len(run) > 1:
                body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2.5"'
                            f'{dash}/>')
    return _frame(ident, title, desc, body)
