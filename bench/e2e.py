"""End to end through the loopback Discord: typed answers handled per second.

convquiz (every answer committed before its reaction is sent) against the same
discord.py bot answering ``!ping`` with no database, measured the same way in the same
run: ``concurrency`` channels each keep one message in flight (send, wait for the bot's
reply to it, send the next), and the fake Discord and the bot share one event loop.
Also counts the REST calls each answer and each round cost.

The throughput runs give the fake no rate limits (``UNLIMITED``): they measure the bot's
own cost, and Discord's global 50 requests/s would cap both bots at the same figure. One
more run plays under Discord's limits (``DISCORD``) on ten channels, few enough to stay
under the global limit: what a channel can really acknowledge. Every run asserts the bot
earned no 429 (``FakeDiscord.rate_limited``); the count is printed.

``python -m bench.e2e [--answers N] [--concurrency C] [--backend sqlite|postgres]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fakediscord import FakeDiscord, SentMessage, run_client
from fakediscord.limits import DISCORD, UNLIMITED, RateLimits

from bench.common import say, verdict_seen
from bench.ping_bot import ping_bot
from bot.discord.bot import ConvQuizBot
from bot.engine import bank
from bot.quiz.feedback import ReactionPlan
from bot.settings import Settings
from bot.storage.db import create_engine, migrate
from bot.wiring import build

__all__ = ["convquiz_rate", "measure", "ping_rate"]

# Channels in the run under Discord's limits: 10 x 4 reactions/s stays under 50/s global.
DISCORD_CHANNELS = 10


class Clock:
    """The service's clock; the benchmark moves it to close every round at once."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


async def _drive(concurrency: int, total: int, one: Callable[[int, int], Awaitable[None]]) -> float:
    """Run ``total`` round trips, ``concurrency`` at a time (worker w does its k-th with
    ``one(w, k)``); round trips per second."""
    per_worker = [
        total // concurrency + (1 if w < total % concurrency else 0) for w in range(concurrency)
    ]

    async def worker(w: int) -> None:
        for k in range(per_worker[w]):
            await one(w, k)

    began = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return total / (time.perf_counter() - began)


async def ping_rate(total: int, concurrency: int) -> float:
    """``!ping`` → "pong" round trips per second, ``concurrency`` channels in flight."""
    async with FakeDiscord(rate_limits=UNLIMITED) as fake:
        guild = fake.add_guild("bench")
        channels = [fake.add_channel(guild.id, f"c{i}").id for i in range(concurrency)]
        user = fake.add_member(guild.id, "alice").id
        async with run_client(fake, ping_bot()):

            async def one(w: int, _k: int) -> None:
                channel = channels[w]
                start = len(fake.sent_messages)
                await fake.send_message(channel, user, "!ping")
                await fake.wait_for_message(
                    lambda m: m.channel_id == channel and m.content == "pong", start=start
                )

            await _drive(concurrency, concurrency, one)  # warm-up
            rate = await _drive(concurrency, total, one)
        assert fake.rate_limited == [], fake.rate_limited_by_route
        return rate


def _code(message: SentMessage) -> str:
    match = re.search(r"Code (\S+)", message.embeds[0]["footer"]["text"])
    assert match is not None
    return match.group(1)


def _replies(question: bank.Question) -> list[str]:
    """A right, a partly right (forgot the biases) and a wrong answer, as typed."""
    right = question.answer_text
    partial = str(int(question.answer.value) - int(question.params["out_channels"]))
    return [right, right, partial, "1"]


@contextlib.asynccontextmanager
async def _convquiz(
    fake: FakeDiscord, url: str, clock: Clock, plan: ReactionPlan | None = None
) -> AsyncIterator[ConvQuizBot]:
    engine = create_engine(url)
    await migrate(engine)
    settings = Settings(discord_token=fake.token, database_url=url, convquiz_time_limit=600)
    services = build(engine, clock=clock, default_time_limit=600)
    bot = ConvQuizBot(
        service=services.quiz, settings=settings, guild_ready_timeout=0.05, reaction_plan=plan
    )
    try:
        async with run_client(fake, bot, ready_timeout=30):
            yield bot
    finally:
        await engine.dispose()


