"""The fixed palette every picture is drawn in: images are palette PNGs, and tests find
the drawing by its colours."""

from __future__ import annotations

from typing import TypeAlias

RGB: TypeAlias = tuple[int, int, int]

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
