"""The progress chart: one bar per skill, its recall now, grouped by family.

Like every picture it holds numbers and symbols only: bars are numbered within their
family (the embed beside it names each number in the reader's language), each family
has its colour and pictogram, and a line marks the 90 % a skill counts as mastered at.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.present.pictures._canvas import _Canvas
from bot.present.pictures._palette import (
    CHART_GRID,
    FAMILY_COLOURS,
    INK,
    MUTED,
    POINTS_LINE,
    RGB,
)
from bot.present.pictures.charts import _icon

MASTERED = 0.9
_BASE, _TOP, _X0 = 230, 30, 60
_BAR, _PITCH, _FAMILY_GAP = 22, 30, 26


def render_progress_chart(skills: Sequence[tuple[str, float | None]]) -> bytes:
    """A PNG of ``skills``: (family, recall now in 0..1, or None when never practised),
    in catalogue order; a skill never practised gets a "-" and no bar."""
    from bot.engine.bank import KINDS  # the family order (bank may import pictures' users)

    canvas = _Canvas()
    height = _BASE - _TOP
    # Where each bar goes: numbered within its family, a gap between families.
    bars: list[tuple[int, str, int, float | None]] = []  # x, family, number, recall
    x, previous, number = _X0 + 20, None, 0
    for family, recall in skills:
        if family != previous:
            x += _FAMILY_GAP if previous is not None else 0
            previous, number = family, 0
        number += 1
        bars.append((x, family, number, recall))
        x += _PITCH
    right = x
    for percent in (0, 50, 100):
        y = _BASE - height * percent // 100
        if percent:
            canvas.line([(_X0 + 1, y), (right, y)], CHART_GRID)
        canvas.text(_X0 - 6, y, f"{percent}%", size=12, colour=MUTED, align="r")
    mastered_y = _BASE - round(height * MASTERED)
    canvas.line([(_X0 + 1, mastered_y), (right, mastered_y)], POINTS_LINE)
    canvas.text(_X0 - 6, mastered_y, "90%", size=12, colour=POINTS_LINE, align="r")
    for x, family, number, recall in bars:
        colour = _colour(family, KINDS)
        if recall is None:
            canvas.text(x, _BASE - 10, "-", size=12)
        else:
            share = min(max(recall, 0.0), 1.0)
            top = _BASE - round(height * share)
            canvas.rect((x - _BAR // 2, top, x + _BAR // 2, _BASE), fill=colour)
            canvas.text(x, top - 9, f"{round(100 * share)}", size=11)
        canvas.text(x, _BASE + 12, str(number), size=11, colour=MUTED)
    canvas.line([(_X0, _TOP), (_X0, _BASE)], MUTED)
    canvas.line([(_X0, _BASE), (right, _BASE)], INK)
    for family in dict.fromkeys(family for _, family, _, _ in bars):
        xs = [x for x, other, _, _ in bars if other == family]
        _icon(canvas, family, (xs[0] + xs[-1]) // 2, _BASE + 36, _colour(family, KINDS))
    return canvas.png()


def _colour(family: str, kinds: Sequence[str]) -> RGB:
    # A template is a family of its own: it takes the last colour.
    return FAMILY_COLOURS[kinds.index(family)] if family in kinds else FAMILY_COLOURS[-1]
