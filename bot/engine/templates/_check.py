"""The load-time checks: constraints that hold often enough, affordable work, sound variants."""

from __future__ import annotations

import random
from fractions import Fraction

from bot.engine.bank import (
    grade,  # the engine's grader: what players meet
)
from bot.engine.question import Question, format_number
from bot.engine.templates._build import build_question
from bot.engine.templates._compile import pick
from bot.engine.templates._expr import Formula
from bot.engine.templates._expr_values import Value
from bot.engine.templates._fairness import check_fairness, shown_answer_advice
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._sampling import Variant, holds, sample_variant
from bot.engine.templates._template import Template


def check_template(template: Template) -> None:
    """Refuse a template whose constraints rarely hold or whose variants misbehave."""
    plan = template._plan
    _check_cost(template, LIMITS.draws)  # the least it could cost: refuse before running
    accepted = _check_acceptance(template) if plan.constraints else LIMITS.draws
    _check_cost(template, accepted)
    always_right = set(range(len(template.mistakes)))
    unusable = dict.fromkeys(range(len(template.mistakes)), "")
    for seed in range(LIMITS.variants):
        variant = sample_variant(template, seed)
        always_right &= variant.right
        why = dict(variant.dropped)
        for index in list(unusable):
            if index in why:
                unusable[index] = why[index]
            else:
                del unusable[index]
        for number, lang in enumerate(plan.languages):
            question = build_question(template, seed, lang, variant)
            _check_question(template, question, variant, graded=number > 0)
    for index in sorted(always_right):
        raise template._fail(
            f"mistakes[{index}].answer",
            f"equals the right answer in all {LIMITS.variants} sampled questions",
        )
    for index, reason in sorted(unusable.items()):
        raise template._fail(
            f"mistakes[{index}].answer",
            f"is never usable in the {LIMITS.variants} sampled questions; for example it {reason}",
        )
    check_fairness(template)


def _check_cost(template: Template, accepted: int) -> None:
    """Refuse a template that would take long to check or to sample, before doing so.

    Counts formula parts evaluated: constraints are re-run for each rejected draw."""
    plan = template._plan
    constraints = sum(f.size for f in plan.constraints)
    per_question = sum(f.size for f in (plan.answer, *plan.mistakes) if isinstance(f, Formula))
    for lang in plan.languages:
        groups = [plan.prompt, *plan.feedback, *(plan.choices or ())]
        groups += [plan.explanation] if plan.explanation else []
        per_question += sum(f.size for group in groups for f in pick(group, lang).text.formulas)
    tries = LIMITS.draws / max(accepted, 1)
    steps = LIMITS.draws * constraints + LIMITS.variants * (tries * constraints + per_question)
    if steps > LIMITS.check_steps:
        raise template._fail(
            "",
            f"the template would take too long to check (about {steps:,.0f} formula steps; "
            f"the limit is {LIMITS.check_steps:,}): use fewer or shorter formulas, or "
            "constraints that hold more often",
        )


def _check_acceptance(template: Template) -> int:
    plan = template._plan
    rng = random.Random(f"template-check:{template.name}")
    reached = [0] * len(plan.constraints)
    held = [0] * len(plan.constraints)
    accepted = 0
    for _ in range(LIMITS.draws):
        env: dict[str, Value] = {param.name: param.draw(rng) for param in template.params}
        for index in range(len(plan.constraints)):
            reached[index] += 1
            if not holds(template, index, env):
                break
            held[index] += 1
        else:
            accepted += 1
    if accepted >= LIMITS.min_acceptance:
        return accepted
    for index, (count, total) in enumerate(zip(held, reached, strict=True)):
        if count == 0 and total > 0:
            after = "" if index == 0 else " that met the constraints before it"
            raise template._fail(f"constraints[{index}]", f"holds for 0 of {total} draws{after}")
    raise template._fail(
        "constraints",
        f"hold together for {accepted} of {LIMITS.draws} draws; at least "
        f"{LIMITS.min_acceptance} are needed: widen the parameter ranges or loosen the "
        "constraints",
    )


def _check_question(
    template: Template, question: Question, variant: Variant, *, graded: bool
) -> None:
    env = variant.env
    for path, text in (("prompt", question.prompt), ("explanation", question.explanation)):
        if len(text) > LIMITS.rendered_chars:
            raise template._fail(
                path,
                f"renders to {len(text):,} characters; the limit is {LIMITS.rendered_chars:,}",
                env,
            )
    if question.choices is not None and variant.order is not None:
        seen: dict[str, int] = {}
        for position, option in enumerate(question.choices):
            original = variant.order[position]
            if not option.strip():
                raise template._fail(f"choices[{original}]", "renders as empty text", env)
            if option in seen:
                first, second = sorted((seen[option], original))
                raise template._fail(
                    "choices",
                    f"choices[{first}] and choices[{second}] both read {option[:60]!r}",
                    env,
                )
            seen[option] = original
    if graded or question.answer.type == "choice":
        return  # the answer text is the same in every language; a letter always reads
    outcome = grade(question, question.answer_text)
    if outcome.outcome != "correct":
        advice = shown_answer_advice(template, question)
        detail = f"the answer as shown ({question.answer_text}) does not grade as correct; {advice}"
        key = question.answer
        if key.type == "float":
            exact = key.value
            assert isinstance(exact, Fraction)
            detail = (
                f"{_fraction(exact)} is shown as {question.answer_text}, which the tolerance "
                f"would mark wrong; {advice}"
            )
        raise template._fail("answer", detail, env)


def _fraction(value: Fraction) -> str:
    if value.denominator == 1:
        return format_number(value)
    return f"{value.numerator}/{value.denominator}"
