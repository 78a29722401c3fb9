"""The compiled form of a template: its formulas and texts compiled, and their use checked."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from bot.engine.names import CHOICE_LETTER
from bot.engine.templates._errors import TemplateError
from bot.engine.templates._expr import Formula, compile_formula
from bot.engine.templates._expr_values import FormulaError
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._render import Text, compile_text
from bot.engine.templates._source import LocalText, Source, source_data
from bot.engine.templates._yaml import Document
from bot.i18n.texts import DEFAULT_LANGUAGE

ANY_LANGUAGE = "*"  # the language key of a text written as one string


# --- compiled form --------------------------------------------------------------------


class Slot(NamedTuple):
    path: str  # field path for errors, e.g. "prompt.ja"
    text: Text


Texts = dict[str, Slot]  # language (or "*") → compiled text


@dataclass(frozen=True, eq=False)
class Plan:
    constraints: tuple[Formula, ...]
    answer: Formula | int  # an int is a choice letter's index
    mistakes: tuple[Formula | int, ...]
    feedback: tuple[Texts, ...]
    prompt: Texts
    explanation: Texts | None
    choices: tuple[Texts, ...] | None
    languages: tuple[str, ...]
    digest: str
    lines: Mapping[str, int]
    hints: tuple[Texts, ...] = ()

    def line(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.lines.get("")  # the whole template: where its document starts


def pick(texts: Texts, lang: str) -> Slot:
    found = texts.get(lang) if isinstance(lang, str) else None
    return found or texts.get(DEFAULT_LANGUAGE) or texts[ANY_LANGUAGE]


def compile_plan(source: Source, document: Document) -> Plan:
    names = [param.name for param in source.params]

    def fail(path: str, detail: str) -> TemplateError:
        return TemplateError(path, detail, line=document.line(path))

    def formula(text: str, path: str) -> Formula:
        try:
            return compile_formula(text, names)
        except FormulaError as error:
            raise fail(path, str(error)) from None

    def texts(value: LocalText, path: str, limit: int, *, allow_answer: bool) -> Texts:
        items = (
            [(ANY_LANGUAGE, path, value)]
            if isinstance(value, str)
            else [(lang, f"{path}.{lang}", item) for lang, item in value]
        )
        compiled: Texts = {}
        for lang, where, item in items:
            try:
                compiled[lang] = Slot(
                    where, compile_text(item, names, limit=limit, allow_answer=allow_answer)
                )
            except FormulaError as error:
                raise fail(where, str(error)) from None
        return compiled

    def answer(text: str, path: str) -> Formula | int:
        if source.answer_type == "choice" and CHOICE_LETTER.fullmatch(text.strip()):
            index = ord(text.strip()) - ord("A")
            count = len(source.choices or ())
            if index >= count:
                raise fail(path, f"option {text.strip()} does not exist: there are {count} choices")
            return index
        return formula(text, path)

    plan_prompt = texts(source.prompt, "prompt", LIMITS.prompt_chars, allow_answer=False)
    plan_choices = None
    if source.choices is not None:
        plan_choices = tuple(
            texts(choice, f"choices[{i}]", LIMITS.choice_chars, allow_answer=False)
            for i, choice in enumerate(source.choices)
        )
    plan_explanation = None
    if source.explanation is not None:
        plan_explanation = texts(
            source.explanation, "explanation", LIMITS.explanation_chars, allow_answer=True
        )
    # Like an explanation's text, but shown before the answer: no {answer} in a hint.
    plan_hints = tuple(
        texts(hint, f"hints[{i}]", LIMITS.hint_chars, allow_answer=False)
        for i, hint in enumerate(source.hints)
    )
    plan = Plan(
        constraints=tuple(
            formula(text, f"constraints[{i}]") for i, text in enumerate(source.constraints)
        ),
        answer=answer(source.answer, "answer"),
        mistakes=tuple(
            answer(m.answer, f"mistakes[{i}].answer") for i, m in enumerate(source.mistakes)
        ),
        feedback=tuple(
            texts(m.feedback, f"mistakes[{i}].feedback", LIMITS.feedback_chars, allow_answer=True)
            for i, m in enumerate(source.mistakes)
        ),
        prompt=plan_prompt,
        explanation=plan_explanation,
        choices=plan_choices,
        languages=_languages(source),
        digest=_digest(source),
        lines=dict(document.lines),
        hints=plan_hints,
    )
    _check_usage(source, plan, fail)
    return plan


def _languages(source: Source) -> tuple[str, ...]:
    found = {DEFAULT_LANGUAGE}
    texts: list[LocalText | None] = [source.prompt, source.explanation]
    texts += list(source.choices or ())
    texts += [m.feedback for m in source.mistakes]
    texts += list(source.hints)
    for text in texts:
        if isinstance(text, tuple):
            found.update(lang for lang, _ in text)
    return tuple(sorted(found, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang)))


def _digest(source: Source) -> str:
    canonical = json.dumps(
        source_data(source), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _all_formulas(plan: Plan) -> list[Formula]:
    found: list[Formula] = list(plan.constraints)
    found += [f for f in (plan.answer, *plan.mistakes) if isinstance(f, Formula)]
    groups: list[Texts] = [plan.prompt, *plan.feedback, *(plan.choices or ()), *plan.hints]
    if plan.explanation:
        groups.append(plan.explanation)
    for group in groups:
        for slot in group.values():
            found += slot.text.formulas
    return found


def _check_usage(source: Source, plan: Plan, fail: Callable[[str, str], TemplateError]) -> None:
    unique = {f.text.strip(): f.size for f in _all_formulas(plan)}
    if sum(unique.values()) > LIMITS.formula_nodes:
        raise fail(
            "",
            f"the formulas have {sum(unique.values()):,} parts together; the limit is "
            f"{LIMITS.formula_nodes:,}",
        )
    # Every parameter must reach the player: shown by the prompt (or the options) in
    # every language, or the question cannot be answered.
    langs = plan.languages
    shown: dict[str, set[str]] = {}
    for lang in langs:
        names = set(pick(plan.prompt, lang).text.names)
        for choice in plan.choices or ():
            names |= pick(choice, lang).text.names
        shown[lang] = names
    for param in source.params:
        missing = [lang for lang in langs if param.name not in shown[lang]]
        if len(missing) == len(langs):
            raise fail(
                f"params.{param.name}",
                "is never shown: put {" + param.name + "} (or a formula using it) in the "
                "prompt or the choices",
            )
        if missing:
            lang = missing[0]
            slot = pick(plan.prompt, lang)
            raise fail(slot.path, f"does not show parameter {param.name} ({lang} text)")
