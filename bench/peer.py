"""Against the peer: convquiz and Red-DiscordBot 3.5's Trivia, the same stream, one run.

The bot a server would install instead is Red with its Trivia cog. Each bot runs in its
own process (``bench/peer_bots.py``) against the loopback Discord, which runs here with
Discord's real rate limits (``fakediscord.limits.DISCORD``), and reads exactly the same
messages (``bench/stream.py``): 4,000 over 20 channels each with an open question, from
200 users, a third right answers, a third wrong, a third chat.

1. Idle: the bot ready (Red with Trivia loaded), nothing open: its resident set.
2. Burst: the 4,000 messages as fast as the loopback Discord delivers them. The bot's
   CPU from the first message until its process is quiet again, per 1,000 messages; per
   channel, the first right answer → its acknowledgement (convquiz: its reaction; Red:
   "You got it …"); the resident set afterwards. A first right answer convquiz gave no
   reaction (its plan skips reactions it cannot send promptly) has its verdict in the
   reveal only: it counts as never acknowledged (infinitely late) in the percentiles.
3. Paced: the stream again, over 20 other channels with fresh questions, at 100
   messages/s: every acknowledgement's latency (convquiz: each typed answer's reaction;
   Red: each question's first right answer, the only answer it acknowledges), and the
   bot's CPU as a fraction of one core.
4. 1,000 guilds: the bot started again in 1,000 guilds of 10 channels: resident set.

429s are counted per bot (there must be none). Ratios are convquiz ÷ Red in the same run.

``python -m bench.peer [--quick] [--bot convquiz|red] [--profile FILE]`` (the profile is
convquiz's, written by cProfile in its process; read it with ``pstats``).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fakediscord import FakeDiscord
from fakediscord.limits import DISCORD

from bench import peer_red
from bench.common import say
from bench.peer_bots import BotProcess, Convquiz, Peer, Red, Sent
from bench.peer_figures import figures
from bench.stream import Message, make_stream, text

__all__ = ["FULL", "QUICK", "PeerSizes", "figures", "measure", "ready", "skip_reason"]

BOTS = ("convquiz", "red")


@dataclass(frozen=True)
class PeerSizes:
    messages: int
    channels: int
    users: int
    paced_messages: int
    form_messages: int  # convquiz only: the paced stream with answers through the form
    rate: float  # paced messages per second
    guilds: int
    runs: int  # a run takes about three minutes at full size


FULL = PeerSizes(4_000, 20, 200, 4_000, 2_000, 100.0, 1_000, 3)
# --quick: the same code paths but the form phase and the second start in many guilds
# (the peer section adds about half a minute to scripts/test where Red is cached).
QUICK = PeerSizes(200, 5, 30, 100, 0, 100.0, 0, 1)


def ready() -> bool:
    return peer_red.ready()


def skip_reason() -> str:
    return (
        f"Red's venv is not installed (CI does not install it); `python -m bench --only peer`"
        f" installs {peer_red.RED_REQUIREMENT} into bench/.cache/ once and runs it"
    )


def _percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _adapter(bot: str, fake: FakeDiscord, folder: Path, profile: Path | None) -> Peer:
    if bot == "convquiz":
        return Convquiz(fake, folder, profile=profile)
    return Red(fake, folder)


async def _rss(process: BotProcess) -> float:
    """The largest of five samples over a second (the set moves a little at rest)."""
    samples = []
    for _ in range(5):
        samples.append(process.rss_mib())
        await asyncio.sleep(0.2)
    return max(samples)


async def _send(
    peer: Peer, stream: list[Message], channels: list[int], users: list[int], rate: float | None
) -> list[Sent]:
    """Send the stream, as fast as the loopback Discord takes it or at ``rate``/s."""
    mark = len(peer.sent)
    began = time.perf_counter()
    for n, message in enumerate(stream):
        if rate is not None:
            delay = began + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        channel = channels[message.channel]
        await peer.send(
            channel, users[message.user], message.kind, text(message, peer.answers[channel])
        )
        if rate is None:
            await asyncio.sleep(0)  # let the fake answer the bot's REST calls meanwhile
    return peer.sent[mark:]


def _latencies(peer: Peer, sent: list[Sent]) -> tuple[list[float], int]:
    """Acknowledgement latencies (s) of the acknowledgeable messages, and how many."""
    out = []
    count = 0
    for s in sent:
        if not peer.acknowledgeable(s):
            continue
        count += 1
        at = peer.acknowledged_at(s)
        if at is not None:
            out.append(at - s.at)
    return out, count


def _first(peer: Peer, sent: list[Sent], channels: list[int], *, right: bool) -> list[float]:
    """Per channel, its first right answer (or first message the bot could acknowledge)
    → acknowledgement (s; inf if none)."""
    out = []
    for channel in channels:
        first = next(
            (
                s
                for s in sent
                if s.channel == channel
                and (s.kind == "right" if right else peer.acknowledgeable(s))
            ),
            None,
        )
        at = peer.acknowledged_at(first) if first is not None else None
        out.append(math.inf if first is None or at is None else at - first.at)
    return out


async def one_bot(
    bot: str, sizes: PeerSizes, folder: Path, profile: Path | None = None
) -> dict[str, float]:
    """Idle, burst and paced figures of one bot (its own process, its own fake)."""
    out: dict[str, float] = {}
    async with FakeDiscord(rate_limits=DISCORD, bot_name=bot) as fake:
        guild = fake.add_guild("peer").id
        control = fake.add_channel(guild, "general").id
        burst = [fake.add_channel(guild, f"burst{i}").id for i in range(sizes.channels)]
        paced = [fake.add_channel(guild, f"paced{i}").id for i in range(sizes.channels)]
        owner = fake.add_member(guild, "owner").id
        form = [fake.add_channel(guild, f"form{i}").id for i in range(sizes.channels)]
        starters = [fake.add_member(guild, f"starter{i}").id for i in range(3 * sizes.channels)]
        users = [fake.add_member(guild, f"user{i}").id for i in range(sizes.users)]
        peer = _adapter(bot, fake, folder, profile)
        process = await peer.start(control, owner)
        try:
            await asyncio.sleep(1.0)
            out["rss_idle"] = await _rss(process)
            stream = make_stream(sizes.messages, sizes.channels, sizes.users)

            burst_starts = list(zip(burst, starters, strict=False))
            await peer.open_questions(burst_starts)
            await process.quiet()
            limited = len(fake.rate_limited)
            cpu = process.cpu_seconds()
            began = time.perf_counter()
            sent = await _send(peer, stream, burst, users, None)
            out["burst_rate"] = len(sent) / (time.perf_counter() - began)
            out["cpu_per_1k"] = (await process.quiet() - cpu) / (len(sent) / 1000)
            out["rss_burst"] = await _rss(process)
            first = _first(peer, sent, burst, right=True)
            out["first_ack_p50_ms"] = 1000 * _percentile(first, 0.5)
            out["first_ack_p99_ms"] = 1000 * _percentile(first, 0.99)
            out["first_acked"] = sum(1 for v in first if v != math.inf)
            # Convquiz acknowledges wrong answers too, one reaction per 0.25 s a channel:
            # the first answer of any kind shows the delay before that queue.
            any_first = _first(peer, sent, burst, right=False)
            out["first_any_ack_p50_ms"] = 1000 * _percentile(any_first, 0.5)
            acked, acknowledgeable = _latencies(peer, sent)
            out["burst_acked"] = len(acked)
            out["burst_acknowledgeable"] = acknowledgeable
            out["rate_limited_burst"] = len(fake.rate_limited) - limited
            await peer.close_questions(burst_starts)

            paced_starts = list(zip(paced, starters[sizes.channels :], strict=False))
            await peer.open_questions(paced_starts)
            await process.quiet()
            paced_stream = stream[: sizes.paced_messages]
            limited = len(fake.rate_limited)
            cpu, own = process.cpu_seconds(), time.process_time()
            began = time.perf_counter()
            sent = await _send(peer, paced_stream, paced, users, sizes.rate)
            await asyncio.sleep(1.0)  # the last acknowledgements land
            wall = time.perf_counter() - began
            out["paced_cpu"] = (process.cpu_seconds() - cpu) / wall
            out["paced_fake_cpu"] = (time.process_time() - own) / wall
            acked, acknowledgeable = _latencies(peer, sent)
            out["paced_ack_p50_ms"] = 1000 * _percentile(acked, 0.5)
            out["paced_ack_p99_ms"] = 1000 * _percentile(acked, 0.99)
            out["paced_acked"] = len(acked)
            out["paced_acknowledgeable"] = acknowledgeable
            out["rate_limited_paced"] = len(fake.rate_limited) - limited
            out["rate_limited"] = out["rate_limited_burst"] + out["rate_limited_paced"]
            if isinstance(peer, Convquiz) and sizes.form_messages:
                form_starts = list(zip(form, starters[2 * sizes.channels :], strict=False))
                await peer.close_questions(paced_starts)
                await peer.open_questions(form_starts)
                await process.quiet()
                out |= await _form_phase(
                    peer, process, stream[: sizes.form_messages], form, users, sizes.rate
                )
            out["rate_limited_setup"] = len(fake.rate_limited) - out["rate_limited"]
            if fake.rate_limited:
                kinds = Counter(f"{r.route} ({r.limited})" for r in fake.rate_log if r.limited)
                say(f"   {bot}: 429s by route (and limit): {dict(kinds)}")
        finally:
            await process.stop()
    return out


async def _form_phase(
    peer: Convquiz,
    process: BotProcess,
    stream: list[Message],
    channels: list[int],
    users: list[int],
    rate: float,
) -> dict[str, float]:
    """convquiz only: the paced stream again, every answer through the Answer form (chat
    still typed). The verdict is the form's private reply."""
    tasks: list[asyncio.Task[tuple[float, float]]] = []
    cpu, own = process.cpu_seconds(), time.process_time()
    began = time.perf_counter()
    for n, message in enumerate(stream):
        delay = began + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        channel, user = channels[message.channel], users[message.user]
        typed = text(message, peer.answers[channel])
        if message.kind == "chat":
            await peer.send(channel, user, message.kind, typed)
        else:
            tasks.append(asyncio.create_task(peer.by_form(channel, user, typed)))
    results = await asyncio.gather(*tasks, return_exceptions=True)
    wall = time.perf_counter() - began
    done = [r for r in results if isinstance(r, tuple)]
    failed = Counter(str(r)[:60] for r in results if not isinstance(r, tuple))
    if failed:
        say(f"   convquiz: form answers without a verdict: {dict(failed.most_common(3))}")
    opened = [r[0] for r in done]
    verdict = [r[1] for r in done]
    return {
        "form_cpu": (process.cpu_seconds() - cpu) / wall,
        # The loopback Discord's own CPU (this process): near 1.0 it, not the bot, limits.
        "form_fake_cpu": (time.process_time() - own) / wall,
        "form_answers": len(tasks),
        "form_verdicts": len(done),
        "form_no_form": sum(1 for r in results if "the form" in str(r)),
        "form_open_p50_ms": 1000 * _percentile(opened, 0.5),
        "form_verdict_p50_ms": 1000 * _percentile(verdict, 0.5),
        "form_verdict_p99_ms": 1000 * _percentile(verdict, 0.99),
    }


