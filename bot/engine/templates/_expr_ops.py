"""The operators of the formula language: arithmetic, comparisons and their refusals.

Each operator checks its operands' types and bounds its result. ``**`` refuses a result
that would be beyond ``±10**18`` *before* computing it, so no formula can make the bot
compute something huge.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from fractions import Fraction

from bot.engine.templates._expr_values import EvalError, Number, Value, bounded, number, show

__all__ = ["BINOPS", "COMPARE", "symbol"]

# ``a ** b`` is refused when a's bit length times b exceeds this (10**18 < 2**60).
_MAX_POWER_BITS = 63


def _power(base: Value, exponent: Value) -> Value:
    a, b = number(base, "**"), number(exponent, "**")
    if not isinstance(b, int):
        raise EvalError(f"'**' needs a whole-number exponent, got {show(b)}")
    if a == 0 and b < 0:
        raise EvalError("division by zero (0 to a negative power)")
    fraction = Fraction(a)
    for part in (fraction.numerator, fraction.denominator):
        magnitude = abs(part)
        if magnitude >= 2 and (magnitude.bit_length() - 1) * abs(b) > _MAX_POWER_BITS:
            raise EvalError(f"{show(a)} ** {show(b)} is too large to compute (limit 10**18)")
    return bounded(Fraction(a) ** b)


def _divide(a: Value, b: Value) -> Value:
    x, y = number(a, "/"), number(b, "/")
    if y == 0:
        raise EvalError("division by zero")
    return bounded(Fraction(x) / y)


def _floordiv(a: Value, b: Value) -> Value:
    x, y = number(a, "//"), number(b, "//")
    if y == 0:
        raise EvalError("division by zero")
    return bounded(x // y)


def _modulo(a: Value, b: Value) -> Value:
    x, y = number(a, "%"), number(b, "%")
    if y == 0:
        raise EvalError("division by zero (% by 0)")
    return bounded(x % y)


def _arith(symbol: str, op: Callable[[Number, Number], Number]) -> Callable[[Value, Value], Value]:
    def run(a: Value, b: Value) -> Value:
        return bounded(op(number(a, symbol), number(b, symbol)))

    return run


BINOPS: dict[type[ast.operator], Callable[[Value, Value], Value]] = {
    ast.Add: _arith("+", lambda x, y: x + y),
    ast.Sub: _arith("-", lambda x, y: x - y),
    ast.Mult: _arith("*", lambda x, y: x * y),
    ast.Div: _divide,
    ast.FloorDiv: _floordiv,
    ast.Mod: _modulo,
    ast.Pow: _power,
}


def _ordered(symbol: str, op: Callable[[Number, Number], bool]) -> Callable[[Value, Value], bool]:
    def run(a: Value, b: Value) -> bool:
        return op(number(a, symbol), number(b, symbol))

    return run


def _equal(a: Value, b: Value) -> bool:
    return (type(a) is type(b) and a == b) or _same_number(a, b)


def _same_number(a: Value, b: Value) -> bool:
    numeric = (int, Fraction)
    return (
        not isinstance(a, bool)
        and not isinstance(b, bool)
        and isinstance(a, numeric)
        and isinstance(b, numeric)
        and a == b
    )


COMPARE: dict[type[ast.cmpop], Callable[[Value, Value], bool]] = {
    ast.Lt: _ordered("<", lambda x, y: x < y),
    ast.LtE: _ordered("<=", lambda x, y: x <= y),
    ast.Gt: _ordered(">", lambda x, y: x > y),
    ast.GtE: _ordered(">=", lambda x, y: x >= y),
    ast.Eq: lambda a, b: _equal(a, b),
    ast.NotEq: lambda a, b: not _equal(a, b),
}


def symbol(op: ast.AST) -> str:
    """How a refused operator or comparison is named in a message: ``'&'``, ``'in'``."""
    symbols = {
        ast.BitAnd: "&",
        ast.BitOr: "|",
        ast.BitXor: "^",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.MatMult: "@",
        ast.In: "in",
        ast.NotIn: "not in",
        ast.Is: "is",
        ast.IsNot: "is not",
    }
    return f"'{symbols.get(type(op), type(op).__name__)}'"
