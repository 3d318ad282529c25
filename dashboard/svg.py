"""Line charts drawn as SVG on the server: large type, a legend, values on hover.

Made for reading rather than decoration: 16 px text at the chart's natural size
(960 px wide), at most eight time labels so none overlap, a titled y axis with round
ticks, and series told apart by colour *and* dash, from the Okabe–Ito palette, which
stays distinguishable with the common colour-vision deficiencies. Each point carries a
``<title>`` ("normal processed at 14:05: 12"), which browsers show on hover when the
SVG is part of the page. Colours are presentation attributes, never ``style``, so the
pages' strict Content-Security-Policy allows them; text and grid take the page's
colours through classes (so dark mode applies).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
DASHES = ("", "7 5", "2 4")
WIDTH, HEIGHT = 960, 380
LEFT, RIGHT, TOP, BOTTOM = 86, 24, 16, 68
FONT = 16
LEGEND_ROW = 26
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]
    colour: int = 0
    """Index into :data:`OKABE_ITO` (a queue keeps its colour across series)."""
    dash: int = 0
    """Index into :data:`DASHES` (a measure keeps its dash: processed solid, failed dashed)."""


def line_chart(title: str, x_labels: list[str], series: list[Series], y_title: str, x_title: str) -> str:
    """The chart as one ``<svg>`` element (no XML declaration, so it can be inlined)."""
    legend_rows = _legend_layout(series)
    top = TOP + LEGEND_ROW * len(legend_rows)
    height = HEIGHT + top - TOP
    plot_h = height - top - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    values = [v for s in series for v in s.values if v is not None]
    ticks = _ticks(max(values, default=0))
    y_max = ticks[-1] or 1
    count = max(len(x_labels), 1)

    def x(index: int) -> float:
        return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / y_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" font-size="{FONT}">',
        f"<title>{escape(title)}</title>",
        *_legend(legend_rows),
        *_y_axis(ticks, y, top, plot_h, y_title),
        *_x_axis(x_labels, x, top + plot_h, x_title),
    ]
    if not values:
        parts.append(
            f'<text class="empty" x="{LEFT + plot_w / 2}" y="{top + plot_h / 2}" '
            f'text-anchor="middle" font-size="16">No data in this range yet</text>'
        )
    for s in series:
        parts += _series(s, x_labels, x, y)
    parts.append("</svg>")
    return "\n".join(parts)


def _ticks(top: float) -> list[float]:
    """0 and four more round steps (1, 2, 2.5 or 5 × 10ⁿ) reaching at least ``top``."""
    if top <= 0:
        return [0, 1, 2, 3, 4]
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [step * i for i in range(5)]


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}" if value == round(value, 2) else f"{value:.2f}"


def _y_axis(ticks: list[float], y, top: float, plot_h: float, title: str) -> list[str]:
    out = []
    for tick in ticks:
        pos = y(tick)
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{pos:.1f}" y2="{pos:.1f}"/>')
        out.append(f'<text x="{LEFT - 8}" y="{pos + 6:.1f}" text-anchor="end">{_number(tick)}</text>')
    middle = top + plot_h / 2
    out.append(
        f'<text class="axis-title" x="18" y="{middle:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 18 {middle:.1f})">{escape(title)}</text>'
    )
    return out


def _x_axis(labels: list[str], x, bottom: float, title: str) -> list[str]:
    out = [f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom:.1f}" y2="{bottom:.1f}"/>']
    every = max(math.ceil(len(labels) / MAX_X_LABELS), 1)
    for index in range(0, len(labels), every):
        pos = x(index)
        out.append(
            f'<line class="axis" x1="{pos:.1f}" x2="{pos:.1f}" y1="{bottom:.1f}" y2="{bottom + 6:.1f}"/>'
        )
        out.append(
            f'<text x="{pos:.1f}" y="{bottom + 26:.1f}" text-anchor="middle">{escape(labels[index])}</text>'
        )
    centre = LEFT + (WIDTH - LEFT - RIGHT) / 2
    out.append(
        f'<text class="axis-title" x="{centre:.1f}" y="{bottom + 54:.1f}" '
        f'text-anchor="middle">{escape(title)}</text>'
    )
    return out


def _legend_layout(series: list[Series]) -> list[list[tuple[Series, float]]]:
    """Legend entries in rows that fit the width (text measured at ~0.6 em a character)."""
    rows: list[list[tuple[Series, float]]] = [[]]
    used = LEFT
    for s in series:
        width = 34 + len(s.label) * FONT * 0.6 + 22
        if used + width > WIDTH - RIGHT and rows[-1]:
            rows.append([])
            used = LEFT
        rows[-1].append((s, used))
        used += width
    return rows if rows[0] else []


def _legend(rows: list[list[tuple[Series, float]]]) -> list[str]:
    out = []
    for number, row in enumerate(rows):
        y = TOP + LEGEND_ROW * number + 8
        for s, left in row:
            colour, dash = OKABE_ITO[s.colour % len(OKABE_ITO)], DASHES[s.dash % len(DASHES)]
            dashing = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<line x1="{left:.0f}" x2="{left + 28:.0f}" y1="{y}" y2="{y}" stroke="{colour}" '
                f'stroke-width="4"{dashing}/>'
            )
            out.append(f'<text x="{left + 34:.0f}" y="{y + 6}">{escape(s.label)}</text>')
    return out


def _series(s: Series, labels: list[str], x, y) -> list[str]:
    colour, dash = OKABE_ITO[s.colour % len(OKABE_ITO)], DASHES[s.dash % len(DASHES)]
    dashing = f' stroke-dasharray="{dash}"' if dash else ""
    out, run = [], []
    for index, value in enumerate(s.values):
        if value is None:
            run.append(None)
            continue
        run.append(f"{x(index):.1f},{y(value):.1f}")
    for segment in " ".join(p or "|" for p in run).split("|"):
        if segment.strip():
            out.append(
                f'<polyline class="line" points="{segment.strip()}" stroke="{colour}" fill="none" '
                f'stroke-width="2.5"{dashing}/>'
            )
    radius = 3.5 if len(labels) <= 90 else 2.5
    for index, value in enumerate(s.values):
        if value is None:
            continue
        label = escape(f"{s.label} at {labels[index]}: {_number(value)}")
        out.append(
            f'<circle class="point" cx="{x(index):.1f}" cy="{y(value):.1f}" r="{radius}" fill="{colour}" '
            f'tabindex="-1"><title>{label}</title></circle>'
        )
    return out
