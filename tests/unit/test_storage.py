"""Storage and the quiz service on real databases: SQLite files, and PostgreSQL when
TEST_DATABASE_URL is set (CI always sets it)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from helpers import START, Clock
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.engine import bank
from bot.engine.question import Question
from bot.quiz.service import QuizService
from bot.storage.db import create_engine, downgrade, migrate
from bot.storage.models import AnswerEvent, QuestionRow, UserTotal
from bot.storage.repository import ChannelBusy, Repository, StorageError
from bot.storage.schema import metadata

GUILD, CHANNEL = 1_000, 2_000


def find_question(kind: str, difficulty: int, predicate) -> Question:  # type: ignore[no-untyped-def]
    for seed in range(5_000):
        question = bank.generate(kind, seed, difficulty)
        if predicate(question):
            return question
    raise AssertionError("no such question in the first 5,000 seeds")


def seed_param_question() -> Question:
    """The seed article's question 2: 3×3 conv, 16 → 32 channels: 4,640 parameters."""
    return find_question(
        "param_count",
        1,
        lambda q: (
            q.params["in_channels"] == 16
            and q.params["out_channels"] == 32
            and q.params["kernel"] == [3, 3]
        ),
    )


async def open_seed_question(  # type: ignore[no-untyped-def]
    service: QuizService, channel: int = CHANNEL, limit: float = 30, *, resume: bool = True
):
    """Open the article's question 2 in ``channel`` and (``resume``) let the service pick
    it up."""
    opened = await service.repository.open_question(
        guild_id=GUILD,
        channel_id=channel,
        question=seed_param_question(),
        started_by=1,
        opened_at=service.clock(),
        time_limit=limit,
    )
    if resume:
        await service.resume()
    return opened


