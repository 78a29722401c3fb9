"""Reading a template document: strict YAML, then the shape of every field.

The YAML reader refuses anchors, aliases, tags, merge keys and duplicate keys, and bounds
the document's size, nesting and node count before anything is built, so a document
cannot make the bot build something huge (billion laughs) or run a constructor
(``!!python/object/apply``). The result is plain data whose shape is then checked field
by field; errors name the field path (``params.k.range``) and its YAML line.

``json_schema()`` describes the same shape for editors; ``bot/data/template.schema.json``
is its output (``python -m bot.engine.templates schema`` prints it).
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, cast

import yaml

from bot.engine import names
from bot.engine.templates._errors import TemplateError
from bot.engine.templates._expr import FUNCTIONS, MAX_FORMULA_CHARS

__all__ = [
    "ANSWER_TYPES",
    "LIMITS",
    "Document",
    "LocalText",
    "MistakeSpec",
    "Param",
    "Source",
    "Tolerance",
    "json_schema",
    "parse_source",
    "read_document",
    "split_documents",
]

AnswerTypeName: TypeAlias = Literal["int", "square", "pair", "float", "choice"]
ANSWER_TYPES: tuple[AnswerTypeName, ...] = ("int", "square", "pair", "float", "choice")
DISPLAYS = ("size", "tuple")

# A text is one string for every language, or a mapping language → string.
LocalText: TypeAlias = str | tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Limits:
    document_chars: int = 20_000
    import_chars: int = 500_000
    import_documents: int = 50
    yaml_depth: int = 12
    yaml_nodes: int = 2_000
    params: int = 12
    param_magnitude: int = 10**9
    range_values: int = 100_000
    choice_values: int = 1_000
    constraints: int = 10
    mistakes: int = 10
    choices: int = 8
    languages: int = 6
    prompt_chars: int = 1_500
    explanation_chars: int = 2_000
    choice_chars: int = 300
    feedback_chars: int = 500
    formula_nodes: int = 2_000  # all formulas of a template together
    draws: int = 500  # draws to measure how often the constraints hold
    min_acceptance: int = 25  # of those draws (5 %)
    tries: int = 1_000  # draws one question may use to satisfy the constraints
    variants: int = 200  # sampled questions checked when a template is loaded
    rendered_chars: int = 3_000  # a rendered prompt or explanation
    check_steps: int = 600_000  # formula parts evaluated while checking a template


LIMITS = Limits()

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
    "mistakes",
)
REQUIRED = ("name", "kind", "difficulty", "prompt", "answer", "answer_type")


# --- the parsed shape -----------------------------------------------------------------


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


# --- strict YAML ----------------------------------------------------------------------


class _Refused(yaml.MarkedYAMLError):
    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(None, None, problem, mark)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that builds nodes only: no anchors, aliases, tags or deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        # Stop [[[[... while scanning: PyYAML's scanner is quadratic in flow depth.
        if self.flow_level >= LIMITS.yaml_depth:
            raise _Refused(f"nested more than {LIMITS.yaml_depth} levels", self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _Refused("aliases (*name) are not allowed", event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise _Refused("anchors (&name) are not allowed", event.start_mark)
        if getattr(event, "tag", None) is not None:
            raise _Refused(f"tags such as {str(event.tag)[:60]} are not allowed", event.start_mark)
        self._nodes += 1
        if self._nodes > LIMITS.yaml_nodes:
            raise _Refused(f"more than {LIMITS.yaml_nodes:,} YAML values", event.start_mark)
        self._depth += 1
        try:
            if self._depth > LIMITS.yaml_depth:
                raise _Refused(f"nested more than {LIMITS.yaml_depth} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


@dataclass(frozen=True)
class Document:
    """A document's data and the YAML line (1-based) of each field path."""

    data: object
    lines: dict[str, int]
    first_line: int

    def line(self, path: str) -> int | None:
        while True:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                return self.lines.get("", self.first_line)
            path = path[:cut]


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _shown(key: str) -> str:
    """A key as quoted in an error path: long keys are cut."""
    return key if len(key) <= 40 else key[:39] + "…"


def _build(
    loader: _StrictLoader, node: yaml.Node, path: str, lines: dict[str, int], offset: int
) -> object:
    lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:merge":
            raise TemplateError(path, "merge keys (<<) are not allowed", line=lines[path])
        return loader.construct_object(node)
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, _join(path, index), lines, offset)
            for index, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.MappingNode):
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1 + offset
            key = (
                loader.construct_object(key_node)
                if isinstance(key_node, yaml.ScalarNode)
                and key_node.tag != "tag:yaml.org,2002:merge"
                else None
            )
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise TemplateError(path, "merge keys (<<) are not allowed", line=line)
            if not isinstance(key, str):
                raw = getattr(key_node, "value", None)
                shown = f"{raw[:40]!r} " if isinstance(raw, str) else ""
                raise TemplateError(
                    path or "document",
                    f"key {shown}must be a plain name (quote it if YAML reads it as a number "
                    "or true/false)",
                    line=line,
                )
            child = _join(path, key)
            if key in result:
                raise TemplateError(_join(path, _shown(key)), "duplicate key", line=line)
            lines[child] = line
            result[key] = _build(loader, value_node, child, lines, offset)
        return result
    raise TemplateError(path, "unsupported YAML node", line=lines[path])


