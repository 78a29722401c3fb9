"""Pictures for questions and statistics: pure functions from domain data to PNG bytes.

``render_question(question)`` draws what a question is about, in the style of the seed
article's figures (a window sliding over a grid, a filter stack, two paths side by side),
and never its answer: the picture goes out with the question, before anyone answers.
``render_question(question, reveal=True)`` adds the answer for the close message.
``render_stats_chart`` draws a learner's accuracy per family and points per day.

Pictures hold numbers and symbols only (no words in any language), so Pillow's built-in
font is enough. It has no "×" or "−" glyph; both are drawn as strokes. Every colour
comes from a fixed palette (the constants below): images are palette PNGs, text is drawn
without anti-aliasing, and tests find the drawing by its colours. The same question
always gives the same bytes.

Large inputs are drawn schematically: an axis with more than ``SCHEMATIC_THRESHOLD``
(16) pixels shows its first cells (enough for the kernel window at two positions), a
break with an ellipsis, and its last cells, and the break widens with the logarithm of
the size so a 160×40 input still looks wider than tall. The size is written on a
dimension line beside the grid. An axis whose break would hide fewer than 3 cells is
drawn whole instead, so no grid has more than about 32 cells per axis.

Whatever the numbers in a question's params (admin templates may hold sizes, kernels,
paddings, strides and dilations up to ~10^9), the cost of a drawing is bounded: no loop
or list grows with them. Past ``_MAX_TAPS`` taps, ``_MAX_DILATION``, ``_MAX_STRIDE`` or
``_MAX_PAD`` a window, stride or padding is drawn clamped (the labels still give the real
numbers), a kernel longer than ``SCHEMATIC_THRESHOLD`` is drawn with a break like a large
input, and a padding picture whose window spans more than ``_MAX_WINDOW`` cells is not
drawn at all (it has no labels to tell a clamped window from the real one).

This module is domain-side: it imports neither discord nor sqlalchemy.
"""

from __future__ import annotations

import datetime
import functools
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from PIL import Image, ImageDraw, ImageFont

from bot.engine.question import Question, format_number

__all__ = [
    "BACKGROUND",
    "BIAS_CELL",
    "CENTER",
    "CHART_GRID",
    "FAMILY_COLOURS",
    "GRID_LINE",
    "INK",
    "INPUT_CELL",
    "KERNEL_BACK",
    "KERNEL_CELL",
    "KERNEL_LINE",
    "MAX_PNG_BYTES",
    "MID_CELL",
    "MUTED",
    "OUTPUT_CELL",
    "PADDING_CELL",
    "PADDING_LINE",
    "PALETTE",
    "POINTS_LINE",
    "SCHEMATIC_THRESHOLD",
    "WINDOW2",
    "PictureCache",
    "render_question",
    "render_question_cached",
    "render_stats_chart",
]

RGB: TypeAlias = tuple[int, int, int]

# --- the palette ------------------------------------------------------------------------
BACKGROUND: RGB = (255, 255, 255)
INK: RGB = (33, 37, 41)  # text, arrows, dimension lines
MUTED: RGB = (134, 142, 150)  # ellipses, dashed outlines, separators
GRID_LINE: RGB = (73, 80, 87)  # borders of input and output cells
INPUT_CELL: RGB = (208, 228, 255)  # input pixels (light blue)
PADDING_CELL: RGB = (233, 236, 239)  # zero padding (light grey) ...
PADDING_LINE: RGB = (173, 181, 189)  # ... with lighter borders
KERNEL_CELL: RGB = (255, 169, 77)  # taps of the window at its first position (orange)
KERNEL_LINE: RGB = (232, 89, 12)  # outline of the window at its first position
KERNEL_BACK: RGB = (255, 216, 168)  # the deeper layers of a filter stack
WINDOW2: RGB = (214, 51, 108)  # outline and tap dots of the window's second position
OUTPUT_CELL: RGB = (178, 242, 187)  # output pixels (light green)
CENTER: RGB = (224, 49, 49)  # a kernel's centre
BIAS_CELL: RGB = (116, 192, 252)  # the bias vector
MID_CELL: RGB = (208, 191, 255)  # a bottleneck's middle tensor
CHART_GRID: RGB = (222, 226, 230)
POINTS_LINE: RGB = (25, 113, 194)
# Bars of the stats chart, one per family in ``bot.engine.bank.KINDS`` order.
FAMILY_COLOURS: tuple[RGB, ...] = ((66, 99, 235), (12, 166, 120), (174, 62, 201), (245, 159, 0))

