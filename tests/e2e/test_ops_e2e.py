"""What a host sees: /metrics and /healthz scraped over HTTP during real rounds through
the loopback Discord, and the JSON log lines of a round."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from fakediscord import run_client
from harness import (
    POST_ROUTE,
    REACTION_ROUTE,
    Running,
    World,
    ask,
    bot_env,
    is_question,
    is_reveal,
    seed_for,
)
from helpers import is_article_question_2
from prometheus_client.parser import text_string_to_metric_families

from bot.discord.bot import ConvQuizBot
from bot.ops.health import serving
from bot.ops.logs import configure_logging
from bot.ops.server import OpsServer
from bot.settings import Settings
from bot.storage.db import create_engine, migrate
from bot.storage.repository import Repository
from bot.wiring import Services, build

pytestmark = pytest.mark.e2e

# Shaped like a real bot token (id . timestamp . HMAC), so a leak would be recognisable.
TOKEN_LIKE = "MTE4NDk2MzU0MjE3OTk0MjQwMA.GhQ7xZ.q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@contextlib.asynccontextmanager
async def bot_with_ops(world: World) -> AsyncIterator[tuple[ConvQuizBot, OpsServer, Services]]:
    """The bot wired as ``convquiz run`` wires it, with the ops server on a free port;
    not yet connected (``run_client`` connects it)."""
    engine = create_engine(world.db_url)
    await migrate(engine)
    settings = Settings(
        discord_token=world.fake.token, database_url=world.db_url, convquiz_metrics_port=0
    )
    services = build(engine, clock=world.clock, rng=world.seeds, default_time_limit=30)
    bot = ConvQuizBot(
        service=services.quiz,
        settings=settings,
        guild_ready_timeout=0.05,
        metrics=services.metrics,
        health=services.health,
    )
    try:
        async with serving(services.metrics, services.health, settings) as server:
            assert server is not None and server.host == "127.0.0.1" and server.port > 0
            yield bot, server, services
    finally:
        await engine.dispose()


async def get(port: int, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text()


async def healthz(port: int) -> tuple[int, dict[str, Any]]:
    status, body = await get(port, "/healthz")
    return status, json.loads(body)


async def scrape(port: int) -> Samples:
    status, text = await get(port, "/metrics")
    assert status == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def param_count_4640(world: World) -> None:
    world.seeds.seeds.append(seed_for("param_count", 1, is_article_question_2))


async def test_metrics_count_a_round_and_healthz_follows_the_gateway(world: World) -> None:
    fake = world.fake
    async with bot_with_ops(world) as (bot, server, _services):
        status, body = await healthz(server.port)
        assert status == 503 and "not" in body["reason"]  # logged in nowhere yet

        async with run_client(fake, bot):
            run = Running(bot, world)
            assert await healthz(server.port) == (200, {"status": "ok"})
            param_count_4640(world)
            await ask(run, world.alice, "!convquiz param_count 1")
            answers = {"correct": ["4640", "4,640"], "partial": ["4,608"], "wrong": ["12"]}
            members = iter([world.bob, world.carol, world.dave, world.erin])
            for texts in answers.values():
                for text in texts:
                    sent = await run.say(next(members), text)
                    await fake.wait_for_reaction(message_id=int(sent["id"]), start=0)
            await run.say(world.alice, "what is a bias anyway?")  # chat: not graded

            # The fake records a reaction before its answer reaches the bot, which then
            # times the acknowledgement: wait (bounded) for the last one to be counted.
            graded = sum(len(texts) for texts in answers.values())
            for _ in range(100):
                during = await scrape(server.port)
                if value(during, "convquiz_acknowledge_seconds_count") >= graded:
                    break
                await asyncio.sleep(0.05)
            for outcome, texts in answers.items():
                assert value(during, "convquiz_answers_graded_total", outcome=outcome) == len(texts)
            graded = sum(len(texts) for texts in answers.values())
            assert value(during, "convquiz_commit_batch_size_sum") == graded
            assert value(during, "convquiz_commit_seconds_count") == value(
                during, "convquiz_commit_batch_size_count"
            )
            assert value(during, "convquiz_acknowledge_seconds_count") == graded
            assert value(during, "convquiz_open_questions") == 1
            # Counted by route in the bot, and independently by the fake's own server.
            assert value(during, "convquiz_discord_rest_calls_total", route=REACTION_ROUTE) > 0
            for route in (REACTION_ROUTE, POST_ROUTE):
                assert (
                    value(during, "convquiz_discord_rest_calls_total", route=route)
                    == fake.rest_calls[route]
                )
            assert value(during, "convquiz_discord_rest_429_total", route=POST_ROUTE) == 0

            await run.advance(31)
            await fake.wait_for_message(is_reveal)
            after = await scrape(server.port)
            assert value(after, "convquiz_open_questions") == 0
            assert value(after, "convquiz_errors_total", kind="command") == 0
        status, body = await healthz(server.port)
        assert status == 503 and body["reason"] == "the bot is stopping"


async def test_healthz_is_503_while_the_database_is_gone(world: World) -> None:
    async with bot_with_ops(world) as (bot, server, services), run_client(world.fake, bot):
        assert (await healthz(server.port))[0] == 200
        # The database server goes away: every query now fails at the driver.
        dead = create_engine("postgresql+asyncpg://nobody@127.0.0.1:9/gone")
        alive = services.quiz.repository
        services.quiz.repository = Repository(dead)
        try:
            status, body = await healthz(server.port)
            assert status == 503 and "database" in body["reason"]
        finally:
            services.quiz.repository = alive
            await dead.dispose()
        assert (await healthz(server.port))[0] == 200


async def test_429s_are_counted_by_route(world: World) -> None:
    fake = world.fake
    async with bot_with_ops(world) as (bot, server, _services), run_client(fake, bot):
        run = Running(bot, world)
        await ask(run, world.alice, "!convquiz")
        # The channel's next post gets a 429 no header announced (as Discord's sub-limits
        # do); discord.py sleeps out its retry_after and posts again.
        fake.inject_429(POST_ROUTE, 0.3)
        await run.say(world.bob, "!convquiz")
        await fake.wait_for_message(lambda m: "already open" in m.content, timeout=15)
        samples = await scrape(server.port)
    assert list(fake.injected_429s) == [POST_ROUTE]
    assert value(samples, "convquiz_discord_rest_429_total", route=POST_ROUTE) == 1
    assert value(samples, "convquiz_discord_rest_429_total", route=REACTION_ROUTE) == 0


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The process's logging as ``CONVQUIZ_LOG_FORMAT=json`` sets it, into a buffer."""
    root, library = logging.getLogger(), logging.getLogger("discord")
    saved = (root.handlers[:], root.level, library.level)
    stream = io.StringIO()
    configure_logging("json", secrets=[TOKEN_LIKE], stream=stream)
    try:
        yield stream
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        library.setLevel(saved[2])


