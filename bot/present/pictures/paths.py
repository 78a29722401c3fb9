"""The 1×1 bottleneck picture: the direct path and the bottleneck path side by side."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, TypeAlias

from bot.engine.question import format_number
from bot.present.pictures._canvas import _TEXT, _Canvas
from bot.present.pictures._palette import (
    GRID_LINE,
    INK,
    INPUT_CELL,
    MID_CELL,
    MUTED,
    OUTPUT_CELL,
    RGB,
)
from bot.present.pictures._params import _int, _pair, _Unsupported


def _tensor(canvas: _Canvas, x: int, y: int, channels: int, colour: RGB, height: int = 56) -> int:
    """A feature map as a box whose thickness grows with log(channels); returns its width."""
    width = max(6, min(70, round(8 + 10 * math.log2(max(channels, 1) / 8))))
    skew = 10
    canvas.polygon(
        [(x, y), (x + skew, y - skew), (x + skew + width, y - skew), (x + width, y)],
        fill=colour,
        outline=GRID_LINE,
    )
    canvas.polygon(
        [
            (x + width, y),
            (x + width + skew, y - skew),
            (x + width + skew, y + height - skew),
            (x + width, y + height),
        ],
        fill=colour,
        outline=GRID_LINE,
    )
    canvas.rect((x, y, x + width, y + height), fill=colour, outline=GRID_LINE)
    canvas.text(x + (width + skew) // 2, y + height + 13, format_number(channels))
    return width + skew


BottleneckVariant: TypeAlias = Literal["total", "saved", "macs"]
"""What a bottleneck question asks: parameters of both paths, parameters saved, or MACs."""


def draw_bottleneck(
    params: Mapping[str, object], reveal: bool, variant: BottleneckVariant
) -> _Canvas:
    cin = _int(params, "in_channels")
    mid = _int(params, "mid_channels")
    cout = _int(params, "out_channels")
    k = _pair(params, "kernel")
    size = _pair(params, "size", 1)
    bias = params.get("bias", True) is True
    if min(cin, mid, cout, *k, *size) < 1:
        raise _Unsupported("channels and sizes must be positive")
    kk = k[0] * k[1]
    positions = size[0] * size[1]
    macs = variant == "macs"

    def cost(c_in: int, c_out: int, taps: int) -> int:
        if macs:
            return c_in * taps * c_out * positions
        return c_in * taps * c_out + (c_out if bias else 0)

    direct, first, second = cost(cin, cout, kk), cost(cin, mid, 1), cost(mid, cout, kk)
    canvas = _Canvas()
    x, gap = 40, 84
    row1, row2 = 70, 70 + 56 + 74
    arrow_y = 28  # below a row's top
    # Bottleneck path first, to know how wide a row is.
    cursor = x
    cursor += _tensor(canvas, cursor, row2, cin, INPUT_CELL)
    a1 = (cursor + 10, cursor + gap - 10)
    cursor += gap
    cursor += _tensor(canvas, cursor, row2, mid, MID_CELL)
    a2 = (cursor + 10, cursor + gap - 10)
    cursor += gap
    out_x = cursor
    right = out_x + _tensor(canvas, out_x, row2, cout, OUTPUT_CELL)
    # Direct path, output aligned with the bottleneck's.
    d0 = x + _tensor(canvas, x, row1, cin, INPUT_CELL)
    _tensor(canvas, out_x, row1, cout, OUTPUT_CELL)
    arrows = [
        ((d0 + 10, out_x - 10), row1, f"{k[0]}×{k[1]}", direct),
        (a1, row2, "1×1", first),
        (a2, row2, f"{k[0]}×{k[1]}", second),
    ]
    for (ax0, ax1), top, text, count in arrows:
        canvas.arrow((ax0, top + arrow_y), (ax1, top + arrow_y), INK, width=2, head=8)
        canvas.text((ax0 + ax1) // 2, top + arrow_y - 13, text)
        if reveal:
            canvas.text(
                (ax0 + ax1) // 2, top + arrow_y + 14, format_number(count), size=12, colour=MUTED
            )
    canvas.dashed((x, (row1 + 56 + row2 - 10) // 2 + 6), (right, (row1 + 56 + row2 - 10) // 2 + 6))
    if macs:
        for top in (row1, row2):
            canvas.text(x, top - 22, f"{size[0]}×{size[1]}", align="l", colour=MUTED)
    if reveal:
        total = first + second
        canvas.text(right + 14, row1 + arrow_y, f"= {format_number(direct)}", align="l")
        canvas.text(
            right + 14,
            row2 + arrow_y,
            f"= {format_number(total)}",
            align="l",
            size=_TEXT if variant == "saved" else 16,
        )
        if variant == "saved":
            saved = f"{format_number(direct)} − {format_number(total)} = " + format_number(
                direct - total
            )
            canvas.text(right + 14, row2 + 56 + 30, saved, align="l", size=16)
    return canvas
