"""The value objects of the quiz engine: questions, answer keys, mistakes, grades.

Families, templates, the grader and every front end share these; they hold data only.
"""

from __future__ import annotations

import functools
import json
import sys
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, NewType, TypeAlias

from bot.i18n.texts import DEFAULT_LANGUAGE

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
    # Shown one at a time, on request, for fewer points (bot.engine.scoring): the
    # formula with names, then the numbers substituted up to the last step.
    hints: tuple[str, ...] = ()


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
    hints: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class Grade:
    outcome: Outcome
    score: float
    mistake: str | None
    feedback: str


# --- answers as text --------------------------------------------------------------------


def format_number(value: Fraction | int | float) -> str:
    """4640 → '4,640'; 7/2 → '3.5'; 1/3 → '0.3333'."""
    number = value if type(value) is Fraction else Fraction(value)
    if number.denominator == 1:
        return f"{number.numerator:,}"
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


# --- storage form -----------------------------------------------------------------------
# Questions are kept as JSON so an open one survives a restart exactly as it was asked,
# whatever generator or template version produced it.


def _value_to_json(value: AnswerValue) -> object:
    if isinstance(value, tuple):
        return [str(value[0]), str(value[1])]
    if isinstance(value, Fraction):
        return str(value)
    return value


@functools.lru_cache(maxsize=4096)
def _fraction(text: str) -> Fraction:
    # Answers and mistakes are mostly small numbers: thousands of open questions (kept
    # in memory while they are open) share one immutable Fraction for each.
    return Fraction(text)


def _value_from_json(kind: AnswerType, data: object) -> AnswerValue:
    if kind == "choice":
        assert isinstance(data, int)
        return data
    if isinstance(data, list):
        return _fraction(str(data[0])), _fraction(str(data[1]))
    assert isinstance(data, str)
    return _fraction(data)


def answer_key_to_dict(key: AnswerKey) -> dict[str, object]:
    return {
        "type": key.type,
        "value": _value_to_json(key.value),
        "rel_tol": key.rel_tol,
        "display": key.display,
    }


def answer_key_from_dict(data: dict[str, object]) -> AnswerKey:
    kind = data["type"]
    assert kind in ("int", "pair", "float", "choice")
    rel_tol = data.get("rel_tol", 0.0)
    display = data.get("display", "size")
    assert isinstance(rel_tol, int | float) and display in ("size", "tuple")
    return AnswerKey(kind, _value_from_json(kind, data["value"]), float(rel_tol), display)


def question_to_dict(question: Question) -> dict[str, object]:
    return {
        "kind": question.kind,
        "code": question.code,
        "seed": question.seed,
        "difficulty": question.difficulty,
        "params": question.params,
        "answer": answer_key_to_dict(question.answer),
        "answer_text": question.answer_text,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "choices": list(question.choices) if question.choices is not None else None,
        "mistakes": [
            {
                "name": m.name,
                "value": _value_to_json(m.value),
                "score": m.score,
                "feedback": m.feedback,
            }
            for m in question.mistakes
        ],
        "lang": question.lang,
        "hints": list(question.hints),
    }


def question_from_dict(data: dict[str, object]) -> Question:
    key_data = data["answer"]
    assert isinstance(key_data, dict)
    key = answer_key_from_dict(key_data)
    raw_mistakes = data.get("mistakes") or []
    assert isinstance(raw_mistakes, list)
    # Names that every question repeats (kinds, languages, parameter and mistake names)
    # are interned: one string each, however many open questions the service holds.
    mistakes = tuple(
        Mistake(
            sys.intern(m["name"]),
            _value_from_json(key.type, m["value"]),
            float(m["score"]),
            m["feedback"],
        )
        for m in raw_mistakes
    )
    choices = data.get("choices")
    raw_hints = data.get("hints") or []  # none in questions stored before hints existed
    assert isinstance(raw_hints, list)
    params = data.get("params") or {}
    assert isinstance(params, dict)
    params = {
        sys.intern(name): sys.intern(value) if isinstance(value, str) else value
        for name, value in params.items()
    }
    seed, difficulty = data["seed"], data["difficulty"]
    assert isinstance(seed, int) and isinstance(difficulty, int)
    return Question(
        kind=sys.intern(str(data["kind"])),
        code=str(data["code"]),
        seed=seed,
        difficulty=difficulty,
        params=params,
        answer=key,
        answer_text=str(data["answer_text"]),
        prompt=str(data["prompt"]),
        explanation=str(data["explanation"]),
        choices=tuple(str(c) for c in choices) if isinstance(choices, list) else None,
        mistakes=mistakes,
        lang=sys.intern(str(data.get("lang", DEFAULT_LANGUAGE))),
        hints=tuple(str(h) for h in raw_hints),
    )


# --- packed form ------------------------------------------------------------------------
# A process may hold ten thousand open questions, few of them in use at any moment:
# whole, each costs about 2.6 KiB (prompt, explanation, every mistake's feedback, hints);
# packed (its storage JSON, compressed) about 0.7 KiB. The questions last used are kept
# rebuilt, so a busy channel's answers are graded without parsing anything.

PackedQuestion = NewType("PackedQuestion", bytes)

# Rebuilt questions kept: more than the channels a process has answering at one moment
# (a miss costs one decompression and parse, about 55 µs), few enough to stay ~1.5 MiB.
REBUILT_KEPT = 512


def pack_stored(body: str | Mapping[str, object]) -> PackedQuestion:
    """The packed form of a question's storage form: its JSON text as the database
    returns it (kept as it is, not parsed), or the ``question_to_dict`` mapping."""
    text = body if isinstance(body, str) else json.dumps(body)
    return PackedQuestion(zlib.compress(text.encode()))


def pack(question: Question) -> PackedQuestion:
    return pack_stored(question_to_dict(question))


@functools.lru_cache(maxsize=REBUILT_KEPT)
def unpack(packed: PackedQuestion) -> Question:
    """The question a packed form holds, rebuilt once while it is in use."""
    data = json.loads(zlib.decompress(packed))
    assert isinstance(data, dict)
    return question_from_dict(data)
