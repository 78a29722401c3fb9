"""One YAML scalar read as a template value, refusing what YAML 1.1 reads by surprise.

PyYAML follows YAML 1.1, where ``1:30`` is the number 90 (base 60), ``010`` is 8 (octal),
and ``yes``/``no``/``on``/``off`` are true/false. A template author rarely means any of
that, so those plain (unquoted) forms are refused with what to write instead. Numbers
too long to print (hex or binary past Python's 4,300-digit limit) and lone UTF-16
surrogates (which no text can be encoded with) are refused here too, at their field.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.engine.templates._errors import TemplateError

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"

_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_LEADING_ZERO = re.compile(r"([-+]?)0+([0-9][0-9_]*)")
_YES_NO = frozenset({"yes", "no", "on", "off"})
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# Longest number a template may write, in characters: far past any limit a field has
# (10**18), and below Python's 4,300-digit limit on reading decimal text.
MAX_NUMBER_CHARS = 4_000


def read_scalar(
    loader: Any, node: yaml.ScalarNode, path: str, line: int, *, key: bool = False
) -> object:
    """The value of ``node`` (at field ``path``, YAML ``line``), or ``TemplateError``.

    Keys are only checked for what cannot be read at all; a key YAML reads as a number
    or true/false is refused by the caller, which says to quote it."""
    raw = node.value if isinstance(node.value, str) else ""
    plain = node.style is None
    if plain and not key:
        _refuse_yaml11_forms(raw, node.tag, path, line)
    if plain and node.tag in (_INT_TAG, _FLOAT_TAG) and len(raw) > MAX_NUMBER_CHARS:
        raise TemplateError(
            path,
            f"a number written with {len(raw):,} characters is too long; numbers in a "
            f"template have at most {MAX_NUMBER_CHARS:,} characters",
            line=line,
        )
    try:
        value = loader.construct_object(node)
    except (ValueError, OverflowError, yaml.YAMLError) as error:
        problem = str(getattr(error, "problem", None) or error).strip().splitlines()
        detail = problem[0][:160] if problem else type(error).__name__
        raise TemplateError(path, f"cannot be read: {detail}", line=line) from None
    if isinstance(value, str) and (surrogate := _SURROGATE.search(value)):
        raise TemplateError(
            path,
            f"contains U+{ord(surrogate.group(0)):04X}, half of a UTF-16 surrogate pair, "
            "which is not a character: write the character itself (or \\U0001F600 for an emoji)",
            line=line,
        )
    return value


def refused_plain(text: str) -> bool:
    """Whether ``text`` written unquoted would be refused as a YAML 1.1 surprise, though
    YAML 1.1 reads it as text (``09``): the exporter quotes it."""
    return _LEADING_ZERO.fullmatch(text) is not None


def _refuse_yaml11_forms(raw: str, tag: str, path: str, line: int) -> None:
    shown = raw if len(raw) <= 30 else raw[:29] + "…"
    if tag in (_INT_TAG, _FLOAT_TAG) and _SEXAGESIMAL.fullmatch(raw):
        raise TemplateError(
            path,
            f"{shown} is read by YAML 1.1 as a base-60 number (1:30 is 90): write "
            f'"{shown}" in quotes for text, or the number you mean',
            line=line,
        )
    # YAML 1.1 reads 010 as octal (8) and 09 as text: neither is what was meant.
    if tag in (_INT_TAG, "tag:yaml.org,2002:str") and (zero := _LEADING_ZERO.fullmatch(raw)):
        sign, digits = zero.groups()
        meant = sign.replace("+", "") + digits.replace("_", "")
        meant = meant if len(meant) <= 30 else meant[:29] + "…"
        raise TemplateError(
            path,
            f"{shown}: leading zeros are not allowed (YAML 1.1 reads them as octal); "
            f'write {meant} (or "{shown}" in quotes for text)',
            line=line,
        )
    if tag == _BOOL_TAG and raw.lower() in _YES_NO:
        raise TemplateError(
            path,
            f"{shown} is read by YAML 1.1 as true/false: write true or false, or "
            f'"{shown}" in quotes for text',
            line=line,
        )
