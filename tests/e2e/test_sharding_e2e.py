"""Several bot processes, one PostgreSQL database: each runs some shards of the bot and
answers for the guilds those shards own; boards read the shared database.

The loopback Discord routes every guild to shard ``(guild_id >> 22) % shard_count`` and
only to the gateway session that IDENTIFYed with that shard, as Discord does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakediscord import FakeDiscord, Guild, Member, SentMessage, run_client
from fakediscord.limits import DISCORD
from sqlalchemy import select

from bot.cli import _shards
from bot.discord.bot import ConvQuizBot, shard_owner
from bot.engine import bank
from bot.errors import StartupError
from bot.settings import Settings
from bot.storage.db import create_engine, migrate
from bot.storage.models import AnswerEvent, QuestionRow
from bot.storage.repository import Repository
from bot.wiring import build

pytestmark = pytest.mark.e2e

SHARDS = 4
GUILDS = 100
PLAYERS = 10  # per guild: 1,000 answers in all
REPLY_KINDS = ("right", "right", "partial", "wrong")
# These tests are about shards sharing one database, not about Discord's limits: 100
# questions posted at once and 1,000 reactions in seconds are far beyond Discord's global
# 50 requests/s (one bot, whatever its processes), so the global limit is off here. The
# per-channel buckets (messages, reactions) stay as Discord's.
NO_GLOBAL_LIMIT = DISCORD.without_global()


@dataclass
class Arena:
    fake: FakeDiscord
    guilds: list[Guild]
    channels: dict[int, int]  # guild id -> quiz channel id
    starters: dict[int, Member]  # guild id -> the member who starts its question
    players: list[Member]  # the same ten people are in every guild


def shard_of(guild_id: int) -> int:
    return (guild_id >> 22) % SHARDS


def build_arena(fake: FakeDiscord) -> Arena:
    base_ms = (fake.snowflakes.next() >> 22) + 1_000
    guilds, channels, starters = [], {}, {}
    players: list[Member] = []
    for i in range(GUILDS):
        # Consecutive milliseconds in the id: guilds land on every shard in turn.
        guild = fake.add_guild(f"guild {i}", guild_id=((base_ms + i) << 22) | 1)
        guilds.append(guild)
        channels[guild.id] = fake.add_channel(guild.id, "quiz").id
        starters[guild.id] = fake.add_member(guild.id, f"starter{i}")
        if not players:
            players = [fake.add_member(guild.id, f"player{n}") for n in range(PLAYERS)]
        else:
            for player in players:
                fake.add_member(guild.id, player.user.username, user_id=player.id)
    assert Counter(shard_of(g.id) for g in guilds) == dict.fromkeys(range(SHARDS), GUILDS // SHARDS)
    return Arena(fake, guilds, channels, starters, players)


def code_of(message: SentMessage) -> str:
    footer = message.embeds[0]["footer"]["text"]
    match = re.search(r"Code (\S+)", footer)
    assert match, footer
    return match.group(1)


def is_question(message: SentMessage) -> bool:
    return bool(message.embeds) and message.embeds[0].get("title", "").startswith("Question ·")


def reply_for(question: bank.Question, kind: str) -> str:
    if kind == "right":
        return question.answer_text
    if kind == "partial" and question.kind == "param_count":
        value = question.answer.value
        bias = question.params["out_channels"]
        return str(int(value) - int(bias))  # forgot the biases
    return "1"


async def start_questions(arena: Arena) -> dict[int, bank.Question]:
    """!convquiz in every guild; the question each guild's owner posted, by guild."""
    fake = arena.fake
    start = len(fake.sent_messages)
    for guild in arena.guilds:
        await fake.send_message(
            arena.channels[guild.id], arena.starters[guild.id].id, "!convquiz param_count 1"
        )
    by_channel = {channel: guild for guild, channel in arena.channels.items()}
    posted: dict[int, bank.Question] = {}
    while len(posted) < GUILDS:
        message = await fake.wait_for_message(
            lambda m: is_question(m) and by_channel[m.channel_id] not in posted,
            start=start,
            timeout=30,
        )
        posted[by_channel[message.channel_id]] = bank.from_code(code_of(message))
    return posted


