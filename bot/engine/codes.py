"""Every question-code format, in one place.

Built-in questions: ``{family prefix}{difficulty}-{seed}v{generator version}``, e.g.
``OS2-K9ZX1v1``. Template questions: ``T-{name}-{seed}``, and ``T-{name}-{seed}v{version}``
once a guild's template version is recorded. Seeds are five base-36 digits at most, so a
code is short enough to type and replays exactly the question it names.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.engine.names import TEMPLATE_NAME_BODY

GENERATOR_VERSION = 1
SEED_SPACE = 36**5  # five base-36 characters in a code
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_BUILTIN = re.compile(r"([A-Z]{2})([1-3])-([0-9A-Z]{1,5})V(\d{1,3})")
_VERSIONED_TEMPLATE = re.compile(rf"t-({TEMPLATE_NAME_BODY})-([0-9a-z]{{1,5}})v([0-9]{{1,6}})")


class BuiltinCode(NamedTuple):
    prefix: str
    difficulty: int
    seed: int
    version: int


def base36(number: int) -> str:
    """A seed as it appears in public codes: upper-case base 36 (1234 → 'YA')."""
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
        if not number:
            return text


def builtin_code(prefix: str, difficulty: int, seed: int) -> str:
    return f"{prefix}{difficulty}-{base36(seed)}v{GENERATOR_VERSION}"


def parse_builtin_code(code: str) -> BuiltinCode | None:
    """The parts of a built-in question's code (any case, spaces around), or None."""
    text = code.strip().upper() if isinstance(code, str) else ""
    match = _BUILTIN.fullmatch(text)
    if match is None:
        return None
    prefix, difficulty, seed, version = match.groups()
    return BuiltinCode(prefix, int(difficulty), int(seed, 36), int(version))


def template_code(name: str, seed: int) -> str:
    """The public code of a template question: ``T-{name}-{seed in base 36}``.

    Storage appends the guild's template version (``…v3``) when it records one."""
    return f"T-{name}-{base36(seed)}"


def parse_template_code(code: str) -> tuple[str, int] | None:
    """(name, seed) of ``T-{name}-{seed}`` (case-insensitive), or None."""
    text = code.strip() if isinstance(code, str) else ""
    head, _, seed_text = text.rpartition("-")
    if len(text) > 60 or head[:2].upper() != "T-" or not 1 <= len(seed_text) <= 5:
        return None
    try:
        seed = int(seed_text, 36)
    except ValueError:
        return None
    return head[2:].lower(), seed


def versioned_code(name: str, seed: int, version: int) -> str:
    """The code of a stored guild template's question: ``T-{name}-{seed}v{version}``."""
    return f"{template_code(name, seed)}v{version}"


def parse_versioned_code(code: str) -> tuple[str, int, int] | None:
    """(name, seed, version) of a stored template question's code, or None."""
    text = code.strip().lower() if isinstance(code, str) else ""
    match = _VERSIONED_TEMPLATE.fullmatch(text[:80])
    if match is None:
        return None
    return match.group(1), int(match.group(2), 36), int(match.group(3))