def read_document(text: str, offset: int = 0) -> Document:
    """One YAML document as plain data, strictly. ``offset`` is added to line numbers."""
    if len(text) > LIMITS.document_chars:
        raise TemplateError(
            "",
            f"the template is {len(text):,} characters long; the limit is "
            f"{LIMITS.document_chars:,}",
            line=offset + 1,
        )
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)  # the reader checks characters here already
        node = loader.get_single_node()
        if node is None:
            raise TemplateError("", "the document is empty", line=offset + 1)
        lines: dict[str, int] = {}
        data = _build(loader, node, "", lines, offset)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + offset if mark is not None else None
        problem = error.problem or error.context or "unreadable"
        if "expected a single document" in str(error.context or ""):
            problem = "found more than one document; import several templates with load_templates"
        raise TemplateError("", f"not valid YAML: {problem}", line=line) from None
    except yaml.YAMLError as error:
        raise TemplateError("", f"not valid YAML: {_first_line(error)}", line=offset + 1) from None
    except (ValueError, OverflowError) as error:  # e.g. an int of 5,000 digits
        raise TemplateError("", f"not valid YAML: {_first_line(error)}", line=offset + 1) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(data, lines, node.start_mark.line + 1 + offset)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


_DOC_START = re.compile(r"^---(?=[ \t]|$)", re.MULTILINE)