async def play(arena: Arena, questions: dict[int, bank.Question]) -> None:
    """1,000 typed answers at once (plus a second try from some players, which must not
    count), then wait for the reaction to each first answer."""
    fake = arena.fake
    first_tries: list[int] = []
    second_tries: list[int] = []
    sends = []
    for g, guild in enumerate(arena.guilds):
        question = questions[guild.id]
        for p, player in enumerate(arena.players):
            text = reply_for(question, REPLY_KINDS[(g + p) % len(REPLY_KINDS)])
            sends.append((arena.channels[guild.id], player.id, text, (g + p) % 7 == 0))
    semaphore = asyncio.Semaphore(50)

    async def send(channel: int, user: int, text: str, again: bool) -> None:
        async with semaphore:
            message = await fake.send_message(channel, user, text)
            first_tries.append(int(message["id"]))
            if again:
                repeat = await fake.send_message(channel, user, "1")
                second_tries.append(int(repeat["id"]))

    await asyncio.gather(*(send(*s) for s in sends))
    assert len(first_tries) == GUILDS * PLAYERS
    # Reactions go out only while the channel's budget, and the bot's own 40 a second of
    # Discord's 50 (bot.quiz.feedback), can deliver them within half a second: with 100
    # busy channels, most verdicts are the reveal's. check_database proves every answer
    # was stored once; the arena's end proves no request earned a 429.
    await fake.wait_for_reaction(lambda r: True, start=0, timeout=30)
    count = -1
    while count != len(fake.reactions):
        count = len(fake.reactions)
        await asyncio.sleep(1.0)  # past the reaction horizon: anything due has gone out
    reacted = Counter(message_id for _channel, message_id, _emoji in fake.reactions)
    assert all(reacted[m] <= 1 for m in first_tries)  # each acknowledged at most once
    assert {c for c, _m, _e in fake.reactions} <= set(arena.channels.values())
    assert not any(reacted[m] for m in second_tries)  # second tries: not counted


async def check_database(url: str, arena: Arena) -> None:
    engine = create_engine(url)
    try:
        repository = Repository(engine)
        async with repository.sessions() as session:
            events = list(await session.scalars(select(AnswerEvent)))
            questions = {q.id: q for q in await session.scalars(select(QuestionRow))}
        assert len(events) == GUILDS * PLAYERS  # none lost
        assert len({(e.question_id, e.user_id) for e in events}) == len(events)  # none doubled
        assert {questions[e.question_id].guild_id for e in events} == {g.id for g in arena.guilds}
        firsts = Counter(e.question_id for e in events if e.first_correct)
        corrects = {e.question_id for e in events if e.outcome == "correct"}
        assert corrects == set(questions) and set(firsts.values()) == {1}  # once per question
        for question_id, question in questions.items():
            assert question.first_correct_user == next(
                e.user_id for e in events if e.question_id == question_id and e.first_correct
            )
        live = await repository.totals_snapshot()
        await repository.rescore()
        assert await repository.totals_snapshot() == live  # totals equal the events
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def in_process_bot(
    fake: FakeDiscord, url: str, shard_ids: list[int]
) -> AsyncIterator[ConvQuizBot]:
    engine = create_engine(url)
    await migrate(engine)
    settings = Settings(discord_token="fake-token", database_url=url, convquiz_time_limit=600)
    services = build(engine, default_time_limit=600, owns_guild=shard_owner(shard_ids, SHARDS))
    bot = ConvQuizBot(
        service=services.quiz,
        settings=settings,
        shard_ids=shard_ids,
        shard_count=SHARDS,
        guild_ready_timeout=0.05,
    )
    try:
        async with run_client(fake, bot, ready_timeout=30):
            yield bot
    finally:
        await engine.dispose()


