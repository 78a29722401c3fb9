"""Checking a formula's syntax tree node by node and turning it into closures.

Only the allow-listed node kinds are accepted: numbers, parameter names, the operators of
``_expr_ops``, ``and``/``or``/``not``, comparisons, ``a if c else b``, ``(a, b)`` pairs and
calls of the functions in ``_expr_functions``, by name. Anything else is refused with a
``FormulaError`` saying what and where. The result is a tree of plain Python closures over
the checked nodes; admin text never reaches ``eval``, ``exec`` or ``compile``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from fractions import Fraction

from bot.engine.templates._expr_functions import (
    FUNCTION_TABLE,
    FUNCTIONS,
    PADDING_SLOT,
    PADDING_WORDS,
    call_formula,
    call_helper,
)
from bot.engine.templates._expr_ops import BINOPS, COMPARE, symbol
from bot.engine.templates._expr_values import (
    MAX_MAGNITUDE,
    Env,
    EvalError,
    Fn,
    FormulaError,
    Value,
    boolean,
    bounded,
    number,
    show,
)

__all__ = ["Compiler"]

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


class Compiler:
    """Compiles the nodes of one formula; ``used`` collects the parameters it reads."""

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
                result = bounded(Fraction(repr(value)))
            except EvalError as error:
                raise self.fail(node, str(error)) from None
        elif isinstance(value, str):
            if not padding or value not in PADDING_WORDS:
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
        if key in FUNCTION_TABLE:
            raise self.fail(node, f"{key} is a function: call it, as in {key}(...)")
        known = ", ".join(sorted(self.names)) or "none"
        raise FormulaError(f"name '{key}' is not a parameter (the parameters are: {known})")

    def binop(self, node: ast.BinOp) -> Fn:
        op = BINOPS.get(type(node.op))
        if op is None:
            raise self.fail(node, f"the operator {symbol(node.op)} is not allowed")
        left, right = self.compile(node.left), self.compile(node.right)
        return lambda env: op(left(env), right(env))

    def unary(self, node: ast.UnaryOp) -> Fn:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda env: bounded(-number(operand(env), "-"))
        if isinstance(node.op, ast.UAdd):
            return lambda env: number(operand(env), "+")
        if isinstance(node.op, ast.Not):
            return lambda env: not boolean(operand(env), "not")
        raise self.fail(node, "bitwise operators are not allowed")

    def boolop(self, node: ast.BoolOp) -> Fn:
        parts = [self.compile(value) for value in node.values]
        if isinstance(node.op, ast.And):

            def both(env: Env) -> Value:
                return all(boolean(part(env), "and") for part in parts)

            return both

        def either(env: Env) -> Value:
            return any(boolean(part(env), "or") for part in parts)

        return either

    def compare(self, node: ast.Compare) -> Fn:
        ops: list[Callable[[Value, Value], bool]] = []
        for op in node.ops:
            check = COMPARE.get(type(op))
            if check is None:
                raise self.fail(node, f"the comparison {symbol(op)} is not allowed")
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
        return lambda env: body(env) if boolean(test(env), "if") else orelse(env)

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
        spec = FUNCTION_TABLE.get(name)
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
        slot_fn, slot_index, slot_name = PADDING_SLOT
        args = [
            self.compile(arg, padding=name == slot_fn and index == slot_index)
            for index, arg in enumerate(node.args)
        ]
        kwargs = {
            str(kw.arg): self.compile(kw.value, padding=name == slot_fn and kw.arg == slot_name)
            for kw in node.keywords
        }
        if spec.signature is None:  # a built-in helper: checks its own arguments
            return lambda env: call_helper(spec, args, env)
        return lambda env: call_formula(spec, args, kwargs, env)
