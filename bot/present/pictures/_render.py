"""``render_question``: the drawing a question's kind (and variant) picks, as PNG bytes.

The pick is typed: a question's kind and its ``params["variant"]`` (data, any string)
are first read into the ``Kind`` and ``*Variant`` literals, and each ``match`` below ends
in ``assert_never``, so mypy fails if a kind or a variant is left without a drawing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Final, Literal, TypeAlias, TypeVar, assert_never, get_args

from bot.engine.question import Question
from bot.present.pictures._canvas import _Canvas
from bot.present.pictures._params import _Unsupported
from bot.present.pictures.grids import draw_output_size
from bot.present.pictures.kernels import (
    OddKernelVariant,
    draw_center,
    draw_padding,
    draw_param_count,
)
from bot.present.pictures.paths import BottleneckVariant, draw_bottleneck

Drawing: TypeAlias = Callable[[Mapping[str, object], bool], _Canvas]
"""A drawing: (params, reveal) to a canvas; raises ``_Unsupported`` for params it cannot
draw."""

Kind: TypeAlias = Literal["output_size", "param_count", "bottleneck", "odd_kernel"]
"""The kinds with a picture (other kinds get none)."""

_KINDS: Final[tuple[Kind, ...]] = get_args(Kind)
_BOTTLENECK_VARIANTS: Final[tuple[BottleneckVariant, ...]] = get_args(BottleneckVariant)
_ODD_KERNEL_VARIANTS: Final[tuple[OddKernelVariant, ...]] = get_args(OddKernelVariant)

_Choice = TypeVar("_Choice", bound=str)


def _one_of(value: object, choices: tuple[_Choice, ...]) -> _Choice | None:
    """``value`` as one of ``choices``, or None if it is none of them."""
    return next((choice for choice in choices if choice == value), None)


def _odd_kernel_drawing(variant: OddKernelVariant) -> Drawing:
    match variant:
        case "center":
            return draw_center
        case "pad_side" | "pad_split":
            return draw_padding
        case _:
            assert_never(variant)


def _drawing(kind: Kind, variant: object) -> Drawing | None:
    """The drawing for ``kind`` and a question's ``params["variant"]``; None for a variant
    that has no picture (the multiple-choice 'why' questions, say)."""
    match kind:
        case "output_size":  # every variant: the picture shows the numbers it differs by
            return draw_output_size
        case "param_count":
            return draw_param_count
        case "bottleneck":
            bottleneck = _one_of(variant, _BOTTLENECK_VARIANTS)
            if bottleneck is None:
                return None
            return functools.partial(draw_bottleneck, variant=bottleneck)
        case "odd_kernel":
            odd_kernel = _one_of(variant, _ODD_KERNEL_VARIANTS)
            return None if odd_kernel is None else _odd_kernel_drawing(odd_kernel)
        case _:
            assert_never(kind)


def _draw(question: Question, reveal: bool) -> _Canvas | None:
    kind = _one_of(question.kind, _KINDS)
    drawing = None if kind is None else _drawing(kind, question.params.get("variant"))
    return None if drawing is None else drawing(question.params, reveal)


def render_question(question: Question, reveal: bool = False) -> bytes | None:
    """A PNG picture of ``question``, or None when there is nothing to draw (multiple-choice
    'why' questions, unknown kinds, params of a shape no drawing knows).

    The picture never shows the answer unless ``reveal`` is true (for the explanation
    after the question closes). Deterministic, under ``MAX_PNG_BYTES``.
    """
    try:
        canvas = _draw(question, reveal)
    except _Unsupported:
        return None
    return None if canvas is None else canvas.png()
