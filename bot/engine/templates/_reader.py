"""The shape check: every field of a template document read, typed and validated.

Errors name the field path (``params.k.range``) and its YAML line. Semantics (formulas,
placeholders, sampled variants) come later.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Literal, cast

from bot.engine import names
from bot.engine.templates._errors import TemplateError
from bot.engine.templates._expr_parse import MAX_FORMULA_CHARS
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._source import (
    ANSWER_TYPES,
    DISPLAYS,
    REQUIRED,
    RESERVED,
    TOP_KEYS,
    AnswerTypeName,
    LocalText,
    MistakeSpec,
    Param,
    Source,
    Tolerance,
)
from bot.engine.templates._yaml import Document, join_path, shown_key


class _Reader:
    """Typed access to a document's data, raising ``TemplateError`` at the field."""

    def __init__(self, document: Document) -> None:
        self.doc = document

    def fail(self, path: str, detail: str) -> TemplateError:
        return TemplateError(path, detail, line=self.doc.line(path))

    def mapping(self, value: object, path: str, keys: tuple[str, ...]) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping of {', '.join(keys)}, got {_kind(value)}")
        for key in value:
            if key not in keys:
                near = difflib.get_close_matches(key[:100], keys, n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else f" (known: {', '.join(keys)})"
                where = join_path(path, key)
                line = self.doc.line(where)
                raise TemplateError(
                    join_path(path, shown_key(key)), f"unknown field{hint}", line=line
                )
        return value

    def whole(self, value: object, path: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"must be a whole number, got {_kind(value)}")
        if not low <= value <= high:
            raise self.fail(path, f"must be from {low:,} to {high:,}, got {_number(value)}")
        return value

    def number(self, value: object, path: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            hint = ""
            if isinstance(value, str) and _EXPONENT.fullmatch(value.strip()):
                hint = " (YAML 1.1 reads 1e-3 as text: write it as a decimal, such as 0.001)"
            raise self.fail(path, f"must be a number, got {_kind(value)}{hint}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(path, "must be a finite number")
        if not low <= value <= high:
            raise self.fail(path, f"must be from {low:g} to {high:g}, got {_number(value)}")
        return float(value)

    def string(self, value: object, path: str, limit: int) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"must be text, got {_kind(value)}")
        if len(value) > limit:
            raise self.fail(path, f"is {len(value):,} characters long; the limit is {limit:,}")
        return value

    def pattern(self, value: object, path: str, regex: re.Pattern[str], rule: str) -> str:
        text = self.string(value, path, 100)
        if not regex.fullmatch(text):
            raise self.fail(path, f"{_short(text)} is not valid: {rule}")
        return text

    def formula(self, value: object, path: str) -> str:
        # A bare number (answer: 0) is a formula too; keep it as text.
        if isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, int) and abs(value) > 10**100:  # repr could not print it
                raise self.fail(path, f"{_number(value)} is too large for a formula")
            return repr(value)
        if not isinstance(value, str):
            raise self.fail(path, f"must be a formula (text), got {_kind(value)}")
        if len(value) > MAX_FORMULA_CHARS:
            raise self.fail(
                path, f"is {len(value):,} characters long; the limit is {MAX_FORMULA_CHARS}"
            )
        return value

    def text(self, value: object, path: str, limit: int) -> LocalText:
        if isinstance(value, str):
            return self.string(value, path, limit)
        if not isinstance(value, dict):
            raise self.fail(
                path, f"must be text, or a mapping of language to text, got {_kind(value)}"
            )
        if not value:
            raise self.fail(path, "must not be empty")
        if len(value) > LIMITS.languages:
            raise self.fail(path, f"has {len(value)} languages; the limit is {LIMITS.languages}")
        items: list[tuple[str, str]] = []
        for lang, item in value.items():
            if not names.LANGUAGE_KEY.fullmatch(lang):
                raise self.fail(join_path(path, lang), "is not a language code (such as en or ja)")
            items.append((lang, self.string(item, join_path(path, lang), limit)))
        if "en" not in value:
            raise self.fail(path, "needs an 'en' text, used for languages without their own")
        return tuple(items)

    def sequence(self, value: object, path: str, limit: int, what: str) -> list[object]:
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list of {what}, got {_kind(value)}")
        if len(value) > limit:
            raise self.fail(path, f"has {len(value)} entries; the limit is {limit}")
        return value


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        shown = _number(value)
        return shown if shown.startswith("a number") else f"the number {shown}"
    if isinstance(value, str):
        return f"the text {_short(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _number(value: int | float) -> str:
    """A number as quoted in a message: a huge one by its length (printing it may fail)."""
    if isinstance(value, float):
        return f"{value:g}"
    if abs(value) < 10**21:
        return f"{value:,}"
    digits = int(value.bit_length() * 0.30103)  # the digits, or one fewer
    digits += abs(value) >= 10**digits
    return f"a number of about {digits} digits"


_EXPONENT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+")


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _check_relative(reader: _Reader, value: object) -> None:
    """A relative tolerance past the maximum lets a rough guess (or 0, at 1) pass."""
    most = LIMITS.relative_tolerance
    if isinstance(value, int | float) and not isinstance(value, bool) and value > most:
        raise reader.fail(
            "tolerance.relative",
            f"{_number(value)} is too wide: at most {most:g} ({most:.0%}), or a guess would "
            "pass as right",
        )


def _param(reader: _Reader, name: object, spec: object, path: str) -> Param:
    if not isinstance(name, str) or not names.PARAM.fullmatch(name):
        raise reader.fail(
            path,
            "a parameter name is lowercase letters, digits and _, starting with a letter "
            "(at most 20 characters)",
        )
    if name in RESERVED:
        raise reader.fail(path, f"'{name}' is a reserved word; choose another name")
    fields = reader.mapping(spec, path, ("range", "step", "choice"))
    limit = LIMITS.param_magnitude
    if ("range" in fields) == ("choice" in fields):
        raise reader.fail(path, "needs exactly one of range: [min, max] or choice: [...]")
    if "choice" in fields:
        if "step" in fields:
            raise reader.fail(join_path(path, "step"), "only goes with range")
        items = reader.sequence(
            fields["choice"], join_path(path, "choice"), LIMITS.choice_values, "whole numbers"
        )
        if not items:
            raise reader.fail(join_path(path, "choice"), "must list at least one value")
        values = tuple(
            reader.whole(item, join_path(join_path(path, "choice"), i), -limit, limit)
            for i, item in enumerate(items)
        )
        return Param(name, choice=values)
    where = join_path(path, "range")
    bounds = reader.sequence(fields["range"], where, 2, "two whole numbers")
    if len(bounds) != 2:
        raise reader.fail(where, "must be [min, max]")
    low, high = (
        reader.whole(item, join_path(where, i), -limit, limit) for i, item in enumerate(bounds)
    )
    if high < low:
        raise reader.fail(where, f"max ({high}) is below min ({low})")
    step = None
    if "step" in fields:
        step = reader.whole(fields["step"], join_path(path, "step"), 1, limit)
    param = Param(name, range=(low, high), step=step)
    if param.count > LIMITS.range_values:
        raise reader.fail(
            where, f"holds {param.count:,} values; the limit is {LIMITS.range_values:,}"
        )
    return param


def parse_source(document: Document) -> Source:
    """Check the shape of every field and return them typed. Semantics come later."""
    reader = _Reader(document)
    if not isinstance(document.data, dict):
        raise TemplateError(
            "",
            "a template must be a mapping of fields (name:, kind:, prompt:, ...), got "
            + _kind(document.data),
            line=document.first_line,
        )
    top = reader.mapping(document.data, "", TOP_KEYS)
    for key in REQUIRED:
        if key not in top:
            raise TemplateError(key, "is required", line=document.first_line)
    name = reader.pattern(
        top["name"],
        "name",
        names.TEMPLATE_NAME,
        "lowercase letters, digits and dashes (at most 40)",
    )
    kind = reader.pattern(
        top["kind"], "kind", names.KIND, "lowercase letters, digits and _, starting with a letter"
    )
    difficulty = reader.whole(top["difficulty"], "difficulty", 1, 3)

    params: list[Param] = []
    raw_params = top.get("params", {})
    if raw_params is None:
        raw_params = {}
    if not isinstance(raw_params, dict):
        raise reader.fail("params", f"must be a mapping of name: spec, got {_kind(raw_params)}")
    if len(raw_params) > LIMITS.params:
        raise reader.fail(
            "params", f"has {len(raw_params)} parameters; the limit is {LIMITS.params}"
        )
    for key, spec in raw_params.items():
        params.append(_param(reader, key, spec, join_path("params", str(key))))

    constraints: list[str] = []
    if top.get("constraints") is not None:
        items = reader.sequence(top["constraints"], "constraints", LIMITS.constraints, "formulas")
        constraints = [
            reader.formula(item, join_path("constraints", i)) for i, item in enumerate(items)
        ]

    answer_type_raw = top["answer_type"]
    if answer_type_raw not in ANSWER_TYPES:
        raise reader.fail(
            "answer_type",
            f"must be one of {', '.join(ANSWER_TYPES)}, got " + _kind(answer_type_raw),
        )
    answer_type: AnswerTypeName = answer_type_raw
    prompt = reader.text(top["prompt"], "prompt", LIMITS.prompt_chars)

    choices: tuple[LocalText, ...] | None = None
    if "choices" in top:
        if answer_type != "choice":
            raise reader.fail("choices", "only goes with answer_type: choice")
        items = reader.sequence(top["choices"], "choices", LIMITS.choices, "option texts")
        if len(items) < 2:
            raise reader.fail("choices", "needs at least two options")
        choices = tuple(
            reader.text(item, join_path("choices", i), LIMITS.choice_chars)
            for i, item in enumerate(items)
        )
    elif answer_type == "choice":
        raise TemplateError(
            "choices", "is required with answer_type: choice", line=document.line("answer_type")
        )

    shuffle = False
    if "shuffle" in top:
        if answer_type != "choice":
            raise reader.fail("shuffle", "only goes with answer_type: choice")
        if not isinstance(top["shuffle"], bool):
            raise reader.fail("shuffle", f"must be true or false, got {_kind(top['shuffle'])}")
        shuffle = top["shuffle"]

    answer = reader.formula(top["answer"], "answer")

    display: Literal["size", "tuple"] | None = None
    if "display" in top:
        if answer_type != "pair":
            raise reader.fail("display", "only goes with answer_type: pair")
        if top["display"] not in DISPLAYS:
            raise reader.fail("display", f"must be size or tuple, got {_kind(top['display'])}")
        display = cast(Literal["size", "tuple"], top["display"])

    tolerance = None
    if "tolerance" in top:
        if answer_type == "choice":
            raise reader.fail("tolerance", "does not go with answer_type: choice")
        fields = reader.mapping(top["tolerance"], "tolerance", ("relative", "absolute"))
        if "absolute" in fields and answer_type == "pair":
            raise reader.fail(
                "tolerance.absolute", "only goes with single-number answers; use relative"
            )
        if "relative" in fields:
            _check_relative(reader, fields["relative"])
        tolerance = Tolerance(
            relative=reader.number(fields["relative"], "tolerance.relative", 0, 1)
            if "relative" in fields
            else None,
            absolute=reader.number(fields["absolute"], "tolerance.absolute", 0, 10**9)
            if "absolute" in fields
            else None,
        )

    explanation = None
    if top.get("explanation") is not None:
        explanation = reader.text(top["explanation"], "explanation", LIMITS.explanation_chars)

    hints: list[LocalText] = []
    if top.get("hints") is not None:
        items = reader.sequence(top["hints"], "hints", LIMITS.hints, "hint texts")
        hints = [
            reader.text(item, join_path("hints", i), LIMITS.hint_chars)
            for i, item in enumerate(items)
        ]

    mistakes: list[MistakeSpec] = []
    if top.get("mistakes") is not None:
        items = reader.sequence(top["mistakes"], "mistakes", LIMITS.mistakes, "mistakes")
        seen: set[str] = set()
        for i, item in enumerate(items):
            path = join_path("mistakes", i)
            fields = reader.mapping(item, path, ("name", "answer", "score", "feedback"))
            for key in ("name", "answer", "score", "feedback"):
                if key not in fields:
                    raise reader.fail(join_path(path, key), "is required")
            mistake_name = reader.pattern(
                fields["name"],
                join_path(path, "name"),
                names.MISTAKE,
                "lowercase letters, digits, - and _ (at most 40)",
            )
            if mistake_name in seen:
                raise reader.fail(join_path(path, "name"), f"'{mistake_name}' is used twice")
            seen.add(mistake_name)
            score = reader.number(fields["score"], join_path(path, "score"), 0, 1)
            if score >= 1:
                raise reader.fail(
                    join_path(path, "score"), "must be below 1: a mistake cannot earn full credit"
                )
            mistakes.append(
                MistakeSpec(
                    mistake_name,
                    reader.formula(fields["answer"], join_path(path, "answer")),
                    score,
                    reader.text(
                        fields["feedback"], join_path(path, "feedback"), LIMITS.feedback_chars
                    ),
                )
            )

    return Source(
        name=name,
        kind=kind,
        difficulty=difficulty,
        params=tuple(params),
        constraints=tuple(constraints),
        prompt=prompt,
        choices=choices,
        shuffle=shuffle,
        answer=answer,
        answer_type=answer_type,
        display=display,
        tolerance=tolerance,
        explanation=explanation,
        mistakes=tuple(mistakes),
        hints=tuple(hints),
    )
