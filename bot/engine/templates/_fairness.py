"""Fairness checks: a template's questions are ranked, so none may be won by a guess.

Run after the sample questions are checked (``check_template``), on the first sample
questions again:

* the answer must vary: an answer that is the same in every sampled question (``n * 0 +
  4``, or always option A without ``shuffle``) is learnt once and then always right;
* an absolute tolerance may be at most 5 % of the answer in at least 9 of 10 sampled
  questions (``absolute: 1e9`` would make 0 right everywhere);
* every parameter the answer depends on must reach the player: for each sampled question
  and parameter, the parameter alone is changed; if the answer changes but the rendered
  prompt (with its options) does not, two questions read the same and have different
  answers, so neither can be answered (``{n * 0}`` shows nothing, ``{n // 100}`` too
  little).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import TYPE_CHECKING

from bot.engine.question import AnswerValue, Question, format_number
from bot.engine.templates._answers import OutOfRange, WrongShape, convert_answer
from bot.engine.templates._compile import pick
from bot.engine.templates._errors import TemplateError
from bot.engine.templates._expr import Formula
from bot.engine.templates._expr_values import EvalError, Value
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._render import render
from bot.engine.templates._sampling import Variant, draw, holds, make_variant
from bot.engine.templates._source import Param

if TYPE_CHECKING:
    from bot.engine.templates._template import Template

MIN_PROBED = 4  # sample questions probed however costly the template's formulas are
MAX_PROBED = 32
_ALTERNATIVES = 2  # other values tried per parameter: a neighbour and a random one


def check_fairness(template: Template) -> None:
    """Refuse a template whose ranked questions a guess could win (see the module)."""
    # Drawn apart from the seeds (which follow the digest): the same questions are probed
    # after the tolerance alone is edited, so a suggested tolerance is then accepted.
    rng = random.Random(f"template-fairness:{template.name}")
    variants = [_variant(template, rng) for _ in range(_probed(template))]
    _check_answer_varies(template, variants)
    _check_absolute_tolerance(template, variants)
    for variant in variants:
        _check_parameters_shown(template, variant, rng)


def _variant(template: Template, rng: random.Random) -> Variant:
    env = draw(template, rng)
    if env is None:  # the constraints were seen to hold often enough: this is rare
        raise template._fail(
            "constraints", f"no values satisfied the constraints in {LIMITS.tries:,} tries"
        )
    order = None
    if template.choices is not None:
        count = len(template.choices)
        order = tuple(rng.sample(range(count), count)) if template.shuffle else tuple(range(count))
    return make_variant(template, env, order)


def _probed(template: Template) -> int:
    """How many sample questions to probe within ``LIMITS.fairness_steps``."""
    plan = template._plan
    constraints = sum(f.size for f in plan.constraints)
    answer = plan.answer.size if isinstance(plan.answer, Formula) else 1
    shown = sum(
        f.size
        for lang in plan.languages
        for group in (plan.prompt, *(plan.choices or ()))
        for f in pick(group, lang).text.formulas
    )
    worst_tries = round(1 / LIMITS.min_acceptance_rate)  # draws a sample may reject
    per_variant = worst_tries * constraints + answer + shown
    per_variant += len(template.params) * _ALTERNATIVES * (constraints + answer + shown)
    return max(MIN_PROBED, min(MAX_PROBED, LIMITS.fairness_steps // max(per_variant, 1)))


def _check_answer_varies(template: Template, variants: list[Variant]) -> None:
    first = variants[0].key.value
    if any(variant.key.value != first for variant in variants):
        return
    if template.answer_type == "choice":
        hint = "use shuffle: true, or make the right option depend on the parameters"
    else:
        hint = "make it depend on the parameters"
    raise template._fail(
        "answer",
        f"is {_shown(template, first)} in all {len(variants)} sampled questions, so it "
        f"can be learnt once and guessed: {hint}",
    )


def _check_absolute_tolerance(template: Template, variants: list[Variant]) -> None:
    absolute = template.tolerance.absolute if template.tolerance else None
    if not absolute:
        return
    sizes: list[tuple[Fraction, Variant]] = []
    for variant in variants:
        value = variant.key.value
        number = value[0] if isinstance(value, tuple) else value
        if isinstance(number, Fraction) and number != 0:  # 0 grades exactly anyway
            sizes.append((abs(number), variant))
    if not sizes:
        return
    sizes.sort(key=lambda item: item[0])
    share = Fraction(LIMITS.absolute_share)
    limit = Fraction(absolute) / share  # answers smaller than this are too loose
    allowed = math.floor(len(sizes) * (1 - LIMITS.absolute_share_questions))
    loose = [item for item in sizes if item[0] < limit]
    if len(loose) <= allowed:
        return
    smallest, example = loose[0]
    suggest = _round_down(float(share * sizes[min(allowed, len(sizes) - 1)][0]))
    instead = "use a relative tolerance"
    if suggest:
        instead = f"use at most {suggest:g}, or a relative tolerance"
    raise template._fail(
        "tolerance.absolute",
        f"{absolute:g} is more than {LIMITS.absolute_share:.0%} of the answer in "
        f"{len(loose)} of {len(sizes)} sampled questions (the answer is "
        f"{format_number(smallest)}), so a guess would pass: {instead}",
        example.env,
    )


def _check_parameters_shown(template: Template, variant: Variant, rng: random.Random) -> None:
    base = _reading(template, variant.env, variant.order)
    if base is None:  # the sample questions were checked: this does not happen
        return
    answer, texts = base
    for param in template.params:
        for value in _alternatives(param, variant.env[param.name], rng):
            env = dict(variant.env)
            env[param.name] = value
            other = _reading(template, env, variant.order)
            if other is None or other[0] == answer:
                continue
            for lang, (path, text) in texts.items():
                if other[1][lang][1] != text:
                    continue
                where = f"params.{param.name}" if len(texts) == 1 else path
                prompt = "prompt" if len(texts) == 1 else f"{lang} prompt"
                raise template._fail(
                    where,
                    f"changing {param.name} alone ({variant.env[param.name]} → {value}) "
                    f"changes the answer ({_shown(template, answer)} → "
                    f"{_shown(template, other[0])}) but not the {prompt}, so the "
                    f"question cannot be answered: show {{{param.name}}} itself",
                    variant.env,
                )


def _alternatives(param: Param, current: Value, rng: random.Random) -> list[int]:
    """Other values of ``param``: the next one up or down, and one drawn at random."""
    found: list[int] = []
    if isinstance(current, bool) or not isinstance(current, int):
        return found  # parameters are whole numbers; nothing else to vary
    if param.choice is not None:
        values = sorted(set(param.choice))
        index = values.index(current) if current in values else 0
        found += [values[i] for i in (index + 1, index - 1) if 0 <= i < len(values)][:1]
    else:
        step = param.step or 1
        found += [v for v in (current + step, current - step) if param.holds(v)][:1]
    for _ in range(3):
        drawn = param.draw(rng)
        if drawn != current and drawn not in found:
            found.append(drawn)
            break
    return found[:_ALTERNATIVES]


def _reading(
    template: Template, env: dict[str, Value], order: tuple[int, ...] | None
) -> tuple[AnswerValue, dict[str, tuple[str, str]]] | None:
    """The answer for ``env`` and what the player reads in each language (prompt and
    options), or None when these values are not a question (a constraint fails)."""
    plan = template._plan
    try:
        if not all(holds(template, i, env) for i in range(len(plan.constraints))):
            return None
        raw = plan.answer if isinstance(plan.answer, int) else plan.answer(env)
        answer = convert_answer(raw, template.answer_type, template.display, order)
        texts: dict[str, tuple[str, str]] = {}
        for lang in plan.languages:
            cache: dict[str, str] = {}
            slot = pick(plan.prompt, lang)
            parts = [render(slot.text, env, cache)]
            for index in order or ():
                choice = pick((plan.choices or ())[index], lang)
                parts.append(render(choice.text, env, cache))
            texts[lang] = (slot.path, "\n".join(parts))
    except (TemplateError, EvalError, WrongShape, OutOfRange):
        return None
    return answer, texts


def _shown(template: Template, value: AnswerValue) -> str:
    if template.answer_type == "choice" and isinstance(value, int):
        return f"option {chr(ord('A') + value)}"
    if isinstance(value, tuple):
        return "(" + ", ".join(format_number(item) for item in value) + ")"
    return format_number(value)


def _round_down(value: float) -> float:
    """``value`` to two significant digits, rounded down (a limit must stay within)."""
    if value <= 0:
        return 0.0
    scale = 10.0 ** (math.floor(math.log10(value)) - 1)
    return float(math.floor(value / scale) * scale)


def shown_answer_advice(template: Template, question: Question) -> str:
    """What to change when the answer, as shown, would not grade as right."""
    key = question.answer
    value = key.value
    exact = value[0] if isinstance(value, tuple) else value
    shown_text = question.answer_text
    most = LIMITS.relative_tolerance
    needed = None
    if isinstance(exact, Fraction) and exact != 0:
        shown_value = _parse_shown(shown_text)
        if shown_value is not None:
            needed = float(abs(shown_value - exact) / abs(exact))
    if needed is not None and needed > most:
        return (
            f"no tolerance the bot allows (relative at most {most:g}) covers that: round "
            "the answer in the formula, such as round(x, 2), or keep it further from 0"
        )
    wanted = max(0.001, needed * 2 if needed else 0.0)
    wanted = min(most, float(f"{wanted:.1g}") if wanted > 0.001 else wanted)
    if template.tolerance is None:
        return f"add tolerance: {{relative: {wanted:g}}} (or an absolute one)"
    return f"widen the tolerance to {{relative: {wanted:g}}}"


def _parse_shown(text: str) -> Fraction | None:
    # "4,640", "3.5", "11×13" or "(3.5, 2)": the first number, thousands commas removed
    cut = text.strip().strip("()").split(", ")[0].split("×")[0].replace(",", "")
    try:
        return Fraction(cut)
    except (ValueError, ZeroDivisionError):
        return None
