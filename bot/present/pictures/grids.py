"""The output-size picture: the input grid with its padding, the window at its first two
positions, and the output grid (its size "?" until revealed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.present.pictures._axes import (
    SCHEMATIC_THRESHOLD,
    _balance,
    _fill_cell,
    _grid,
    _outline,
    _placeholder,
    _plan,
)
from bot.present.pictures._canvas import _Canvas
from bot.present.pictures._palette import INK, KERNEL_CELL, KERNEL_LINE, OUTPUT_CELL, WINDOW2
from bot.present.pictures._params import (
    _MAX_DILATION,
    _MAX_PAD,
    _MAX_STRIDE,
    _MAX_TAPS,
    _pair,
    _Unsupported,
)

_PITCHES = (18, 16, 14, 12, 10)  # cell sizes tried, largest first, until the picture fits
_MAX_WIDTH = 800
_MAX_HEIGHT = 520


@dataclass(frozen=True, slots=True)
class _Conv:
    size: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    before: tuple[int, int]
    after: tuple[int, int]
    out: tuple[int, int]

    @property
    def extent(self) -> tuple[int, int]:
        return (
            self.dilation[0] * (self.kernel[0] - 1) + 1,
            self.dilation[1] * (self.kernel[1] - 1) + 1,
        )


def _conv(params: Mapping[str, object]) -> _Conv:
    size = _pair(params, "size")
    kernel = _pair(params, "kernel")
    stride = _pair(params, "stride", 1)
    dilation = _pair(params, "dilation", 1)
    if min(*size, *kernel, *stride, *dilation) < 1:
        raise _Unsupported("sizes, kernels, strides and dilations must be positive")
    extent = [dilation[a] * (kernel[a] - 1) + 1 for a in (0, 1)]
    padding = params.get("padding", 0)
    if padding == "same":  # TensorFlow: output ⌈n/s⌉, the odd pixel of padding after
        out = [-(-size[a] // stride[a]) for a in (0, 1)]
        total = [max((out[a] - 1) * stride[a] + extent[a] - size[a], 0) for a in (0, 1)]
        before = (total[0] // 2, total[1] // 2)
        after = (total[0] - before[0], total[1] - before[1])
    else:
        pad = (0, 0) if padding == "valid" else _pair(params, "padding", 0)
        before = after = pad
        spans = [size[a] + 2 * pad[a] - extent[a] for a in (0, 1)]
        if min(spans) < 0:
            raise _Unsupported("the kernel is larger than the padded input")
        out = [spans[a] // stride[a] + 1 for a in (0, 1)]
    return _Conv(size, kernel, stride, dilation, before, after, (out[0], out[1]))


def _clamped(conv: _Conv) -> _Conv:
    """``conv`` as drawn: kernel, dilation, stride and padding clamped so the drawing's cost
    is bounded (the same ``conv`` when they are within bounds). The padding kept is enough
    for the clamped windows at both drawn positions."""
    kernel = (min(conv.kernel[0], _MAX_TAPS), min(conv.kernel[1], _MAX_TAPS))
    dilation = (min(conv.dilation[0], _MAX_DILATION), min(conv.dilation[1], _MAX_DILATION))
    stride = (min(conv.stride[0], _MAX_STRIDE), min(conv.stride[1], _MAX_STRIDE))
    room = [max(_MAX_PAD, dilation[a] * (kernel[a] - 1) + 1 + stride[a]) for a in (0, 1)]
    before = (min(conv.before[0], room[0]), min(conv.before[1], room[1]))
    after = (min(conv.after[0], room[0]), min(conv.after[1], room[1]))
    return _Conv(conv.size, kernel, stride, dilation, before, after, conv.out)


def draw_output_size(params: Mapping[str, object], reveal: bool) -> _Canvas:
    real = _conv(params)  # for the labels
    conv = _clamped(real)  # for the geometry
    eh, ew = conv.extent
    sw = conv.stride[1]
    second = conv.out[1] > 1  # is there a second window position along the width?
    for pitch in _PITCHES:
        rows = _plan(conv.size[0], conv.before[0], conv.after[0], eh + 1, pitch)
        cols = _plan(
            conv.size[1], conv.before[1], conv.after[1], (sw if second else 0) + ew + 1, pitch
        )
        rows, cols = _balance(rows, cols, *conv.size)
        if reveal:
            # An output drawn whole is never drawn longer than its (broken) input.
            orows = _plan(
                conv.out[0], 0, 0, 3, pitch, min(SCHEMATIC_THRESHOLD, rows.length // pitch)
            )
            ocols = _plan(
                conv.out[1], 0, 0, 3, pitch, min(SCHEMATIC_THRESHOLD, cols.length // pitch)
            )
            orows, ocols = _balance(orows, ocols, *conv.out)
        else:
            orows = ocols = _placeholder(pitch)
        width = cols.length + ocols.length + 260
        if width <= _MAX_WIDTH and max(rows.length, orows.length) <= _MAX_HEIGHT:
            break
    canvas = _Canvas()
    x, y = 90, 80
    padded = (conv.before[0], conv.after[0], conv.before[1], conv.after[1])
    _grid(canvas, x, y, rows, cols, padded)

    # The window at its first position: taps filled, extent outlined.
    kh, kw = conv.kernel
    dh, dw = conv.dilation
    for i in range(kh):
        for j in range(kw):
            _fill_cell(canvas, x, y, rows, cols, i * dh, j * dw, KERNEL_CELL)
    _outline(canvas, x, y, rows, cols, (0, eh - 1, 0, ew - 1), KERNEL_LINE)
    # ... and at its second position, one stride to the right: outlined, taps dotted.
    if second:
        _outline(canvas, x, y, rows, cols, (0, eh - 1, sw, sw + ew - 1), WINDOW2)
        radius = max(2, pitch // 5)
        for i in range(kh):
            for j in range(kw):
                canvas.dot(x + cols.centre(sw + j * dw), y + rows.centre(i * dh), radius, WINDOW2)
        ay = y - 12
        x0, x1 = x + cols.start(0), x + cols.start(sw)
        canvas.line([(x0, ay - 4), (x0, ay + 4)], INK)
        canvas.arrow((x0, ay), (x1, ay), INK, width=1, head=min(6, max(3, x1 - x0 - 1)))
        rsh, rsw = real.stride
        canvas.text((x0 + x1) // 2, ay - 12, f"s={rsw}" if rsh == rsw else f"s={rsh},{rsw}")

    # Dimension lines: padding before, the input, padding after.
    bottom = y + rows.length + 12
    marks = [
        (0, conv.before[1], str(real.before[1])),
        (conv.before[1], cols.count - conv.after[1], str(conv.size[1])),
        (cols.count - conv.after[1], cols.count, str(real.after[1])),
    ]
    for first, stop, text in marks:
        if stop > first:
            canvas.dim_h(x + cols.start(first), x + cols.end(stop - 1), bottom, text)
    side = x - 12
    marks = [
        (0, conv.before[0], str(real.before[0])),
        (conv.before[0], rows.count - conv.after[0], str(conv.size[0])),
        (rows.count - conv.after[0], rows.count, str(real.after[0])),
    ]
    for first, stop, text in marks:
        if stop > first:
            canvas.dim_v(y + rows.start(first), y + rows.end(stop - 1), side, text)

    # The arrow to the output, with the kernel (and dilation) on it.
    ax0 = x + cols.length + 26
    ax1 = ax0 + 64
    ay = y + min(rows.end(eh - 1), rows.length) // 2
    canvas.arrow((ax0, ay), (ax1, ay), INK, width=2, head=9)
    (rkh, rkw), (rdh, rdw) = real.kernel, real.dilation
    canvas.text((ax0 + ax1) // 2, ay - 14, f"{rkh}×{rkw}")
    if rdh > 1 or rdw > 1:
        canvas.text((ax0 + ax1) // 2, ay + 15, f"d={rdh}" if rdh == rdw else f"d={rdh},{rdw}")

    # The output: its first two cells match the two windows.
    ox = ax1 + 26
    _grid(canvas, ox, y, orows, ocols, cell=OUTPUT_CELL, fill_breaks=reveal)
    _fill_cell(canvas, ox, y, orows, ocols, 0, 0, KERNEL_CELL)
    _outline(canvas, ox, y, orows, ocols, (0, 0, 0, 0), KERNEL_LINE)
    if second:
        _outline(canvas, ox, y, orows, ocols, (0, 0, 1, 1), WINDOW2)
        canvas.dot(ox + ocols.centre(1), y + orows.centre(0), max(2, pitch // 5), WINDOW2)
    if reveal:
        canvas.dim_h(ox, ox + ocols.length, y + orows.length + 12, str(conv.out[1]))
        canvas.dim_v(y, y + orows.length, ox + ocols.length + 12, str(conv.out[0]), side="r")
    else:
        right, low = ox + ocols.length, y + orows.length
        canvas.dashed((right, y), (right, low))
        canvas.dashed((ox, low), (right, low))
        canvas.dim_h(ox, right, low + 12, "?")
        canvas.dim_v(y, low, right + 12, "?", side="r")
    return canvas
