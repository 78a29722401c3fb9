"""``render_question``: the drawing a question's kind (and variant) picks, as PNG bytes."""

from __future__ import annotations

from bot.engine.question import Question
from bot.present.pictures._canvas import _Canvas
from bot.present.pictures._params import _Unsupported
from bot.present.pictures.grids import _draw_output_size
from bot.present.pictures.kernels import _draw_center, _draw_padding, _draw_param_count
from bot.present.pictures.paths import _draw_bottleneck


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
