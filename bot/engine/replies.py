"""Read what people type in chat as a value: a number, an (h, w) pair or a choice.

The reader is deliberately strict about the *shape* of a message and lenient about its
*spelling*: ``4,640``, ``4 640``, ``4.64k``, ``4640個`` and ``４６４０`` are all 4640, but
"what is stride 2?" is chat, not an attempt, and must not cost the player anything.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
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

# The lead-in phrases people put before an answer, one grammar for both languages:
#   lead-in = hedge [lead] | lead          hedge = i think | i guess | maybe | probably
#                                                  | たぶん | 多分
#   lead    = [the|my|our] [final] (answer|result|ans) [is | would be | should be]
#           | it is | it's | that is | that's | = | :
#           | (答え|こたえ|回答|正解) [は]
# followed by an optional ":" "=" "：". Lead-ins and the unit words after a value are
# stripped before reading; anything else must be part of the value itself or the
# message is not an attempt.
_HEDGE = r"(?:i\s+think|i\s+guess|maybe|probably|たぶん|多分)\s*,?\s*"
_EN_LEAD = (
    r"(?:(?:the|my|our)\s+)?(?:final\s+)?(?:answer|result|ans)"
    r"(?:\s+(?:is|would\s+be|should\s+be))?"
    r"|it'?s|it\s+is|that'?s|that\s+is|=|:"
)
_JA_LEAD = r"(?:答え|こたえ|回答|正解)(?:は)?"
_LEAD = rf"{_EN_LEAD}|{_JA_LEAD}"
_PREFIXES = re.compile(rf"^(?:{_HEDGE}(?:{_LEAD})?|{_LEAD})\s*[:=：]?\s*")
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
_DIGIT = re.compile(r"\d")
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
    text: str,
    choices: int | Sequence[str] = 0,
    *,
    expect: Literal["number", "pair"] | None = None,
) -> Reply | None:
    """The value a chat message states, or ``None`` when it is not an attempt.

    ``choices`` is the options of a multiple-choice question (their texts, or just
    their number; 0 for a numeric one): only then do letters and small numbers read as
    choices, and with the texts, an option's own text (alone, or after its letter).

    ``4,640`` reads both as a number with a thousands separator and as the pair
    (4, 640). It is the number unless ``expect="pair"`` (the question asks for a size),
    in which case ``112,112`` is the pair 112×112.
    """
    options = _option_keys(tuple(choices)) if not isinstance(choices, int) else ()
    longest = max((len(option) for option in options), default=0)
    if not text or len(text) > max(MAX_REPLY_CHARS, longest + 16) or _URL_RE.search(text):
        return None
    body = _normalise(text)
    if not body:
        return None
    if not options and not choices and _DIGIT.search(body) is None:
        return None  # a number has digits: chat, mostly, and no prefix or suffix pass
    bare = (body[0] in _BARE_START and body[-1] in _BARE_END) or (
        len(body) == 1 and body.isascii() and body.isalnum()  # "b", "2": a choice
    )
    if not bare:
        body = _strip_words(body)
    if not body or "?" in body:
        return None
    try:
        if options:
            return _read_choice(body, len(options)) or _read_option_text(body, options)
        if isinstance(choices, int) and choices:
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


_LETTERED = re.compile(r"[(\[]?([a-z])[)\].:]?\s+(.+)")


@functools.lru_cache(maxsize=1024)
def _option_keys(options: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_option_key(option) for option in options)


def _option_key(text: str) -> str:
    """An option's text as compared: case, spaces, punctuation and width folded."""
    folded = unicodedata.normalize("NFKC", text).lower()
    kept = "".join(
        " " if unicodedata.category(char)[0] in "PZ" else char
        for char in folded
        if unicodedata.category(char)[0] != "S" or char.isalnum()
    )
    return _SPACES.sub(" ", kept).strip()


def _read_option_text(body: str, options: tuple[str, ...]) -> Reply | None:
    """``B: <B's text>`` or ``<B's text>`` is B; a letter before another option's text
    contradicts itself and is not read as an attempt."""
    if lettered := _LETTERED.fullmatch(body):
        index = ord(lettered.group(1)) - ord("a")
        rest = _option_key(lettered.group(2))
        if index < len(options) and rest == options[index]:
            return Choice(index, by_letter=True)
        if rest in options:
            return None
    key = _option_key(body)
    if key and key in options:
        return Choice(options.index(key), by_letter=False)
    return None
