"""Placeholders in template texts, rendered by hand.

``{name}`` is a parameter, ``{expression}`` any formula of the template language,
``{answer}`` (explanations and feedback only) the formatted right answer, and ``{{`` /
``}}`` literal braces. Admin text never reaches ``str.format``, ``%`` or an f-string:
the text is split into literal pieces and compiled formulas once, when the template is
loaded, and rendering only concatenates.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from bot.engine.question import format_number
from bot.engine.templates._expr import Formula, compile_formula
from bot.engine.templates._expr_values import FormulaError, Value

__all__ = [
    "ANSWER",
    "MAX_PLACEHOLDERS",
    "Text",
    "compile_text",
    "format_value",
    "render",
    "shown_text_problem",
]

MAX_PLACEHOLDERS = 30  # in one text
_SHOWN = 40  # characters of a placeholder quoted back in an error

# Discord would turn these into pings or channel links; a template has no business there.
_MENTION_RE = re.compile(r"@everyone|@here|<@[!&]?\d|<#\d|<@&", re.IGNORECASE)


# Bidirectional controls reorder what is shown ("\u202e" makes 12 read as 21): refused.
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

# Links a player would follow: masked ones ([Official hint](https://...)) mislead always;
# plain links and invites only where the guild's setting allows links.
_MASKED_LINK_RE = re.compile(r"\]\(\s*<?\s*[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_LINK_RE = re.compile(
    # The lookbehind starts a scheme only where one can start: linear on long words.
    r"(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://|\bwww\.|discord(?:app)?\.(?:gg|com/invite|me)\b"
    r"|\.gg/",
    re.IGNORECASE,
)


# Invisible characters that would garble a message or a database row (NUL); newlines and
# tabs are fine.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


class _AnswerSlot:
    """The ``{answer}`` placeholder: the formatted right answer."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ANSWER"


ANSWER: Final = _AnswerSlot()

Part = str | Formula | _AnswerSlot


@dataclass(frozen=True, eq=False)
class Text:
    source: str
    parts: tuple[Part, ...]

    @property
    def names(self) -> frozenset[str]:
        found: set[str] = set()
        for part in self.parts:
            if isinstance(part, Formula):
                found |= part.names
        return frozenset(found)

    @property
    def formulas(self) -> tuple[Formula, ...]:
        return tuple(part for part in self.parts if isinstance(part, Formula))


def _quote(inner: str) -> str:
    inner = " ".join(inner.split())
    return "{" + (inner if len(inner) <= _SHOWN else inner[: _SHOWN - 1] + "…") + "}"


def compile_text(source: str, names: Collection[str], *, limit: int, allow_answer: bool) -> Text:
    """Split ``source`` into literal text and compiled placeholders.

    Raises ``FormulaError`` naming the offending placeholder; evaluates nothing.
    """
    if len(source) > limit:
        raise FormulaError(f"the text is {len(source):,} characters long; the limit is {limit:,}")
    if mention := _MENTION_RE.search(source):
        raise FormulaError(f"mentions such as {mention.group(0)!r} are not allowed")
    if bidi := _BIDI_RE.search(source):
        raise FormulaError(
            f"the direction control U+{ord(bidi.group(0)):04X} at character {bidi.start() + 1} "
            "is not allowed: it can reverse how digits read"
        )
    if control := _CONTROL_RE.search(source):
        raise FormulaError(
            f"control character U+{ord(control.group(0)):04X} at character "
            f"{control.start() + 1} is not allowed"
        )
    parts: list[Part] = []
    literal: list[str] = []
    count = 0
    i, end = 0, len(source)
    while i < end:
        char = source[i]
        if char == "{" and source.startswith("{{", i):
            literal.append("{")
            i += 2
            continue
        if char == "}" and source.startswith("}}", i):
            literal.append("}")
            i += 2
            continue
        if char == "}":
            raise FormulaError(
                f"single '}}' at character {i + 1}; write '}}}}' for a literal brace"
            )
        if char != "{":
            literal.append(char)
            i += 1
            continue
        close = source.find("}", i + 1)
        inner = source[i + 1 : close if close >= 0 else end]
        if "{" in inner:
            raise FormulaError(
                f"placeholder {_quote(inner)} contains '{{'; placeholders cannot be nested "
                "(write '{{' for a literal brace)"
            )
        if close < 0:
            raise FormulaError(
                f"'{{' at character {i + 1} is never closed; write '{{{{' for a literal brace"
            )
        count += 1
        if count > MAX_PLACEHOLDERS:
            raise FormulaError(f"more than {MAX_PLACEHOLDERS} placeholders in one text")
        if literal:
            parts.append("".join(literal))
            literal = []
        key = inner.strip()
        if not key:
            raise FormulaError(f"empty placeholder {{}} at character {i + 1}")
        if key == "answer":
            if not allow_answer:
                raise FormulaError("{answer} would give the answer away here")
            parts.append(ANSWER)
        else:
            try:
                parts.append(_compiled(key, frozenset(names)))
            except FormulaError as error:
                raise FormulaError(f"placeholder {_quote(inner)}: {error}") from None
        i = close + 1
    if literal:
        parts.append("".join(literal))
    return Text(source, tuple(parts))


