"""Helpers shared by test modules (test modules never import each other)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from bot.engine import bank
from bot.engine.question import Question
from bot.quiz.service import QuizService
from bot.storage.db import create_engine, migrate
from bot.storage.repository import Repository
from bot.wiring import Services, build

# --- what counts as English in a Japanese text -----------------------------------------
#
# A Japanese text may still hold a few ASCII words, each for a reason:
# - code a reader types or reads in their framework, kept verbatim: padding='same',
#   'valid', bias=False, groups=…, kernel_size=…, `!commands` in backticks;
# - names with no Japanese form: TensorFlow, Keras, ReLU (the article writes ReLU too),
#   CNN and GPU (acronyms, as in the article), convquiz and Discord (product names),
#   YAML (the format admins write templates in; .yaml files);
# - what the reader supplied: mentions, channel links, Discord timestamps, question codes;
# - IANA time zone names (Asia/Tokyo), typed verbatim in `!quizconfig daily`.
CODE_TOKENS = re.compile(
    r"`[^`]*`|padding='same'|'same'|'valid'|bias=False|groups=|kernel_size="
    r"|<[@#][&!]?\d+>|<t:\d+:[A-Za-z]>|\b[A-Z]{2}[1-3]-[0-9A-Z]{1,5}v\d+\b"
    r"|\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)"
    r"/[A-Za-z_]+(?:/[A-Za-z_]+)?"
)
ALLOWED_WORDS = {"TensorFlow", "Keras", "ReLU", "CNN", "GPU", "convquiz", "Discord", "YAML", "yaml"}


def english_words(text: str, shortest: int = 2) -> list[str]:
    """ASCII words of ``shortest`` letters or more left once code and names are removed."""
    bare = CODE_TOKENS.sub(" ", text)
    words = re.findall(rf"[A-Za-z]{{{shortest},}}", bare)
    return [word for word in words if word not in ALLOWED_WORDS]


START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


class Clock:
    """A clock the test moves, so deadlines pass without waiting."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def is_article_question_2(q: Question) -> bool:
    """The seed article's question 2: a 3×3 conv from 16 to 32 channels (4,640 parameters;
    4,608 forgets the biases)."""
    return q.kind == "param_count" and (
        q.params["in_channels"],
        q.params["out_channels"],
        q.params["kernel"],
    ) == (16, 32, [3, 3])


def param_question() -> Question:
    """3×3 conv, 16 → 32 channels: 4,640 parameters (4,608 forgets the biases)."""
    for seed in range(5_000):
        q = bank.generate("param_count", seed, 1)
        if is_article_question_2(q):
            return q
    raise AssertionError("no such question in the first 5,000 seeds")


def right_reply(q: Question) -> str:
    """What a player who knows the answer types: the option's letter, or the answer."""
    if q.choices is not None:
        assert isinstance(q.answer.value, int)
        return "ABCD"[q.answer.value]
    return q.answer_text


PARAM_REPLIES = ("4640", "4608", "12")  # right, partly right (forgot the biases), wrong


# A small world for the privacy tests: GONE asks for their data to be deleted.
GONE, STAYS, OTHER = 7, 8, 9  # the member who asks, and two who keep their data
GUILD_A, GUILD_B, GUILD_C = 100, 200, 300


async def _round(
    service: QuizService,
    clock: Clock,
    guild: int,
    channel: int,
    starter: int,
    answers: list[tuple[int, str]],
) -> None:
    await service.repository.open_question(
        guild_id=guild,
        channel_id=channel,
        question=param_question(),
        started_by=starter,
        opened_at=service.clock(),
        time_limit=30,
    )
    await service.resume()
    for user, reply in answers:
        clock.advance(2)
        await service.answer(channel, user, reply)
    clock.advance(31)
    await service.close_due()


async def played(repository: Repository) -> QuizService:
    """GONE answers first and right in guild A (twice) and B, wrong once; guild C never
    sees GONE. 4640 is right, 4608 the named mistake, 1 wrong."""
    clock = Clock()
    service = QuizService(repository, clock=clock)
    await _round(
        service, clock, GUILD_A, 1, GONE, [(GONE, "4640"), (STAYS, "4640"), (OTHER, "4608")]
    )
    await _round(
        service, clock, GUILD_A, 2, STAYS, [(GONE, "4640"), (OTHER, "4640"), (STAYS, "4640")]
    )
    await _round(service, clock, GUILD_A, 3, OTHER, [(STAYS, "4640"), (GONE, "1")])
    await _round(service, clock, GUILD_B, 4, GONE, [(GONE, "4640"), (OTHER, "4640")])
    await _round(service, clock, GUILD_C, 5, STAYS, [(STAYS, "4640"), (OTHER, "1")])
    return service


@asynccontextmanager
async def process(database_url: str, clock: Clock) -> AsyncIterator[Services]:
    """One bot process's services on the shared database: its own engine and pool."""
    engine = create_engine(database_url)
    await migrate(engine)
    services = build(engine, clock=clock)
    try:
        yield services
    finally:
        await services.quiz.close()
        await engine.dispose()
