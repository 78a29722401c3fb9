"""Fast at scale, still exact: group-committed answers and ranks from the histograms.

Every test runs on a SQLite file and, when TEST_DATABASE_URL is set, on PostgreSQL.
Nothing here is timed; speed lives in ``bench/`` (``python -m bench``).
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import PARAM_REPLIES as REPLIES
from helpers import START, Clock, param_question
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.engine import bank
from bot.engine.question import pack
from bot.quiz.service import QuizService
from bot.records import OpenQuestion
from bot.storage.db import create_engine, migrate
from bot.storage.models import (
    RANK_LEVELS,
    AnswerEvent,
    GlobalTotal,
    KindTotal,
    PointsHistogram,
    QuestionRow,
    UserTotal,
    WeeklyTotal,
    week_number,
)
from bot.storage.repository import (
    AlreadyAnswered,
    PendingAnswer,
    QuestionClosed,
    Repository,
    StorageError,
)
from bot.storage.totals import Deltas as _Deltas
from bot.storage.totals import rebuild_histograms as _rebuild_histograms

GUILD, CHANNEL = 5_000, 6_000
ROOT = Path(__file__).resolve().parents[2]


async def open_question(
    service: QuizService, channel: int = CHANNEL, *, guild: int = GUILD, limit: float = 600
) -> int:
    opened = await service.repository.open_question(
        guild_id=guild,
        channel_id=channel,
        question=param_question(),
        started_by=1,
        opened_at=service.clock(),
        time_limit=limit,
    )
    await service.resume()
    return opened.id


async def events(repository: Repository) -> list[AnswerEvent]:
    async with repository.sessions() as session:
        return list(await session.scalars(select(AnswerEvent).order_by(AnswerEvent.id)))


async def assert_totals_equal_events(repository: Repository) -> None:
    """Nothing half-applied: the live totals and histograms are exactly what replaying
    the events gives, and every question counts exactly its stored answers."""
    live = await repository.totals_snapshot()
    await repository.rescore()
    assert await repository.totals_snapshot() == live
    async with repository.sessions() as session:
        counted = dict(
            (await session.execute(select(QuestionRow.id, QuestionRow.answer_count))).all()
        )
        stored = Counter(e.question_id for e in await events(repository))
    assert {qid: n for qid, n in counted.items() if n} == dict(stored)


# --- group commit --------------------------------------------------------------------------


async def test_concurrent_answers_share_commits_and_each_counts_once(
    repository: Repository,
) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    channels = [CHANNEL + i for i in range(5)]
    for channel in channels:
        await open_question(service, channel)
    clock.advance(2)
    sizes: list[int] = []
    repository.answers.on_commit = lambda size, _seconds, _stored: sizes.append(size)
    users = range(100, 400)
    results = await asyncio.gather(
        *(
            service.answer(channels[u % 5], u, REPLIES[u % 3])
            for u in list(users) + list(users)  # everyone tries twice at once
        )
    )
    statuses = Counter(r.status for r in results if r is not None)
    assert statuses == {"recorded": 300, "already_answered": 300}
    # 600 answers arrived together: a few transactions carried them, not 600; the first
    # small (its answers are acknowledged while the others wait), each next one twice
    # the size.
    assert sizes == [64, 128, 256, 152]
    assert repository.commits == 4 and repository.committed_answers == 600
    stored = await events(repository)
    assert len(stored) == 300 and len({(e.question_id, e.user_id) for e in stored}) == 300
    first = Counter(e.question_id for e in stored if e.first_correct)
    assert sorted(first.values()) == [1] * 5  # the bonus once per question
    recorded = {r.recorded.event_id for r in results if r is not None and r.recorded}
    assert recorded == {e.id for e in stored}
    await assert_totals_equal_events(repository)


async def test_an_answer_is_acknowledged_only_after_its_commit(engine: AsyncEngine) -> None:
    repository = Repository(engine)
    clock = Clock()
    service = QuizService(repository, clock=clock)
    await open_question(service)
    observer = create_engine(str(engine.url.render_as_string(hide_password=False)))
    acknowledged: set[int] = set()
    seen_in_flight: list[int] = []

    async def stored_users() -> set[int]:
        async with observer.connect() as connection:
            rows = await connection.execute(select(AnswerEvent.user_id))
            return {row[0] for row in rows}

    async def before_commit(batch: Sequence[PendingAnswer]) -> None:
        # Between the statements and COMMIT: nobody has been told yet, and another
        # connection cannot see the batch.
        assert not any(p.future.done() for p in batch)
        assert not acknowledged & {p.user_id for p in batch}
        assert not await stored_users() & {p.user_id for p in batch}
        seen_in_flight.extend(p.user_id for p in batch)

    async def answer(user: int) -> None:
        outcome = await service.answer(CHANNEL, user, REPLIES[user % 3])
        assert outcome is not None and outcome.status == "recorded"
        acknowledged.add(user)
        assert user in await stored_users()  # acknowledged ⇒ committed

    repository.before_commit = before_commit
    try:
        await asyncio.gather(*(answer(u) for u in range(1, 61)))
        await asyncio.gather(*(answer(u) for u in range(61, 121)))
    finally:
        await observer.dispose()
    assert sorted(seen_in_flight) == list(range(1, 121))
    assert acknowledged == set(range(1, 121))


async def test_a_writer_that_dies_before_commit_loses_only_unacknowledged_answers(
    repository: Repository,
) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    await open_question(service)
    batches = 0

    async def die_in_the_second_batch(batch: Sequence[PendingAnswer]) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise RuntimeError("killed between gather and commit")

    repository.before_commit = die_in_the_second_batch

    async def answer(user: int) -> str:
        try:
            outcome = await service.answer(CHANNEL, user, REPLIES[user % 3])
        except StorageError:
            return "not acknowledged"
        assert outcome is not None
        return outcome.status

    first = await asyncio.gather(*(answer(u) for u in range(1, 41)))
    lost = await asyncio.gather(*(answer(u) for u in range(41, 81)))
    after = await asyncio.gather(*(answer(u) for u in range(81, 121)))
    assert set(first) == {"recorded"} and set(after) == {"recorded"}  # the writer went on
    assert set(lost) == {"not acknowledged"}
    stored = {e.user_id for e in await events(repository)}
    assert stored == set(range(1, 41)) | set(range(81, 121))
    await assert_totals_equal_events(repository)
    # What was not acknowledged was not stored either: those players may answer again.
    retried = await asyncio.gather(*(answer(u) for u in range(41, 81)))
    assert set(retried) == {"recorded"}
    await assert_totals_equal_events(repository)


_KILLED_WRITER = textwrap.dedent(
    """
    import asyncio, os, sys
    from datetime import UTC, datetime
    sys.path[:0] = {tests!r}
    from helpers import param_question, PARAM_REPLIES as REPLIES
    from bot.quiz.service import QuizService
    from bot.storage.db import create_engine
    from bot.storage.repository import Repository

    async def main():
        engine = create_engine({url!r})
        repository = Repository(engine)
        service = QuizService(repository)
        await service.resume()
        batches = 0

        async def before_commit(batch):
            nonlocal batches
            batches += 1
            if batches == 3:
                print("DYING", *(p.user_id for p in batch), flush=True)
                os._exit(9)  # the process dies with the transaction open

        repository.before_commit = before_commit

        async def answer(user):
            outcome = await service.answer({channel}, user, REPLIES[user % 3])
            print("ACK", user, outcome.status, flush=True)

        for wave in range(5):
            await asyncio.gather(*(answer(100 * wave + u) for u in range(1, 31)))

    asyncio.run(main())
    """
)


async def test_a_killed_process_keeps_every_acknowledged_answer_and_nothing_half_applied(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        repository = Repository(engine)
        service = QuizService(repository, clock=lambda: datetime.now(UTC))
        await open_question(service)
        script = _KILLED_WRITER.format(
            tests=[str(ROOT / "tests")],
            url=database_url,
            channel=CHANNEL,
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            script,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 9, err.decode()[-2000:]
        lines = out.decode().splitlines()
        acked = {int(line.split()[1]) for line in lines if line.startswith("ACK")}
        dying = {int(u) for line in lines if line.startswith("DYING") for u in line.split()[1:]}
        assert len(acked) == 60 and dying  # two waves acknowledged, then the kill
        stored = {e.user_id for e in await events(repository)}
        assert acked <= stored  # every acknowledged answer is on disk
        assert not dying & stored  # the batch being committed is gone, all of it
        await assert_totals_equal_events(repository)
    finally:
        await engine.dispose()


async def test_a_storage_failure_fails_its_whole_batch_and_the_writer_carries_on(
    repository: Repository,
) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    await open_question(service)
    failures = iter([True])

    async def disk_gone(batch: Sequence[PendingAnswer]) -> None:
        if next(failures, False):
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    repository.before_commit = disk_gone
    results = await asyncio.gather(
        *(service.answer(CHANNEL, u, "4640") for u in range(1, 21)), return_exceptions=True
    )
    assert all(isinstance(r, StorageError) for r in results)
    assert all(str(r).startswith("the database is unavailable") for r in results)
    assert await events(repository) == []
    again = await asyncio.gather(*(service.answer(CHANNEL, u, "4640") for u in range(1, 21)))
    assert {r.status for r in again if r is not None} == {"recorded"}
    await assert_totals_equal_events(repository)


async def test_an_unreachable_database_fails_answers_quickly_and_leaves_no_writer() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:9/nothing")
    try:
        repository = Repository(engine)
        clock = Clock()
        service = QuizService(repository, clock=clock)
        question = OpenQuestion(
            1,
            GUILD,
            CHANNEL,
            None,
            pack(param_question()),
            1,
            START,
            START + timedelta(seconds=60),
            True,
            "open",
        )
        service._open[CHANNEL] = question  # as if resumed before the database went away
        for _ in range(2):
            with pytest.raises(StorageError):
                await service.answer(CHANNEL, 7, "4640")
        await service.close()
        assert repository._writer is None
    finally:
        await engine.dispose()


async def test_one_batch_mixes_new_duplicate_late_and_closed_answers(
    repository: Repository,
) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    await open_question(service, CHANNEL, limit=30)
    await open_question(service, CHANNEL + 1, limit=30)
    open_q = service.open_in(CHANNEL)
    closed_q = service.open_in(CHANNEL + 1)
    assert open_q is not None and closed_q is not None
    clock.advance(1)
    await service.answer(CHANNEL, 1, "4640")  # stored before the batch
    await repository.close_question(closed_q.id, clock())
    grade = bank.grade(open_q.question, "4640")
    commits = repository.commits

    def record(q: Any, user: int, at: datetime) -> Any:
        return repository.record_answer(q, user_id=user, reply="4640", grade=grade, answered_at=at)

    now = clock()
    results = await asyncio.gather(
        record(open_q, 2, now),  # new (user 1 already took the first-correct bonus)
        record(open_q, 2, now),  # the same player twice in one batch
        record(open_q, 1, now),  # already stored
        record(closed_q, 3, now),  # question closed
        record(open_q, 4, open_q.deadline),  # at the deadline: too late
        record(open_q, 5, now),
        return_exceptions=True,
    )
    assert repository.commits == commits + 1  # one transaction for all six
    kinds = [type(r).__name__ for r in results]
    assert kinds == [
        "RecordedAnswer",
        "AlreadyAnswered",
        "AlreadyAnswered",
        "QuestionClosed",
        "QuestionClosed",
        "RecordedAnswer",
    ]
    assert isinstance(results[1], AlreadyAnswered) and isinstance(results[3], QuestionClosed)
    assert not any(getattr(r, "first_correct", False) for r in results)
    assert sorted(e.user_id for e in await events(repository)) == [1, 2, 5]
    await assert_totals_equal_events(repository)


# --- exact ranks from the histograms ---------------------------------------------------------

WEEKS = (START, START + timedelta(days=7))
TOTALS_TABLES = (UserTotal, WeeklyTotal, KindTotal, GlobalTotal, PointsHistogram)

points_delta = st.one_of(
    st.integers(0, 3),  # ties
    st.integers(0, 400),  # crosses level-8 buckets
    st.integers(60_000, 140_000),  # crosses level-16 buckets
)
batch_strategy = st.dictionaries(
    keys=st.tuples(
        st.sampled_from([GUILD, GUILD + 1]), st.integers(1, 20), st.sampled_from([0, 1])
    ),
    values=st.tuples(points_delta, st.integers(1, 3)),
    min_size=1,
    max_size=25,
)


async def _count_rank(engine: AsyncEngine, model: Any, filters: list[Any], points: int) -> int:
    async with engine.connect() as connection:
        above = await connection.scalar(
            select(func.count()).select_from(model).where(*filters, model.points > points)
        )
    return int(above or 0) + 1


async def _count_ranks(
    engine: AsyncEngine, table: str, scope: tuple[str, ...]
) -> dict[tuple[int, ...], int]:
    """Every player's rank the slow way: 1 + COUNT(*) of the players of the same board
    (same ``scope`` columns) with more points. Keys: scope values, then the user."""
    same_board = " AND ".join(f"b.{column} = a.{column}" for column in scope)
    query = text(
        f"SELECT {', '.join(f'a.{column}' for column in scope)}, a.user_id,"
        f" 1 + (SELECT COUNT(*) FROM {table} b WHERE {same_board} AND b.points > a.points)"
        f" FROM {table} a"
    )
    async with engine.connect() as connection:
        return {tuple(row[:-1]): int(row[-1]) for row in await connection.execute(query)}


async def _apply_totals(
    repository: Repository, batch: dict[tuple[int, int, int], tuple[int, int]]
) -> None:
    """One transaction adding arbitrary points, through the group writer's own totals code."""
    deltas = _Deltas()
    for (guild, user, week_index), (points, answered) in sorted(batch.items()):
        week = week_number(WEEKS[week_index])
        add = {"points": points, "answered": answered, "correct": 0}
        row = deltas.users.setdefault(
            (guild, user), {"points": 0, "answered": 0, "correct": 0, "streak": 0, "best_streak": 0}
        )
        row["points"] += points
        row["answered"] += answered
        deltas.weekly[(guild, week, user)] = dict(add)
        kind = deltas.kinds.setdefault(
            (guild, "k", user), {"points": 0, "answered": 0, "correct": 0}
        )
        kind["points"] += points
        kind["answered"] += answered
        total = deltas.global_.setdefault((user,), {"points": 0, "answered": 0, "correct": 0})
        total["points"] += points
        total["answered"] += answered
    async with repository.engine.begin() as connection:
        keys = sorted(deltas.users)
        before = {
            (g, u): (p, s)
            for g, u, p, s in await connection.execute(
                select(UserTotal.guild_id, UserTotal.user_id, UserTotal.points, UserTotal.streak)
            )
            if (g, u) in deltas.users
        }
        assert keys
        await connection.run_sync(repository._write_totals, deltas, before)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(batch_strategy, min_size=1, max_size=5))
