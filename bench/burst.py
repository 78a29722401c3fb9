"""A burst: how soon the first verdicts go out while thousands of messages still arrive.

20 channels each have an open question; 200 players send 4,000 messages as fast as the
loopback Discord can deliver them (each player once per channel; a third right, a third
wrong, a third chat that is not an answer), under Discord's rate limits. The bot runs
in this process; the fake runs in a child process, as Discord runs elsewhere: sharing
the bot's event loop (``bench.e2e``) or its interpreter lock, its own work would be
billed to the bot and would hold up the bot's threads.

Figures: per channel, the time from its first answer's (and first right answer's)
delivery to its reaction, p50 and p99 over the channels (the reaction plan gives a
channel one reaction per 0.25 s, so a right answer that came second waits its turn);
when the last message was delivered and the last answer committed; the bot's CPU
(``time.process_time``) per 1,000 messages from the burst's start until every answer is
committed and acknowledged or left to the reveal, and per 1,000 messages of chat in 20
other channels, with no question (the common case), sent afterwards; and the hand-over
lag: how long a callback from another thread waits for the event loop, as the writer
thread's commit results do; and the resident set of this process after all of it.
``--profile`` adds a cProfile summary of the bot's loop during the burst.

``python -m bench.burst [--messages N] [--channels C] [--players P] [--profile] [--runs R]``
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from fakediscord import FakeDiscord, SentMessage
from fakediscord.limits import DISCORD

from bench.busy import _percentile
from bench.common import ROOT, rss_mib, say
from bench.e2e import Clock, _code, _convquiz
from bot.engine import bank

__all__ = ["measure"]

CHAT = ("good luck everyone", "anyone know this one?", "lol", "brb coffee", "hello there")


class HandOverProbe:
    """A thread that asks the event loop to run a callback every ``every`` s and notes
    how long each waited: what a commit result from the writer thread waits too."""

    def __init__(self, loop: asyncio.AbstractEventLoop, every: float = 0.005) -> None:
        self.loop = loop
        self.every = every
        self.lags: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _arrived(self, sent: float) -> None:
        self.lags.append(time.perf_counter() - sent)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.loop.call_soon_threadsafe(self._arrived, time.perf_counter())

    def __enter__(self) -> HandOverProbe:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _role(channel: int, turn: int) -> int:
    """0 right, 1 wrong, 2 chat, in turn in every channel (each starting elsewhere)."""
    return (channel + turn) % 3


async def _until(done: Callable[[], bool]) -> None:
    """Poll every millisecond: the counters watched here have no event to wait on."""
    while not done():  # noqa: ASYNC110
        await asyncio.sleep(0.001)


# --- the fake's side, in a child process ---------------------------------------------


def _say_to_parent(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


async def _serve_fake(messages: int, channel_count: int, player_count: int) -> None:
    """The child: a FakeDiscord under Discord's limits, the guild, the 20 questions, the
    burst; then, once the parent says the bot is done, when things were sent and seen."""
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with FakeDiscord(rate_limits=DISCORD) as fake:
        guild = fake.add_guild("burst")
        channels = [fake.add_channel(guild.id, f"quiz{i}").id for i in range(channel_count)]
        quiet = [fake.add_channel(guild.id, f"chat{i}").id for i in range(channel_count)]
        starter = fake.add_member(guild.id, "starter").id
        players = [fake.add_member(guild.id, f"p{i}").id for i in range(player_count)]
        _say_to_parent(token=fake.token, api_base=fake.api_base, gateway_url=fake.gateway_url)
        await fake.wait_for_sessions(1, timeout=60)
        start = len(fake.sent_messages)
        for channel in channels:
            await fake.send_message(channel, starter, "!convquiz param_count 1")
        right: dict[int, str] = {}
        while len(right) < len(channels):
            posted = await fake.wait_for_message(
                lambda m: bool(m.embeds) and m.channel_id not in right, start=start, timeout=60
            )
            right[posted.channel_id] = bank.from_code(_code(posted)).answer_text
        await asyncio.sleep(6.0)  # the question messages' 5-per-5-s budget refills
        reacted_at: dict[int, float] = {}
        record = fake.reactions.record

        def stamped(item: tuple[int, int, str]) -> None:
            reacted_at.setdefault(item[1], time.perf_counter())
            record(item)

        fake.reactions.record = stamped  # type: ignore[method-assign]
        post = fake.sent_messages.record

        def replied(message: SentMessage) -> None:  # a first right answer's announcement
            reference = message.message_reference or {}
            if reference.get("message_id"):
                reacted_at.setdefault(int(reference["message_id"]), time.perf_counter())
            post(message)

        fake.sent_messages.record = replied  # type: ignore[method-assign]
        answers = sum(_role(i % channel_count, i // channel_count) != 2 for i in range(messages))
        _say_to_parent(burst=time.perf_counter(), answers=answers)
        first_answer: dict[int, tuple[int, float]] = {}
        first_right: dict[int, tuple[int, float]] = {}
        for index in range(messages):
            turn, slot = divmod(index, channel_count)
            channel = channels[slot]
            role = _role(slot, turn)
            text = (right[channel], "1", CHAT[index % len(CHAT)])[role]
            sent = time.perf_counter()
            message = await fake.send_message(channel, players[turn % player_count], text)
            # Discord serves REST while its gateway delivers: let the fake's server
            # answer the bot's reactions between two messages of the burst.
            await asyncio.sleep(0)
            if role != 2 and channel not in first_answer:
                first_answer[channel] = (int(message["id"]), sent)
            if role == 0 and channel not in first_right:
                first_right[channel] = (int(message["id"]), sent)
        _say_to_parent(delivered=time.perf_counter())
        await reader.readline()  # the bot is done
        limited = [r.limited for r in fake.rate_log]

        def acks(firsts: dict[int, tuple[int, float]]) -> list[float]:
            return [reacted_at[m] - sent for m, sent in firsts.values() if m in reacted_at]

        _say_to_parent(
            first_answer=acks(first_answer),
            first_right=acks(first_right),
            reactions=len(reacted_at),
            rate_limited_global=limited.count("global"),
            rate_limited_route=limited.count("route"),
        )
        # Then as many messages of chat in channels with no question, the common case;
        # a command after them, answered once everything before it was read, ends it.
        _say_to_parent(quiet=time.perf_counter())
        for index in range(messages):
            turn, slot = divmod(index, channel_count)
            text = CHAT[index % len(CHAT)]
            await fake.send_message(quiet[slot], players[turn % player_count], text)
            await asyncio.sleep(0)
        mark = len(fake.sent_messages)
        await fake.send_message(quiet[0], starter, "!convquiz stop")
        await fake.wait_for_message(lambda m: m.channel_id == quiet[0], start=mark, timeout=60)
        _say_to_parent(quiet_done=time.perf_counter())


# --- the bot's side ------------------------------------------------------------------


async def measure(
    messages: int = 4000, channels: int = 20, players: int = 200, profile: bool = False
) -> dict[str, float]:
    """One burst; the figures described in the module's docstring."""
    from bench.storage import fresh_database

    with tempfile.TemporaryDirectory(prefix="convquiz-burst-") as folder:
        async with fresh_database("sqlite", folder) as url:
            return await _run(url, messages, channels, players, profile)


