"""Storage: answers committed per second, one transaction per answer vs group commit.

Each answer goes through ``Repository.record_answer`` and counts once it is committed
(the call returns only then). Three ways of sending them, on SQLite and PostgreSQL:

- one coroutine: answers one after another (every answer its own commit);
- 50 concurrent, one writer: 50 coroutines at once, the writer limited to one answer
  per transaction (``max_batch=1``), i.e. a transaction per answer, serialised;
- 50 concurrent, group commit: the same load, the writer taking whatever is queued.

``python -m bench.storage [--answers N] [--concurrency C]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

from sqlalchemy.engine import make_url

from bench.common import PG_ADMIN_URL, say
from bot.engine import bank
from bot.records import OpenQuestion
from bot.storage.db import create_engine, migrate
from bot.storage.repository import Repository

__all__ = ["fresh_database", "measure", "record_rate"]

GUILD = 7_000


@contextlib.asynccontextmanager
async def fresh_database(backend: str, folder: str) -> AsyncIterator[str]:
    """The URL of an empty database on ``backend`` ("sqlite" or "postgres")."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder}/{uuid.uuid4().hex[:8]}.db"
        return
    import asyncpg

    admin = make_url(PG_ADMIN_URL)
    name = f"convquiz_bench_{uuid.uuid4().hex[:10]}"
    kwargs = {
        "host": admin.host,
        "port": admin.port or 5432,
        "user": admin.username,
        "password": admin.password,
        "database": admin.database or "postgres",
    }
    connection = await asyncpg.connect(**kwargs)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        connection = await asyncpg.connect(**kwargs)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


def _question() -> bank.Question:
    return bank.generate("param_count", 12345, 1)


async def record_rate(
    repository: Repository, answers: int, concurrency: int, channel_base: int
) -> tuple[float, float]:
    """Answers committed per second with ``concurrency`` coroutines, each answering its
    own open question; and the mean number of answers per commit."""
    question = _question()
    now = datetime.now(UTC)
    opened: list[OpenQuestion] = [
        await repository.open_question(
            guild_id=GUILD,
            channel_id=channel_base + w,
            question=question,
            started_by=1,
            opened_at=now,
            time_limit=3600,
        )
        for w in range(concurrency)
    ]
    right = question.answer_text
    grades = [bank.grade(question, text) for text in (right, "4608", "1")]
    per = [
        answers // concurrency + (1 if w < answers % concurrency else 0) for w in range(concurrency)
    ]
    commits, committed = repository.commits, repository.committed_answers

    async def worker(w: int) -> None:
        for k in range(per[w]):
            await repository.record_answer(
                opened[w],
                user_id=10_000 + k,
                reply="answer",
                grade=grades[(w + k) % 3],
                answered_at=datetime.now(UTC),
            )

    began = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - began
    batches = max(1, repository.commits - commits)
    return answers / elapsed, (repository.committed_answers - committed) / batches


async def measure(
    answers: int, concurrency: int = 50, backends: Sequence[str] = ("sqlite", "postgres")
) -> dict[str, float]:
    """One run: per backend, answers/s one at a time, concurrent with a transaction per
    answer, and concurrent with group commit; the last two's ratio."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="convquiz-bench-") as folder:
        for backend in backends:
            async with fresh_database(backend, folder) as url:
                engine = create_engine(url, pool_size=10)
                try:
                    await migrate(engine)
                    serial = Repository(engine)
                    out[f"{backend}_1"], _ = await record_rate(
                        serial, max(100, answers // 5), 1, 100
                    )
                    one_writer = Repository(engine, max_batch=1)
                    out[f"{backend}_one_writer"], _ = await record_rate(
                        one_writer, answers, concurrency, 1_000
                    )
                    grouped = Repository(engine)
                    out[f"{backend}_group"], out[f"{backend}_per_commit"] = await record_rate(
                        grouped, answers, concurrency, 2_000
                    )
                    out[f"{backend}_ratio"] = out[f"{backend}_group"] / out[f"{backend}_one_writer"]
                finally:
                    await engine.dispose()
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    args = parser.parse_args(argv)
    result = asyncio.run(
        measure(args.answers, args.concurrency, args.backend or ("sqlite", "postgres"))
    )
    for key, value in result.items():
        say(f"{key:>22}: {value:,.1f}")


if __name__ == "__main__":
    main()
