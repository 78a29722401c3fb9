"""What the four families share: the types of a wrong answer, the check that keeps only
plausible ones, and the four-option question."""

from __future__ import annotations

import random
from collections.abc import Iterable
from fractions import Fraction
from typing import TypeAlias

from bot.engine.question import AnswerKey, AnswerValue, Draft, Mistake
from bot.i18n.texts import t

__all__ = [
    "NO_PARAMS",
    "PARTIAL",
    "Candidate",
    "Num",
    "Say",
    "choice_draft",
    "keep",
    "pair",
]

# A feedback sentence, rendered only if its mistake is kept: (catalog key, parameters).
Say: TypeAlias = tuple[str, dict[str, object]]
Num: TypeAlias = int | Fraction
# A named wrong answer before it is checked against the right one:
# (name, value, score, feedback). Values may be plain ints; kept ones become Fractions.
Candidate: TypeAlias = tuple[str, Num | tuple[Num, Num], float, Say]

PARTIAL = 0.5


NO_PARAMS: dict[str, object] = {}  # shared, never mutated


# Fractions are immutable, so the small whole ones can be made once and shared.
_SMALL = tuple(Fraction(i) for i in range(1024))


def _fraction(x: Num) -> Fraction:
    # type() rather than isinstance(): Fraction's ABC metaclass makes isinstance slow.
    if type(x) is int:
        return _SMALL[x] if 0 <= x < 1024 else Fraction(x)
    assert type(x) is Fraction
    return x


def pair(h: int | Fraction, w: int | Fraction) -> tuple[Fraction, Fraction]:
    return _fraction(h), _fraction(w)


def _hashable(x: object) -> object:
    """A cheap stand-in for a value in a set: hashing a Fraction costs a modular inverse,
    so whole numbers stand for themselves (they hash and compare equal to the Fraction)."""
    if isinstance(x, tuple):
        return _hashable(x[0]), _hashable(x[1])
    if type(x) is int:
        return x
    assert type(x) is Fraction
    return x.numerator if x.denominator == 1 else x


def keep(
    answer: AnswerKey, lang: str, candidates: Iterable[Candidate], *, lowest: int = 1
) -> tuple[Mistake, ...]:
    """Mistakes that differ from the right answer (and each other) and are plausible.

    A right answer must never grade as partial, so a misconception that happens to give
    the right number for these settings is dropped, and so is one below ``lowest`` (a
    size of 0 is no answer; a padding of 0 is).
    """
    seen = {_hashable(answer.value)}
    kept: list[Mistake] = []
    for name, value, score, (text, params) in candidates:
        final: AnswerValue
        if isinstance(value, tuple):
            first, second = value
            if first < lowest or second < lowest:
                continue
            if type(first) is int and type(second) is int:
                if value in seen:
                    continue
                seen.add(value)
                final = (_fraction(first), _fraction(second))
            else:
                key = _hashable(value)
                if key in seen:
                    continue
                seen.add(key)
                final = (_fraction(first), _fraction(second))
        else:
            if value < lowest:
                continue
            key = value if type(value) is int else _hashable(value)
            if key in seen:
                continue
            seen.add(key)
            final = _fraction(value)
        kept.append(Mistake(name, final, score, t(text, lang, **params)))
    return tuple(kept)


def choice_draft(
    rng: random.Random,
    lang: str,
    prefix: str,
    wrong: list[str],
    prompt: str,
    explanation: str,
    params: dict[str, object],
    nudge: str,
) -> Draft:
    """A four-option question: the right option and three misconceptions, shuffled.

    Its hints: ``nudge`` (what to think about), then two wrong options ruled out."""
    picked = rng.sample(wrong, 3)
    options = ["correct", *picked]
    rng.shuffle(options)
    right = options.index("correct")
    key = AnswerKey("choice", right)
    mistakes = tuple(
        Mistake(name, index, 0.0, t(f"{prefix}.feedback.{name}", lang))
        for index, name in enumerate(options)
        if name != "correct"
    )
    choices = tuple(t(f"{prefix}.choice.{name}", lang) for name in options)
    ruled_out = [chr(ord("A") + index) for index, name in enumerate(options) if name != "correct"]
    hints = (nudge, t("hint.choice.ruled_out", lang, first=ruled_out[0], second=ruled_out[1]))
    return Draft(
        params={**params, "options": options},
        answer=key,
        prompt=prompt,
        explanation=explanation,
        choices=choices,
        mistakes=mistakes,
        hints=hints,
    )
