"""The quiz engine's public face: questions from a seed, codes that rebuild them, grading.

``generate(kind, seed, difficulty)`` is deterministic: the same arguments (and the same
``GENERATOR_VERSION``) always give the same question, so a question is stored and shared
as its short public code alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction
from typing import Literal, TypeAlias

from bot.engine import codes, families, replies
from bot.engine.codes import GENERATOR_VERSION, SEED_SPACE
from bot.engine.question import (
    AnswerKey,
    AnswerValue,
    Draft,
    Grade,
    Mistake,
    Outcome,
    Question,
    format_answer,
)
from bot.errors import Localized
from bot.i18n.texts import DEFAULT_LANGUAGE, t

__all__ = [
    "KINDS",
    "AnswerKey",
    "Draft",
    "Grade",
    "Mistake",
    "Question",
    "QuizError",
    "format_answer",
    "from_code",
    "generate",
    "grade",
]

DIFFICULTIES = (1, 2, 3)


class QuizError(Localized, ValueError):
    """A request the engine cannot serve (a bad kind, difficulty, seed or code)."""


def kind_list(lang: str = DEFAULT_LANGUAGE) -> str:
    """The built-in kinds as a refusal lists them: ```output_size`, `param_count`…``."""
    return t("sep.list", lang).join(f"`{kind}`" for kind in KINDS)


Family: TypeAlias = Callable[[random.Random, int, str], Draft]


def _families() -> dict[str, tuple[str, Family]]:
    return {
        "output_size": ("OS", families.output_size),
        "param_count": ("PC", families.param_count),
        "bottleneck": ("BN", families.bottleneck),
        "odd_kernel": ("OK", families.odd_kernel),
    }


_FAMILIES = _families()
KINDS: tuple[str, ...] = tuple(_FAMILIES)
_BY_PREFIX = {prefix: kind for kind, (prefix, _) in _FAMILIES.items()}


def _check(kind: str, seed: int, difficulty: int, lang: str) -> None:
    if not isinstance(kind, str) or kind not in _FAMILIES:
        raise QuizError.of("error.unknown_kind", lang, kind=kind, kinds=kind_list(lang))
    # 1.0 == 1, but it would print as "OS1.0-…", a code nothing can parse back.
    if (
        isinstance(difficulty, bool)
        or not isinstance(difficulty, int)
        or difficulty not in DIFFICULTIES
    ):
        raise QuizError.of("error.bad_difficulty", lang, value=difficulty)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_SPACE:
        raise QuizError.of("error.bad_seed", lang, last=SEED_SPACE - 1)


def generate(kind: str, seed: int, difficulty: int = 1, lang: str = DEFAULT_LANGUAGE) -> Question:
    """The question of ``kind`` that ``seed`` and ``difficulty`` (1–3) pick."""
    _check(kind, seed, difficulty, lang)
    prefix, family = _FAMILIES[kind]
    # A string seed is hashed with SHA-512 by random.Random: stable across processes
    # and Python builds, unlike hash().
    rng = random.Random(f"{kind}:{difficulty}:{seed}:v{GENERATOR_VERSION}")
    draft = family(rng, difficulty, lang)
    return Question(
        kind=kind,
        code=codes.builtin_code(prefix, difficulty, seed),
        seed=seed,
        difficulty=difficulty,
        params=draft.params,
        answer=draft.answer,
        answer_text=format_answer(draft.answer, draft.choices),
        prompt=draft.prompt,
        explanation=draft.explanation,
        choices=draft.choices,
        mistakes=draft.mistakes,
        lang=lang,
        hints=draft.hints,
    )


def random_seed(rng: random.Random | None = None) -> int:
    return (rng or random).randrange(SEED_SPACE)


def parse_code(code: str, lang: str = DEFAULT_LANGUAGE) -> tuple[str, int, int]:
    """(kind, seed, difficulty) of a public code, or a ``QuizError`` saying why not."""
    parsed = codes.parse_builtin_code(code)
    if parsed is None or parsed.prefix not in _BY_PREFIX:
        raise QuizError.of("error.bad_code", lang, code=str(code)[:40])
    if parsed.version != GENERATOR_VERSION:
        raise QuizError.of(
            "error.old_code",
            lang,
            code=code.strip().upper(),
            version=parsed.version,
            current=GENERATOR_VERSION,
        )
    return _BY_PREFIX[parsed.prefix], parsed.seed, parsed.difficulty


def from_code(code: str, lang: str = DEFAULT_LANGUAGE) -> Question:
    """Rebuild exactly the question a public code names."""
    kind, seed, difficulty = parse_code(code, lang)
    return generate(kind, seed, difficulty, lang)


# --- grading ----------------------------------------------------------------------------


def _close(a: Fraction, b: Fraction, rel_tol: float) -> bool:
    if a == b:
        return True
    return rel_tol > 0 and abs(a - b) <= Fraction(rel_tol) * abs(b)


def _matches(key: AnswerKey, value: AnswerValue, reply: replies.Reply) -> bool:
    tol = key.rel_tol
    if isinstance(reply, replies.Choice):
        return value == reply.index
    if isinstance(value, tuple):
        if isinstance(reply, replies.Number):
            # "11" answers "11×11", but never a non-square size.
            return value[0] == value[1] and _close(reply.value, value[0], tol)
        if isinstance(reply, replies.Pair):
            return _close(reply.first, value[0], tol) and _close(reply.second, value[1], tol)
        return False
    if isinstance(reply, replies.Number):
        # type(), not isinstance(): Fraction's ABC metaclass makes isinstance slow.
        return _close(reply.value, value if type(value) is Fraction else Fraction(value), tol)
    return False


def _shape_ok(key: AnswerKey, reply: replies.Reply) -> bool:
    if key.type == "pair":
        return isinstance(reply, replies.Pair) or (isinstance(reply, replies.Number) and key.square)
    return isinstance(reply, replies.Number)


def grade(question: Question, reply: str) -> Grade:
    """Grade a chat reply by its value. Never raises for any string."""
    lang, key = question.lang, question.answer
    options = question.choices or 0
    expect: Literal["number", "pair"] = "pair" if key.type == "pair" else "number"
    parsed = replies.read_reply(reply, options, expect=expect) if isinstance(reply, str) else None
    if parsed is None:
        return Grade("not_an_answer", 0.0, None, t("grade.not_an_answer", lang))
    if _matches(key, key.value, parsed):
        return Grade("correct", 1.0, None, t("grade.correct", lang))
    for mistake in question.mistakes:
        if _matches(key, mistake.value, parsed):
            outcome: Outcome = "partial" if mistake.score > 0 else "wrong"
            return Grade(outcome, mistake.score, mistake.name, mistake.feedback)
    if key.type == "choice" or _shape_ok(key, parsed):
        return Grade("wrong", 0.0, None, t("grade.wrong", lang))
    hint = "grade.expected_pair" if key.type == "pair" else "grade.expected_number"
    feedback = t("grade.wrong_with_hint", lang, wrong=t("grade.wrong", lang), hint=t(hint, lang))
    return Grade("wrong", 0.0, "wrong_shape", feedback)