def split_documents(text: str) -> Iterator[tuple[str, int]]:
    """Cut a multi-document stream at its ``---`` lines: (document text, line offset).

    Each document is then read on its own, so one broken template does not take the rest
    of an import with it. Empty documents (only comments or blanks) are skipped.
    """
    starts = [match.start() for match in _DOC_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    for begin, end in itertools.pairwise(starts):
        chunk = text[begin:end]
        body = [
            line
            for line in chunk.splitlines()
            if line.strip()
            and not line.lstrip().startswith(("#", "%"))
            and line.strip() not in ("---", "...")
        ]
        if body:
            yield chunk, text.count("\n", 0, begin)


# --- the shape check ------------------------------------------------------------------


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
                where = _join(path, key)
                line = self.doc.line(where)
                raise TemplateError(_join(path, _shown(key)), f"unknown field{hint}", line=line)
        return value

    def whole(self, value: object, path: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"must be a whole number, got {_kind(value)}")
        if not low <= value <= high:
            digits = int(value.bit_length() * 0.30103) + 1
            shown = f"{value:,}" if abs(value) < 10**21 else f"a number of about {digits} digits"
            raise self.fail(path, f"must be from {low:,} to {high:,}, got {shown}")
        return value

    def number(self, value: object, path: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"must be a number, got {_kind(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(path, "must be a finite number")
        if not low <= value <= high:
            raise self.fail(path, f"must be from {low:g} to {high:g}, got {value:g}")
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
                raise self.fail(_join(path, lang), "is not a language code (such as en or ja)")
            items.append((lang, self.string(item, _join(path, lang), limit)))
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
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {_short(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


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
            raise reader.fail(_join(path, "step"), "only goes with range")
        items = reader.sequence(
            fields["choice"], _join(path, "choice"), LIMITS.choice_values, "whole numbers"
        )
        if not items:
            raise reader.fail(_join(path, "choice"), "must list at least one value")
        values = tuple(
            reader.whole(item, _join(_join(path, "choice"), i), -limit, limit)
            for i, item in enumerate(items)
        )
        return Param(name, choice=values)
    where = _join(path, "range")
    bounds = reader.sequence(fields["range"], where, 2, "two whole numbers")
    if len(bounds) != 2:
        raise reader.fail(where, "must be [min, max]")
    low, high = (
        reader.whole(item, _join(where, i), -limit, limit) for i, item in enumerate(bounds)
    )
    if high < low:
        raise reader.fail(where, f"max ({high}) is below min ({low})")
    step = None
    if "step" in fields:
        step = reader.whole(fields["step"], _join(path, "step"), 1, limit)
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
        params.append(_param(reader, key, spec, _join("params", str(key))))

    constraints: list[str] = []
    if top.get("constraints") is not None:
        items = reader.sequence(top["constraints"], "constraints", LIMITS.constraints, "formulas")
        constraints = [
            reader.formula(item, _join("constraints", i)) for i, item in enumerate(items)
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
            reader.text(item, _join("choices", i), LIMITS.choice_chars)
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

    mistakes: list[MistakeSpec] = []
    if top.get("mistakes") is not None:
        items = reader.sequence(top["mistakes"], "mistakes", LIMITS.mistakes, "mistakes")
        seen: set[str] = set()
        for i, item in enumerate(items):
            path = _join("mistakes", i)
            fields = reader.mapping(item, path, ("name", "answer", "score", "feedback"))
            for key in ("name", "answer", "score", "feedback"):
                if key not in fields:
                    raise reader.fail(_join(path, key), "is required")
            mistake_name = reader.pattern(
                fields["name"],
                _join(path, "name"),
                names.MISTAKE,
                "lowercase letters, digits, - and _ (at most 40)",
            )
            if mistake_name in seen:
                raise reader.fail(_join(path, "name"), f"'{mistake_name}' is used twice")
            seen.add(mistake_name)
            score = reader.number(fields["score"], _join(path, "score"), 0, 1)
            if score >= 1:
                raise reader.fail(
                    _join(path, "score"), "must be below 1: a mistake cannot earn full credit"
                )
            mistakes.append(
                MistakeSpec(
                    mistake_name,
                    reader.formula(fields["answer"], _join(path, "answer")),
                    score,
                    reader.text(fields["feedback"], _join(path, "feedback"), LIMITS.feedback_chars),
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
    )


# --- JSON Schema ------------------------------------------------------------------------


def _local_text(limit: int) -> dict[str, object]:
    return {
        "oneOf": [
            {"type": "string", "maxLength": limit},
            {
                "type": "object",
                "description": "Text per language; 'en' is required and serves the others.",
                "required": ["en"],
                "minProperties": 1,
                "maxProperties": LIMITS.languages,
                "propertyNames": {"pattern": names.LANGUAGE_KEY.pattern},
                "additionalProperties": {"type": "string", "maxLength": limit},
            },
        ]
    }


def json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of a template, for editors and linters.

    It states the shape only; the bot's checks go further (formulas, placeholders,
    satisfiable constraints, 200 sampled variants)."""
    magnitude = LIMITS.param_magnitude
    whole = {"type": "integer", "minimum": -magnitude, "maximum": magnitude}
    formula = {
        "type": ["string", "number"],
        "maxLength": MAX_FORMULA_CHARS,
        "description": "A formula over the parameters (see docs/templates.md).",
    }
    param = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "range": {
                "type": "array",
                "description": "[min, max], both included.",
                "prefixItems": [whole, whole],
                "minItems": 2,
                "maxItems": 2,
            },
            "step": {"type": "integer", "minimum": 1, "maximum": magnitude},
            "choice": {
                "type": "array",
                "items": whole,
                "minItems": 1,
                "maxItems": LIMITS.choice_values,
            },
        },
        "oneOf": [{"required": ["range"]}, {"required": ["choice"]}],
        "dependentSchemas": {"step": {"required": ["range"]}},
    }
    mistake = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "answer", "score", "feedback"],
        "properties": {
            "name": {"type": "string", "pattern": names.MISTAKE.pattern},
            "answer": formula,
            "score": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
            "feedback": _local_text(LIMITS.feedback_chars),
        },
    }

    def answer_type_is(name: str) -> dict[str, object]:
        return {"properties": {"answer_type": {"const": name}}, "required": ["answer_type"]}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "convquiz question template",
        "description": "A server's own quiz question. See docs/templates.md.",
        "type": "object",
        "additionalProperties": False,
        "required": list(REQUIRED),
        "properties": {
            "name": {"type": "string", "pattern": names.TEMPLATE_NAME.pattern},
            "kind": {"type": "string", "pattern": names.KIND.pattern},
            "difficulty": {"type": "integer", "minimum": 1, "maximum": 3},
            "params": {
                "type": "object",
                "maxProperties": LIMITS.params,
                "propertyNames": {
                    "pattern": names.PARAM.pattern,
                    "not": {"enum": sorted(RESERVED)},
                },
                "additionalProperties": param,
            },
            "constraints": {"type": "array", "items": formula, "maxItems": LIMITS.constraints},
            "prompt": _local_text(LIMITS.prompt_chars),
            "choices": {
                "type": "array",
                "items": _local_text(LIMITS.choice_chars),
                "minItems": 2,
                "maxItems": LIMITS.choices,
            },
            "shuffle": {"type": "boolean"},
            "answer": {
                **formula,
                "description": "A formula; for answer_type choice, also a letter A-H.",
            },
            "answer_type": {"enum": list(ANSWER_TYPES)},
            "display": {"enum": list(DISPLAYS)},
            "tolerance": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "relative": {"type": "number", "minimum": 0, "maximum": 1},
                    "absolute": {"type": "number", "minimum": 0, "maximum": 10**9},
                },
            },
            "explanation": _local_text(LIMITS.explanation_chars),
            "mistakes": {"type": "array", "items": mistake, "maxItems": LIMITS.mistakes},
        },
        "allOf": [
            {
                "if": answer_type_is("choice"),
                "then": {"required": ["choices"]},
                "else": {"not": {"anyOf": [{"required": ["choices"]}, {"required": ["shuffle"]}]}},
            },
            {"if": {"not": answer_type_is("pair")}, "then": {"not": {"required": ["display"]}}},
            {"if": answer_type_is("choice"), "then": {"not": {"required": ["tolerance"]}}},
            {
                "if": answer_type_is("pair"),
                "then": {"properties": {"tolerance": {"not": {"required": ["absolute"]}}}},
            },
        ],
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
