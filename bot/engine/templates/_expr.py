"""The formula language of templates: small arithmetic over parameters, nothing else.

A formula is parsed with ``ast.parse(..., mode="eval")`` only after its length, its
characters and its bracket depth have been bounded (``_expr_parse``), and the tree is then
checked node by node against an allow-list and turned into plain Python closures
(``_expr_compiler``) that evaluate it with the operators of ``_expr_ops`` and the functions
of ``_expr_functions``. Admin text is never handed to ``eval``, ``exec`` or ``compile``,
and no name outside the template's parameters and the allow-listed functions can be
reached.

Values (``_expr_values``) are whole numbers, exact fractions, ``True``/``False``, the
padding words ``'same'`` and ``'valid'``, and ``(a, b)`` pairs. Every number stays within
``±10**18`` and ``**`` refuses a result that would be larger *before* computing it, so no
formula can make the bot compute something huge.

This module holds the entry point, ``compile_formula``, and what it returns, ``Formula``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from bot.engine.templates._expr_compiler import Compiler
from bot.engine.templates._expr_parse import constant_nodes, parse
from bot.engine.templates._expr_values import Env, EvalError, Fn, FormulaError, Value

__all__ = ["EvalError", "Formula", "FormulaError", "compile_formula"]


@dataclass(frozen=True, eq=False)
class Formula:
    """A checked formula, ready to evaluate against parameter values."""

    text: str
    names: frozenset[str]
    size: int
    _fn: Fn = field(repr=False)

    def __call__(self, env: Env) -> Value:
        return self._fn(env)


def compile_formula(text: str, names: Collection[str]) -> Formula:
    """Check ``text`` against the formula language and the parameter ``names``.

    Raises ``FormulaError`` with an admin-facing reason; evaluates nothing.
    """
    tree, count = parse(text)
    compiler = Compiler(frozenset(names), constant_nodes(tree.body))
    fn = compiler.compile(tree.body)
    return Formula(text, frozenset(compiler.used), count, fn)
