"""The canvas: a palette image with the few drawing operations the pictures need, text
included.

Pictures hold numbers and symbols only (no words in any language), so Pillow's built-in
font is enough. It has no "×" or "−" glyph; both are drawn as strokes. Text is drawn
without anti-aliasing, so it stays in the palette.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence
from typing import Literal, TypeAlias

from PIL import Image, ImageDraw, ImageFont

from bot.present.pictures._palette import (
    _INDEX,
    _PALETTE_DATA,
    BACKGROUND,
    INK,
    MUTED,
    RGB,
)

MAX_PNG_BYTES = 100_000  # every picture stays under this (tests hold us to it)

_CANVAS = (1200, 800)  # drawn on this, then cropped to the content
_MARGIN = 12
_TEXT = 13
_BIG = 22


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
