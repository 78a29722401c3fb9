"""The functions a formula may call: ``bot.engine.formulas`` and a few numeric helpers.

The table is fixed here; a name not in it cannot be called. Calls into
``bot.engine.formulas`` take whole numbers (or the padding words, or bools) and their
results come back as language values, floats as exact Fractions, every number bounded.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from bot.engine import formulas
from bot.engine.templates._expr_values import (
    Env,
    EvalError,
    Fn,
    Number,
    Value,
    bounded,
    bounded_value,
    from_function,
    number,
    to_function,
)

__all__ = [
    "FUNCTIONS",
    "FUNCTION_TABLE",
    "MAX_ARGS",
    "PADDING_SLOT",
    "PADDING_WORDS",
    "Function",
    "call_formula",
    "call_helper",
]

MAX_ARGS = 8


@dataclass(frozen=True, slots=True)
class Function:
    """One callable name: its implementation and how it may be called."""

    name: str
    impl: Callable[..., object]
    min_args: int
    max_args: int
    keywords: bool  # whether the function's own parameter names may be used as keywords
    signature: inspect.Signature | None = None


def _formula_function(name: str) -> Function:
    impl = getattr(formulas, name)
    signature = inspect.signature(impl)
    params = list(signature.parameters.values())
    required = sum(1 for p in params if p.default is inspect.Parameter.empty)
    return Function(name, impl, required, len(params), True, signature)


_FORMULA_NAMES = (
    "conv_output_size",
    "pool_output_size",
    "same_padding",
    "conv_params",
    "bottleneck_params",
    "conv_macs",
    "kernel_center",
    "effective_kernel",
)


def _abs(x: Value) -> Value:
    value = number(x, "abs")
    return -value if value < 0 else value


def _floor(x: Value) -> Value:
    return math.floor(number(x, "floor"))


def _ceil(x: Value) -> Value:
    return math.ceil(number(x, "ceil"))


def _round(x: Value, digits: Value = 0) -> Value:
    value = number(x, "round")
    places = number(digits, "round")
    if not isinstance(places, int) or not -18 <= places <= 18:
        raise EvalError("round: the number of digits must be a whole number from -18 to 18")
    if places == 0:
        return round(value)
    rounded: Fraction = round(Fraction(value), places)
    return bounded(rounded)


def _extreme(name: str, pick: Callable[[list[Number]], Number]) -> Callable[..., Value]:
    def run(*args: Value) -> Value:
        items: tuple[Value, ...] = args
        if len(args) == 1:
            if not isinstance(args[0], tuple):
                raise EvalError(f"{name} needs two or more numbers, or one (a, b) pair")
            items = args[0]
        return pick([number(item, name) for item in items])

    return run


_BUILTINS = (
    Function("min", _extreme("min", min), 1, MAX_ARGS, False),
    Function("max", _extreme("max", max), 1, MAX_ARGS, False),
    Function("abs", _abs, 1, 1, False),
    Function("floor", _floor, 1, 1, False),
    Function("ceil", _ceil, 1, 1, False),
    Function("round", _round, 1, 2, False),
)

FUNCTION_TABLE: dict[str, Function] = {
    **{name: _formula_function(name) for name in _FORMULA_NAMES},
    **{fn.name: fn for fn in _BUILTINS},
}
FUNCTIONS: tuple[str, ...] = tuple(FUNCTION_TABLE)

# The one place text is allowed: the padding argument of conv_output_size.
PADDING_WORDS = ("same", "valid")
PADDING_SLOT = ("conv_output_size", 3, "padding")


def call_helper(spec: Function, args: Sequence[Fn], env: Env) -> Value:
    """Call a built-in helper (it checks its own arguments) and bound its result."""
    return bounded_value(spec.impl(*(arg(env) for arg in args)))


def call_formula(spec: Function, args: Sequence[Fn], kwargs: Mapping[str, Fn], env: Env) -> Value:
    """Call a ``bot.engine.formulas`` function; its refusals become ``EvalError``."""
    name = spec.name
    values = [to_function(arg(env), name) for arg in args]
    keywords = {key: to_function(arg(env), name) for key, arg in kwargs.items()}
    try:
        result = spec.impl(*values, **keywords)
    except ValueError as error:
        raise EvalError(f"{name}: {error}") from None
    except (TypeError, ArithmeticError) as error:
        raise EvalError(f"{name}: {type(error).__name__}: {error}") from None
    return from_function(result, name)
