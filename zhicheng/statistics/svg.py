"""Small server-side SVG charts: horizontal bars (long Chinese labels fit on a phone) and lines over years.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` (the numbers in words), with a
viewBox and no fixed width, so it scales to its box: 640 units wide, drawn at the box's width (no overflow at
390 px). Every text is escaped; colours are presentation attributes (the CSP allows no inline styles).
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 640
COLOURS = ("#1f5fa8", "#c2570c", "#2f7d32", "#7b3fa0")  # dark enough for white text and against white (WCAG AA)
TEXT = "#222"
GRID = "#d0d4da"
FONT = 'font-family="sans-serif"'


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}"


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _head(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]


def _legend(names: list[str], y: int) -> list[str]:
    parts, x = [], 0
    for i, name in enumerate(names):
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="{y - 11}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 17}" y="{y}" font-size="13" fill="{TEXT}" {FONT}>{escape(name)}</text>')
        x += 30 + 14 * len(name)
    return parts


def describe(labels: list[str], series: list[tuple[str, list]], unit: str) -> str:
    """The chart's numbers in words, for screen readers (the table below the chart says them too)."""
    parts = []
    for i, label in enumerate(labels):
        values = "，".join(f"{name} {_number(values[i])}{unit}" for name, values in series)
        parts.append(f"{label}：{values}")
    return "；".join(parts)


def bar_chart(chart_id: str, title: str, labels: list[str], series: list[tuple[str, list]], unit: str = "",
              sublabels: list[str] | None = None) -> str:
    """Horizontal bars, one group per label, one bar per series; the value written at each bar's end. A sublabel (e.g.
    the stage a desk held) is written in smaller type under its label."""
    label_width, value_room, bar, gap = 240, 60, 16, 10
    top = 26 if len(series) > 1 else 6
    group = bar * len(series) + gap
    height = top + group * max(len(labels), 1) + 4
    largest = max((v for _name, values in series for v in values if v is not None), default=0) or 1
    span = WIDTH - label_width - value_room
    parts = _head(chart_id, title, describe(labels, series, unit), height)
    if len(series) > 1:
        parts += _legend([name for name, _values in series], 16)
    parts.append(f'<line x1="{label_width}" y1="{top - 2}" x2="{label_width}" y2="{height - 2}" stroke="{GRID}"/>')
    for i, label in enumerate(labels):
        y = top + i * group
        middle = y + bar * len(series) / 2 - 1
        sub = sublabels[i] if sublabels else ""
        parts.append(f'<g><title>{escape(label)}{escape("（" + sub + "）" if sub else "")}</title>')
        parts.append(f'<text x="{label_width - 6}" y="{middle - 7 if sub else middle:.0f}" font-size="13" text-anchor="end" '
                     f'dominant-baseline="middle" fill="{TEXT}" {FONT}>{escape(_short(label, 18))}</text>')
        if sub:
            parts.append(f'<text x="{label_width - 6}" y="{middle + 8:.0f}" font-size="11" text-anchor="end" '
                         f'dominant-baseline="middle" fill="#555" {FONT}>{escape(_short(sub, 20))}</text>')
        for j, (_name, values) in enumerate(series):
            value = values[i]
            length = 0 if value is None else max(span * value / largest, 1 if value else 0)
            by = y + j * bar
            parts.append(f'<rect x="{label_width}" y="{by}" width="{length:.1f}" height="{bar - 2}" fill="{COLOURS[j % len(COLOURS)]}"/>')
            parts.append(f'<text x="{label_width + length + 4:.1f}" y="{by + bar / 2:.0f}" font-size="12" dominant-baseline="middle" '
                         f'fill="{TEXT}" {FONT}>{escape(_number(value))}{escape(unit)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # nosec B308 B703 - every text in the SVG is escaped above; numbers and ids are ours


def line_chart(chart_id: str, title: str, labels: list[str], series: list[tuple[str, list]], unit: str = "") -> str:
    """Lines over the labels (years), a point and its value at each; a horizontal grid of four steps."""
    height, left, right, top, bottom = 270, 56, 20, 48, 30
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    largest = max((v for _name, values in series for v in values if v is not None), default=0) or 1
    step = max(1, len(labels) - 1)
    parts = _head(chart_id, title, describe(labels, series, unit), height)
    parts += _legend([name for name, _values in series], 16)
    for k in range(5):
        value = largest * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{TEXT}" {FONT}>{escape(_number(round(value)))}</text>')

    def x_of(i):
        return left + (plot_w * i / step if len(labels) > 1 else plot_w / 2)

    for i, label in enumerate(labels):
        parts.append(f'<text x="{x_of(i):.1f}" y="{height - 10}" font-size="12" text-anchor="middle" fill="{TEXT}" {FONT}>{escape(label)}</text>')
    for j, (name, values) in enumerate(series):
        colour = COLOURS[j % len(COLOURS)]
        points = [(x_of(i), top + plot_h - plot_h * v / largest, v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for x, y, v in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>{escape(name)} {escape(_number(v))}</title></circle>')
            parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="11" text-anchor="middle" fill="{colour}" {FONT}>{escape(_number(v))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # nosec B308 B703 - every text in the SVG is escaped above; numbers and ids are ours


def chart_of(table, limit: int = 12) -> str:
    """The chart a statistics table asks for, drawn from its first ``limit`` rows."""
    if not table.chart or not table.rows:
        return ""
    rows = table.rows[:limit]
    labels = [str(r[table.label_column]) for r in rows]
    series = [(table.columns[c], [r[c] for r in rows]) for c in table.value_columns]
    if table.chart == "line":
        return line_chart(f"chart-{table.key}", table.title, labels, series, table.unit)
    sublabels = [str(r[table.sublabel_column]) for r in rows] if table.sublabel_column is not None else None
    return bar_chart(f"chart-{table.key}", table.title, labels, series, table.unit, sublabels)