PALETTE: tuple[RGB, ...] = (
    BACKGROUND,
    INK,
    MUTED,
    GRID_LINE,
    INPUT_CELL,
    PADDING_CELL,
    PADDING_LINE,
    KERNEL_CELL,
    KERNEL_LINE,
    KERNEL_BACK,
    WINDOW2,
    OUTPUT_CELL,
    CENTER,
    BIAS_CELL,
    MID_CELL,
    CHART_GRID,
    POINTS_LINE,
    *FAMILY_COLOURS,
)
_INDEX: dict[RGB, int] = {colour: index for index, colour in enumerate(PALETTE)}
assert len(_INDEX) == len(PALETTE), "palette colours must be distinct"
_PALETTE_DATA = [channel for colour in PALETTE for channel in colour]

SCHEMATIC_THRESHOLD = 16  # an axis with more input pixels than this is drawn with a break
MAX_PNG_BYTES = 100_000  # every picture stays under this (tests hold us to it)

_CANVAS = (1200, 800)  # drawn on this, then cropped to the content
_MARGIN = 12
_PITCHES = (18, 16, 14, 12, 10)  # cell sizes tried, largest first, until the picture fits
_MAX_WIDTH = 800
_MAX_HEIGHT = 520
_TEXT = 13
_BIG = 22
# Bounds on what a drawing draws, whatever the params (see the module docstring). Above
# every generated question's numbers, so they only change pictures of absurd templates.
_MAX_TAPS = 11  # kernel taps drawn per axis
_MAX_DILATION = 4
_MAX_STRIDE = 8
_MAX_PAD = 8  # padding cells drawn per side (more if the clamped windows need them)
_MAX_WINDOW = 32  # cells per axis of a padding picture's window


class _Unsupported(ValueError):
    """The params are not a shape this module knows how to draw."""


# --- text and primitives ----------------------------------------------------------------

Font: TypeAlias = ImageFont.FreeTypeFont | ImageFont.ImageFont
Align: TypeAlias = Literal["l", "m", "r"]
_STROKED = frozenset("×−")  # glyphs the built-in font lacks, drawn as strokes


@functools.lru_cache(maxsize=8)
def _font(size: int) -> Font:
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError):  # Pillow built without FreeType: the bitmap font
        return ImageFont.load_default()


@functools.lru_cache(maxsize=8)
def _ascent(size: int) -> int:
    """Height of a digit above the baseline."""
    return -int(_font(size).getbbox("0", anchor="ls")[1])


def _segments(text: str) -> list[str]:
    parts: list[str] = []
    for char in text:
        if char in _STROKED or not parts or parts[-1] in _STROKED:
            parts.append(char)
        else:
            parts[-1] += char
    return parts


def _stroke_width(size: int) -> int:
    return round(size * 0.62)


def text_width(text: str, size: int = _TEXT) -> int:
    font = _font(size)
    return round(
        sum(
            _stroke_width(size) if part in _STROKED else font.getlength(part)
            for part in _segments(text)
        )
    )


