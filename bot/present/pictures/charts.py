"""The stats chart: a learner's accuracy per family and points per day."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from bot.engine.question import format_number
from bot.present.pictures._canvas import _Canvas
from bot.present.pictures._palette import (
    BACKGROUND,
    CENTER,
    CHART_GRID,
    FAMILY_COLOURS,
    INK,
    MUTED,
    POINTS_LINE,
    RGB,
)


def _icon(canvas: _Canvas, kind: str, x: int, y: int, colour: RGB) -> None:
    """A pictogram of a family (about 24×18), centred on (x, y): no words needed."""
    if kind == "output_size":  # a grid, and the smaller grid it becomes
        for i in range(3):
            for j in range(3):
                canvas.rect(
                    (x - 13 + 6 * j, y - 9 + 6 * i, x - 7 + 6 * j, y - 3 + 6 * i), outline=colour
                )
        for i in range(2):
            for j in range(2):
                canvas.rect(
                    (x + 6 + 5 * j, y - 5 + 5 * i, x + 10 + 5 * j, y - 1 + 5 * i), fill=colour
                )
    elif kind == "param_count":  # a filter stack
        for depth in (3, 2, 1, 0):
            canvas.rect(
                (x - 10 + 3 * depth, y - 5 - 3 * depth, x + 4 + 3 * depth, y + 9 - 3 * depth),
                fill=BACKGROUND,
                outline=colour,
            )
    elif kind == "bottleneck":  # wide, narrow, wide
        canvas.rect((x - 12, y - 9, x - 7, y + 9), fill=colour)
        canvas.rect((x - 2, y - 4, x + 2, y + 4), fill=colour)
        canvas.rect((x + 7, y - 9, x + 12, y + 9), fill=colour)
    elif kind == "odd_kernel":  # a 3×3 kernel and its centre
        for i in range(3):
            for j in range(3):
                canvas.rect(
                    (x - 9 + 6 * j, y - 9 + 6 * i, x - 3 + 6 * j, y - 3 + 6 * i),
                    fill=CENTER if i == j == 1 else None,
                    outline=colour,
                )
    else:
        canvas.dot(x, y, 5, colour)


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def render_stats_chart(
    accuracy_by_kind: Mapping[str, tuple[int, int]],
    points_by_day: Sequence[tuple[datetime.date, int]],
    *,
    end: datetime.date | None = None,
    days: int = 30,
) -> bytes:
    """A PNG with accuracy per family as bars and points per day as a line.

    ``accuracy_by_kind`` maps a kind to (correct, answered); bars follow ``bot.engine.bank.KINDS``
    order, then any other kinds sorted, each with its colour from ``FAMILY_COLOURS`` and a
    pictogram; a kind with nothing answered gets a "-" and no bar. ``points_by_day`` may
    have gaps (a missing day is 0) and repeats (summed); the line covers the ``days`` days
    ending at ``end`` (default: the latest day given, so the picture depends on its
    arguments only).
    """
    from bot.engine.bank import (
        KINDS,  # the family order; imported here so bot.engine.bank may use us
    )

    canvas = _Canvas()
    # Bars.
    order = [k for k in KINDS if k in accuracy_by_kind]
    order += sorted(k for k in accuracy_by_kind if k not in KINDS)
    base, top, x0 = 200, 50, 60
    canvas.line([(x0, top), (x0, base)], MUTED)
    for percent in (0, 50, 100):
        gy = base - (base - top) * percent // 100
        if percent:
            canvas.line([(x0 + 1, gy), (x0 + 40 + 60 * max(len(order), 1), gy)], CHART_GRID)
        canvas.text(x0 - 6, gy, f"{percent}%", size=12, colour=MUTED, align="r")
    for index, kind in enumerate(order):
        correct, answered = accuracy_by_kind[kind]
        colour = FAMILY_COLOURS[KINDS.index(kind) if kind in KINDS else index % len(FAMILY_COLOURS)]
        cx = x0 + 40 + 60 * index
        if answered > 0:
            ratio = min(max(correct / answered, 0.0), 1.0)
            height = round((base - top) * ratio)
            canvas.rect((cx - 17, base - height, cx + 17, base), fill=colour)
            canvas.text(cx, base - height - 10, f"{round(100 * ratio)}%", size=12)
            canvas.text(cx, base + 42, f"{correct}/{answered}", size=12, colour=MUTED)
        else:
            canvas.text(cx, base - 10, "-", size=12)
        _icon(canvas, kind, cx, base + 19, colour)
    canvas.line([(x0, base), (x0 + 40 + 60 * max(len(order), 1) - 10, base)], INK)

    # Points per day.
    totals: dict[datetime.date, int] = {}
    for day, earned in points_by_day:
        totals[day] = totals.get(day, 0) + earned
    last = end or (max(totals) if totals else None)
    lx0 = x0 + 40 + 60 * max(len(order), 1) + 70
    lx1 = lx0 + 300
    canvas.line([(lx0, top), (lx0, base)], MUTED)
    canvas.line([(lx0, base), (lx1, base)], INK)
    values = [0] * days
    if last is not None:
        first = last - datetime.timedelta(days=days - 1)
        for day, earned in totals.items():
            if first <= day <= last:
                values[(day - first).days] = earned
        canvas.text(lx0, base + 14, first.strftime("%m-%d"), size=12, colour=MUTED)
        canvas.text(lx1, base + 14, last.strftime("%m-%d"), size=12, colour=MUTED)
    high = _nice_ceiling(max(values))
    low = min(0, min(values))
    canvas.line([(lx0 + 1, top), (lx1, top)], CHART_GRID)
    canvas.text(lx0 - 6, top, format_number(high), size=12, colour=MUTED, align="r")
    canvas.text(lx0 - 6, base, format_number(low), size=12, colour=MUTED, align="r")
    step = (lx1 - lx0) / max(days - 1, 1)
    points = [
        (round(lx0 + i * step), round(base - (base - top) * (v - low) / (high - low)))
        for i, v in enumerate(values)
    ]
    canvas.line(points, POINTS_LINE, width=2)
    for (px, py), value in zip(points, values, strict=True):
        if value:
            canvas.dot(px, py, 2, POINTS_LINE)
    return canvas.png()
