"""A burst: how soon the first verdicts go out while thousands of messages still arrive.

20 channels each have an open question; 200 players send 4,000 messages as fast as the
loopback Discord can deliver them (each player once per channel; a third right, a third
wrong, a third chat that is not an answer), under Discord's rate limits. The bot and the
fake share one event loop, as in ``bench.e2e``.

Figures: per channel, the time from the first right answer's delivery to its reaction
(p50 and p99 over the channels); when the last message was delivered and the last answer
committed; CPU (``time.process_time``, bot and fake together) per 1,000 messages from the
first delivery until every answer is committed and acknowledged or left to the reveal;
and the hand-over lag: how long a callback from another thread waits for the event loop
(what the writer thread's commit result waits) during the burst. ``--profile`` adds a
cProfile summary of the same window.

``python -m bench.burst [--messages N] [--channels C] [--players P] [--profile] [--runs R]``
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from fakediscord import FakeDiscord
from fakediscord.limits import DISCORD, RateLimits

from bench.busy import _percentile
from bench.common import say
from bench.e2e import Clock, _code, _convquiz
from bot.engine import bank

__all__ = ["measure"]

T = TypeVar("T")
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


class FakeThread:
    """The loopback Discord on a thread and event loop of its own: like Discord it
    delivers at its own pace, and its CPU (``cpu``) can be told apart from the bot's."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.fake: FakeDiscord

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the fake's loop and wait for it from the bot's."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    async def cpu(self) -> float:
        async def thread_time() -> float:
            return time.thread_time()

        return await self.run(thread_time())

    async def __aenter__(self) -> FakeDiscord:
        self._thread.start()

        async def start() -> FakeDiscord:
            return await FakeDiscord(rate_limits=self.limits).start()

        self.fake = await self.run(start())
        return self.fake

    async def __aexit__(self, *_exc: object) -> None:
        try:
            await self.run(self.fake.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()
            self.loop.close()


async def _until(done: Callable[[], bool]) -> None:
    """Poll every millisecond: the counters watched here have no event to wait on."""
    while not done():  # noqa: ASYNC110
        await asyncio.sleep(0.001)


async def measure(
    messages: int = 4000, channels: int = 20, players: int = 200, profile: bool = False
) -> dict[str, float]:
    from bench.storage import fresh_database

    with tempfile.TemporaryDirectory(prefix="convquiz-burst-") as folder:
        async with fresh_database("sqlite", folder) as url:
            return await _run(url, messages, channels, players, profile)


async def _burst(
    fake: FakeDiscord,
    channels: list[int],
    players: list[int],
    right: dict[int, str],
    messages: int,
) -> tuple[int, dict[int, tuple[int, float]], dict[int, tuple[int, float]], float]:
    """Send the burst as fast as the fake can (on its own loop). Returns the number of
    answers, each channel's first answer and first right one (message id, when sent),
    and when the last message went out."""
    first_answer: dict[int, tuple[int, float]] = {}
    first_right: dict[int, tuple[int, float]] = {}
    answers = 0
    for index in range(messages):
        turn, slot = divmod(index, len(channels))
        channel = channels[slot]
        role = _role(slot, turn)
        text = (right[channel], "1", CHAT[index % len(CHAT)])[role]
        answers += role != 2
        sent = time.perf_counter()
        message = await fake.send_message(channel, players[turn % len(players)], text)
        if role != 2 and channel not in first_answer:
            first_answer[channel] = (int(message["id"]), sent)
        if role == 0 and channel not in first_right:
            first_right[channel] = (int(message["id"]), sent)
    return answers, first_answer, first_right, time.perf_counter()


async def _run(
    url: str, messages: int, channel_count: int, player_count: int, profile: bool
) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    side = FakeThread(DISCORD)
    async with side as fake:
        guild = fake.add_guild("burst")
        channels = [fake.add_channel(guild.id, f"quiz{i}").id for i in range(channel_count)]
        starter = fake.add_member(guild.id, "starter").id
        players = [fake.add_member(guild.id, f"p{i}").id for i in range(player_count)]
        clock = Clock()
        async with _convquiz(fake, url, clock) as bot:
            start = len(fake.sent_messages)
            for channel in channels:
                await side.run(fake.send_message(channel, starter, "!convquiz param_count 1"))
            right: dict[int, str] = {}
            while len(right) < len(channels):
                posted = await side.run(
                    fake.wait_for_message(
                        lambda m: bool(m.embeds) and m.channel_id not in right,
                        start=start,
                        timeout=60,
                    )
                )
                right[posted.channel_id] = bank.from_code(_code(posted)).answer_text
            await asyncio.sleep(6.0)  # the question messages' 5-per-5-s budget refills

            reacted_at: dict[int, float] = {}
            record = fake.reactions.record

            def stamped(item: tuple[int, int, str]) -> None:  # runs on the fake's loop
                reacted_at.setdefault(item[1], time.perf_counter())
                record(item)

            fake.reactions.record = stamped  # type: ignore[method-assign]
            repository = bot.service.repository
            committed_before = repository.committed_answers
            commits_before = repository.commits
            cog: Any = bot.get_cog("QuizCog")
            profiler = cProfile.Profile() if profile else None
            cpu_began, fake_cpu_began = time.process_time(), await side.cpu()
            with HandOverProbe(loop) as probe:
                if profiler is not None:
                    profiler.enable()  # this thread only: the bot's loop, not the fake's
                began = time.perf_counter()
                burst = asyncio.ensure_future(
                    side.run(_burst(fake, channels, players, right, messages))
                )
                await _until(
                    lambda: (
                        burst.done()
                        and repository.committed_answers - committed_before >= burst.result()[0]
                    )
                )
                answers, first_answer, first_right, delivered_at = burst.result()
                committed = time.perf_counter() - began
                await _until(lambda: not cog._in_flight)
                if profiler is not None:
                    profiler.disable()
            fake_cpu = await side.cpu() - fake_cpu_began
            cpu = time.process_time() - cpu_began - fake_cpu
            fake.reactions.record = record  # type: ignore[method-assign]
            # Counted, not asserted: 20 busy channels can outrun the global 50/s, which
            # the per-channel reaction plan does not model (bot.quiz.feedback).
            limited = [r.limited for r in fake.rate_log]
    acks = [reacted_at[mid] - sent for mid, sent in first_right.values() if mid in reacted_at]
    firsts = [reacted_at[m] - sent for m, sent in first_answer.values() if m in reacted_at]
    out: dict[str, float] = {
        "messages": messages,
        "first_answer_ack_p50_ms": 1000 * _percentile(firsts, 0.5),
        "first_answer_ack_p99_ms": 1000 * _percentile(firsts, 0.99),
        "first_right_ack_p50_ms": 1000 * _percentile(acks, 0.5),
        "first_right_ack_p99_ms": 1000 * _percentile(acks, 0.99),
        "first_right_acked": len(acks),
        "delivered_s": delivered_at - began,
        "committed_s": committed,
        "bot_cpu_s_per_1000": 1000 * cpu / messages,
        "fake_cpu_s_per_1000": 1000 * fake_cpu / messages,
        "handover_lag_p50_ms": 1000 * _percentile(probe.lags, 0.5),
        "handover_lag_max_ms": 1000 * max(probe.lags, default=0.0),
        "answers_per_commit": answers / max(1, repository.commits - commits_before),
        "reactions": len(reacted_at),
        "rate_limited_global": limited.count("global"),
        "rate_limited_route": limited.count("route"),
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
    args = parser.parse_args(argv)
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
