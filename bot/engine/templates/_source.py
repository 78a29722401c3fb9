"""A template's fields as written: the parsed shape, its vocabulary, and back to data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, cast

from bot.engine.templates._expr_functions import FUNCTIONS

AnswerTypeName: TypeAlias = Literal["int", "square", "pair", "float", "choice"]
ANSWER_TYPES: tuple[AnswerTypeName, ...] = ("int", "square", "pair", "float", "choice")
DISPLAYS = ("size", "tuple")

# A text is one string for every language, or a mapping language → string.
LocalText: TypeAlias = str | tuple[tuple[str, str], ...]

# Words a parameter may not be called: Python's, the functions', and the placeholders'.
RESERVED = frozenset(
    {
        *FUNCTIONS,
        "answer",
        "and",
        "or",
        "not",
        "if",
        "else",
        "in",
        "is",
        "lambda",
        "for",
        "while",
        "def",
        "class",
        "return",
        "yield",
        "import",
        "from",
        "as",
        "with",
        "try",
        "except",
        "finally",
        "raise",
        "pass",
        "break",
        "continue",
        "del",
        "global",
        "nonlocal",
        "assert",
        "async",
        "await",
        "elif",
        "true",
        "false",
        "none",
    }
)

TOP_KEYS = (
    "name",
    "kind",
    "difficulty",
    "params",
    "constraints",
    "prompt",
    "choices",
    "shuffle",
    "answer",
    "answer_type",
    "display",
    "tolerance",
    "explanation",
    "hints",
    "mistakes",
)
REQUIRED = ("name", "kind", "difficulty", "prompt", "answer", "answer_type")


@dataclass(frozen=True)
class Param:
    """An integer parameter: an inclusive ``range`` (with ``step``) or a ``choice`` list."""

    name: str
    range: tuple[int, int] | None = None
    step: int | None = None
    choice: tuple[int, ...] | None = None

    @property
    def count(self) -> int:
        if self.choice is not None:
            return len(self.choice)
        assert self.range is not None
        low, high = self.range
        return (high - low) // (self.step or 1) + 1

    def holds(self, value: int) -> bool:
        """Whether ``value`` is one this parameter can take."""
        if self.choice is not None:
            return value in self.choice
        assert self.range is not None
        low, high = self.range
        return low <= value <= high and (value - low) % (self.step or 1) == 0

    def draw(self, rng: Any) -> int:
        if self.choice is not None:
            return cast(int, rng.choice(self.choice))
        assert self.range is not None
        low, high = self.range
        return cast(int, rng.randrange(low, high + 1, self.step or 1))

    def to_data(self) -> dict[str, object]:
        if self.choice is not None:
            return {"choice": list(self.choice)}
        assert self.range is not None
        data: dict[str, object] = {"range": list(self.range)}
        if self.step is not None:
            data["step"] = self.step
        return data


@dataclass(frozen=True)
class Tolerance:
    relative: float | None = None
    absolute: float | None = None

    def to_data(self) -> dict[str, object]:
        data: dict[str, object] = {}
        if self.relative is not None:
            data["relative"] = self.relative
        if self.absolute is not None:
            data["absolute"] = self.absolute
        return data


@dataclass(frozen=True)
class MistakeSpec:
    """A named wrong answer: its formula, partial credit (0 ≤ score < 1) and feedback."""

    name: str
    answer: str
    score: float
    feedback: LocalText


@dataclass(frozen=True)
class Source:
    """Every field of a template as written (after the shape check)."""

    name: str
    kind: str
    difficulty: int
    params: tuple[Param, ...]
    constraints: tuple[str, ...]
    prompt: LocalText
    choices: tuple[LocalText, ...] | None
    shuffle: bool
    answer: str
    answer_type: AnswerTypeName
    display: Literal["size", "tuple"] | None
    tolerance: Tolerance | None
    explanation: LocalText | None
    mistakes: tuple[MistakeSpec, ...]
    # Shown one at a time, on request, for fewer points; none unless written.
    hints: tuple[LocalText, ...] = ()


def text_data(text: LocalText) -> str | dict[str, str]:
    return text if isinstance(text, str) else dict(text)


def source_data(source: Source) -> dict[str, object]:
    """The fields as plain YAML-ready data, in the documented order; defaults left out."""
    data: dict[str, object] = {
        "name": source.name,
        "kind": source.kind,
        "difficulty": source.difficulty,
    }
    if source.params:
        data["params"] = {param.name: param.to_data() for param in source.params}
    if source.constraints:
        data["constraints"] = list(source.constraints)
    data["prompt"] = text_data(source.prompt)
    if source.choices is not None:
        data["choices"] = [text_data(choice) for choice in source.choices]
    if source.shuffle:
        data["shuffle"] = True
    data["answer"] = source.answer
    data["answer_type"] = source.answer_type
    if source.display is not None:
        data["display"] = source.display
    if source.tolerance is not None:
        data["tolerance"] = source.tolerance.to_data()
    if source.explanation is not None:
        data["explanation"] = text_data(source.explanation)
    if source.hints:
        data["hints"] = [text_data(hint) for hint in source.hints]
    if source.mistakes:
        data["mistakes"] = [
            {
                "name": m.name,
                "answer": m.answer,
                "score": m.score,
                "feedback": text_data(m.feedback),
            }
            for m in source.mistakes
        ]
    return data
