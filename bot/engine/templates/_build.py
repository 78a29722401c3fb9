"""Question building: a variant's texts rendered in a language, made a Question or Draft."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.engine.codes import template_code
from bot.engine.question import Draft, Mistake, Question, format_answer
from bot.engine.templates._compile import Slot, pick
from bot.engine.templates._expr_values import EvalError
from bot.engine.templates._render import render

if TYPE_CHECKING:
    from bot.engine.templates._sampling import Variant
    from bot.engine.templates._template import Template


def build_question(template: Template, seed: int, lang: str, variant: Variant) -> Question:
    draft = build_draft(template, variant, lang)
    params: dict[str, object] = dict(draft.params)
    params["_template"] = {
        "name": template.name,
        "version": template.version,
        "digest": template.digest,
    }
    return Question(
        kind=template.kind,
        code=template_code(template.name, seed),
        seed=seed,
        difficulty=template.difficulty,
        params=params,
        answer=draft.answer,
        answer_text=format_answer(draft.answer, draft.choices),
        prompt=draft.prompt,
        explanation=draft.explanation,
        choices=draft.choices,
        mistakes=draft.mistakes,
        lang=lang,
        hints=draft.hints,
    )


def build_draft(template: Template, variant: Variant, lang: str) -> Draft:
    plan = template._plan
    env = variant.env
    cache: dict[str, str] = {}

    def text(slot: Slot, answer_text: str | None = None) -> str:
        try:
            return render(slot.text, env, cache, answer_text)
        except EvalError as error:
            raise template._fail(slot.path, str(error), env) from None

    choices = None
    if plan.choices is not None and variant.order is not None:
        choices = tuple(text(pick(plan.choices[i], lang)) for i in variant.order)
    answer_text = format_answer(variant.key, choices)
    mistakes = tuple(
        Mistake(
            template.mistakes[index].name,
            value,
            template.mistakes[index].score,
            text(pick(plan.feedback[index], lang), answer_text),
        )
        for index, value in variant.mistakes
    )
    return Draft(
        params=dict(env),
        answer=variant.key,
        prompt=text(pick(plan.prompt, lang)),
        explanation=(text(pick(plan.explanation, lang), answer_text) if plan.explanation else ""),
        choices=choices,
        mistakes=mistakes,
        hints=tuple(text(pick(hint, lang)) for hint in plan.hints),
    )
