"""Leaderboards at scale: one guild with 1,000,000 players and 10,000,000 answer events.

Fast path (what the bot runs, ``Repository.leaderboard`` / ``user_stats``): top 10 from
the totals index, the caller's exact rank from the rank histogram. Beside each, the
naive way: aggregating the event log (``GROUP BY`` over the guild's events), and for
ranks also the previous implementation, ``COUNT(*)`` of the players above in the totals.
The fast and the naive answers are compared, not only timed.

The database is built once per size with bulk inserts (raw ``sqlite3`` executemany, and
PostgreSQL ``COPY`` from it) and kept in ``bench/.cache/`` (SQLite) and in a PostgreSQL
database named after the sizes, so later runs only measure.

``python -m bench.boards [--users N] [--events N] [--samples N] [--backend sqlite]``
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import sqlite3
import statistics
import time
from array import array
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.common import CACHE, PG_ADMIN_URL, say
from bot.engine.skills import SKILLS
from bot.storage.db import create_engine, migrate
from bot.storage.models import RANK_LEVELS, week_number
from bot.storage.repository import Repository

__all__ = ["build_pg", "build_sqlite", "measure"]

BUILD_VERSION = 1  # bump when the generated data changes shape (migrations count already)
GUILD = 424_242
KINDS = ("output_size", "param_count", "bottleneck", "odd_kernel")
PER_QUESTION = 100
DAYS = 140
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite


def _schema_digest() -> str:
    """Changes whenever the schema does, so a cached database never has an old one."""
    from alembic.script import ScriptDirectory
    from sqlalchemy.dialects import sqlite as sqlite_dialect
    from sqlalchemy.schema import CreateIndex, CreateTable

    from bot.storage.db import alembic_config
    from bot.storage.models import Base

    digest = hashlib.sha256(
        str(ScriptDirectory.from_config(alembic_config()).get_current_head()).encode()
    )
    dialect = sqlite_dialect.dialect()
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        digest.update(str(CreateTable(table).compile(dialect=dialect)).encode())
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            digest.update(str(CreateIndex(index).compile(dialect=dialect)).encode())
    return digest.hexdigest()[:8]


def _name(users: int, events: int) -> str:
    return f"board_v{BUILD_VERSION}_{_schema_digest()}_{users}_{events}"


def _stale(name: str, users: int, events: int) -> bool:
    """Another build (older schema or generator) of the same sizes."""
    return name.startswith("board_v") and name.endswith(f"_{users}_{events}")


# --- the data ----------------------------------------------------------------------------


class _Data:
    """Players with heavy-tailed activity (the most active answers thousands of times,
    the median a handful), answers in time order over 20 weeks ending now."""

    def __init__(self, users: int, events: int, now: datetime, seed: int = 1) -> None:
        self.users, self.events, self.now = users, events, now
        self.rng = random.Random(seed)
        n = users + 1
        self.points = array("q", bytes(8 * n))
        self.answered = array("q", bytes(8 * n))
        self.correct = array("q", bytes(8 * n))
        self.streak = array("q", bytes(8 * n))
        self.best = array("q", bytes(8 * n))
        self.kind_points = [array("q", bytes(8 * n)) for _ in KINDS]
        self.kind_answered = [array("q", bytes(8 * n)) for _ in KINDS]
        self.kind_correct = [array("q", bytes(8 * n)) for _ in KINDS]
        self.questions: list[tuple[Any, ...]] = []
        self.weekly: list[tuple[int, int, int, int, int, int]] = []

    def _bag(self) -> array[int]:
        weights = [r**-0.6 for r in range(1, self.users + 1)]
        scale = self.events * 1.02 / sum(weights)
        ids = list(range(1, self.users + 1))
        self.rng.shuffle(ids)
        bag = array("i")
        for uid, weight in zip(ids, weights, strict=True):
            bag.extend([uid] * max(1, int(weight * scale + self.rng.random())))
        self.rng.shuffle(bag)  # type: ignore[arg-type]
        return bag

    def answers(self) -> Iterator[tuple[Any, ...]]:
        """Every answer event as a row, oldest first; fills the totals on the way."""
        bag = self._bag()
        rng = self.rng
        questions = len(bag) // PER_QUESTION
        start = self.now - timedelta(days=DAYS)
        step = timedelta(days=DAYS) / questions
        made = 0
        week: dict[int, list[int]] = {}
        current_week = None
        for q in range(questions):
            opened = start + step * q
            this_week = week_number(opened)
            if this_week != current_week:
                self._flush_week(current_week, week)
                week, current_week = {}, this_week
            kind = q % len(KINDS)
            difficulty = 1 + q % 3
            base = 10 * difficulty
            first: int | None = None
            seen: set[int] = set()
            count = 0
            for user in bag[q * PER_QUESTION : (q + 1) * PER_QUESTION]:
                if user in seen or made >= self.events:
                    continue
                seen.add(user)
                roll = rng.random()
                outcome = "correct" if roll < 0.5 else "partial" if roll < 0.65 else "wrong"
                elapsed = rng.randrange(1_000, 30_000)
                points = 0
                is_first = False
                if outcome == "correct":
                    is_first = first is None
                    if is_first:
                        first = user
                    speed = int(base / 2 * (1 - elapsed / 30_000) + 0.5)
                    points = base + speed + (base // 2 if is_first else 0)
                    points += min(10, 2 * self.streak[user])
                    self.streak[user] += 1
                    self.best[user] = max(self.best[user], self.streak[user])
                elif outcome == "partial":
                    points = int(base * 0.5 + 0.5) + int(base / 4 * (1 - elapsed / 30_000) + 0.5)
                else:
                    self.streak[user] = 0
                is_correct = int(outcome == "correct")
                self.points[user] += points
                self.answered[user] += 1
                self.correct[user] += is_correct
                self.kind_points[kind][user] += points
                self.kind_answered[kind][user] += 1
                self.kind_correct[kind][user] += is_correct
                row = week.setdefault(user, [0, 0, 0])
                row[0] += points
                row[1] += 1
                row[2] += is_correct
                answered_at = opened + timedelta(milliseconds=elapsed)
                made += 1
                count += 1
                yield (
                    q + 1,
                    GUILD,
                    user,
                    KINDS[kind],
                    "42",
                    outcome,
                    1.0 if outcome == "correct" else 0.5 if outcome == "partial" else 0.0,
                    "forgot_bias" if outcome == "partial" else None,
                    points,
                    is_first,
                    elapsed,
                    answered_at,
                )
            self.questions.append(
                (
                    q + 1,
                    GUILD,
                    1_000 + q % 100,
                    KINDS[kind],
                    difficulty,
                    opened,
                    opened + timedelta(seconds=30),
                    count,
                    first,
                )
            )
        self._flush_week(current_week, week)
        self.events = made

    def _flush_week(self, week: int | None, rows: dict[int, list[int]]) -> None:
        if week is not None:
            self.weekly.extend((GUILD, week, u, p, a, c) for u, (p, a, c) in rows.items())

    def user_rows(self) -> Iterator[tuple[int, ...]]:
        for u in range(1, self.users + 1):
            if self.answered[u]:
                yield (
                    GUILD,
                    u,
                    self.points[u],
                    self.answered[u],
                    self.correct[u],
                    self.streak[u],
                    self.best[u],
                )

    def kind_rows(self) -> Iterator[tuple[Any, ...]]:
        for k, kind in enumerate(KINDS):
            for u in range(1, self.users + 1):
                if self.kind_answered[k][u]:
                    yield (
                        GUILD,
                        kind,
                        u,
                        self.kind_points[k][u],
                        self.kind_answered[k][u],
                        self.kind_correct[k][u],
                    )

    def global_rows(self) -> Iterator[tuple[int, ...]]:
        for u in range(1, self.users + 1):
            if self.answered[u]:
                yield (u, self.points[u], self.answered[u], self.correct[u])

    def histogram_rows(self) -> list[tuple[int, int, int, int, int]]:
        counts: Counter[tuple[int, int, int, int]] = Counter()
        for u in range(1, self.users + 1):
            if self.answered[u]:
                for level in RANK_LEVELS:
                    counts[(GUILD, 0, level, self.points[u] >> level)] += 1
        for guild, week, _u, points, _a, _c in self.weekly:
            for level in RANK_LEVELS:
                counts[(guild, week, level, points >> level)] += 1
        return [(*key, n) for key, n in sorted(counts.items())]


# --- SQLite ------------------------------------------------------------------------------


def _chunks(rows: Iterator[tuple[Any, ...]], size: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_TIME)


async def build_sqlite(users: int, events: int, now: datetime) -> Path:
    """The cached SQLite file for these sizes, built on first use."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{_name(users, events)}.db"
    if path.exists():
        return path
    for old in CACHE.glob("board_v*"):
        if _stale(old.name.split(".")[0], users, events):
            old.unlink()
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    began = time.perf_counter()
    engine = create_engine(f"sqlite+aiosqlite:///{partial}")
    await migrate(engine)
    await engine.dispose()
    db = sqlite3.connect(partial)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    # Build the secondary index once at the end instead of row by row.
    db.execute("DROP INDEX ix_answers_guild_user")
    data = _Data(users, events, now)
    insert = (
        "INSERT INTO answers (question_id, guild_id, user_id, kind, reply, outcome, score,"
        " mistake, points, first_correct, elapsed_ms, answered_at, skill)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    # Every answer of a kind drills its first skill: the boards read no skill at all.
    skill_of = {skill.family: skill.name for skill in reversed(SKILLS)}
    for chunk in _chunks(data.answers()):
        db.executemany(
            insert, [(*row[:11], _sqlite_time(row[11]), skill_of[row[3]]) for row in chunk]
        )
    db.executemany(
        "INSERT INTO questions (id, guild_id, channel_id, kind, code, difficulty,"
        " body, started_by, opened_at, deadline, closed_at, status, ranked,"
        " answer_count, first_correct_user)"
        " VALUES (?, ?, ?, ?, 'bench', ?, '{}', 1, ?, ?, ?, 'closed', 1, ?, ?)",
        [
            (q, g, c, k, d, _sqlite_time(o), _sqlite_time(dl), _sqlite_time(dl), n, f)
            for q, g, c, k, d, o, dl, n, f in data.questions
        ],
    )
    db.executemany("INSERT INTO user_totals VALUES (?, ?, ?, ?, ?, ?, ?)", data.user_rows())
    db.executemany(
        "INSERT INTO weekly_totals (guild_id, week, user_id, points, answered, correct)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        data.weekly,
    )
    db.executemany(
        "INSERT INTO kind_totals (guild_id, kind, user_id, points, answered, correct)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        data.kind_rows(),
    )
    db.executemany(
        "INSERT INTO global_totals (user_id, points, answered, correct) VALUES (?, ?, ?, ?)",
        data.global_rows(),
    )
    db.executemany(
        "INSERT INTO points_histogram (guild_id, week, level, bucket, users)"
        " VALUES (?, ?, ?, ?, ?)",
        data.histogram_rows(),
    )
    db.execute("CREATE INDEX ix_answers_guild_user ON answers (guild_id, user_id)")
    db.commit()
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode=WAL")
    db.commit()
    db.close()
    partial.rename(path)
    say(f"  built {path.name}: {data.events:,} events in {time.perf_counter() - began:.0f} s")
    return path


# --- PostgreSQL ----------------------------------------------------------------------------

_COPIES = (
    (
        "questions",
        "SELECT id, guild_id, channel_id, kind, code, difficulty, body, started_by,"
        " opened_at, deadline, closed_at, status, ranked, answer_count,"
        " first_correct_user, practice, daily FROM questions ORDER BY id",
    ),
    (
        "answers",
        "SELECT id, question_id, guild_id, user_id, kind, reply, outcome, score,"
        " mistake, points, first_correct, elapsed_ms, answered_at, hints, skill"
        " FROM answers ORDER BY id",
    ),
    ("user_totals", "SELECT * FROM user_totals"),
    ("weekly_totals", "SELECT * FROM weekly_totals"),
    ("kind_totals", "SELECT * FROM kind_totals"),
    ("global_totals", "SELECT * FROM global_totals"),
    ("points_histogram", "SELECT * FROM points_histogram"),
)
_TIMES = {"opened_at", "deadline", "closed_at", "answered_at"}
_BOOLS = {"ranked", "first_correct", "practice", "daily"}


def _pg_kwargs(url: str) -> dict[str, Any]:
    parsed = make_url(url)
    return {
        "host": parsed.host,
        "port": parsed.port or 5432,
        "user": parsed.username,
        "password": parsed.password,
        "database": parsed.database or "postgres",
    }


async def build_pg(users: int, events: int, sqlite_path: Path) -> str:
    """A PostgreSQL database with the same rows as the SQLite file; kept between runs."""
    import asyncpg

    name = f"convquiz_bench_{_name(users, events)}".lower()
    admin = make_url(PG_ADMIN_URL)
    url = admin.set(database=name).render_as_string(hide_password=False)
    connection = await asyncpg.connect(**_pg_kwargs(PG_ADMIN_URL))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return url
        for (old,) in await connection.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE 'convquiz_bench_board_%'"
        ):
            if _stale(old.removeprefix("convquiz_bench_"), users, events):
                await connection.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}_partial" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}_partial"')
    finally:
        await connection.close()
    began = time.perf_counter()
    partial = admin.set(database=f"{name}_partial").render_as_string(hide_password=False)
    engine = create_engine(partial)
    await migrate(engine)
    await engine.dispose()
    source = sqlite3.connect(sqlite_path)
    target = await asyncpg.connect(**_pg_kwargs(partial))
    try:
        await target.execute("ALTER TABLE answers DROP CONSTRAINT uq_answers_question_user")
        await target.execute("DROP INDEX ix_answers_guild_user")
        for table, query in _COPIES:
            cursor = source.execute(query)
            columns = [d[0] for d in cursor.description]
            while rows := cursor.fetchmany(100_000):
                records = [
                    tuple(
                        datetime.strptime(v, SQLITE_TIME)
                        if c in _TIMES and v is not None
                        else bool(v)
                        if c in _BOOLS
                        else v
                        for c, v in zip(columns, row, strict=True)
                    )
                    for row in rows
                ]
                # By name: a migration's new column lands anywhere in the table.
                await target.copy_records_to_table(table, records=records, columns=columns)
        await target.execute(
            "ALTER TABLE answers ADD CONSTRAINT uq_answers_question_user"
            " UNIQUE (question_id, user_id)"
        )
        await target.execute("CREATE INDEX ix_answers_guild_user ON answers (guild_id, user_id)")
        for table in ("questions", "answers"):
            await target.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        await target.execute("ANALYZE")
    finally:
        source.close()
        await target.close()
    connection = await asyncpg.connect(**_pg_kwargs(PG_ADMIN_URL))
    try:
        await connection.execute(f'ALTER DATABASE "{name}_partial" RENAME TO "{name}"')
    finally:
        await connection.close()
    say(f"  built PostgreSQL {name} in {time.perf_counter() - began:.0f} s")
    return url


