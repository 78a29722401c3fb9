"""What the benchmarks share: sizes, the machine, medians, and the loopback Discord."""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"  # built databases, reused between runs (git-ignored)
PG_ADMIN_URL = os.environ.get(
    "BENCH_PG_URL",
    os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
)


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark is; ``--quick`` takes the small set, same code paths."""

    runs: int
    board_runs: int  # the naive aggregates take most of a minute each at full size
    engine_seconds: float
    e2e_answers: int
    e2e_concurrency: int
    storage_answers: int
    board_users: int
    board_events: int
    board_samples: int
    naive_samples: int
    memory_guilds: int
    memory_questions: int
    scaleout_seconds: float
    scaleout_concurrency: int
    learners: int


FULL = Sizes(
    runs=5,
    board_runs=3,
    engine_seconds=1.0,
    e2e_answers=3_000,
    e2e_concurrency=50,
    storage_answers=3_000,
    board_users=1_000_000,
    board_events=10_000_000,
    board_samples=50,
    naive_samples=3,
    memory_guilds=1_000,
    memory_questions=10_000,
    scaleout_seconds=8.0,
    scaleout_concurrency=50,
    learners=20,
)
QUICK = Sizes(
    runs=2,
    board_runs=2,
    engine_seconds=0.15,
    e2e_answers=400,
    e2e_concurrency=50,
    storage_answers=400,
    board_users=20_000,
    board_events=200_000,
    board_samples=15,
    naive_samples=1,
    memory_guilds=100,
    memory_questions=1_000,
    scaleout_seconds=1.5,
    scaleout_concurrency=50,
    learners=4,
)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def machine() -> dict[str, str]:
    """nproc, memory, CPU model, Python: what a figure was measured on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def rss_mib(pid: int) -> float:
    """Resident set of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Stopwatch:
    def __init__(self) -> None:
        self.began = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.began


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def verdict_seen(
    fake: FakeDiscord,
    message_id: int,
    *,
    start: int,
    timeout: float,  # noqa: ASYNC109
) -> bool:
    """Whether a typed answer got its verdict in the channel within ``timeout`` s: its
    reaction (recorded from reaction ``start`` on), or the reply that announces a first
    right answer whose reaction would have waited (``bot.quiz.feedback``)."""
    waits = {
        asyncio.ensure_future(
            fake.wait_for_reaction(message_id=message_id, start=start, timeout=timeout)
        ),
        asyncio.ensure_future(
            fake.wait_for_message(
                lambda m: str((m.message_reference or {}).get("message_id")) == str(message_id),
                start=0,
                timeout=timeout,
            )
        ),
    }
    try:
        while waits:
            done, waits = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            if any(task.exception() is None for task in done):
                return True
        return False
    finally:
        for task in waits:
            task.cancel()
