"""The formula language of templates: small arithmetic over parameters, nothing else.

A formula is parsed with ``ast.parse(..., mode="eval")`` only after its length, its
characters and its bracket depth have been bounded, and the tree is then checked node by
node against an allow-list and turned into plain Python closures that this module
evaluates itself. Admin text is never handed to ``eval``, ``exec`` or ``compile``, and no
name outside the template's parameters and the allow-listed functions can be reached.

Values are whole numbers (``int``), exact fractions (``Fraction``, for ``/``, fractional
literals and half-pixel centres), ``True``/``False``, the padding words ``'same'`` and
``'valid'``, and ``(a, b)`` pairs. Every number stays within ``±10**18`` (numerator and
denominator alike) and ``**`` refuses a result that would be larger *before* computing
it, so no formula can make the bot compute something huge.
"""

from __future__ import annotations

import ast
import inspect
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeAlias

from bot.engine import formulas

__all__ = [
    "FUNCTIONS",
    "MAX_FORMULA_CHARS",
    "MAX_MAGNITUDE",
    "EvalError",
    "Formula",
    "FormulaError",
    "Value",
    "compile_formula",
    "show",
]

Value: TypeAlias = "int | Fraction | bool | str | tuple[Value, ...]"
Number: TypeAlias = int | Fraction
Env: TypeAlias = Mapping[str, Value]
Fn: TypeAlias = Callable[[Env], Value]

# --- limits -----------------------------------------------------------------------------

MAX_FORMULA_CHARS = 300
MAX_BRACKET_DEPTH = 12  # ( ... ) nesting, checked on the raw text before ast.parse
MAX_TREE_DEPTH = 40  # nodes from root to leaf, checked (iteratively) after parsing
MAX_NODES = 200
MAX_ARGS = 8
MAX_MAGNITUDE = 10**18
# ``a ** b`` is refused when a's bit length times b exceeds this (10**18 < 2**60).
_MAX_POWER_BITS = 63

_ALLOWED_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ \t\n+-*/%()<>=!,.'\""
)
_CHAR_HINTS = {
    "×": "use * to multiply",
    "·": "use * to multiply",
    "−": "use - to subtract",
    "÷": "use / to divide",
    "[": "lists and subscripts are not part of the formula language; a pair is (a, b)",
    "]": "lists and subscripts are not part of the formula language; a pair is (a, b)",
    "{": "braces are not part of the formula language",
    "}": "braces are not part of the formula language",
    ":": "lambdas, slices and := are not part of the formula language",
    "\\": "backslashes are not allowed",
    ";": "a formula is a single expression",
    "#": "comments are not allowed in a formula",
    "@": "@ is not an operator here",
    "~": "bitwise operators are not allowed",
    "&": "use 'and'",
    "|": "use 'or'",
    "^": "use ** for powers",
}


class FormulaError(Exception):
    """A formula refused when it is read; the message says why (no field name)."""


class EvalError(Exception):
    """A formula that failed for particular parameter values (division by zero, ...)."""


# --- the allow-listed functions -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Function:
    name: str
    impl: Callable[..., object]
    min_args: int
    max_args: int
    keywords: bool  # whether the function's own parameter names may be used as keywords
    signature: inspect.Signature | None = None


def _formula_function(name: str) -> _Function:
    impl = getattr(formulas, name)
    signature = inspect.signature(impl)
    params = list(signature.parameters.values())
    required = sum(1 for p in params if p.default is inspect.Parameter.empty)
    return _Function(name, impl, required, len(params), True, signature)


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
    number = _number(x, "abs")
    return -number if number < 0 else number


def _floor(x: Value) -> Value:
    return math.floor(_number(x, "floor"))


def _ceil(x: Value) -> Value:
    return math.ceil(_number(x, "ceil"))