async def guilds_rss(bot: str, guilds: int, folder: Path) -> float:
    """Resident set of the bot ready in ``guilds`` guilds of 10 channels, 5 members each."""
    async with FakeDiscord(rate_limits=DISCORD, bot_name=bot) as fake:
        owner = fake.add_user("owner").id
        last = 0
        for g in range(guilds):
            guild = fake.add_guild(f"guild {g}").id
            channels = [fake.add_channel(guild, f"c{c}").id for c in range(10)]
            fake.add_member(guild, "owner", user_id=owner)
            for m in range(4):
                fake.add_member(guild, f"m{g}-{m}")
            last = channels[0]
        peer = _adapter(bot, fake, folder, None)
        # The last guild's channel answers once every guild before it has arrived.
        process = await peer.start(last, owner)
        try:
            await asyncio.sleep(1.0)
            return await _rss(process)
        finally:
            await process.stop()


async def measure(sizes: PeerSizes, profile: Path | None = None) -> dict[str, float]:
    """One run: both bots, one after the other, each in fresh folders; then ratios."""
    out: dict[str, float] = {}
    for bot in BOTS:
        with tempfile.TemporaryDirectory(prefix=f"peer-{bot}-") as folder:
            say(f"   {bot}: idle, burst, paced")
            figures = await one_bot(
                bot, sizes, Path(folder), profile if bot == "convquiz" else None
            )
        if sizes.guilds:
            with tempfile.TemporaryDirectory(prefix=f"peer-{bot}-guilds-") as folder:
                say(f"   {bot}: {sizes.guilds:,} guilds")
                figures["rss_guilds"] = await guilds_rss(bot, sizes.guilds, Path(folder))
        out.update({f"{bot}_{key}": value for key, value in figures.items()})
    for key in (
        "cpu_per_1k",
        "first_ack_p50_ms",
        "paced_ack_p50_ms",
        "paced_ack_p99_ms",
        "paced_cpu",
        "rss_idle",
        "rss_guilds",
    ):
        if f"red_{key}" not in out:
            continue
        red = out[f"red_{key}"]
        out[f"ratio_{key}"] = out[f"convquiz_{key}"] / red if red else math.nan
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--bot", choices=BOTS, help="one bot only (no ratios)")
    parser.add_argument("--profile", type=Path, help="cProfile convquiz's process into FILE")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.bot:
        with tempfile.TemporaryDirectory(prefix="peer-") as folder:
            result = asyncio.run(one_bot(args.bot, sizes, Path(folder), args.profile))
    else:
        result = asyncio.run(measure(sizes, args.profile))
    for key, value in result.items():
        say(f"{key:>32}: {value:,.3f}")


if __name__ == "__main__":
    main()