async def _run(
    url: str, messages: int, channel_count: int, player_count: int, profile: bool
) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.burst",
        "--fake-side",
        *("--messages", str(messages), "--channels", str(channel_count)),
        *("--players", str(player_count)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    assert child.stdin is not None and child.stdout is not None
    stdout = child.stdout

    async def hear() -> dict[str, Any]:
        line = await asyncio.wait_for(stdout.readline(), 120)
        if not line:
            raise RuntimeError("the fake's process ended early")
        heard: dict[str, Any] = json.loads(line)
        return heard

    try:
        where = await hear()
        fake = SimpleNamespace(**where)
        repository: Any = None
        async with _convquiz(fake, url, Clock()) as bot:  # type: ignore[arg-type]
            repository = bot.service.repository
            cog: Any = bot.get_cog("QuizCog")
            began = await hear()
            committed_before, commits_before = repository.committed_answers, repository.commits
            profiler = cProfile.Profile() if profile else None
            cpu_began = time.process_time()
            with HandOverProbe(loop) as probe:
                if profiler is not None:
                    profiler.enable()
                delivered = asyncio.ensure_future(hear())
                await _until(
                    lambda: repository.committed_answers - committed_before >= began["answers"]
                )
                committed = time.perf_counter() - began["burst"]
                await _until(lambda: not cog._in_flight)
                if profiler is not None:
                    profiler.disable()
            cpu = time.process_time() - cpu_began
            delivered_at = (await delivered)["delivered"]
            batches = repository.commits - commits_before
            child.stdin.write(b"done\n")
            seen = await hear()
            await hear()  # the quiet chat begins
            quiet_began = time.process_time()
            await hear()  # ... and ended
            quiet_cpu = time.process_time() - quiet_began
            resident = rss_mib(os.getpid())  # this process: the bot, and the bench's bits
    finally:
        if child.returncode is None:
            child.kill()
        await child.wait()
    out: dict[str, float] = {
        "messages": messages,
        "first_answer_ack_p50_ms": 1000 * _percentile(seen["first_answer"], 0.5),
        "first_answer_ack_p99_ms": 1000 * _percentile(seen["first_answer"], 0.99),
        "first_right_ack_p50_ms": 1000 * _percentile(seen["first_right"], 0.5),
        "first_right_ack_p99_ms": 1000 * _percentile(seen["first_right"], 0.99),
        "first_right_acked": len(seen["first_right"]),
        "delivered_s": delivered_at - began["burst"],
        "committed_s": committed,
        "cpu_s_per_1000": 1000 * cpu / messages,
        "quiet_chat_cpu_s_per_1000": 1000 * quiet_cpu / messages,
        "rss_after_mib": resident,
        "handover_lag_p50_ms": 1000 * _percentile(probe.lags, 0.5),
        "handover_lag_max_ms": 1000 * max(probe.lags, default=0.0),
        "answers_per_commit": began["answers"] / max(1, batches),
        "reactions": seen["reactions"],
        # Counted, not asserted: 20 busy channels can outrun the global 50/s, which the
        # per-channel reaction plan does not model (bot.quiz.feedback).
        "rate_limited_global": seen["rate_limited_global"],
        "rate_limited_route": seen["rate_limited_route"],
    }
    if profiler is not None:
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs()
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
        say(text.getvalue())
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--fake-side", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.fake_side:
        asyncio.run(_serve_fake(args.messages, args.channels, args.players))
        return
    runs = [
        asyncio.run(measure(args.messages, args.channels, args.players, args.profile))
        for _ in range(args.runs)
    ]
    for key in runs[0]:
        values = [run[key] for run in runs]
        spread = f"  ({min(values):,.2f} – {max(values):,.2f})" if len(values) > 1 else ""
        say(f"{key:>24}: {statistics.median(values):,.2f}{spread}")


if __name__ == "__main__":
    main()