@functools.lru_cache(maxsize=1_024)
def _compiled(key: str, names: frozenset[str]) -> Formula:
    # A placeholder repeated in every language and text is compiled once: a Formula is
    # immutable and its closures pure, so sharing it is safe (errors are not cached).
    return compile_formula(key, names)


def format_value(value: Value) -> str:
    """How a placeholder's value reads: 7, 4,640, 3.5, (3, 4), true, and 'same' as same."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Fraction):
        return format_number(value)  # as answers read: 4,640 and 3.5
    if isinstance(value, tuple):
        return "(" + ", ".join(format_value(item) for item in value) + ")"
    return value


def render(
    text: Text,
    env: Mapping[str, Value],
    cache: dict[str, str],
    answer_text: str | None = None,
) -> str:
    """The text with its placeholders filled. ``cache`` maps formula text → rendering
    for this set of values, so a formula shared by several texts runs once.

    Formula failures propagate as ``EvalError`` (the caller names the field)."""
    out: list[str] = []
    for part in text.parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Formula):
            shown = cache.get(part.text)
            if shown is None:
                shown = cache[part.text] = format_value(part(env))
            out.append(shown)
        else:
            out.append(answer_text if answer_text is not None else "{answer}")
    return "".join(out)


@functools.lru_cache(maxsize=4_096)
def shown_text_problem(text: str, *, allow_links: bool) -> tuple[str, dict[str, str]] | None:
    """Why ``text`` (as a player would see it: rendered) may not be shown, as a catalog
    key and its parameters, or None.

    Run on the source and again on every rendered variant: ``<@{1}23>`` only becomes a
    mention once rendered. Each pattern runs only when a plain substring test says it
    could match (linear, and fast on long texts); a text rendered alike for many
    variants is scanned once."""
    if ("@" in text or "<#" in text) and (mention := _MENTION_RE.search(text)):
        return "tpl.text.mention", {"found": repr(mention.group(0))}
    if not text.isascii() and (bidi := _BIDI_RE.search(text)):
        return "tpl.text.bidi", {"code": f"U+{ord(bidi.group(0)):04X}"}
    if "](" in text and (masked := _MASKED_LINK_RE.search(text)):
        start = text.rfind("[", 0, masked.start() + 1)
        begin = max(start if start >= 0 else masked.start(), masked.start() - 30, 0)
        return "tpl.text.masked_link", {"found": repr(text[begin : masked.end()][:60])}
    if not allow_links and _may_link(text) and (link := _LINK_RE.search(text)):
        return "tpl.text.link", {"found": repr(text[link.start() : link.start() + 40].split()[0])}
    return None


def _may_link(text: str) -> bool:
    lowered = text.lower()
    return "://" in text or "www." in lowered or ".gg" in lowered or "discord" in lowered
