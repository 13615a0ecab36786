"""Charts drawn as inline SVG: no JavaScript, no external files, readable in print.

Only published values are drawn. A suppressed, not applicable or unavailable
value has no bar or point: its marker (`c`, `z`, `x`) is written where the bar
would be. Colours are the UK Government Analysis Function's accessible palette;
series also differ by marker shape, and every value is labelled or tabled, so
nothing depends on colour alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from .tables import display, is_number

# Analysis Function accessible palette: dark blue, turquoise, dark pink, orange, dark grey, light purple.
PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
TEXT = "#0b0c0c"
MUTED = "#505a5f"
GRID = "#d8d8d8"
WIDTH = 720
_SHAPES = ("circle", "square", "triangle", "diamond", "circle", "square")


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    svg: str  # markup, already escaped
    summary: str  # the text alternative


def _ticks(top: float, integer: bool) -> list[float]:
    """0 and round steps up to at least `top` (about four intervals)."""
    top = max(top, 1.0)
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1, math.ceil(step))
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _fmt(number: float) -> str:
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:g}"


def _svg(chart_id: str, title: str, summary: str, height: float, body: list[str], width: int = WIDTH) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {width} {height:.0f}" width="{width}" height="{height:.0f}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family="Arial, \'Liberation Sans\', Helvetica, sans-serif">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(summary)}</desc>'
        + "".join(body) + "</svg>"
    )


def _summary(labels: list[str], values: list[str | None], unit: str) -> str:
    return "; ".join(f"{label}: {display(value, unit)}" for label, value in zip(labels, values)) + "."


def column_chart(chart_id: str, title: str, labels: list[str], values: list[str | None], unit: str,
                 provisional: frozenset[int] = frozenset(), width: int = WIDTH, height: int = 330) -> Chart:
    """Vertical bars, one per period, each labelled with its published value.

    Bars at `provisional` indexes are hatched and labelled "(provisional)".
    """
    left, right, top, bottom = 56, 16, 28, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(v) for v in values if is_number(v)]
    ticks = _ticks(max(numbers, default=0), integer=unit == "count")
    y_max = ticks[-1]
    base = top + plot_h
    body = [
        f'<defs><pattern id="{chart_id}-hatch" patternUnits="userSpaceOnUse" width="7" height="7" '
        f'patternTransform="rotate(45)"><rect width="7" height="7" fill="#dbe5f0"/>'
        f'<line x1="0" y1="0" x2="0" y2="7" stroke="{PALETTE[0]}" stroke-width="3"/></pattern></defs>'
    ]
    for tick in ticks:
        y = base - tick / y_max * plot_h
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{MUTED}">'
                    f'{_fmt(tick)}{"%" if unit == "percent" else ""}</text>')
    band = plot_w / max(len(labels), 1)
    bar_w = min(64.0, band * 0.62)
    for i, (label, value) in enumerate(zip(labels, values)):
        cx = left + band * (i + 0.5)
        if is_number(value):
            h = float(value) / y_max * plot_h
            fill = f"url(#{chart_id}-hatch)" if i in provisional else PALETTE[0]
            body.append(f'<rect class="bar" x="{cx - bar_w / 2:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" '
                        f'height="{h:.1f}" fill="{fill}" stroke="{PALETTE[0]}" stroke-width="1"/>')
            body.append(f'<text x="{cx:.1f}" y="{base - h - 6:.1f}" text-anchor="middle" font-size="13" '
                        f'font-weight="bold" fill="{TEXT}">{escape(display(value, unit))}</text>')
        else:
            body.append(f'<text x="{cx:.1f}" y="{base - 6:.1f}" text-anchor="middle" font-size="13" '
                        f'font-style="italic" fill="{MUTED}">{escape(display(value, unit))}</text>')
        body.append(f'<text x="{cx:.1f}" y="{base + 18:.1f}" text-anchor="middle" font-size="12" '
                    f'fill="{TEXT}">{escape(label)}</text>')
        if i in provisional:
            body.append(f'<text x="{cx:.1f}" y="{base + 34:.1f}" text-anchor="middle" font-size="11" '
                        f'fill="{MUTED}">(provisional)</text>')
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{base}" y2="{base}" stroke="{TEXT}"/>')
    summary = _summary(labels, values, unit)
    return Chart(chart_id, title, _svg(chart_id, title, summary, height, body, width), summary)


def bar_chart(chart_id: str, title: str, labels: list[str], values: list[str | None], unit: str) -> Chart:
    """Horizontal bars, one per category, each labelled with its published value."""
    label_w, right, top, row_h = 210, 64, 8, 26
    height = top + row_h * len(labels) + 30
    x0 = label_w + 10
    plot_w = WIDTH - x0 - right
    numbers = [float(v) for v in values if is_number(v)]
    ticks = _ticks(max(numbers, default=0), integer=unit == "count")
    x_max = ticks[-1]
    bottom = top + row_h * len(labels)
    body = []
    for tick in ticks:
        x = x0 + tick / x_max * plot_w
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" stroke="{GRID}"/>')
        body.append(f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle" font-size="12" fill="{MUTED}">'
                    f'{_fmt(tick)}{"%" if unit == "percent" else ""}</text>')
    for i, (label, value) in enumerate(zip(labels, values)):
        y = top + row_h * i
        mid = y + row_h / 2
        body.append(f'<text x="{label_w}" y="{mid + 4:.1f}" text-anchor="end" font-size="12" fill="{TEXT}">'
                    f'{escape(label)}</text>')
        if is_number(value):
            w = float(value) / x_max * plot_w
            body.append(f'<rect class="bar" x="{x0}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                        f'fill="{PALETTE[0]}"/>')
            body.append(f'<text x="{x0 + w + 6:.1f}" y="{mid + 4:.1f}" font-size="12" font-weight="bold" '
                        f'fill="{TEXT}">{escape(display(value, unit))}</text>')
        else:
            body.append(f'<text x="{x0 + 6}" y="{mid + 4:.1f}" font-size="12" font-style="italic" '
                        f'fill="{MUTED}">{escape(display(value, unit))}</text>')
    body.append(f'<line x1="{x0}" x2="{x0}" y1="{top}" y2="{bottom}" stroke="{TEXT}"/>')
    summary = _summary(labels, values, unit)
    return Chart(chart_id, title, _svg(chart_id, title, summary, height, body), summary)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{colour}"/>'
    corners = {"triangle": ((0, -6), (5.5, 4), (-5.5, 4)), "diamond": ((0, -6), (6, 0), (0, 6), (-6, 0))}
    if shape in corners:
        path = " L".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in corners[shape])
        return f'<path d="M{path} Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'


def line_chart(chart_id: str, title: str, labels: list[str],
               series: list[tuple[str, list[str | None]]], width: int = WIDTH, plot_h: int = 220,
               legend: bool = True) -> Chart:
    """Percentages over the periods, one line per series (0–100%), with a legend below.

    A value that is not a number breaks the line: nothing is drawn for it.
    """
    left, right, top = 56, 24, 16
    base = top + plot_h
    legend_top = base + 40
    height = legend_top + 20 * len(series) + 4 if legend else base + 30
    plot_w = width - left - right
    body = []
    for tick in (0, 25, 50, 75, 100):
        y = base - tick / 100 * plot_h
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{MUTED}">'
                    f'{tick}%</text>')
    inset = plot_w / (2 * max(len(labels), 1))

    def x_at(i: int) -> float:
        return left + inset + (plot_w - 2 * inset) * (i / (len(labels) - 1) if len(labels) > 1 else 0.5)

    for i, label in enumerate(labels):
        body.append(f'<text x="{x_at(i):.1f}" y="{base + 18:.1f}" text-anchor="middle" font-size="12" '
                    f'fill="{TEXT}">{escape(label)}</text>')
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{base}" y2="{base}" stroke="{TEXT}"/>')
    for n, (name, values) in enumerate(series):
        colour, shape = PALETTE[n % len(PALETTE)], _SHAPES[n % len(_SHAPES)]
        points = [(x_at(i), base - float(v) / 100 * plot_h) if is_number(v) else None for i, v in enumerate(values)]
        run: list[tuple[float, float]] = []
        for point in [*points, None]:
            if point is None:
                if len(run) > 1:
                    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                    body.append(f'<polyline class="line" points="{path}" fill="none" stroke="{colour}" '
                                f'stroke-width="2.5"/>')
                run = []
            else:
                run.append(point)
        body.extend(_marker(shape, x, y, colour) for x, y in (p for p in points if p is not None))
        if len(series) == 1:  # one line: label each point, and write each marker where its point would be
            for i, (v, p) in enumerate(zip(values, points)):
                x, y = p if p is not None else (x_at(i), base - 6)
                style = 'font-weight="bold"' if p is not None else f'font-style="italic" fill="{MUTED}"'
                body.append(f'<text x="{x:.1f}" y="{y - 10:.1f}" text-anchor="middle" font-size="12" {style}>'
                            f'{escape(display(v, "percent"))}</text>')
        if not legend:
            continue
        ly = legend_top + 20 * n
        body.append(_marker(shape, left + 6, ly - 4, colour))
        body.append(f'<line x1="{left - 6}" x2="{left + 18}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" '
                    f'stroke-width="2.5"/>')
        body.append(f'<text x="{left + 28}" y="{ly:.1f}" font-size="12" fill="{TEXT}">{escape(name)}</text>')
    summary = " ".join(f"{name}: {_summary(labels, values, 'percent')}" for name, values in series)
    return Chart(chart_id, title, _svg(chart_id, title, summary, height, body, width), summary)
