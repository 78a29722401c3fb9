"""Read what people type in chat as a value: a number, an (h, w) pair or a choice.

The reader is deliberately strict about the *shape* of a message and lenient about its
*spelling*: ``4,640``, ``4 640``, ``4.64k``, ``4640個`` and ``４６４０`` are all 4640, but
"what is stride 2?" is chat, not an attempt, and must not cost the player anything.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

__all__ = ["Choice", "Number", "Pair", "Reply", "read_reply"]


@dataclass(frozen=True, slots=True)
class Number:
    value: Fraction


@dataclass(frozen=True, slots=True)
class Pair:
    first: Fraction
    second: Fraction


@dataclass(frozen=True, slots=True)
class Choice:
    """A 0-based option index, as typed: a letter (``B``) or a 1-based number (``2``)."""

    index: int
    by_letter: bool


Reply = Number | Pair | Choice

# Longest replies we try to read; anything longer is conversation.
MAX_REPLY_CHARS = 80

# Words people put around an answer. Stripped before reading; everything else must
# be part of the value itself or the message is not an attempt.
_PREFIXES = re.compile(
    r"^(?:(?:my\s+)?answer(?:\s+is)?|ans|it'?s|it\s+is|=|:|答え(?:は)?|こたえ(?:は)?|回答)"
    r"\s*[:=：]?\s*",
)
_SUFFIXES = re.compile(
    r"\s*(?:parameters?|params?|weights?|macs?|multiply[- ]adds?|pixels?|px|個|つ|ピクセル|"
    r"パラメータ(?:数)?|画素|です|だ|!|。|\.)$",
)
_NUMBER = r"[-+]?(?:\d{1,3}(?:[ ,_']\d{3})+|\d+)(?:\.\d+)?(?:/\d+)?\s*[km]?"
_NUMBER_RE = re.compile(rf"^({_NUMBER})\s*(%)?$")
_PAIR_RE = re.compile(
    rf"^[(\[]?\s*({_NUMBER})\s*(?:x|\*|,|、|by|×|✕|✖|\u00d7)\s*({_NUMBER})\s*[)\]]?$"
)
_CHOICE_RE = re.compile(r"^[(\[]?\s*([a-z])\s*[)\].:]?$")
_URL_RE = re.compile(r"(?:https?://|www\.|<@|<#|<:)", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[ ,_']")
# A body that starts and ends like these has no prefix or suffix word to strip: every
# prefix starts with a letter, "=", ":" or a kana/kanji, every suffix ends with one or
# with "!", "。", ".". Checking this first saves four regex passes on a plain "4,640".
_BARE_START = frozenset("0123456789([-+")
_BARE_END = frozenset("0123456789)]k%")


def _normalise(text: str) -> str:
    # NFKC folds full-width digits and letters (１１, Ｂ) into ASCII ones.
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    # Markdown people wrap answers in: `code`, **bold**, ||spoiler||.
    for mark in ("`", "**", "||", "__"):
        folded = folded.replace(mark, "")
    return _SPACES.sub(" ", folded)


def _strip_words(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _PREFIXES.sub("", text, count=1).strip()
        text = _SUFFIXES.sub("", text, count=1).strip()
    return text


def _number(token: str) -> Fraction:
    token = token.strip()
    scale = 1
    if token.endswith("k"):
        scale, token = 1_000, token[:-1].strip()
    elif token.endswith("m"):
        scale, token = 1_000_000, token[:-1].strip()
    token = _SEPARATORS.sub("", token)
    # The common cases, without Fraction's slow string parser.
    if token.isascii():
        if token.isdigit():
            return Fraction(int(token) * scale)
        whole, point, decimals = token.partition(".")
        if point and whole.isdigit() and decimals.isdigit():
            return Fraction(int(whole + decimals) * scale, 10 ** len(decimals))
    if "/" in token:
        numerator, denominator = token.split("/")
        if Fraction(denominator) == 0:
            raise ZeroDivisionError
        return Fraction(numerator) / Fraction(denominator) * scale
    return Fraction(token) * scale


def read_reply(
    text: str, choices: int = 0, *, expect: Literal["number", "pair"] | None = None
) -> Reply | None:
    """The value a chat message states, or ``None`` when it is not an attempt.

    ``choices`` is the number of options of a multiple-choice question (0 for a
    numeric one): only then do letters and small numbers read as choices.

    ``4,640`` reads both as a number with a thousands separator and as the pair
    (4, 640). It is the number unless ``expect="pair"`` (the question asks for a size),
    in which case ``112,112`` is the pair 112×112.
    """
    if not text or len(text) > MAX_REPLY_CHARS or _URL_RE.search(text):
        return None
    body = _normalise(text)
    if not body:
        return None
    bare = (body[0] in _BARE_START and body[-1] in _BARE_END) or (
        len(body) == 1 and body.isascii() and body.isalnum()  # "b", "2": a choice
    )
    if not bare:
        body = _strip_words(body)
    if not body or "?" in body:
        return None
    try:
        if choices:
            return _read_choice(body, choices)
        pair = _PAIR_RE.match(body)
        number = None if pair and expect == "pair" else _NUMBER_RE.match(body)
        if pair and number is None:
            return Pair(_number(pair.group(1)), _number(pair.group(2)))
        if number:
            value = _number(number.group(1))
            return Number(value / 100 if number.group(2) else value)
    except (ValueError, ZeroDivisionError, ArithmeticError):
        return None
    return None


def _read_choice(body: str, choices: int) -> Reply | None:
    if match := _CHOICE_RE.match(body):
        index = ord(match.group(1)) - ord("a")
        return Choice(index, by_letter=True) if index < choices else None
    if re.fullmatch(r"[(\[]?\s*\d\s*[)\].]?", body):
        index = int(re.sub(r"\D", "", body)) - 1
        return Choice(index, by_letter=False) if 0 <= index < choices else None
    return None
