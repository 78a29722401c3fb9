"""The end-to-end harness: a world (loopback Discord, guild, members, SQLite file,
clock) and the real bot running in it, plus what tests read off the bot's messages."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import random
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fakediscord import Channel, FakeDiscord, Guild, Member, SentMessage, run_client
from fakediscord.limits import CREATE_MESSAGE, DISCORD, Bucket
from PIL import Image

from bot.discord.bot import ConvQuizBot
from bot.discord.reminders import ReminderScheduler
from bot.engine import bank
from bot.engine.question import Question
from bot.present.pictures import render_question
from bot.settings import Settings
from bot.storage.db import create_engine, migrate
from bot.wiring import build

REACTION_ROUTE = "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
POST_ROUTE = "POST /channels/{channel_id}/messages"
# Discord's limits, but a channel may take 50 messages per 5 s instead of 5: for tests
# about something else that play many rounds in one channel (each round posts a
# question and a reveal), which would otherwise wait about a second per message.
# Reactions and the global limit stay Discord's. Pass it with
# `@pytest.mark.parametrize("rate_limits", [MANY_MESSAGES])` and say why in the test.
MANY_MESSAGES = DISCORD.with_route(
    "POST", "/channels/{channel_id}/messages", Bucket(CREATE_MESSAGE.name, 50, CREATE_MESSAGE.per)
)


class Clock:
    """The service's clock, moved by the test so deadlines pass without waiting."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class SeedQueue(random.Random):
    """Hands the service chosen question seeds, so a test knows what it will be asked."""

    def __init__(self) -> None:
        super().__init__(0)
        self.seeds: list[int] = []

    def randrange(self, *args: int, **kwargs: int) -> int:  # type: ignore[override]
        return self.seeds.pop(0) if self.seeds else super().randrange(*args, **kwargs)


@dataclass
class World:
    fake: FakeDiscord
    guild: Guild
    channel: Channel
    other_channel: Channel
    alice: Member  # a moderator (Manage Server)
    bob: Member
    carol: Member
    dave: Member
    erin: Member
    db_url: str
    clock: Clock
    seeds: SeedQueue


@dataclass
class Running:
    bot: ConvQuizBot
    world: World

    async def say(self, member: Member, text: str, channel: Channel | None = None) -> dict:  # type: ignore[type-arg]
        return await self.world.fake.send_message(
            (channel or self.world.channel).id, member.id, text
        )

    async def advance(self, seconds: float) -> None:
        self.world.clock.now += timedelta(seconds=seconds)
        self.bot.wake_deadlines()
        if self.bot.daily is not None:
            self.bot.daily.wake()
        if (scheduler := self.reminder_scheduler()) is not None:
            scheduler.wake()

    def reminder_scheduler(self) -> ReminderScheduler | None:
        cog = self.bot.get_cog("PracticeCog")
        return getattr(cog, "reminders", None)

    async def send_reminders(self) -> None:
        """One look of the practice-reminder task, awaited (the bot's own task looks
        too; the day's claim keeps each reminder once)."""
        scheduler = self.reminder_scheduler()
        assert scheduler is not None
        await scheduler.send_due()

    async def move_to(self, moment: datetime) -> None:
        """Set the clock (forward or back) and wake the loops that read it."""
        await self.advance((moment - self.world.clock.now).total_seconds())

    async def look_for_daily(self) -> None:
        """One look of the question-of-the-day scheduler, awaited: whatever is due is
        posted once this returns (the bot's own task looks too; claims keep it once)."""
        assert self.bot.daily is not None
        await self.bot.daily.post_due()


@contextlib.asynccontextmanager
async def running(world: World, *, cooldown: float = 0.0) -> AsyncIterator[Running]:
    engine = create_engine(world.db_url)
    await migrate(engine)
    settings = Settings(
        discord_token="fake-token", database_url=world.db_url, convquiz_time_limit=30
    )
    services = build(
        engine, clock=world.clock, rng=world.seeds, default_time_limit=30, start_cooldown=cooldown
    )
    bot = ConvQuizBot(service=services.quiz, settings=settings, guild_ready_timeout=0.05)
    try:
        async with run_client(world.fake, bot):
            yield Running(bot, world)
    finally:
        await engine.dispose()


def seed_for(kind: str, difficulty: int, predicate: Callable[[Question], bool]) -> int:
    for seed in range(20_000):
        if predicate(bank.generate(kind, seed, difficulty)):
            return seed
    raise AssertionError("no such question")


def code_of(message: SentMessage) -> str:
    footer = message.embeds[0]["footer"]["text"]
    match = re.search(r"Code (\S+)", footer)
    assert match, footer
    return match.group(1)


def is_question(message: SentMessage) -> bool:
    return bool(message.embeds) and message.embeds[0].get("title", "").startswith("Question ·")


def is_reveal(message: SentMessage) -> bool:
    return bool(message.embeds) and "the answer" in message.embeds[0].get("title", "")


def text_of(message: SentMessage) -> str:
    parts = [message.content]
    for embed in message.embeds:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
        parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def assert_picture(message: SentMessage, question: Question, *, reveal: bool) -> None:
    """Numeric questions carry their layer picture, shown inside the embed."""
    expected = render_question(question, reveal=reveal)
    if expected is None:  # multiple-choice "why" questions have nothing to draw
        assert not message.attachments
        return
    (attachment,) = message.attachments
    assert message.embeds[0]["image"]["url"] == f"attachment://{attachment.filename}"
    picture = Image.open(io.BytesIO(attachment.data))
    assert picture.format == "PNG" and picture.width > 100 and picture.height > 100
    assert attachment.data == expected


async def ask(run: Running, member: Member, command: str) -> tuple[SentMessage, Question]:
    await run.say(member, command)
    posted = await run.world.fake.wait_for_message(is_question)
    question = bank.from_code(code_of(posted))
    assert_picture(posted, question, reveal=False)
    return posted, question


async def wait_for_right_verdict(fake: FakeDiscord, message: dict) -> None:  # type: ignore[type-arg]
    """A right typed answer's verdict: its ✅, or, for a first right answer whose reaction
    would have waited behind another in the channel, the reply announcing it."""
    waits = {
        asyncio.ensure_future(
            fake.wait_for_reaction(emoji="✅", message_id=int(message["id"]), start=0)
        ),
        asyncio.ensure_future(
            fake.wait_for_message(
                lambda m: str((m.message_reference or {}).get("message_id")) == message["id"],
                start=0,
            )
        ),
    }
    try:
        while waits:
            done, waits = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            if any(task.exception() is None for task in done):
                return
        raise AssertionError(f"no verdict for {message['content']!r}")
    finally:
        for task in waits:
            task.cancel()


def bot_env(fake: FakeDiscord, db_url: str, token: str = "fake-token") -> dict[str, str]:
    """The environment of a real ``convquiz run`` process pointed at the fake."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQUIZ_")}
    env.update(
        DISCORD_TOKEN=token,
        DATABASE_URL=db_url,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
    )
    return env