async def test_fast_rank_equals_count_for_random_boards_with_ties(
    repository: Repository, batches: list[dict[tuple[int, int, int], tuple[int, int]]]
) -> None:
    engine = repository.engine
    async with engine.begin() as connection:
        for model in TOTALS_TABLES:
            await connection.execute(delete(model))
    for batch in batches:
        await _apply_totals(repository, batch)

    ranks = await _count_ranks(engine, "user_totals", ("guild_id",))
    for (guild, user), expected in ranks.items():
        board = await repository.leaderboard(guild, user_id=user, limit=3)
        assert board.me is not None and board.me.rank == expected, (guild, user)
        assert board.players == sum(1 for g, _u in ranks if g == guild)
        assert [row.rank for row in board.rows] == [ranks[(guild, r.user_id)] for r in board.rows]
        assert (await repository.user_stats(guild, user)).rank == expected
    weekly = await _count_ranks(engine, "weekly_totals", ("guild_id", "week"))
    for moment in WEEKS:
        week = week_number(moment)
        for (guild, row_week, user), expected in weekly.items():
            if row_week == week:
                board = await repository.leaderboard(
                    guild, scope="week", user_id=user, now=moment, limit=3
                )
                assert board.me is not None and board.me.rank == expected
                assert board.players == sum(1 for g, w, _u in weekly if (g, w) == (guild, week))
    # The histograms kept batch by batch are exactly the ones counted from scratch.
    live = await repository.totals_snapshot()
    async with repository._writing() as session:
        await _rebuild_histograms(session)
    assert await repository.totals_snapshot() == live


