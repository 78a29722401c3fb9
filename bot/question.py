"""The value objects of the quiz engine: questions, answer keys, mistakes, grades.

Families, templates, the grader and every front end share these; they hold data only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, TypeAlias

from bot.texts import DEFAULT_LANGUAGE

AnswerType: TypeAlias = Literal["int", "pair", "float", "choice"]
Outcome: TypeAlias = Literal["correct", "partial", "wrong", "not_an_answer"]
AnswerValue: TypeAlias = Fraction | tuple[Fraction, Fraction] | int


@dataclass(frozen=True, slots=True)
class AnswerKey:
    """What counts as right. ``int``/``float`` values are Fractions so 3.5 is exact;
    ``pair`` is (height, width); ``choice`` is the 0-based index of the right option."""

    type: AnswerType
    value: AnswerValue
    rel_tol: float = 0.0
    # A pair reads as a size ("11×11") or as coordinates/padding ("(3.5, 3.5)").
    display: Literal["size", "tuple"] = "size"

    @property
    def square(self) -> bool:
        return isinstance(self.value, tuple) and self.value[0] == self.value[1]


@dataclass(frozen=True, slots=True)
class Mistake:
    """A named wrong answer that a real misconception produces."""

    name: str
    value: AnswerValue
    score: float
    feedback: str


@dataclass(frozen=True, slots=True)
class Draft:
    """What a family (or a template) produces; ``Question`` adds identity to it."""

    params: dict[str, object]
    answer: AnswerKey
    prompt: str
    explanation: str
    choices: tuple[str, ...] | None = None
    mistakes: tuple[Mistake, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    kind: str
    code: str
    seed: int
    difficulty: int
    params: dict[str, object]
    answer: AnswerKey
    answer_text: str
    prompt: str
    explanation: str
    choices: tuple[str, ...] | None
    mistakes: tuple[Mistake, ...] = field(default=(), repr=False)
    lang: str = DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Grade:
    outcome: Outcome
    score: float
    mistake: str | None
    feedback: str


# --- answers as text --------------------------------------------------------------------


def format_number(value: Fraction | int | float) -> str:
    """4640 → '4,640'; 7/2 → '3.5'; 1/3 → '0.3333'."""
    number = Fraction(value)
    if number.denominator == 1:
        return f"{int(number):,}"
    return f"{float(number):.4f}".rstrip("0").rstrip(".")


def format_answer(key: AnswerKey, choices: Sequence[str] | None = None) -> str:
    value = key.value
    if key.type == "choice":
        assert isinstance(value, int)
        letter = chr(ord("A") + value)
        return f"{letter}: {choices[value]}" if choices else letter
    if isinstance(value, tuple):
        first, second = format_number(value[0]), format_number(value[1])
        if key.display == "tuple":
            return f"({first}, {second})"
        return f"{first}×{second}"
    return format_number(value)
