"""Answer values: a formula's result made an answer of the template's answer type."""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from bot.engine.question import AnswerValue
from bot.engine.templates._expr_values import Value, show
from bot.engine.templates._source import AnswerTypeName, Tolerance

MAX_EQUIVALENT_TOLERANCE = 0.5  # an absolute tolerance, as a share of the answer


class WrongShape(Exception):
    """A value of the wrong kind for the answer type (always refused)."""


class OutOfRange(Exception):
    """A value of the right kind but unusable here (refused for answers, dropped for mistakes)."""


def convert_answer(
    value: Value,
    answer_type: AnswerTypeName,
    display: Literal["size", "tuple"] | None,
    order: tuple[int, ...] | None,
) -> AnswerValue:
    if answer_type == "choice":
        if isinstance(value, bool) or not isinstance(value, int):
            raise WrongShape(f"gives {show(value)}; a choice answer is an option's 0-based index")
        assert order is not None
        if not 0 <= value < len(order):
            raise WrongShape(f"gives {value}, but the options are numbered 0 to {len(order) - 1}")
        return order.index(value)
    if answer_type == "pair":
        if not isinstance(value, tuple) or len(value) != 2:
            raise WrongShape(f"gives {show(value)}, not an (h, w) pair")
        first, second = (_number(item) for item in value)
        if (display or "size") == "size":
            for item in (first, second):
                if not isinstance(item, int) or item < 1:
                    raise OutOfRange(
                        f"gives {show(value)}, but a size is whole and at least 1 "
                        "(use display: tuple for other pairs)"
                    )
        return Fraction(first), Fraction(second)
    number = _number(value)
    if answer_type == "float":
        return Fraction(number)
    if not isinstance(number, int):
        raise OutOfRange(
            f"gives {show(number)}, not a whole number (use answer_type: float for fractions)"
        )
    if answer_type == "square":
        if number < 1:
            raise OutOfRange(f"gives {number}, but a size is at least 1")
        return Fraction(number), Fraction(number)
    return Fraction(number)


def _number(value: Value) -> int | Fraction:
    if isinstance(value, tuple):
        raise WrongShape(f"gives the pair {show(value)}; use answer_type: pair")
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise WrongShape(f"gives {show(value)}, not a number")
    return value


def relative_tolerance(tolerance: Tolerance | None, value: AnswerValue) -> float:
    """AnswerKey knows relative tolerance only; an absolute one becomes relative to this
    answer (exact for the grader: |reply − answer| ≤ absolute)."""
    if tolerance is None:
        return 0.0
    relative = tolerance.relative or 0.0
    number = value[0] if isinstance(value, tuple) else value  # square: both the same
    if tolerance.absolute and isinstance(number, Fraction) and number != 0:
        # Never past half the answer: a reply of 0 is not right for a non-zero answer.
        equivalent = float(Fraction(tolerance.absolute) / abs(number)) * (1 + 1e-12)
        relative = max(relative, min(equivalent, MAX_EQUIVALENT_TOLERANCE))
    return relative
