"""Known-good questions: a variant built in every language and checked as players see it.

Every question a template asks goes through ``good_variant``: the variant a seed draws is
built in each of the template's languages and validated (its formulas, its options, its
answer as shown, every text against where Discord shows it); a bad one is skipped and the
seed draws again, a bounded number of times. The load check runs the same validation on
the boundaries of the parameter space and on random draws, so what players meet is what
was checked.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from bot.engine.bank import (
    grade,  # the engine's grader: what players meet
)
from bot.engine.question import Question, format_number
from bot.engine.templates._build import build_question
from bot.engine.templates._errors import TemplateError
from bot.engine.templates._fairness import shown_answer_advice
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._render import shown_text_problem
from bot.engine.templates._sampling import Variant, draw, make_variant, seeded_rng, shuffled_order

if TYPE_CHECKING:
    from bot.engine.templates._template import Template

_OPTION_LAYOUT = len("**A.** \n")  # how the question embed lays out each option


def validate(
    template: Template, seed: int, variant: Variant, *, allow_links: bool
) -> dict[str, Question]:
    """The variant's question in every language of the template, or ``TemplateError``."""
    questions: dict[str, Question] = {}
    for number, lang in enumerate(template._plan.languages):
        question = build_question(template, seed, lang, variant)
        check_question(template, question, variant, graded=number > 0, allow_links=allow_links)
        questions[lang] = question
    return questions


def good_variant(template: Template, seed: int) -> tuple[Variant, dict[str, Question]]:
    """The first good variant ``seed`` draws, with its question in every language.

    Deterministic: the same seed skips the same bad draws. Links were judged when the
    template was loaded (rendered values are numbers, they cannot make one)."""
    rng = seeded_rng(template, seed)
    problem: TemplateError | None = None
    for _ in range(LIMITS.redraws):
        env = draw(template, rng, skip_errors=True)
        if env is None:
            raise template._fail(
                "constraints",
                f"no values satisfied the constraints in {LIMITS.tries:,} tries (seed {seed})",
            )
        try:
            variant = make_variant(template, env, shuffled_order(template, rng))
            return variant, validate(template, seed, variant, allow_links=True)
        except TemplateError as error:
            problem = error
    assert problem is not None
    raise template._refuse(
        "",
        "tpl.check.no_good_question",
        tries=str(LIMITS.redraws),
        seed=str(seed),
        problem=str(problem),
    )


def check_question(
    template: Template, question: Question, variant: Variant, *, graded: bool, allow_links: bool
) -> None:
    env = variant.env
    texts = [("prompt", question.prompt), ("explanation", question.explanation)]
    for path, text in texts:
        if len(text) > LIMITS.rendered_chars:
            raise template._refuse(
                path,
                "tpl.text.too_long",
                env,
                chars=f"{len(text):,}",
                limit=f"{LIMITS.rendered_chars:,}",
            )
    choices = question.choices or ()
    order = variant.order or ()
    texts += [(f"choices[{order[i]}]", option) for i, option in enumerate(choices)]
    for mistake in question.mistakes:
        index = next(i for i, m in enumerate(template.mistakes) if m.name == mistake.name)
        path = f"mistakes[{index}].feedback"
        if len(mistake.feedback) > LIMITS.feedback_rendered_chars:
            raise template._refuse(
                path,
                "tpl.text.feedback_long",
                env,
                chars=f"{len(mistake.feedback):,}",
                limit=f"{LIMITS.feedback_rendered_chars:,}",
            )
        texts.append((path, mistake.feedback))
    for index, hint in enumerate(question.hints):
        path = f"hints[{index}]"
        if not hint.strip():
            raise template._fail(path, "renders as empty text", env)
        if len(hint) > LIMITS.hint_rendered_chars:
            raise template._refuse(
                path,
                "tpl.text.too_long",
                env,
                chars=f"{len(hint):,}",
                limit=f"{LIMITS.hint_rendered_chars:,}",
            )
        texts.append((path, hint))
    for path, text in texts:
        if problem := shown_text_problem(text, allow_links=allow_links):
            raise template._refuse(path, problem[0], env, **problem[1])
    shown = len(question.prompt) + 2 + sum(len(option) + _OPTION_LAYOUT for option in choices)
    if shown > LIMITS.question_chars:
        raise template._refuse(
            "choices" if choices else "prompt",
            "tpl.text.question_long",
            env,
            chars=f"{shown:,}",
            limit=f"{LIMITS.question_chars:,}",
        )
    reveal = len(question.answer_text) + len(question.explanation) + 40
    if reveal > LIMITS.reveal_chars:
        raise template._refuse(
            "explanation",
            "tpl.text.reveal_long",
            env,
            chars=f"{reveal:,}",
            limit=f"{LIMITS.reveal_chars:,}",
        )
    _check_options(template, question, variant)
    if graded or question.answer.type == "choice":
        return  # the answer text is the same in every language; a letter always reads
    _check_answer_reads(template, question, variant)


def _check_options(template: Template, question: Question, variant: Variant) -> None:
    if question.choices is None or variant.order is None:
        return
    seen: dict[str, int] = {}
    for position, option in enumerate(question.choices):
        original = variant.order[position]
        if not option.strip():
            raise template._fail(f"choices[{original}]", "renders as empty text", variant.env)
        if option in seen:
            first, second = sorted((seen[option], original))
            raise template._fail(
                "choices",
                f"choices[{first}] and choices[{second}] both read {option[:60]!r}",
                variant.env,
            )
        seen[option] = original


def _check_answer_reads(template: Template, question: Question, variant: Variant) -> None:
    outcome = grade(question, question.answer_text)
    if outcome.outcome == "correct":
        return
    # Advice from the tolerance the template already has (bot.engine.templates._fairness).
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
    raise template._fail("answer", detail, variant.env)


def _fraction(value: Fraction) -> str:
    if value.denominator == 1:
        return format_number(value)
    return f"{value.numerator}/{value.denominator}"