async def test_json_logs_of_a_round_hold_no_token_and_no_message(
    world: World, json_logs: io.StringIO
) -> None:
    world.fake.token = TOKEN_LIKE
    contents = ["答えは4640です", "答えは９９９９です"]  # right, wrong: both graded
    # Each commit is logged at debug (a busy bot commits many times a second): shown.
    writer_log = logging.getLogger("bot.storage.writer")
    writer_log.setLevel(logging.DEBUG)
    async with bot_with_ops(world) as (bot, _server, _services), run_client(world.fake, bot):
        run = Running(bot, world)
        param_count_4640(world)
        await ask(run, world.alice, "!convquiz param_count 1")
        for member, content in zip((world.bob, world.carol), contents, strict=True):
            sent = await run.say(member, content)
            await world.fake.wait_for_reaction(message_id=int(sent["id"]), start=0)
        await run.advance(31)
        await world.fake.wait_for_message(is_reveal)
    writer_log.setLevel(logging.NOTSET)
    text = json_logs.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert TOKEN_LIKE not in text and TOKEN_LIKE[:24] not in text
    for content in contents:
        assert content not in text
    # The round is there, with its place: opened, answers committed, closed.
    place = {"guild_id": world.guild.id, "channel_id": world.channel.id}
    for pattern in (" opened (param_count)", "committed ", " closed"):
        (line,) = [line for line in lines if pattern in line["message"]][:1]
        assert {k: line[k] for k in place} == place
        assert set(line) >= {"timestamp", "level", "logger", "message"}
    assert any(line["message"].startswith("gateway ready") for line in lines)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_convquiz_run_serves_healthz_and_metrics_and_logs_json(
    world: World, tmp_path: Path
) -> None:
    fake = world.fake
    fake.token = TOKEN_LIKE
    port = free_port()
    env = bot_env(fake, world.db_url, TOKEN_LIKE)
    env.update(CONVQUIZ_METRICS_PORT=str(port), CONVQUIZ_LOG_FORMAT="json")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        await fake.wait_for_sessions(1, timeout=30)
        await fake.send_message(world.channel.id, world.bob.id, "!convquiz param_count 1")
        await fake.wait_for_message(is_question, timeout=15)
        # Ready comes once discord.py stops waiting for more guilds (2 s by default).
        for _ in range(200):
            with contextlib.suppress(aiohttp.ClientError):
                if (await healthz(port))[0] == 200:
                    break
            await asyncio.sleep(0.1)
        assert await healthz(port) == (200, {"status": "ok"})
        samples = await scrape(port)
        assert value(samples, "convquiz_open_questions") == 1
        assert value(samples, "convquiz_discord_rest_calls_total", route=POST_ROUTE) >= 1
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()[-2000:]
    log = stderr.decode()
    assert TOKEN_LIKE not in log
    messages = [json.loads(line)["message"] for line in log.splitlines()]
    assert f"serving /healthz and /metrics on 127.0.0.1:{port}" in messages
    assert any(m.startswith("gateway ready") for m in messages) and messages[-1] == "stopped"