async def test_ranks_after_random_play_equal_count(repository: Repository) -> None:
    """The same property through the public path: answers, weeks, stats, rescore."""
    clock = Clock(START)
    service = QuizService(repository, clock=clock)
    rng = random.Random(11)
    for week in range(2):
        clock.now = START + timedelta(days=7 * week)
        for round_ in range(4):
            channel = CHANNEL + 10 * week + round_
            await open_question(service, channel, limit=30)
            clock.advance(rng.uniform(0.5, 20))
            players = rng.sample(range(1, 61), 40)
            await asyncio.gather(
                *(service.answer(channel, u, rng.choice(REPLIES)) for u in players)
            )
            clock.advance(31)
            await service.close_due()
    engine = repository.engine
    async with engine.connect() as connection:
        totals = (await connection.execute(select(UserTotal.user_id, UserTotal.points))).all()
    for user, points in totals:
        expected = await _count_rank(engine, UserTotal, [UserTotal.guild_id == GUILD], points)
        board = await service.leaderboard(GUILD, user_id=user)
        assert board.me is not None and board.me.rank == expected
        assert (await service.stats(GUILD, user)).rank == expected
        weekly = await service.leaderboard(GUILD, scope="week", user_id=user)
        if weekly.me is not None:
            week = week_number(clock())
            assert weekly.me.rank == await _count_rank(
                engine,
                WeeklyTotal,
                [WeeklyTotal.guild_id == GUILD, WeeklyTotal.week == week],
                weekly.me.points,
            )
    assert board.players == len(totals)
    await assert_totals_equal_events(repository)


