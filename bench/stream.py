"""The message stream both bots get in the peer benchmark (``bench/peer.py``).

A shuffled mix over ``channels`` channels and ``users`` users: a third right answers, a
third wrong answers, a third chat, each channel getting the same number of messages and
each user writing the same number (to within one). Pure and seeded: the same arguments
give the same stream, so convquiz and Red's Trivia read exactly the same messages.

A message says what it is, not its text: the text of a right answer is whatever answers
the question open in its channel when it is sent (``text``), as a person would type it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

Kind = Literal["right", "wrong", "chat"]
KINDS: tuple[Kind, ...] = ("right", "wrong", "chat")

# Chat with no digits in it: neither bot may take it for an answer.
CHAT = (
    "anyone else find padding confusing?",
    "brb coffee",
    "is stride the step or the window?",
    "that was quick",
    "good luck everyone",
    "wait what was the kernel size again",
    "lol",
    "i always forget the biases",
)

__all__ = ["CHAT", "KINDS", "Kind", "Message", "make_stream", "text"]


@dataclass(frozen=True)
class Message:
    channel: int  # index into the benchmark's channels
    user: int  # index into its users
    kind: Kind
    n: int  # position in the stream; also picks the chat line and the wrong number


def _spread(count: int, over: int, rng: random.Random) -> list[int]:
    """``count`` indices in ``range(over)``, each used count // over or one more times."""
    values = [i % over for i in range(count)]
    rng.shuffle(values)
    return values


def make_stream(messages: int, channels: int, users: int, seed: int = 13) -> list[Message]:
    """``messages`` messages, kinds a third each (to within one), channels and users
    evenly spread (to within one), in a seeded random order."""
    rng = random.Random(seed)
    kinds = [KINDS[i % 3] for i in range(messages)]
    rng.shuffle(kinds)
    where = _spread(messages, channels, rng)
    who = _spread(messages, users, rng)
    return [Message(where[n], who[n], kinds[n], n) for n in range(messages)]


def text(message: Message, answer: str) -> str:
    """What the user types: ``answer`` if right, a number that is not it if wrong."""
    if message.kind == "right":
        return answer
    if message.kind == "chat":
        return CHAT[message.n % len(CHAT)]
    wrong = f"{1 + message.n % 97:,}"
    return wrong if wrong != answer else f"{2 + message.n % 97:,}"