def _round(x: Value, digits: Value = 0) -> Value:
    number = _number(x, "round")
    places = _number(digits, "round")
    if not isinstance(places, int) or not -18 <= places <= 18:
        raise EvalError("round: the number of digits must be a whole number from -18 to 18")
    if places == 0:
        return round(number)
    rounded: Fraction = round(Fraction(number), places)
    return _bounded(rounded)


def _extreme(name: str, pick: Callable[[list[Number]], Number]) -> Callable[..., Value]:
    def run(*args: Value) -> Value:
        items: tuple[Value, ...] = args
        if len(args) == 1:
            if not isinstance(args[0], tuple):
                raise EvalError(f"{name} needs two or more numbers, or one (a, b) pair")
            items = args[0]
        return pick([_number(item, name) for item in items])

    return run


_BUILTINS = (
    _Function("min", _extreme("min", min), 1, MAX_ARGS, False),
    _Function("max", _extreme("max", max), 1, MAX_ARGS, False),
    _Function("abs", _abs, 1, 1, False),
    _Function("floor", _floor, 1, 1, False),
    _Function("ceil", _ceil, 1, 1, False),
    _Function("round", _round, 1, 2, False),
)

_FUNCTIONS: dict[str, _Function] = {
    **{name: _formula_function(name) for name in _FORMULA_NAMES},
    **{fn.name: fn for fn in _BUILTINS},
}
FUNCTIONS: tuple[str, ...] = tuple(_FUNCTIONS)

# The one place text is allowed: the padding argument of conv_output_size.
_PADDING_WORDS = ("same", "valid")
_PADDING_SLOT = ("conv_output_size", 3, "padding")


# --- values -------------------------------------------------------------------------------


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


def _number(value: Value, op: str) -> Number:
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise EvalError(f"'{op}' needs numbers, got {show(value)}")
    return value


def _bool(value: Value, op: str) -> bool:
    if not isinstance(value, bool):
        raise EvalError(
            f"'{op}' needs True or False, got {show(value)} (use a comparison such as n != 0)"
        )
    return value


def _bounded(value: Number) -> Number:
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