async def test_the_migration_counts_existing_totals_into_the_histograms(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine, "0002")
        rng = random.Random(5)
        users = [
            (GUILD + rng.randrange(2), u, rng.choice([0, 0, 7, 300, 70_000, rng.randrange(10**6)]))
            for u in range(1, 200)
        ]
        async with engine.begin() as connection:
            for guild, user, points in users:
                await connection.execute(
                    text(
                        "INSERT INTO user_totals (guild_id, user_id, points, answered, correct,"
                        " streak, best_streak) VALUES (:g, :u, :p, 1, 0, 0, 0)"
                    ),
                    {"g": guild, "u": user, "p": points},
                )
                await connection.execute(
                    text(
                        "INSERT INTO weekly_totals (guild_id, week, user_id, points, answered,"
                        " correct) VALUES (:g, 202648, :u, :p, 1, 0)"
                    ),
                    {"g": guild, "u": user, "p": points // 2},
                )
        await migrate(engine)
        expected: Counter[tuple[int, int, int, int]] = Counter()
        for guild, _user, points in users:
            for level in RANK_LEVELS:
                expected[(guild, 0, level, points >> level)] += 1
                expected[(guild, 202648, level, (points // 2) >> level)] += 1
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(
                        PointsHistogram.guild_id,
                        PointsHistogram.week,
                        PointsHistogram.level,
                        PointsHistogram.bucket,
                        PointsHistogram.users,
                    )
                )
            ).all()
        assert {(g, w, lv, b): n for g, w, lv, b, n in rows} == dict(expected)
        repository = Repository(engine)
        for guild, user, points in users[:40]:
            board = await repository.leaderboard(guild, user_id=user, limit=1)
            above = sum(1 for g, _u, p in users if g == guild and p > points)
            assert board.me is not None and board.me.rank == above + 1
    finally:
        await engine.dispose()


def test_rank_levels_are_what_the_migration_counted() -> None:
    source = (ROOT / "migrations" / "versions" / "0003_rank_histograms.py").read_text()
    assert f"LEVELS = {RANK_LEVELS!r}" in source