async def convquiz_rate(
    total: int, concurrency: int, url: str, limits: RateLimits = UNLIMITED
) -> dict[str, float]:
    """Typed answers per second through convquiz, each committed before its reaction;
    plus REST calls per answer and per round, and answers per database commit."""
    async with FakeDiscord(rate_limits=limits) as fake:
        guild = fake.add_guild("bench")
        channels = [fake.add_channel(guild.id, f"quiz{i}").id for i in range(concurrency)]
        starter = fake.add_member(guild.id, "starter").id
        per_channel = total // concurrency + 1
        players = [fake.add_member(guild.id, f"p{i}").id for i in range(per_channel + 1)]
        clock = Clock()
        # The bot's reaction plan mirrors the fake's limits: none in the throughput runs.
        unlimited = ReactionPlan(interval=0.0, reactions_per_window=None)
        plan = unlimited if limits is UNLIMITED else None
        async with _convquiz(fake, url, clock, plan) as bot:
            rest_before_rounds = sum(fake.rest_calls.values())
            start = len(fake.sent_messages)
            for channel in channels:
                await fake.send_message(channel, starter, "!convquiz param_count 1")
            replies: dict[int, list[str]] = {}
            while len(replies) < len(channels):
                posted = await fake.wait_for_message(
                    lambda m: bool(m.embeds) and m.channel_id not in replies,
                    start=start,
                    timeout=30,
                )
                replies[posted.channel_id] = _replies(bank.from_code(_code(posted)))
            question_calls = sum(fake.rest_calls.values()) - rest_before_rounds

            async def one(w: int, k: int) -> None:
                channel = channels[w]
                text = replies[channel][(w + k) % 4]
                mark = len(fake.reactions)
                message = await fake.send_message(channel, players[k + 1], text)
                # Under Discord's limits the bot-wide reaction budget leaves some verdicts
                # to the reveal (bot.quiz.feedback): a verdict not seen within its 1 s
                # promise is one of those.
                timeout = 5.0 if limits is UNLIMITED else 1.0
                seen = await verdict_seen(fake, int(message["id"]), start=mark, timeout=timeout)
                if not seen and limits is UNLIMITED:
                    raise AssertionError(f"no verdict for {text!r}")

            # Warm-up: one answer per channel, from the player kept for it.
            await _drive(concurrency, concurrency, lambda w, _k: one(w, -1))
            repository = bot.service.repository
            commits, answers = repository.commits, repository.committed_answers
            calls = sum(fake.rest_calls.values())
            rate = await _drive(concurrency, total, one)
            answer_calls = sum(fake.rest_calls.values()) - calls
            batches = repository.commits - commits
            committed = repository.committed_answers - answers
            reveals_before = sum(fake.rest_calls.values())
            clock.offset += timedelta(seconds=601)
            bot.wake_deadlines()
            seen = len(fake.sent_messages)
            for _ in channels:
                await fake.wait_for_message(
                    lambda m: bool(m.embeds) and "answer" in m.embeds[0].get("title", ""),
                    start=seen,
                    timeout=60,
                )
                seen = len(fake.sent_messages)
            reveal_calls = sum(fake.rest_calls.values()) - reveals_before
        assert fake.unknown_routes == [] and fake.server_errors == []
        assert fake.rate_limited == [], fake.rate_limited_by_route
    return {
        "rate": rate,
        "rest_per_answer": answer_calls / total,
        "rest_question": question_calls / len(channels),
        "rest_reveal": reveal_calls / len(channels),
        "answers_per_commit": committed / max(1, batches),
        "rate_limited": len(fake.rate_limited),
    }


async def measure(
    total: int, concurrency: int, backends: Sequence[str] = ("sqlite",)
) -> dict[str, float]:
    """One run: the ``!ping`` bot, then convquiz on each backend, same load; then both
    again one message at a time. Ratios are convquiz ÷ ping of this run."""
    from bench.storage import fresh_database

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="convquiz-bench-") as folder:
        ping = await ping_rate(total, concurrency)
        out["ping"] = ping
        for backend in backends:
            async with fresh_database(backend, folder) as url:
                run = await convquiz_rate(total, concurrency, url)
            out[f"{backend}_rate"] = run["rate"]
            out[f"{backend}_ratio"] = run["rate"] / ping
            out[f"{backend}_answers_per_commit"] = run["answers_per_commit"]
            out[f"{backend}_rest_per_answer"] = run["rest_per_answer"]
            out[f"{backend}_rest_question"] = run["rest_question"]
            out[f"{backend}_rest_reveal"] = run["rest_reveal"]
        serial = max(50, total // 10)
        ping_1 = await ping_rate(serial, 1)
        out["ping_1"] = ping_1
        async with fresh_database("sqlite", folder) as url:
            run = await convquiz_rate(serial, 1, url)
        out["sqlite_rate_1"] = run["rate"]
        out["sqlite_ratio_1"] = run["rate"] / ping_1
        # Under Discord's limits: a channel acknowledges one answer per 0.25 s at most.
        async with fresh_database("sqlite", folder) as url:
            limited = await convquiz_rate(max(100, total // 20), DISCORD_CHANNELS, url, DISCORD)
        out["sqlite_rate_discord"] = limited["rate"]
        out["rate_limited"] = limited["rate_limited"]
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    args = parser.parse_args(argv)
    result: dict[str, Any] = asyncio.run(
        measure(args.answers, args.concurrency, args.backend or ("sqlite",))
    )
    for key, value in result.items():
        say(f"{key:>20}: {value:,.2f}")


if __name__ == "__main__":
    main()