# --- measuring ---------------------------------------------------------------------------


async def _median_ms(samples: int, call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    result = await call()  # warm: the first call may read pages from disk
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        result = await call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


def _week_start(now: datetime) -> datetime:
    monday = now - timedelta(days=now.isocalendar().weekday - 1)
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


async def _measure_backend(url: str, samples: int, naive_samples: int) -> dict[str, float]:
    engine = create_engine(url)
    repository = Repository(engine)
    sqlite = url.startswith("sqlite")
    out: dict[str, float] = {}
    try:
        async with engine.connect() as connection:
            # "Now" is when the data ends, so "this week" is the same whatever the day.
            last = await connection.scalar(text("SELECT max(answered_at) FROM answers"))
            if isinstance(last, str):
                last = datetime.strptime(last, SQLITE_TIME)
            now = last.replace(tzinfo=UTC) + timedelta(seconds=1)
            ordered = (
                await connection.execute(
                    text(
                        "SELECT user_id, points FROM user_totals WHERE guild_id = :g"
                        " ORDER BY points DESC, user_id"
                    ),
                    {"g": GUILD},
                )
            ).all()
            week = week_number(now)
            weekly = (
                await connection.execute(
                    text(
                        "SELECT user_id, points FROM weekly_totals WHERE guild_id = :g"
                        " AND week = :w ORDER BY points DESC, user_id"
                    ),
                    {"g": GUILD, "w": week},
                )
            ).all()
        out["players"] = float(len(ordered))
        async with engine.connect() as connection:
            out["events"] = float(
                await connection.scalar(text("SELECT count(*) FROM answers")) or 0
            )
        positions = {"best": 0, "median": len(ordered) // 2, "last": len(ordered) - 1}

        def slow_rank(points: int) -> Callable[[], Awaitable[Any]]:
            async def run() -> Any:
                async with engine.connect() as connection:
                    return await connection.scalar(
                        text(
                            "SELECT count(*) FROM user_totals WHERE guild_id = :g AND points > :p"
                        ),
                        {"g": GUILD, "p": points},
                    )

            return run

        ms, board = await _median_ms(samples, lambda: repository.leaderboard(GUILD, limit=10))
        out["top10_ms"] = ms
        assert [r.user_id for r in board.rows] == [u for u, _p in ordered[:10]]
        assert board.players == len(ordered)
        for label, index in positions.items():
            user, points = ordered[index]
            ms, board = await _median_ms(
                samples, lambda u=user: repository.leaderboard(GUILD, user_id=u, limit=10)
            )
            out[f"rank_{label}_ms"] = ms
            count_ms, above = await _median_ms(samples, slow_rank(points))
            out[f"count_{label}_ms"] = count_ms
            assert board.me is not None and board.me.rank == above + 1, (label, board.me, above)
        median_user = ordered[positions["median"]][0]
        ms, _stats = await _median_ms(samples, lambda: repository.user_stats(GUILD, median_user))
        out["stats_median_ms"] = ms
        weekly_user = weekly[len(weekly) // 2][0] if weekly else None
        ms, board = await _median_ms(
            samples,
            lambda: repository.leaderboard(GUILD, scope="week", user_id=weekly_user, now=now),
        )
        out["weekly_ms"] = ms
        out["weekly_players"] = float(len(weekly))
        assert board.players == len(weekly)

        # The naive way: aggregate the event log per request.
        start = _week_start(now)
        bound = _sqlite_time(start) if sqlite else start.replace(tzinfo=None)

        async def naive(query: str, **params: Any) -> Any:
            async with engine.connect() as connection:
                return (await connection.execute(text(query), {"g": GUILD, **params})).all()

        top_query = (
            "SELECT user_id, SUM(points) AS p FROM answers WHERE guild_id = :g"
            " GROUP BY user_id ORDER BY p DESC, user_id LIMIT 10"
        )
        ms, rows = await _median_ms(naive_samples, lambda: naive(top_query))
        out["naive_top10_ms"] = ms
        assert [r[0] for r in rows] == [u for u, _p in ordered[:10]]
        rank_query = (
            "SELECT count(*) FROM (SELECT user_id FROM answers WHERE guild_id = :g"
            " GROUP BY user_id HAVING SUM(points) > :p) AS above"
        )
        median_points = ordered[positions["median"]][1]
        ms, rows = await _median_ms(naive_samples, lambda: naive(rank_query, p=median_points))
        out["naive_rank_ms"] = ms
        weekly_query = (
            "SELECT user_id, SUM(points) AS p FROM answers WHERE guild_id = :g"
            " AND answered_at >= :start GROUP BY user_id ORDER BY p DESC, user_id"
            " LIMIT 10"
        )
        ms, rows = await _median_ms(naive_samples, lambda: naive(weekly_query, start=bound))
        out["naive_weekly_ms"] = ms
        assert [r[0] for r in rows] == [u for u, _p in weekly[:10]]
        fast = out["rank_median_ms"]
        out["speedup_top10_rank"] = (out["naive_top10_ms"] + out["naive_rank_ms"]) / fast
        out["speedup_weekly"] = out["naive_weekly_ms"] / out["weekly_ms"]
        out["speedup_vs_count_last"] = (out["count_last_ms"] + out["top10_ms"]) / out[
            "rank_last_ms"
        ]
    finally:
        await repository.close()
        await engine.dispose()
    return out


async def prepare(users: int, events: int, backends: Sequence[str]) -> dict[str, str]:
    """Build (or find) the databases; their URLs by backend."""
    now = _build_now()
    path = await build_sqlite(users, events, now)
    urls = {"sqlite": f"sqlite+aiosqlite:///{path}"}
    if "postgres" in backends:
        urls["postgres"] = await build_pg(users, events, path)
    return urls


def _build_now() -> datetime:
    # The data ends on the day it was built; boards are then asked "now" = its end.
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(hours=23)


async def measure(
    users: int,
    events: int,
    samples: int,
    naive_samples: int,
    backends: Sequence[str] = ("sqlite", "postgres"),
    urls: dict[str, str] | None = None,
) -> dict[str, float]:
    urls = urls or await prepare(users, events, backends)
    out: dict[str, float] = {}
    for backend in backends:
        figures = await _measure_backend(urls[backend], samples, naive_samples)
        out.update({f"{backend}_{key}": value for key, value in figures.items()})
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--naive-samples", type=int, default=3)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    args = parser.parse_args(argv)
    result = asyncio.run(
        measure(
            args.users,
            args.events,
            args.samples,
            args.naive_samples,
            args.backend or ("sqlite", "postgres"),
        )
    )
    for key, value in result.items():
        say(f"{key:>32}: {value:,.3f}")


if __name__ == "__main__":
    main()
