"""Pictures for questions and statistics: pure functions from domain data to PNG bytes.

``render_question(question)`` draws what a question is about, in the style of the seed
article's figures (a window sliding over a grid, a filter stack, two paths side by side),
and never its answer: the picture goes out with the question, before anyone answers.
``render_question(question, reveal=True)`` adds the answer for the close message.
``render_stats_chart`` draws a learner's accuracy per family and points per day.

Every colour comes from a fixed palette (``_palette``): images are palette PNGs, text is
drawn without anti-aliasing, and tests find the drawing by its colours. The same
question always gives the same bytes. Large inputs are drawn schematically (``_axes``),
and whatever the numbers in a question's params, the cost of a drawing is bounded
(``_params``).

One job per module:

- ``_palette``: the colours;
- ``_canvas``: the canvas, text and fonts;
- ``_params``: reading params, and the bounds on what is drawn;
- ``_axes``: grid axis geometry and schematic breaks;
- ``grids``: the output-size picture;
- ``kernels``: the parameter-count filter stack, the odd kernel's centre and padding;
- ``paths``: the bottleneck's two paths;
- ``charts``: the stats chart;
- ``_render``: ``render_question``, the drawing a question's kind and variant pick;
- ``_cache``: ``PictureCache`` and the shared instance behind ``render_question_cached``.

This package is domain-side: it imports neither discord nor sqlalchemy.
"""

from __future__ import annotations

from bot.present.pictures._axes import SCHEMATIC_THRESHOLD
from bot.present.pictures._cache import PictureCache, render_question_cached
from bot.present.pictures._canvas import MAX_PNG_BYTES, text_width
from bot.present.pictures._canvas import _Canvas as _Canvas  # tests count its primitives
from bot.present.pictures._palette import (
    BACKGROUND,
    BIAS_CELL,
    CENTER,
    CHART_GRID,
    FAMILY_COLOURS,
    GRID_LINE,
    INK,
    INPUT_CELL,
    KERNEL_BACK,
    KERNEL_CELL,
    KERNEL_LINE,
    MID_CELL,
    MUTED,
    OUTPUT_CELL,
    PADDING_CELL,
    PADDING_LINE,
    PALETTE,
    POINTS_LINE,
    WINDOW2,
)
from bot.present.pictures._render import render_question
from bot.present.pictures.charts import render_stats_chart

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
    "text_width",
]
