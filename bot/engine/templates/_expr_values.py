"""The values of the formula language, its two errors and the bound on every number.

Values are whole numbers (``int``), exact fractions (``Fraction``, for ``/``, fractional
literals and half-pixel centres), ``True``/``False``, the padding words ``'same'`` and
``'valid'``, and ``(a, b)`` pairs. Every number stays within ``±10**18`` (numerator and
denominator alike): ``bounded`` is the one check every computed number passes through.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import TypeAlias

__all__ = [
    "MAX_MAGNITUDE",
    "Env",
    "EvalError",
    "Fn",
    "FormulaError",
    "Number",
    "Value",
    "boolean",
    "bounded",
    "bounded_value",
    "from_function",
    "number",
    "show",
    "to_function",
]

Value: TypeAlias = "int | Fraction | bool | str | tuple[Value, ...]"
Number: TypeAlias = int | Fraction
Env: TypeAlias = Mapping[str, Value]
Fn: TypeAlias = Callable[[Env], Value]

MAX_MAGNITUDE = 10**18


class FormulaError(Exception):
    """A formula refused when it is read; the message says why (no field name)."""


class EvalError(Exception):
    """A formula that failed for particular parameter values (division by zero, ...)."""


def show(value: object) -> str:
    """A value as the formula language would write it: 7/2, (3, 4), True, 'same'."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{value}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(show(item) for item in value) + ")"
    if isinstance(value, str):
        return repr(value)
    if value is None or value is Ellipsis:
        return repr(value)
    return type(value).__name__


def number(value: Value, op: str) -> Number:
    """``value`` if it is a number (not a bool), else an ``EvalError`` naming ``op``."""
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise EvalError(f"'{op}' needs numbers, got {show(value)}")
    return value


def boolean(value: Value, op: str) -> bool:
    """``value`` if it is True or False, else an ``EvalError`` naming ``op``."""
    if not isinstance(value, bool):
        raise EvalError(
            f"'{op}' needs True or False, got {show(value)} (use a comparison such as n != 0)"
        )
    return value


def bounded(value: Number) -> Number:
    """Normalise a whole Fraction to int and refuse numbers beyond the limits."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            value = value.numerator
        elif value.denominator > MAX_MAGNITUDE:
            raise EvalError("a result is too precise (denominator above 10**18)")
        elif abs(value) > MAX_MAGNITUDE:
            raise EvalError("a result is too large (beyond ±10**18)")
    if isinstance(value, int) and not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
        raise EvalError("a result is too large (beyond ±10**18)")
    return value


def bounded_value(value: object) -> Value:
    """A built-in helper's result, checked to be a number within the limits."""
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise EvalError(f"unexpected result {show(value)}")
    return bounded(value)


def from_function(value: object, name: str) -> Value:
    """A formula-module result as a language value (a float becomes an exact Fraction)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Fraction):
        return bounded(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EvalError(f"{name} gave {value}")
        return bounded(Fraction(value))
    if isinstance(value, tuple):
        return tuple(from_function(item, name) for item in value)
    raise EvalError(f"{name} gave an unexpected {type(value).__name__}")


def to_function(value: Value, fn: str) -> object:
    """A language value as a formula-module argument: whole numbers only, or text/bool."""
    if isinstance(value, Fraction):
        raise EvalError(f"{fn}: arguments must be whole numbers, got {show(value)}")
    if isinstance(value, tuple):
        return tuple(to_function(item, fn) for item in value)
    return value
