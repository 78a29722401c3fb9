"""Scale-out: answers per second with two bot processes on one PostgreSQL database ÷ one.

Each worker process is what a ``convquiz run --shard-ids …`` process does with answers,
minus Discord: a ``QuizService`` (grading, group-committed writes) owning its own
guilds, each with an open question, and ``concurrency`` coroutines typing answers from
players drawn at random from a million (so, as in life, a player may be on both sides).
First one worker alone, then two at once on disjoint guilds, same duration; the figure
is the sum of recorded answers per second.

``python -m bench.scaleout [--seconds S] [--concurrency C]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from bench.common import ROOT, say
from bench.storage import fresh_database
from bot.engine import bank
from bot.quiz.service import QuizService
from bot.storage.db import create_engine, migrate
from bot.storage.repository import Repository

__all__ = ["measure"]

GUILDS_PER_WORKER = 50


async def _worker(url: str, index: int, seconds: float, concurrency: int) -> None:
    engine = create_engine(url, pool_size=5)
    try:
        repository = Repository(engine)
        base = (index + 1) * 1_000_000
        guilds = [(base + g) << 22 for g in range(GUILDS_PER_WORKER)]
        service = QuizService(repository, owns_guild=lambda g: g in set(guilds))
        question = bank.generate("param_count", 4242, 1)
        channels = []
        for g in guilds:
            opened = await repository.open_question(
                guild_id=g,
                channel_id=g + 1,
                question=question,
                started_by=1,
                opened_at=datetime.now(UTC),
                time_limit=3600,
            )
            channels.append(opened.channel_id)
        await service.resume()
        replies = [question.answer_text, "4608", "1"]
        rng = random.Random(index)
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "go"
        deadline = time.monotonic() + seconds
        recorded = 0

        async def typist(n: int) -> None:
            nonlocal recorded
            k = 0
            while time.monotonic() < deadline:
                channel = channels[(n + k) % len(channels)]
                outcome = await service.answer(
                    channel, rng.randrange(1, 1_000_000), replies[k % len(replies)]
                )
                if outcome is not None and outcome.status == "recorded":
                    recorded += 1
                k += 1

        began, cpu = time.monotonic(), time.process_time()
        await asyncio.gather(*(typist(n) for n in range(concurrency)))
        elapsed, cpu = time.monotonic() - began, time.process_time() - cpu
        await service.close()
        print(json.dumps({"recorded": recorded, "seconds": elapsed, "cpu": cpu}), flush=True)
    finally:
        await engine.dispose()


async def _run(
    url: str, workers: Sequence[int], seconds: float, concurrency: int
) -> tuple[float, float]:
    """Recorded answers per second summed over worker processes run at once (each
    index its own guilds), and the CPU they used per second (1.0 = one core busy)."""
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.scaleout",
            "--worker",
            str(index),
            "--url",
            url,
            "--seconds",
            str(seconds),
            "--concurrency",
            str(concurrency),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for index in workers
    ]
    for process in processes:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        if line.strip() != b"ready":
            _, err = await process.communicate()
            raise RuntimeError(f"worker failed: {line!r} {err.decode()[-2000:]}")
    for process in processes:  # all start together
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        await process.stdin.drain()
    total = cores = 0.0
    for process in processes:
        out, err = await asyncio.wait_for(process.communicate(), seconds + 120)
        if process.returncode != 0:
            raise RuntimeError(f"worker failed: {err.decode()[-2000:]}")
        result = json.loads(out.decode().strip().splitlines()[-1])
        total += result["recorded"] / result["seconds"]
        cores += result["cpu"] / result["seconds"]
    return total, cores


async def measure(seconds: float, concurrency: int) -> dict[str, float]:
    """One run: one worker alone, then two at once, on a fresh PostgreSQL database."""
    with tempfile.TemporaryDirectory(prefix="convquiz-bench-") as folder:
        async with fresh_database("postgres", folder) as url:
            engine = create_engine(url)
            await migrate(engine)
            await engine.dispose()
            await _run(url, [0], min(1.0, seconds), concurrency)  # warm the server up
            one, one_cpu = await _run(url, [1], seconds, concurrency)
            two, two_cpu = await _run(url, [2, 3], seconds, concurrency)
    return {"one": one, "two": two, "ratio": two / one, "one_cpu": one_cpu, "two_cpu": two_cpu}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        asyncio.run(_worker(args.url, args.worker, args.seconds, args.concurrency))
        return
    for key, value in asyncio.run(measure(args.seconds, args.concurrency)).items():
        say(f"{key:>6}: {value:,.2f}")


if __name__ == "__main__":
    main()
