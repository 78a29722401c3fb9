"""Kernel pictures: a filter stack for the parameter count, and an odd kernel's centre
and 'same' padding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeAlias

from bot.engine.question import format_number
from bot.present.pictures._axes import (
    SCHEMATIC_THRESHOLD,
    _Axis,
    _fill_cell,
    _gap_cells,
    _grid,
    _outline,
)
from bot.present.pictures._canvas import _BIG, _Canvas
from bot.present.pictures._palette import (
    BACKGROUND,
    BIAS_CELL,
    CENTER,
    GRID_LINE,
    KERNEL_BACK,
    KERNEL_CELL,
    KERNEL_LINE,
    MUTED,
    PADDING_LINE,
    WINDOW2,
)
from bot.present.pictures._params import _MAX_TAPS, _MAX_WINDOW, _int, _pair, _Unsupported

# --- parameter count --------------------------------------------------------------------


def _stack(canvas: _Canvas, x: int, y: int, kh: int, kw: int, layers: int) -> tuple[int, int]:
    """A filter: a kh×kw face in front of ``layers`` − 1 deeper ones. (x, y) is the front
    face's top-left; returns its (width, height)."""
    cell = max(10, min(30, 120 // max(kh, kw)))
    width, height = kw * cell, kh * cell
    step = 7
    for depth in range(layers - 1, 0, -1):
        dx, dy = depth * step, -depth * step
        canvas.rect(
            (x + dx, y + dy, x + dx + width, y + dy + height), fill=KERNEL_BACK, outline=KERNEL_LINE
        )
    for i in range(kh):
        for j in range(kw):
            canvas.rect(
                (x + j * cell, y + i * cell, x + (j + 1) * cell, y + (i + 1) * cell),
                fill=KERNEL_CELL,
                outline=GRID_LINE,
            )
    return width, height


def _vector(canvas: _Canvas, x: int, y: int, count: int, cell: int = 12) -> int:
    """A column of ``count`` cells (a few, an ellipsis and the last when long); its height."""
    shown = list(range(count)) if count <= 6 else [0, 1, 2, 3, -1, count - 1]
    top = y
    for index in shown:
        if index < 0:
            canvas.vdots(x + cell // 2, top + cell // 2 + 2)
        else:
            canvas.rect((x, top, x + cell, top + cell), fill=BIAS_CELL, outline=GRID_LINE)
        top += cell + (4 if index < 0 else 0)
    return top - y


def draw_param_count(params: Mapping[str, object], reveal: bool) -> _Canvas:
    cin = _int(params, "in_channels")
    cout = _int(params, "out_channels")
    kh, kw = _pair(params, "kernel")
    groups = _int(params, "groups", 1)
    bias = params.get("bias", True)
    if min(cin, cout, kh, kw, groups) < 1 or cin % groups or cout % groups:
        raise _Unsupported("channels must divide into groups")
    cin_g = cin // groups
    canvas = _Canvas()
    x, y = 40, 60
    layers = min(cin_g, 5) if (groups == 1 or reveal) else 3
    width, height = _stack(canvas, x, y, min(kh, _MAX_TAPS), min(kw, _MAX_TAPS), layers)
    depth = f"{cin_g}" if (groups == 1 or reveal) else "?"
    mid_y = y + height // 2
    canvas.text(
        x + width // 2 + 7 * (layers - 1) // 2, y + height + 18, f"{kh}×{kw}×{depth}", size=16
    )
    cursor = x + width + 7 * (layers - 1) + 18
    cursor += canvas.text(cursor, mid_y, f"×{cout}", size=_BIG, align="l") + 16
    if bias is True:
        cursor += canvas.text(cursor, mid_y, "+", size=_BIG, align="l") + 14
        vector_top = mid_y - 44
        vector_height = _vector(canvas, cursor, vector_top, cout, cell=14)
        canvas.text(cursor + 7, vector_top + vector_height + 14, str(cout), size=16)
        cursor += 14 + 18
    if reveal:
        weights = cout * cin_g * kh * kw
        total = weights + (cout if bias is True else 0)
        cursor += canvas.text(cursor, mid_y, "=", size=_BIG, align="l") + 12
        canvas.text(cursor, mid_y, format_number(total), size=_BIG, align="l")
    return canvas


# --- odd kernels ------------------------------------------------------------------------


OddKernelVariant: TypeAlias = Literal["center", "pad_side", "pad_split"]
"""The odd-kernel questions drawn: the kernel's centre, or its 'same' padding (one side's,
or how it splits)."""


def _kernel_axis(count: int, pitch: int) -> _Axis:
    """A kernel axis: whole up to ``SCHEMATIC_THRESHOLD`` taps, else 3, a break and 3."""
    if count <= SCHEMATIC_THRESHOLD:
        return _Axis.exact(count, pitch)
    return _Axis(count, 3, 3, pitch, round(pitch * _gap_cells(count)))


def draw_center(params: Mapping[str, object], reveal: bool) -> _Canvas:
    kh, kw = _pair(params, "kernel")
    if min(kh, kw) < 1:
        raise _Unsupported("kernel must be positive")
    pitch = max(18, min(32, 260 // max(kh, kw)))
    rows, cols = _kernel_axis(kh, pitch), _kernel_axis(kw, pitch)
    canvas = _Canvas()
    x, y = 50, 50
    _grid(canvas, x, y, rows, cols, cell=KERNEL_CELL)
    for j in cols.indices():
        canvas.text(x + cols.centre(j), y - 12, str(j + 1), size=12, colour=MUTED)
    for i in rows.indices():
        canvas.text(x - 8, y + rows.centre(i), str(i + 1), size=12, colour=MUTED, align="r")
    if reveal:
        cy2, cx2 = kh + 1, kw + 1  # twice the 1-based centre
        # A long kernel's centre is in its break.
        px = x + (cols.gap_centre if cols.broken else (cx2 - 1) * pitch // 2)
        py = y + (rows.gap_centre if rows.broken else (cy2 - 1) * pitch // 2)
        if kh % 2 and kw % 2 and not (rows.broken or cols.broken):
            _fill_cell(canvas, x, y, rows, cols, kh // 2, kw // 2, CENTER)
        else:
            canvas.line([(px, y), (px, y + rows.length)], CENTER)
            canvas.line([(x, py), (x + cols.length, py)], CENTER)
            canvas.dot(px, py, max(4, pitch // 5), CENTER)
        text = f"({format_number(cy2 / 2)}, {format_number(cx2 / 2)})"
        canvas.text(x + cols.length // 2, y + rows.length + 18, text, size=16)
    return canvas


def draw_padding(params: Mapping[str, object], reveal: bool) -> _Canvas:
    """Unrevealed: the kernel alone (taps spread by any dilation). Revealed: a 5×5 input
    with its 'same' padding ring, the window at its first and last positions, centres
    marked, and the padding counts."""
    k = _pair(params, "kernel")
    d = _pair(params, "dilation", 1)
    if min(*k, *d) < 1:
        raise _Unsupported("kernel and dilation must be positive")
    eh, ew = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    if max(eh, ew) > _MAX_WINDOW:
        raise _Unsupported("the window is too wide to draw cell by cell")
    canvas = _Canvas()
    x, y = 50, 40
    if not reveal:
        pitch = max(14, min(28, 260 // max(eh, ew)))
        rows, cols = _Axis.exact(eh, pitch), _Axis.exact(ew, pitch)
        for i in range(eh):
            for j in range(ew):
                x0, y0 = x + cols.start(j), y + rows.start(i)
                tap = i % d[0] == 0 and j % d[1] == 0
                canvas.rect(
                    (x0, y0, x0 + pitch, y0 + pitch),
                    fill=KERNEL_CELL if tap else BACKGROUND,
                    outline=GRID_LINE if tap else PADDING_LINE,
                )
        _outline(canvas, x, y, rows, cols, (0, eh - 1, 0, ew - 1), KERNEL_LINE)
        return canvas
    n = 5
    before = ((eh - 1) // 2, (ew - 1) // 2)
    after = (eh - 1 - before[0], ew - 1 - before[1])
    pitch = max(12, min(22, 340 // (n + max(eh, ew) - 1)))
    rows = _Axis.exact(n + eh - 1, pitch)
    cols = _Axis.exact(n + ew - 1, pitch)
    _grid(canvas, x, y, rows, cols, (before[0], after[0], before[1], after[1]))
    for i in range(k[0]):
        for j in range(k[1]):
            _fill_cell(canvas, x, y, rows, cols, i * d[0], j * d[1], KERNEL_CELL)
    _outline(canvas, x, y, rows, cols, (0, eh - 1, 0, ew - 1), KERNEL_LINE)
    last = (rows.count - eh, cols.count - ew)
    _outline(canvas, x, y, rows, cols, (last[0], rows.count - 1, last[1], cols.count - 1), WINDOW2)
    radius = max(3, pitch // 4)
    for oy, ox in ((0, 0), last):  # centres: (eh − 1)/2 cells in from the window's corner
        cx = x + cols.start(ox) + pitch // 2 + (ew - 1) * pitch // 2
        cy = y + rows.start(oy) + pitch // 2 + (eh - 1) * pitch // 2
        canvas.dot(cx, cy, radius, CENTER)
    bottom = y + rows.length + 12
    marks = [
        (0, before[1], str(before[1])),
        (before[1], before[1] + n, str(n)),
        (before[1] + n, cols.count, str(after[1])),
    ]
    for first, stop, text in marks:
        if stop > first:
            canvas.dim_h(x + cols.start(first), x + cols.end(stop - 1), bottom, text)
    side = x - 12
    marks = [
        (0, before[0], str(before[0])),
        (before[0], before[0] + n, str(n)),
        (before[0] + n, rows.count, str(after[0])),
    ]
    for first, stop, text in marks:
        if stop > first:
            canvas.dim_v(y + rows.start(first), y + rows.end(stop - 1), side, text)
    return canvas