class _Canvas:
    """A palette image with the few drawing operations the pictures need."""

    def __init__(self, size: tuple[int, int] = _CANVAS) -> None:
        self.image = Image.new("P", size, 0)
        self.image.putpalette(_PALETTE_DATA)
        self.draw = ImageDraw.Draw(self.image)
        self.draw.fontmode = "1"  # no anti-aliasing: text stays in the palette

    def rect(
        self,
        box: tuple[int, int, int, int],
        fill: RGB | None = None,
        outline: RGB | None = None,
        width: int = 1,
    ) -> None:
        self.draw.rectangle(
            box,
            fill=None if fill is None else _INDEX[fill],
            outline=None if outline is None else _INDEX[outline],
            width=width,
        )

    def line(self, points: Sequence[tuple[int, int]], colour: RGB = INK, width: int = 1) -> None:
        self.draw.line(list(points), fill=_INDEX[colour], width=width)

    def polygon(
        self, points: Sequence[tuple[int, int]], fill: RGB, outline: RGB | None = None
    ) -> None:
        self.draw.polygon(
            list(points), fill=_INDEX[fill], outline=None if outline is None else _INDEX[outline]
        )

    def dot(self, x: int, y: int, radius: int, colour: RGB) -> None:
        self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=_INDEX[colour])

    def dashed(
        self, start: tuple[int, int], end: tuple[int, int], colour: RGB = MUTED, dash: int = 4
    ) -> None:
        (x0, y0), (x1, y1) = start, end
        length = max(abs(x1 - x0), abs(y1 - y0))
        for offset in range(0, length + 1, 2 * dash):
            a = offset / length if length else 0.0
            b = min(offset + dash, length) / length if length else 0.0
            self.line(
                [
                    (round(x0 + (x1 - x0) * a), round(y0 + (y1 - y0) * a)),
                    (round(x0 + (x1 - x0) * b), round(y0 + (y1 - y0) * b)),
                ],
                colour,
            )

    def hdots(self, x: int, y: int, colour: RGB = MUTED) -> None:
        """A horizontal ellipsis centred on (x, y)."""
        for dx in (-5, 0, 5):
            self.dot(x + dx, y, 1, colour)

    def vdots(self, x: int, y: int, colour: RGB = MUTED) -> None:
        for dy in (-5, 0, 5):
            self.dot(x, y + dy, 1, colour)

    def ddots(self, x: int, y: int, colour: RGB = MUTED) -> None:
        for d in (-5, 0, 5):
            self.dot(x + d, y + d, 1, colour)

    def text(
        self, x: int, y: int, text: str, *, size: int = _TEXT, colour: RGB = INK, align: Align = "m"
    ) -> int:
        """Draw ``text`` with its digits vertically centred on ``y``; returns its width."""
        width = text_width(text, size)
        left = x - (width // 2 if align == "m" else width if align == "r" else 0)
        baseline = y + (_ascent(size) + 1) // 2
        font = _font(size)
        ink = _INDEX[colour]
        cursor = float(left)
        stroke = 1 if size < 18 else 2
        for part in _segments(text):
            if part in _STROKED:
                w = _stroke_width(size)
                cx, half = round(cursor + w / 2), max(2, round(size * 0.2))
                if part == "×":
                    self.line([(cx - half, y - half), (cx + half, y + half)], colour, stroke)
                    self.line([(cx - half, y + half), (cx + half, y - half)], colour, stroke)
                else:
                    self.line([(cx - half - 1, y), (cx + half + 1, y)], colour, stroke)
                cursor += w
            else:
                self.draw.text((round(cursor), baseline), part, fill=ink, font=font, anchor="ls")
                cursor += font.getlength(part)
        return width

    def label(
        self, x: int, y: int, text: str, *, size: int = _TEXT, colour: RGB = INK, align: Align = "m"
    ) -> None:
        """Text on a white box, readable over lines."""
        width = text_width(text, size)
        left = x - (width // 2 if align == "m" else width if align == "r" else 0)
        half = (_ascent(size) + 1) // 2 + 2
        self.rect((left - 2, y - half, left + width + 1, y + half), fill=BACKGROUND)
        self.text(x, y, text, size=size, colour=colour, align=align)

    def arrow(
        self,
        start: tuple[int, int],
        end: tuple[int, int],
        colour: RGB = INK,
        width: int = 2,
        head: int = 7,
    ) -> None:
        (x0, y0), (x1, y1) = start, end
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        bx, by = x1 - ux * head, y1 - uy * head
        self.line([(x0, y0), (round(bx), round(by))], colour, width)
        spread = head * 0.55
        self.polygon(
            [
                (x1, y1),
                (round(bx - uy * spread), round(by + ux * spread)),
                (round(bx + uy * spread), round(by - ux * spread)),
            ],
            colour,
        )

    def dim_h(self, x0: int, x1: int, y: int, text: str) -> None:
        """A horizontal dimension line from x0 to x1 with its label below."""
        self.line([(x0, y), (x1, y)], MUTED)
        self.line([(x0, y - 4), (x0, y + 4)], MUTED)
        self.line([(x1, y - 4), (x1, y + 4)], MUTED)
        self.text((x0 + x1) // 2, y + 11, text)

    def dim_v(self, y0: int, y1: int, x: int, text: str, side: Literal["l", "r"] = "l") -> None:
        self.line([(x, y0), (x, y1)], MUTED)
        self.line([(x - 4, y0), (x + 4, y0)], MUTED)
        self.line([(x - 4, y1), (x + 4, y1)], MUTED)
        if side == "l":
            self.text(x - 7, (y0 + y1) // 2, text, align="r")
        else:
            self.text(x + 7, (y0 + y1) // 2, text, align="l")

    def png(self) -> bytes:
        box = self.image.getbbox()
        if box is None:
            box = (0, 0, 1, 1)
        left, top, right, bottom = box
        cropped = Image.new("P", (right - left + 2 * _MARGIN, bottom - top + 2 * _MARGIN), 0)
        cropped.putpalette(_PALETTE_DATA)
        cropped.paste(self.image.crop(box), (_MARGIN, _MARGIN))
        buffer = io.BytesIO()
        # zlib level 6: a third of the time of optimize=True (level 9) for ~30% more
        # bytes, and a picture is a few KB either way.
        cropped.save(buffer, "PNG", compress_level=6)
        return buffer.getvalue()


# --- reading params ---------------------------------------------------------------------


def _int(params: Mapping[str, object], key: str, default: int | None = None) -> int:
    value = params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Unsupported(f"{key} must be a whole number, got {value!r}")
    return value


def _pair(params: Mapping[str, object], key: str, default: int | None = None) -> tuple[int, int]:
    value = params.get(key, default)
    if isinstance(value, list | tuple) and len(value) == 2:
        first, second = value
    else:
        first = second = value
    for item in (first, second):
        if isinstance(item, bool) or not isinstance(item, int) or item < 0:
            raise _Unsupported(f"{key} must be a whole number or a pair, got {value!r}")
    assert isinstance(first, int) and isinstance(second, int)
    return first, second


# --- grids with a break -----------------------------------------------------------------


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


# --- output size ------------------------------------------------------------------------


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


def _draw_output_size(params: Mapping[str, object], reveal: bool) -> _Canvas:
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


def _draw_param_count(params: Mapping[str, object], reveal: bool) -> _Canvas:
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


# --- 1×1 bottleneck ---------------------------------------------------------------------


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


def _draw_bottleneck(params: Mapping[str, object], reveal: bool) -> _Canvas:
    variant = params.get("variant")
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


# --- odd kernels ------------------------------------------------------------------------


def _kernel_axis(count: int, pitch: int) -> _Axis:
    """A kernel axis: whole up to ``SCHEMATIC_THRESHOLD`` taps, else 3, a break and 3."""
    if count <= SCHEMATIC_THRESHOLD:
        return _Axis.exact(count, pitch)
    return _Axis(count, 3, 3, pitch, round(pitch * _gap_cells(count)))


def _draw_center(params: Mapping[str, object], reveal: bool) -> _Canvas:
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


def _draw_padding(params: Mapping[str, object], reveal: bool) -> _Canvas:
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


# --- public API -------------------------------------------------------------------------


def _draw(question: Question, reveal: bool) -> _Canvas | None:
    params = question.params
    variant = params.get("variant")
    if question.kind == "output_size":
        return _draw_output_size(params, reveal)
    if question.kind == "param_count":
        return _draw_param_count(params, reveal)
    if question.kind == "bottleneck" and variant in ("total", "saved", "macs"):
        return _draw_bottleneck(params, reveal)
    if question.kind == "odd_kernel" and variant == "center":
        return _draw_center(params, reveal)
    if question.kind == "odd_kernel" and variant in ("pad_side", "pad_split"):
        return _draw_padding(params, reveal)
    return None


def render_question(question: Question, reveal: bool = False) -> bytes | None:
    """A PNG picture of ``question``, or None when there is nothing to draw (multiple-choice
    'why' questions, unknown kinds, params of a shape this module does not know).

    The picture never shows the answer unless ``reveal`` is true (for the explanation
    after the question closes). Deterministic, under ``MAX_PNG_BYTES``.
    """
    try:
        canvas = _draw(question, reveal)
    except _Unsupported:
        return None
    return None if canvas is None else canvas.png()


CacheKey: TypeAlias = tuple[str, bool, str]


class PictureCache:
    """A bounded, thread-safe LRU cache of pictures keyed by question code and ``reveal``
    (plus the question's kind and params, so two questions sharing a code never share a
    picture). ``None`` results are cached too."""

    def __init__(self, maxsize: int = 256) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize}")
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[CacheKey, bytes | None] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(question: Question, reveal: bool = False) -> CacheKey:
        fingerprint = repr((question.kind, sorted(question.params.items())))
        return (question.code, bool(reveal), fingerprint)

    def get(self, question: Question, reveal: bool = False) -> bytes | None:
        key = self.key(question, reveal)
        with self._lock:
            if key in self._items:
                self.hits += 1
                self._items.move_to_end(key)
                return self._items[key]
            self.misses += 1
        picture = render_question(question, reveal)  # outside the lock: may take ms
        with self._lock:
            self._items[key] = picture
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return picture

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


_DEFAULT_CACHE = PictureCache()


def render_question_cached(question: Question, reveal: bool = False) -> bytes | None:
    """``render_question`` through a module-wide ``PictureCache`` of 256 pictures."""
    return _DEFAULT_CACHE.get(question, reveal)


# --- stats chart ------------------------------------------------------------------------


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