# --- schema --------------------------------------------------------------------------------


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrations_upgrade_downgrade_upgrade(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        assert {"questions", "answers", "user_totals", "weekly_totals"} <= await _tables(engine)
        await downgrade(engine, "base")
        assert await _tables(engine) <= {"alembic_version"}
        await migrate(engine)
        assert "answers" in await _tables(engine)
    finally:
        await engine.dispose()


async def test_migrating_down_and_up_keeps_every_answer(database_url: str) -> None:
    """SQLite alters a table by copying it: with foreign keys on, dropping the old
    ``questions`` cascades to the answers. Migration 0004 rebuilds ``questions``: down
    to 0003 and back up, nothing may be lost on either backend."""
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        repository = Repository(engine)
        service = QuizService(repository, clock=Clock())
        await open_seed_question(service)
        for user, reply in ((5, "4608"), (6, "4640")):
            assert (await service.answer(CHANNEL, user, reply)).status == "recorded"  # type: ignore[union-attr]
        await repository.close()
        await downgrade(engine, "0003")
        await migrate(engine)
        async with repository.sessions() as session:
            replies = sorted(e.reply for e in await session.scalars(select(AnswerEvent)))
        assert replies == ["4608", "4640"]
        await repository.close()
    finally:
        await engine.dispose()


async def test_models_and_migrations_do_not_drift(engine: AsyncEngine) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(diff) == []


# --- questions -----------------------------------------------------------------------------


async def test_only_one_question_opens_per_channel_under_a_race(repository: Repository) -> None:
    question = seed_param_question()

    async def try_open() -> object:
        try:
            return await repository.open_question(
                guild_id=GUILD,
                channel_id=CHANNEL,
                question=question,
                started_by=1,
                opened_at=START,
                time_limit=30,
            )
        except ChannelBusy as busy:
            return busy

    results = await asyncio.gather(*(try_open() for _ in range(10)))
    opened = [r for r in results if not isinstance(r, ChannelBusy)]
    busy = [r for r in results if isinstance(r, ChannelBusy)]
    assert len(opened) == 1 and len(busy) == 9
    assert all(b.open_question is not None and b.open_question.id == opened[0].id for b in busy)  # type: ignore[attr-defined]


async def test_two_hundred_users_answer_at_once(repository: Repository) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    opened = await open_seed_question(service)
    assert opened.question.answer.value == 4640  # the article's worked answer
    clock.advance(3)
    replies = ["4640", "4,608", "12", "4640個", "lol"]  # correct, forgot bias, wrong, correct, chat
    users = list(range(100, 300))

    async def answer(user: int) -> object:
        return await service.answer(CHANNEL, user, replies[user % len(replies)])

    # Every user answers twice at once: only one attempt each may count.
    results = await asyncio.gather(*(answer(u) for u in users + users))
    statuses = Counter(r.status for r in results)  # type: ignore[attr-defined]
    chatters = sum(1 for u in users if u % len(replies) == 4)
    assert statuses["recorded"] == len(users) - chatters
    assert statuses["already_answered"] == len(users) - chatters
    assert statuses["ignored"] == 2 * chatters

    async with repository.sessions() as session:
        events = list(await session.scalars(select(AnswerEvent)))
        totals = list(await session.scalars(select(UserTotal)))
    assert len(events) == len(users) - chatters
    assert len({e.user_id for e in events}) == len(events)
    assert sum(e.first_correct for e in events) == 1
    by_user = defaultdict(int)
    for event in events:
        by_user[event.user_id] += event.points
    assert {t.user_id: t.points for t in totals} == dict(by_user)
    assert Counter(e.outcome for e in events) == Counter(
        {"correct": 80, "partial": 40, "wrong": 40}
    )
    partial = [e for e in events if e.outcome == "partial"]
    assert {e.mistake for e in partial} == {"forgot_bias"}
    # Each answerer was told the id of their own stored event (ids come back by
    # (question, user), not by position in the batch).
    told = {
        r.recorded.event_id: user  # type: ignore[attr-defined]
        for user, r in zip(users + users, results, strict=True)
        if r.status == "recorded"  # type: ignore[attr-defined]
    }
    assert told == {e.id: e.user_id for e in events}

    live = await repository.totals_snapshot()
    replayed = await repository.rescore()
    assert replayed == len(events)
    assert await repository.totals_snapshot() == live


async def test_two_engines_on_postgres_answer_the_same_question(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two engines sharing a database is the PostgreSQL deployment")
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        await migrate(engines[0])
        clock = Clock()
        services = [QuizService(Repository(e), clock=clock) for e in engines]
        await open_seed_question(services[0])
        await services[1].resume()
        clock.advance(1)
        users = range(500, 700)
        results = await asyncio.gather(
            *(services[u % 2].answer(CHANNEL, u, "4640") for u in users),
            *(services[(u + 1) % 2].answer(CHANNEL, u, "4640") for u in users),
        )
        assert Counter(r.status for r in results) == {"recorded": 200, "already_answered": 200}  # type: ignore[union-attr]
        async with services[0].repository.sessions() as session:
            events = list(await session.scalars(select(AnswerEvent)))
        assert len(events) == 200 and sum(e.first_correct for e in events) == 1
        live = await services[0].repository.totals_snapshot()
        await services[0].repository.rescore()
        assert await services[0].repository.totals_snapshot() == live
    finally:
        for engine in engines:
            await engine.dispose()


async def test_scoring_follows_the_documented_rule(repository: Repository) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    await open_seed_question(service, limit=30)
    clock.advance(15)  # half the time left
    first = await service.answer(CHANNEL, 7, "4640")
    second = await service.answer(CHANNEL, 8, "4640")
    partial = await service.answer(CHANNEL, 9, "4608")
    assert first and first.recorded and second and second.recorded and partial and partial.recorded
    # Difficulty 1 (README): base 10, speed bonus up to 5 (half the time left: 2.5,
    # rounded half up), first-correct bonus 5; a partial answer scales base and speed.
    assert first.recorded.points.total == 10 + 3 + 5
    assert second.recorded.points.total == 10 + 3
    assert partial.recorded.points.total == 5 + 1


# --- restarts --------------------------------------------------------------------------------


async def test_an_open_question_survives_a_restart(database_url: str) -> None:
    clock = Clock()
    engine = create_engine(database_url)
    await migrate(engine)
    first = QuizService(Repository(engine), clock=clock)
    opened = await open_seed_question(first, limit=60)
    clock.advance(5)
    assert (await first.answer(CHANNEL, 41, "4640")).status == "recorded"  # type: ignore[union-attr]
    await engine.dispose()  # the process stops

    clock.advance(20)
    engine = create_engine(database_url)
    try:
        second = QuizService(Repository(engine), clock=clock)
        assert await second.resume() == []
        again = second.open_in(CHANNEL)
        assert again is not None and again.id == opened.id and again.deadline == opened.deadline
        assert again.question == opened.question
        assert (await second.answer(CHANNEL, 42, "4608")).status == "recorded"  # type: ignore[union-attr]
        assert (await second.answer(CHANNEL, 41, "4640")).status == "already_answered"  # type: ignore[union-attr]
        clock.advance(40)
        closed = await second.close_due()
        assert len(closed) == 1 and closed[0].status == "closed"
        assert [(a.user_id, a.outcome) for a in closed[0].answers] == [
            (41, "correct"),
            (42, "partial"),
        ]
        assert second.open_in(CHANNEL) is None
    finally:
        await engine.dispose()


async def test_a_question_that_expired_while_down_closes_with_its_answers(
    database_url: str,
) -> None:
    clock = Clock()
    engine = create_engine(database_url)
    await migrate(engine)
    service = QuizService(Repository(engine), clock=clock)
    await open_seed_question(service, limit=30)
    clock.advance(2)
    await service.answer(CHANNEL, 5, "4640")
    await engine.dispose()

    clock.advance(3600)
    engine = create_engine(database_url)
    try:
        restarted = QuizService(Repository(engine), clock=clock)
        expired = await restarted.resume()
        assert [c.open.channel_id for c in expired] == [CHANNEL]
        assert [a.user_id for a in expired[0].answers] == [5]
        assert restarted.open_in(CHANNEL) is None
        assert await restarted.resume() == []  # closed once, never twice
    finally:
        await engine.dispose()


async def test_answers_after_the_deadline_do_not_count(repository: Repository) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    await open_seed_question(service, limit=10)
    clock.advance(10)
    outcome = await service.answer(CHANNEL, 3, "4640")
    assert outcome is not None and outcome.status == "closed"
    board = await service.leaderboard(GUILD)
    assert board.players == 0


# --- boards and stats -------------------------------------------------------------------------


async def _play(service: QuizService, clock: Clock, channel: int, answers: dict[int, str]) -> None:
    await open_seed_question(service, channel=channel)
    for user, reply in answers.items():
        await service.answer(channel, user, reply)
    clock.advance(31)
    await service.close_due()


async def test_leaderboard_shows_the_caller_outside_the_top(repository: Repository) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    rng = random.Random(7)
    # 30 players over 6 questions, each answering right, half right or wrong at random.
    for round_ in range(6):
        await _play(
            service,
            clock,
            CHANNEL + round_,
            {user: rng.choice(["4640", "4608", "1"]) for user in range(1, 31)},
        )
    board = await service.leaderboard(GUILD, user_id=None, limit=10)
    snapshot = await repository.totals_snapshot()
    points = {user: pts for (guild, user, pts, *_rest) in snapshot["user_totals"]}
    ordered = sorted(points.items(), key=lambda item: (-item[1], item[0]))
    assert [(r.user_id, r.points) for r in board.rows] == ordered[:10]
    for row in board.rows:
        assert row.rank == 1 + sum(1 for p in points.values() if p > row.points)
    last_user = ordered[-1][0]
    mine = await service.leaderboard(GUILD, user_id=last_user, limit=10)
    assert mine.me is not None and mine.me.user_id == last_user
    assert mine.me.rank == 1 + sum(1 for p in points.values() if p > points[last_user])
    assert mine.players == 30


async def test_weekly_board_only_counts_this_week(repository: Repository) -> None:
    clock = Clock(START - timedelta(days=7))
    service = QuizService(repository, clock=clock)
    await _play(service, clock, CHANNEL, {1: "4640"})
    clock.now = START
    await _play(service, clock, CHANNEL + 1, {2: "4640"})
    week = await service.leaderboard(GUILD, scope="week")
    assert [r.user_id for r in week.rows] == [2]
    everything = await service.leaderboard(GUILD, scope="all")
    assert sorted(r.user_id for r in everything.rows) == [1, 2]
    by_kind = await service.leaderboard(GUILD, kind="param_count", scope="week")
    assert [r.user_id for r in by_kind.rows] == [2]
    global_board = await service.leaderboard(None)
    assert {r.user_id for r in global_board.rows} == {1, 2}


async def test_stats_count_accuracy_and_common_mistakes(repository: Repository) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    for round_, reply in enumerate(["4640", "4608", "4608", "1", "4640"]):
        await _play(service, clock, CHANNEL + round_, {9: reply})
    stats = await service.stats(GUILD, 9)
    assert (stats.answered, stats.correct) == (5, 2)
    assert stats.mistakes[0] == ("forgot_bias", 2)
    assert stats.streak == 1 and stats.best_streak == 1
    assert [(k.kind, k.answered, k.correct) for k in stats.by_kind] == [("param_count", 5, 2)]
    assert stats.rank == 1


async def test_practice_replays_are_graded_but_not_ranked(repository: Repository) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    code = seed_param_question().code
    opened = await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=1, code=code)
    assert not opened.ranked and opened.question == bank.from_code(code)
    outcome = await service.answer(CHANNEL, 4, "4640")
    assert outcome is not None and outcome.grade is not None and outcome.grade.outcome == "correct"
    assert outcome.recorded is not None and outcome.recorded.points.total == 0
    assert (await service.leaderboard(GUILD)).players == 0


async def test_a_second_start_in_a_busy_channel_points_at_the_open_question(
    repository: Repository,
) -> None:
    service = QuizService(repository, clock=Clock())
    first = await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=1)
    with pytest.raises(ChannelBusy) as busy:
        await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=2)
    assert busy.value.open_question is not None and busy.value.open_question.id == first.id


