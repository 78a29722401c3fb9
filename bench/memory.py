"""Memory: resident set of the bot process with many guilds and open questions.

``convquiz run`` starts as a separate process against the loopback Discord (1,000 guilds
of 10 channels) and a SQLite database holding 10,000 open questions, one per channel,
which it loads at start (open questions survive restarts). Measured once its gateway
session is ready, beside the same bot with one guild and nothing open.

``python -m bench.memory [--guilds N] [--questions N]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from fakediscord import FakeDiscord
from sqlalchemy import insert

from bench.common import ROOT, rss_mib, say
from bot.engine import bank
from bot.engine.question import question_to_dict
from bot.storage.db import create_engine, migrate
from bot.storage.models import QuestionRow

__all__ = ["measure", "resident_mib"]


async def _open_questions(url: str, channels: list[tuple[int, int]]) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine)
        now = datetime.now(UTC)
        rows = []
        for n, (guild_id, channel_id) in enumerate(channels):
            question = bank.generate(bank.KINDS[n % len(bank.KINDS)], n, 1 + n % 3)
            rows.append(
                {
                    "guild_id": guild_id,
                    "channel_id": channel_id,
                    "message_id": 10**17 + n,
                    "kind": question.kind,
                    "code": question.code,
                    "difficulty": question.difficulty,
                    "body": question_to_dict(question),
                    "started_by": 1,
                    "opened_at": now,
                    "deadline": now + timedelta(hours=2),
                    "status": "open",
                    "ranked": True,
                    "answer_count": 0,
                }
            )
        async with engine.begin() as connection:
            for start in range(0, len(rows), 1000):
                await connection.execute(insert(QuestionRow), rows[start : start + 1000])
    finally:
        await engine.dispose()


async def resident_mib(guilds: int, channels_per_guild: int, questions: int) -> float:
    """RSS (MiB) of ``convquiz run`` once ready with these guilds and open questions."""
    with tempfile.TemporaryDirectory(prefix="convquiz-bench-") as folder:
        url = f"sqlite+aiosqlite:///{folder}/memory.db"
        async with FakeDiscord() as fake:
            channels = []
            for g in range(guilds):
                guild = fake.add_guild(f"guild {g}")
                for c in range(channels_per_guild):
                    channels.append((guild.id, fake.add_channel(guild.id, f"quiz{c}").id))
            await _open_questions(url, channels[:questions])
            env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQUIZ_")}
            env.update(
                DISCORD_TOKEN=fake.token,
                DATABASE_URL=url,
                DISCORD_API_BASE=fake.api_base,
                DISCORD_GATEWAY_URL=fake.gateway_url,
                PYTHONPATH=str(ROOT),
            )
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=env,
                cwd=folder,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            try:
                await fake.wait_for_sessions(1, timeout=120)
                await asyncio.sleep(1.0)  # let it settle after the last GUILD_CREATE
                samples = []
                for _ in range(5):
                    samples.append(rss_mib(process.pid))
                    await asyncio.sleep(0.2)
                assert fake.rate_limited == [], fake.rate_limited_by_route
                return max(samples)
            finally:
                process.terminate()
                _, stderr = await asyncio.wait_for(process.communicate(), 30)
                if b"Traceback" in stderr:
                    say(stderr.decode()[-2000:])


async def measure(guilds: int, questions: int) -> dict[str, float]:
    per_guild = max(1, -(-questions // guilds))
    loaded = await resident_mib(guilds, per_guild, questions)
    idle = await resident_mib(1, 1, 0)
    return {"rss_mib": loaded, "idle_rss_mib": idle, "extra_mib": loaded - idle}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--guilds", type=int, default=1_000)
    parser.add_argument("--questions", type=int, default=10_000)
    args = parser.parse_args(argv)
    for key, value in asyncio.run(measure(args.guilds, args.questions)).items():
        say(f"{key:>14}: {value:,.1f}")


if __name__ == "__main__":
    main()
