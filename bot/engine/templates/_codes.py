"""Question codes: ``T-{name}-{seed}`` for a template's questions, ``…v{version}`` once stored."""

from __future__ import annotations

import re

from bot.engine.bank import (
    base36,  # the engine's grader: what players meet
)
from bot.engine.names import TEMPLATE_NAME_BODY
from bot.engine.templates._errors import TemplateError

SEED_SPACE = 36**5  # as the built-in families: five base-36 characters


def template_code(name: str, seed: int) -> str:
    """The public code of a template question: ``T-{name}-{seed in base 36}``.

    Storage appends the guild's template version (``…v3``) when it records one."""
    return f"T-{name}-{base36(seed)}"


def parse_template_code(code: str) -> tuple[str, int]:
    """(name, seed) of ``T-{name}-{seed}``; case-insensitive. Raises ``TemplateError``."""
    text = code.strip() if isinstance(code, str) else ""
    head, _, seed_text = text.rpartition("-")
    if len(text) > 60 or not head[:2].upper() == "T-" or not 1 <= len(seed_text) <= 5:
        raise TemplateError("code", f"{text[:60]!r} is not a template question code")
    try:
        seed = int(seed_text, 36)
    except ValueError:
        raise TemplateError("code", f"{text[:60]!r} is not a template question code") from None
    return head[2:].lower(), seed


_VERSIONED_CODE = re.compile(rf"t-({TEMPLATE_NAME_BODY})-([0-9a-z]{{1,5}})v([0-9]{{1,6}})")


def versioned_code(name: str, seed: int, version: int) -> str:
    """The code of a stored guild template's question: ``T-{name}-{seed}v{version}``."""
    return f"{template_code(name, seed)}v{version}"


def parse_versioned_code(code: str) -> tuple[str, int, int] | None:
    """(name, seed, version) of a stored template question's code, or None."""
    text = code.strip().lower() if isinstance(code, str) else ""
    match = _VERSIONED_CODE.fullmatch(text[:80])
    if match is None:
        return None
    return match.group(1), int(match.group(2), 36), int(match.group(3))