# --- failures ----------------------------------------------------------------------------------


async def test_a_database_that_is_down_gives_a_short_error() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:9/nothing")
    try:
        repository = Repository(engine)
        with pytest.raises(StorageError) as error:
            await repository.guild_config(1)
        message = str(error.value)
        assert message.startswith("the database is") and "\n" not in message and len(message) < 200
    finally:
        await engine.dispose()


async def _row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        return {
            table.name: (
                await connection.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in metadata.sorted_tables
        }


async def test_a_start_prepares_the_writers_statements_and_stores_nothing(
    repository: Repository, engine: AsyncEngine
) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    await open_seed_question(service, resume=False)
    before = await _row_counts(engine)
    await service.resume()  # a start: the writer warms up in a rolled-back transaction
    assert await _row_counts(engine) == before
    compiled_now: list[str] = []

    def note(_conn, _cursor, statement, _parameters, context, _many) -> None:  # type: ignore[no-untyped-def]
        compiled = context is not None and context.compiled is not None
        if compiled and context.cache_hit == CacheStats.CACHE_MISS:
            compiled_now.append(" ".join(statement.split()[:3]))

    sqlalchemy_event.listen(Engine, "before_cursor_execute", note)
    try:
        clock.advance(1)
        await service.answer(CHANNEL, 1, "4640")  # a batch of one answer
        await asyncio.gather(service.answer(CHANNEL, 2, "12"), service.answer(CHANNEL, 3, "4608"))
    finally:
        sqlalchemy_event.remove(Engine, "before_cursor_execute", note)
    assert compiled_now == []  # the first answers after a start compile nothing
    assert (await _row_counts(engine))["answers"] == before["answers"] + 3


async def test_a_failed_answer_leaves_nothing_half_written(repository: Repository) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    await open_seed_question(service)
    await service.answer(CHANNEL, 1, "4640")
    before = await repository.totals_snapshot()
    # The same user again: the unique constraint fires after the question row and the
    # totals row were touched; the transaction must roll all of it back.
    outcome = await service.answer(CHANNEL, 1, "4608")
    assert outcome is not None and outcome.status == "already_answered"
    assert await repository.totals_snapshot() == before
    async with repository.sessions() as session:
        row = await session.get(QuestionRow, 1)
        assert row is not None and row.answer_count == 1
