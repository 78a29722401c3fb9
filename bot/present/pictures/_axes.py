"""Grid geometry: where each cell of an axis is drawn, and schematic breaks.

Large inputs are drawn schematically: an axis with more than ``SCHEMATIC_THRESHOLD``
(16) pixels shows its first cells (enough for the kernel window at two positions), a
break with an ellipsis, and its last cells, and the break widens with the logarithm of
the size so a 160×40 input still looks wider than tall. An axis whose break would hide
fewer than 3 cells is drawn whole instead, so no grid has more than about 32 cells per
axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.present.pictures._canvas import _Canvas
from bot.present.pictures._palette import (
    GRID_LINE,
    INPUT_CELL,
    PADDING_CELL,
    PADDING_LINE,
    RGB,
)

SCHEMATIC_THRESHOLD = 16  # an axis with more input pixels than this is drawn with a break


@dataclass(frozen=True, slots=True)
class _Axis:
    """Where each logical cell of one grid axis is drawn: all of them, or a head and a tail
    with a break of ``gap`` pixels between."""

    count: int
    head: int
    tail: int
    pitch: int
    gap: int

    @classmethod
    def exact(cls, count: int, pitch: int) -> _Axis:
        return cls(count, count, 0, pitch, 0)

    @property
    def broken(self) -> bool:
        return self.gap > 0

    def indices(self) -> list[int]:
        return [*range(self.head), *range(self.count - self.tail, self.count)]

    def start(self, index: int) -> int:
        if index < self.head:
            return index * self.pitch
        return self.head * self.pitch + self.gap + (index - (self.count - self.tail)) * self.pitch

    def end(self, index: int) -> int:
        return self.start(index) + self.pitch

    def centre(self, index: int) -> int:
        return self.start(index) + self.pitch // 2

    @property
    def length(self) -> int:
        return (self.head + self.tail) * self.pitch + self.gap

    @property
    def gap_centre(self) -> int:
        return self.head * self.pitch + self.gap // 2


def _gap_cells(size: int) -> float:
    """Width of a break, in cells: grows with log(size) so aspect ratios still show."""
    return min(8.0, 1.5 + 1.5 * math.log2(max(size, SCHEMATIC_THRESHOLD) / SCHEMATIC_THRESHOLD))


def _plan(
    size: int, before: int, after: int, need: int, pitch: int, limit: int = SCHEMATIC_THRESHOLD
) -> _Axis:
    """Lay out ``before`` padding, ``size`` pixels and ``after`` padding on one axis.

    ``need`` cells from the start must be visible (where the windows are drawn); an axis
    with more than ``limit`` pixels gets a break if that hides at least 3 cells."""
    total = before + size + after
    head = min(total, max(need, before + 3))
    tail = after + 2
    if size <= limit or total - head - tail < 3:
        return _Axis.exact(total, pitch)
    return _Axis(total, head, tail, pitch, round(pitch * _gap_cells(size)))


def _balance(rows: _Axis, cols: _Axis, height: int, width: int) -> tuple[_Axis, _Axis]:
    """Widen a break so the drawing keeps the input's shape: a square input is drawn
    square, and the longer side is drawn longer (by 1.5 cells per doubling, at least 1)."""
    if height == width:
        if rows.broken != cols.broken:  # same size, one axis short of a break: no breaks
            return _Axis.exact(rows.count, rows.pitch), _Axis.exact(cols.count, cols.pitch)
        longest = max(rows.length, cols.length)
        return _stretch(rows, longest), _stretch(cols, longest)
    pitch = rows.pitch
    extra = max(pitch, round(pitch * 1.5 * math.log2(max(height, width) / min(height, width))))
    if height > width:
        return _stretch(rows, cols.length + extra), cols
    return rows, _stretch(cols, rows.length + extra)


def _stretch(axis: _Axis, length: int) -> _Axis:
    """``axis`` with its break widened to make it at least ``length`` long (if broken)."""
    if not axis.broken or axis.length >= length:
        return axis
    return _Axis(axis.count, axis.head, axis.tail, axis.pitch, axis.gap + length - axis.length)


def _placeholder(pitch: int) -> _Axis:
    """An output axis of unknown size: three cells and an ellipsis."""
    return _Axis(1_000_000, 3, 0, pitch, round(pitch * 1.5))


def _grid(
    canvas: _Canvas,
    x: int,
    y: int,
    rows: _Axis,
    cols: _Axis,
    padded: tuple[int, int, int, int] = (0, 0, 0, 0),
    cell: RGB = INPUT_CELL,
    fill_breaks: bool = True,
) -> None:
    """Cells of a (possibly broken) grid; ``padded`` = rows before/after, cols before/after.
    With ``fill_breaks`` the rows and columns run on through the breaks, unbordered."""
    top, bottom, left, right = padded

    def is_pad(i: int, j: int) -> bool:
        return i < top or i >= rows.count - bottom or j < left or j >= cols.count - right

    for pad_pass in (True, False):  # padding first: input borders win where they meet
        for i in rows.indices():
            for j in cols.indices():
                if is_pad(i, j) != pad_pass:
                    continue
                x0, y0 = x + cols.start(j), y + rows.start(i)
                canvas.rect(
                    (x0, y0, x0 + cols.pitch, y0 + rows.pitch),
                    fill=PADDING_CELL if pad_pass else cell,
                    outline=PADDING_LINE if pad_pass else GRID_LINE,
                )
    # Breaks: the rows (columns) run on through them without cell borders, as if the
    # hidden pixels were squeezed together, and an ellipsis says so.
    gx0, gx1 = x + cols.head * cols.pitch, x + cols.head * cols.pitch + cols.gap
    gy0, gy1 = y + rows.head * rows.pitch, y + rows.head * rows.pitch + rows.gap
    if fill_breaks and rows.broken and cols.broken:
        canvas.rect((gx0, gy0, gx1, gy1), fill=cell)
    if fill_breaks and cols.broken:
        for pad_pass in (True, False):
            for i in rows.indices():
                if (i < top or i >= rows.count - bottom) != pad_pass:
                    continue
                y0 = y + rows.start(i)
                canvas.rect(
                    (gx0 + 1, y0 + 1, gx1 - 1, y0 + rows.pitch - 1),
                    fill=PADDING_CELL if pad_pass else cell,
                )
    if fill_breaks and rows.broken:
        for pad_pass in (True, False):
            for j in cols.indices():
                if (j < left or j >= cols.count - right) != pad_pass:
                    continue
                x0 = x + cols.start(j)
                canvas.rect(
                    (x0 + 1, gy0 + 1, x0 + cols.pitch - 1, gy1 - 1),
                    fill=PADDING_CELL if pad_pass else cell,
                )
    if cols.broken:
        for i in rows.indices():
            canvas.hdots((gx0 + gx1) // 2, y + rows.centre(i))
    if rows.broken:
        for j in cols.indices():
            canvas.vdots(x + cols.centre(j), (gy0 + gy1) // 2)
    if rows.broken and cols.broken:
        canvas.ddots((gx0 + gx1) // 2, (gy0 + gy1) // 2)


def _fill_cell(
    canvas: _Canvas, x: int, y: int, rows: _Axis, cols: _Axis, i: int, j: int, colour: RGB
) -> None:
    x0, y0 = x + cols.start(j), y + rows.start(i)
    canvas.rect((x0 + 1, y0 + 1, x0 + cols.pitch - 1, y0 + rows.pitch - 1), fill=colour)


def _outline(
    canvas: _Canvas,
    x: int,
    y: int,
    rows: _Axis,
    cols: _Axis,
    cells: tuple[int, int, int, int],
    colour: RGB,
) -> None:
    """A 3-pixel frame centred on the border lines of rows i0..i1, cols j0..j1."""
    i0, i1, j0, j1 = cells
    canvas.rect(
        (
            x + cols.start(j0) - 1,
            y + rows.start(i0) - 1,
            x + cols.end(j1) + 1,
            y + rows.end(i1) + 1,
        ),
        outline=colour,
        width=3,
    )
