"""Sampling: the parameter values a seed draws, and the answers and mistakes they give."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from bot.engine.question import AnswerKey, AnswerValue
from bot.engine.templates._answers import OutOfRange, WrongShape, convert_answer, relative_tolerance
from bot.engine.templates._errors import TemplateError
from bot.engine.templates._expr import Formula
from bot.engine.templates._expr_values import EvalError, Value, show
from bot.engine.templates._limits import LIMITS

if TYPE_CHECKING:
    from bot.engine.templates._template import Template


class Variant(NamedTuple):
    env: dict[str, Value]
    key: AnswerKey
    mistakes: tuple[tuple[int, AnswerValue], ...]  # (index in template.mistakes, value)
    order: tuple[int, ...] | None  # choices: the option shown at position j is order[j]
    right: frozenset[int]  # mistakes left out because they equal the right answer
    dropped: tuple[tuple[int, str], ...]  # mistakes left out as unusable here, and why


class _Drop(Exception):
    """A mistake value that is fine in shape but does not apply to this variant."""


def evaluate(template: Template, formula: Formula, path: str, env: Mapping[str, Value]) -> Value:
    try:
        return formula(env)
    except EvalError as error:
        raise template._fail(path, str(error), env) from None


def holds(template: Template, index: int, env: Mapping[str, Value]) -> bool:
    path = f"constraints[{index}]"
    value = evaluate(template, template._plan.constraints[index], path, env)
    if not isinstance(value, bool):
        raise template._fail(path, f"gives {show(value)}, not True/False (write a comparison)", env)
    return value


def draw(
    template: Template, rng: random.Random, *, skip_errors: bool = False
) -> dict[str, Value] | None:
    """Values that satisfy the constraints, in at most ``LIMITS.tries`` draws, or None.

    A constraint that fails to evaluate refuses (the load check names it) or, with
    ``skip_errors`` (a question being asked), only rejects that draw."""
    count = len(template._plan.constraints)
    for _ in range(LIMITS.tries):
        env: dict[str, Value] = {param.name: param.draw(rng) for param in template.params}
        try:
            if all(holds(template, i, env) for i in range(count)):
                return env
        except TemplateError:
            if not skip_errors:
                raise
    return None


def seeded_rng(template: Template, seed: int) -> random.Random:
    # A str seed is hashed with SHA-512 by random.Random: stable across processes.
    return random.Random(f"template:{template.name}:{template.digest}:{seed}")


def shuffled_order(template: Template, rng: random.Random) -> tuple[int, ...] | None:
    """The order options are shown in (drawn after the values, as always)."""
    if template.choices is None:
        return None
    count = len(template.choices)
    return tuple(rng.sample(range(count), count)) if template.shuffle else tuple(range(count))


def make_variant(
    template: Template, env: dict[str, Value], order: tuple[int, ...] | None
) -> Variant:
    key = _answer_key(template, env, order)
    mistakes: list[tuple[int, AnswerValue]] = []
    right: set[int] = set()
    dropped: list[tuple[int, str]] = []
    seen: set[object] = set()
    for index, formula in enumerate(template._plan.mistakes):
        path = f"mistakes[{index}].answer"
        try:
            value = _answer_value(template, formula, path, env, order, mistake=True)
        except _Drop as why:
            dropped.append((index, str(why)))
            continue
        if value == key.value:  # a right answer must never grade as a mistake
            right.add(index)
        elif value not in seen:
            seen.add(value)
            mistakes.append((index, value))
    return Variant(env, key, tuple(mistakes), order, frozenset(right), tuple(dropped))


def _answer_value(
    template: Template,
    formula: Formula | int,
    path: str,
    env: Mapping[str, Value],
    order: tuple[int, ...] | None,
    *,
    mistake: bool,
) -> AnswerValue:
    raw = formula if isinstance(formula, int) else evaluate(template, formula, path, env)
    try:
        return convert_answer(raw, template.answer_type, template.display, order)
    except OutOfRange as problem:
        if mistake:
            raise _Drop(template._fail(path, str(problem), env).detail) from None
        raise template._fail(path, str(problem), env) from None
    except WrongShape as problem:
        raise template._fail(path, str(problem), env) from None


def _answer_key(
    template: Template, env: Mapping[str, Value], order: tuple[int, ...] | None
) -> AnswerKey:
    value = _answer_value(template, template._plan.answer, "answer", env, order, mistake=False)
    kind = template.answer_type
    if kind == "choice":
        return AnswerKey("choice", value)
    tol = relative_tolerance(template.tolerance, value)
    if kind in ("square", "pair"):
        return AnswerKey("pair", value, rel_tol=tol, display=template.display or "size")
    return AnswerKey("int" if kind == "int" else "float", value, rel_tol=tol)