async def test_two_bots_with_shard_ranges_share_one_postgres_database(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share PostgreSQL; SQLite is the one-process deployment")
    async with FakeDiscord(recommended_shards=SHARDS, rate_limits=NO_GLOBAL_LIMIT) as fake:
        arena = build_arena(fake)
        async with contextlib.AsyncExitStack() as stack:
            low = await stack.enter_async_context(in_process_bot(fake, database_url, [0, 1]))
            high = await stack.enter_async_context(in_process_bot(fake, database_url, [2, 3]))
            assert sorted(i.shard for i in fake.identifies) == [(s, SHARDS) for s in range(SHARDS)]
            questions = await start_questions(arena)
            # A question belongs to the process whose shard owns its guild.
            for bot, shards in ((low, {0, 1}), (high, {2, 3})):
                guilds = {g.id for g in arena.guilds if shard_of(g.id) in shards}
                owned = [bot.service.open_in(arena.channels[g]) for g in guilds]
                assert {q.guild_id for q in owned if q is not None} == guilds
                others = [g.id for g in arena.guilds if g.id not in guilds]
                assert all(bot.service.open_in(arena.channels[g]) is None for g in others)
            await play(arena, questions)
            # Boards read the shared database: both processes see every guild's answers.
            boards = [await b.service.leaderboard(None, limit=PLAYERS) for b in (low, high)]
            assert boards[0] == boards[1] and boards[0].players == PLAYERS
        assert fake.unknown_routes == [] and fake.server_errors == []
        assert fake.contract_violations == []
        assert fake.rate_limited == [], "the bot was answered 429 Too Many Requests"
    await check_database(database_url, arena)


def _bot_env(fake: FakeDiscord, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQUIZ_")}
    env.update(
        DISCORD_TOKEN=fake.token,
        DATABASE_URL=url,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        CONVQUIZ_TIME_LIMIT="600",
    )
    return env


async def test_convquiz_run_processes_with_shard_ranges_share_one_postgres_database(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share PostgreSQL; SQLite is the one-process deployment")
    async with FakeDiscord(recommended_shards=SHARDS, rate_limits=NO_GLOBAL_LIMIT) as fake:
        arena = build_arena(fake)
        # One process takes its shards from the command line, the other from the
        # environment; both start at once on an empty database (one migrates).
        by_args = _bot_env(fake, database_url)
        by_env = dict(
            _bot_env(fake, database_url), CONVQUIZ_SHARD_IDS="2,3", CONVQUIZ_SHARD_COUNT=str(SHARDS)
        )
        commands = [
            (
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    "--shard-ids",
                    "0,1",
                    "--shard-count",
                    str(SHARDS),
                ],
                by_args,
            ),
            ([sys.executable, "-m", "bot", "run"], by_env),
        ]
        processes = [
            await asyncio.create_subprocess_exec(
                *argv, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for argv, env in commands
        ]
        try:
            # discord.py waits 5 s before identifying each shard after a process's first.
            await fake.wait_for_sessions(SHARDS, timeout=60)
            assert sorted(i.shard for i in fake.identifies) == [(s, SHARDS) for s in range(SHARDS)]
            questions = await start_questions(arena)
            await play(arena, questions)
        finally:
            for process in processes:
                if process.returncode is None:
                    process.terminate()
            outputs = [await asyncio.wait_for(p.communicate(), 30) for p in processes]
        for _, stderr in outputs:
            assert b"Traceback" not in stderr, stderr.decode()[-2000:]
        assert fake.unknown_routes == [] and fake.server_errors == []
        assert fake.contract_violations == []
        assert fake.rate_limited == [], "the bot was answered 429 Too Many Requests"
    await check_database(database_url, arena)


def test_shards_come_from_the_command_line_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CONVQUIZ_SHARD_IDS", raising=False)
    monkeypatch.delenv("CONVQUIZ_SHARD_COUNT", raising=False)
    args = argparse.Namespace(shard_ids="0,1", shard_count=4)
    assert _shards(args) == ([0, 1], 4)
    assert _shards(argparse.Namespace(shard_ids=None, shard_count=None)) == (None, None)
    monkeypatch.setenv("CONVQUIZ_SHARD_IDS", "2,3")
    monkeypatch.setenv("CONVQUIZ_SHARD_COUNT", "4")
    assert _shards(argparse.Namespace(shard_ids=None, shard_count=None)) == ([2, 3], 4)
    assert _shards(args) == ([0, 1], 4)  # the command line wins
    for ids, count in (("0,9", "4"), ("a,b", "4"), ("0", "zero"), ("0", "0")):
        monkeypatch.setenv("CONVQUIZ_SHARD_IDS", ids)
        monkeypatch.setenv("CONVQUIZ_SHARD_COUNT", count)
        with pytest.raises(StartupError):
            _shards(argparse.Namespace(shard_ids=None, shard_count=None))
    owner = shard_owner([1, 3], 4)
    assert [owner(n << 22) for n in range(8)] == [False, True, False, True] * 2
