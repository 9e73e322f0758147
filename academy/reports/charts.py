"""Geometry for the server-rendered SVG charts (the templates draw them; no JavaScript)."""
from dataclasses import dataclass

WIDTH = 320
BAR = 22
GAP = 8
LABEL = 16


@dataclass
class Bar:
    label: str
    value: int | None  # None: suppressed, no bar drawn
    text: str  # the value as printed next to the bar
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0


def horizontal(items):
    """Bars for (label, value or None, text) items: a label line above each bar."""
    largest = max([v for _, v, _ in items if v] or [1])
    bars, y = [], 0
    for label, value, text in items:
        bar = Bar(label, value, text, x=0, y=y + LABEL, height=BAR)
        bar.width = round((WIDTH - 60) * (value or 0) / largest, 1)
        bars.append(bar)
        y += LABEL + BAR + GAP
    return {"bars": bars, "width": WIDTH, "height": max(y, 1)}


def columns(items, tick_every=3):
    """Vertical columns for (label, value or None, text) items, e.g. months; every
    `tick_every`-th label is printed under the axis."""
    plot = 150
    largest = max([v for _, v, _ in items if v] or [1])
    step = (WIDTH - 10) / max(len(items), 1)
    bars = []
    for index, (label, value, text) in enumerate(items):
        height = round(plot * (value or 0) / largest, 1)
        bars.append(Bar(label, value, text, x=round(5 + index * step + step * 0.15, 1),
                        y=round(plot - height + 14, 1), width=round(step * 0.7, 1), height=height))
    shown = [v for _, v, _ in items if v]
    ticks = [(bar.x + bar.width / 2, bar.label) for i, bar in enumerate(bars) if i % tick_every == 0]
    return {"bars": bars, "ticks": ticks, "width": WIDTH, "height": plot + 40,
            "axis": plot + 14, "largest": max(shown) if shown else None}