def _from_function(value: object, name: str) -> Value:
    """A formula-module result as a language value (floats become exact Fractions)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _bounded(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EvalError(f"{name} gave {value}")
        return _bounded(Fraction(value))
    if isinstance(value, tuple):
        return tuple(_from_function(item, name) for item in value)
    raise EvalError(f"{name} gave an unexpected {type(value).__name__}")


def _to_function(value: Value, fn: str) -> object:
    """A language value as a formula-module argument: whole numbers only, or text/bool."""
    if isinstance(value, Fraction):
        raise EvalError(f"{fn}: arguments must be whole numbers, got {show(value)}")
    if isinstance(value, tuple):
        return tuple(_to_function(item, fn) for item in value)
    return value


# --- operators ----------------------------------------------------------------------------


def _power(base: Value, exponent: Value) -> Value:
    a, b = _number(base, "**"), _number(exponent, "**")
    if not isinstance(b, int):
        raise EvalError(f"'**' needs a whole-number exponent, got {show(b)}")
    if a == 0 and b < 0:
        raise EvalError("division by zero (0 to a negative power)")
    fraction = Fraction(a)
    for part in (fraction.numerator, fraction.denominator):
        magnitude = abs(part)
        if magnitude >= 2 and (magnitude.bit_length() - 1) * abs(b) > _MAX_POWER_BITS:
            raise EvalError(f"{show(a)} ** {show(b)} is too large to compute (limit 10**18)")
    return _bounded(Fraction(a) ** b)


def _divide(a: Value, b: Value) -> Value:
    x, y = _number(a, "/"), _number(b, "/")
    if y == 0:
        raise EvalError("division by zero")
    return _bounded(Fraction(x) / y)


def _floordiv(a: Value, b: Value) -> Value:
    x, y = _number(a, "//"), _number(b, "//")
    if y == 0:
        raise EvalError("division by zero")
    return _bounded(x // y)


def _modulo(a: Value, b: Value) -> Value:
    x, y = _number(a, "%"), _number(b, "%")
    if y == 0:
        raise EvalError("division by zero (% by 0)")
    return _bounded(x % y)


def _arith(symbol: str, op: Callable[[Number, Number], Number]) -> Callable[[Value, Value], Value]:
    def run(a: Value, b: Value) -> Value:
        return _bounded(op(_number(a, symbol), _number(b, symbol)))

    return run


_BINOPS: dict[type[ast.operator], Callable[[Value, Value], Value]] = {
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
        return op(_number(a, symbol), _number(b, symbol))

    return run


_COMPARE: dict[type[ast.cmpop], Callable[[Value, Value], bool]] = {
    ast.Lt: _ordered("<", lambda x, y: x < y),
    ast.LtE: _ordered("<=", lambda x, y: x <= y),
    ast.Gt: _ordered(">", lambda x, y: x > y),
    ast.GtE: _ordered(">=", lambda x, y: x >= y),
    ast.Eq: lambda a, b: _equal(a, b),
    ast.NotEq: lambda a, b: not _equal(a, b),
}


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


# --- reading a formula -------------------------------------------------------------------

_NODE_NAMES: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "a subscript ([...])",
    ast.Slice: "a slice",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.NamedExpr: "assignment (:=)",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.List: "a list",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.Starred: "* unpacking",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


@dataclass(frozen=True, eq=False)
class Formula:
    """A checked formula, ready to evaluate against parameter values."""

    text: str
    names: frozenset[str]
    size: int
    _fn: Fn = field(repr=False)

    def __call__(self, env: Env) -> Value:
        return self._fn(env)


def _check_text(text: str) -> str:
    if len(text) > MAX_FORMULA_CHARS:
        raise FormulaError(
            f"the formula is {len(text):,} characters long; the limit is {MAX_FORMULA_CHARS}"
        )
    body = text.strip()
    if not body:
        raise FormulaError("the formula is empty")
    depth = 0
    for column, char in enumerate(body, start=1):
        if char not in _ALLOWED_CHARS:
            hint = _CHAR_HINTS.get(char, "only numbers, parameters, operators and calls")
            shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
            raise FormulaError(f"character {shown} at column {column} is not allowed ({hint})")
        if char == "(":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                raise FormulaError(
                    f"brackets are nested more than {MAX_BRACKET_DEPTH} deep (column {column})"
                )
        elif char == ")":
            depth -= 1
    return body


def _tree_depth(root: ast.AST) -> tuple[int, int]:
    """(depth, node count) of a tree, walked iteratively."""
    deepest, count = 0, 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        if deepest > MAX_TREE_DEPTH or count > MAX_NODES:
            break
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest, count


def compile_formula(text: str, names: Collection[str]) -> Formula:
    """Check ``text`` against the formula language and the parameter ``names``.

    Raises ``FormulaError`` with an admin-facing reason; evaluates nothing.
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text, got {type(text).__name__}")
    body = _check_text(text)
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as error:
        where = f" at column {error.offset}" if error.offset else ""
        raise FormulaError(f"not a valid formula{where}: {error.msg}") from None
    except (ValueError, MemoryError, RecursionError) as error:
        raise FormulaError(f"not a valid formula: {type(error).__name__}") from None
    depth, count = _tree_depth(tree)
    if depth > MAX_TREE_DEPTH:
        raise FormulaError(f"the formula is nested more than {MAX_TREE_DEPTH} levels deep")
    if count > MAX_NODES:
        raise FormulaError(f"the formula has more than {MAX_NODES} parts")
    compiler = _Compiler(frozenset(names), _constant_nodes(tree.body))
    fn = compiler.compile(tree.body)
    return Formula(text, frozenset(compiler.used), count, fn)


def _constant_nodes(root: ast.AST) -> set[int]:
    """ids of the nodes whose subtree reads no parameter (function names aside)."""
    callees = {id(node.func) for node in ast.walk(root) if isinstance(node, ast.Call)}
    order: list[ast.AST] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(ast.iter_child_nodes(node))
    variable: set[int] = set()
    for node in reversed(order):  # children before parents
        if (isinstance(node, ast.Name) and id(node) not in callees) or any(
            id(child) in variable for child in ast.iter_child_nodes(node)
        ):
            variable.add(id(node))
    return {id(node) for node in order if id(node) not in variable}


class _Compiler:
    def __init__(self, names: frozenset[str], constant: set[int]) -> None:
        self.names = names
        self.fixed = constant
        self.used: set[str] = set()

    def fail(self, node: ast.AST, detail: str) -> FormulaError:
        column = getattr(node, "col_offset", None)
        where = f" (column {column + 1})" if isinstance(column, int) else ""
        return FormulaError(f"{detail}{where}")

    def compile(self, node: ast.AST, *, padding: bool = False) -> Fn:
        """A closure computing ``node``. A part that reads no parameter is computed
        once, now, so a constant bomb (9**9**9) is refused when the template loads."""
        fn = self.build(node, padding=padding)
        if id(node) not in self.fixed or isinstance(node, ast.Constant):
            return fn
        try:
            value = fn({})
        except EvalError as error:
            raise self.fail(node, str(error)) from None
        return lambda env: value

    def build(self, node: ast.AST, *, padding: bool) -> Fn:
        if isinstance(node, ast.Constant):
            return self.constant(node, padding=padding)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BoolOp):
            return self.boolop(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.IfExp):
            return self.ifexp(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Tuple):
            return self.tuple(node)
        if isinstance(node, ast.Attribute):
            raise self.fail(node, f"attribute access ('.{node.attr}') is not allowed")
        what = _NODE_NAMES.get(type(node), type(node).__name__)
        raise self.fail(node, f"{what} is not allowed in a formula")

    def constant(self, node: ast.Constant, *, padding: bool) -> Fn:
        value = node.value
        if isinstance(value, bool):
            result: Value = value
        elif isinstance(value, int):
            if abs(value) > MAX_MAGNITUDE:
                raise self.fail(node, "a number is too large (beyond ±10**18)")
            result = value
        elif isinstance(value, float):
            if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
                raise self.fail(node, "a number is too large (beyond ±10**18)")
            try:
                result = _bounded(Fraction(repr(value)))
            except EvalError as error:
                raise self.fail(node, str(error)) from None
        elif isinstance(value, str):
            if not padding or value not in _PADDING_WORDS:
                raise self.fail(
                    node,
                    "text is not allowed in a formula, except 'same' or 'valid' as the "
                    "padding of conv_output_size",
                )
            result = value
        elif isinstance(value, complex):
            raise self.fail(node, "imaginary numbers are not allowed")
        else:
            raise self.fail(node, f"{show(value)} is not allowed in a formula")
        return lambda env: result

    def name(self, node: ast.Name) -> Fn:
        key = node.id
        if key in self.names:
            self.used.add(key)
            return lambda env: env[key]
        if key in _FUNCTIONS:
            raise self.fail(node, f"{key} is a function: call it, as in {key}(...)")
        known = ", ".join(sorted(self.names)) or "none"
        raise FormulaError(f"name '{key}' is not a parameter (the parameters are: {known})")

    def binop(self, node: ast.BinOp) -> Fn:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise self.fail(node, f"the operator {_symbol(node.op)} is not allowed")
        left, right = self.compile(node.left), self.compile(node.right)
        return lambda env: op(left(env), right(env))

    def unary(self, node: ast.UnaryOp) -> Fn:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda env: _bounded(-_number(operand(env), "-"))
        if isinstance(node.op, ast.UAdd):
            return lambda env: _number(operand(env), "+")
        if isinstance(node.op, ast.Not):
            return lambda env: not _bool(operand(env), "not")
        raise self.fail(node, "bitwise operators are not allowed")

    def boolop(self, node: ast.BoolOp) -> Fn:
        parts = [self.compile(value) for value in node.values]
        if isinstance(node.op, ast.And):

            def both(env: Env) -> Value:
                return all(_bool(part(env), "and") for part in parts)

            return both

        def either(env: Env) -> Value:
            return any(_bool(part(env), "or") for part in parts)

        return either

    def compare(self, node: ast.Compare) -> Fn:
        ops: list[Callable[[Value, Value], bool]] = []
        for op in node.ops:
            check = _COMPARE.get(type(op))
            if check is None:
                raise self.fail(node, f"the comparison {_symbol(op)} is not allowed")
            ops.append(check)
        first = self.compile(node.left)
        rest = [self.compile(item) for item in node.comparators]

        def run(env: Env) -> Value:
            left = first(env)
            for check, item in zip(ops, rest, strict=True):
                right = item(env)
                if not check(left, right):
                    return False
                left = right
            return True

        return run

    def ifexp(self, node: ast.IfExp) -> Fn:
        test, body, orelse = (self.compile(n) for n in (node.test, node.body, node.orelse))
        return lambda env: body(env) if _bool(test(env), "if") else orelse(env)

    def tuple(self, node: ast.Tuple) -> Fn:
        if len(node.elts) != 2:
            raise self.fail(node, "a pair must have exactly two values, as in (h, w)")
        first, second = (self.compile(item) for item in node.elts)
        return lambda env: (first(env), second(env))

    def call(self, node: ast.Call) -> Fn:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise self.fail(node, f"attribute access ('.{node.func.attr}') is not allowed")
            raise self.fail(node, "only the listed functions can be called, by name")
        name = node.func.id
        spec = _FUNCTIONS.get(name)
        if spec is None:
            raise self.fail(
                node, f"'{name}' is not a function you can call (allowed: {', '.join(FUNCTIONS)})"
            )
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise self.fail(node, f"{name}: * unpacking is not allowed")
        if any(kw.arg is None for kw in node.keywords):
            raise self.fail(node, f"{name}: ** unpacking is not allowed")
        total = len(node.args) + len(node.keywords)
        if node.keywords and not spec.keywords:
            raise self.fail(node, f"{name} takes no keyword arguments")
        if spec.signature is not None:
            try:
                spec.signature.bind(*node.args, **{str(kw.arg): kw.value for kw in node.keywords})
            except TypeError as error:
                raise self.fail(node, f"{name}: {error}") from None
        elif not spec.min_args <= total <= spec.max_args:
            want = (
                str(spec.min_args)
                if spec.min_args == spec.max_args
                else f"{spec.min_args} to {spec.max_args}"
            )
            raise self.fail(node, f"{name} takes {want} argument(s), got {total}")
        slot_fn, slot_index, slot_name = _PADDING_SLOT
        args = [
            self.compile(arg, padding=name == slot_fn and index == slot_index)
            for index, arg in enumerate(node.args)
        ]
        kwargs = {
            str(kw.arg): self.compile(kw.value, padding=name == slot_fn and kw.arg == slot_name)
            for kw in node.keywords
        }
        impl = spec.impl
        if spec.signature is None:  # a built-in helper: checks its own arguments

            def helper(env: Env) -> Value:
                return _bounded_value(impl(*(arg(env) for arg in args)))

            return helper

        def formula(env: Env) -> Value:
            values = [_to_function(arg(env), name) for arg in args]
            keywords = {key: _to_function(arg(env), name) for key, arg in kwargs.items()}
            try:
                result = impl(*values, **keywords)
            except ValueError as error:
                raise EvalError(f"{name}: {error}") from None
            except (TypeError, ArithmeticError) as error:
                raise EvalError(f"{name}: {type(error).__name__}: {error}") from None
            return _from_function(result, name)

        return formula


def _bounded_value(value: object) -> Value:
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise EvalError(f"unexpected result {show(value)}")
    return _bounded(value)


def _symbol(op: ast.AST) -> str:
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
