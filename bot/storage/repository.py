"""Every read and write the quiz needs, as transactions over the models.

Correctness under concurrency comes from the database, not from checks in Python:
one open question per channel is a partial unique index, one attempt per user a unique
constraint. Totals are updated in the same transaction as the event they count, so they
always equal what the events say.

Answers are group-committed: ``record_answer`` queues the answer and waits; one writer
task per repository takes everything queued (whatever arrived while the previous commit
was in flight), applies it in one transaction with a handful of set-based statements,
commits, and only then resolves each caller. An answer whose caller heard "recorded" is
on disk; one that was not acknowledged may be lost but is never half-applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, ParamSpec, TypeVar

from sqlalchemy import (
    BigInteger,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.engine.question import (
    Grade,
    Question,
)
from bot.engine.scoring import Points, decide
from bot.errors import StorageError
from bot.records import (
    AlreadyAnswered,
    Board,
    BoardRow,
    ChannelBusy,
    ClosedQuestion,
    GuildConfig,
    OpenQuestion,
    QuestionClosed,
    RecordedAnswer,
    UserStats,
)
from bot.storage import boards, configs, questions
from bot.storage.core import guard as _guard
from bot.storage.db import sync_engine_for
from bot.storage.models import (
    ALL_TIME,
    RANK_LEVELS,
    REPLY_MAX,
    AnswerEvent,
    GlobalTotal,
    KindTotal,
    PointsHistogram,
    QuestionRow,
    UserTotal,
    WeeklyTotal,
    week_number,
)

__all__ = [
    "AlreadyAnswered",
    "Board",
    "BoardRow",
    "ChannelBusy",
    "ClosedQuestion",
    "GuildConfig",
    "OpenQuestion",
    "PendingAnswer",
    "QuestionClosed",
    "RecordedAnswer",
    "Repository",
    "StorageError",
    "UserStats",
]

P = ParamSpec("P")
T = TypeVar("T")

Scope = Literal["all", "week"]

log = logging.getLogger(__name__)

_QUESTIONS: Table = QuestionRow.__table__  # type: ignore[assignment]
_ANSWERS: Table = AnswerEvent.__table__  # type: ignore[assignment]
_USERS: Table = UserTotal.__table__  # type: ignore[assignment]
_WEEKLY: Table = WeeklyTotal.__table__  # type: ignore[assignment]
_KINDS: Table = KindTotal.__table__  # type: ignore[assignment]
_GLOBAL: Table = GlobalTotal.__table__  # type: ignore[assignment]
_HISTOGRAM: Table = PointsHistogram.__table__  # type: ignore[assignment]

# Most answers one transaction takes; the rest wait for the next commit.
MAX_BATCH = 500
# SQLite reader threads (and connections) for boards and stats.
READERS = 2
# PostgreSQL: deadlock and serialization failures are worth one more try.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
_ATTEMPTS = 3


@dataclass(eq=False, slots=True)
class PendingAnswer:
    """One answer waiting for the writer; ``future`` resolves once it is committed."""

    question: OpenQuestion
    user_id: int
    reply: str
    grade: Grade
    answered_at: datetime
    future: asyncio.Future[RecordedAnswer]


class _Conflict(Exception):
    """Another transaction changed a row this batch read without a lock: start over."""


class Repository:
    """All persistence for one database; safe to share between coroutines."""

    def __init__(self, engine: AsyncEngine, *, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._dialect = engine.dialect.name
        # SQLite has one writer at a time. Queuing writers here, in order, beats letting
        # many pooled connections spin in SQLite's busy handler, which under load can
        # starve one past its timeout ("database is locked"). PostgreSQL needs no queue.
        self._write_lock = asyncio.Lock() if self._dialect == "sqlite" else None
        self._sql = _statements(self._dialect)
        # SQLite: the answer writer's own synchronous engine and thread (see
        # ``_transaction``); None for PostgreSQL and in-memory databases.
        self._sync_engine = sync_engine_for(engine, writer=True)
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="convquiz-writer")
            if self._sync_engine is not None
            else None
        )
        # SQLite: boards and stats read in threads too (see ``_read``).
        self._reader = sync_engine_for(engine, writer=False, connections=READERS)
        self._read_executor = (
            ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="convquiz-reader")
            if self._reader is not None
            else None
        )
        # Group commit: answers wait here for the writer task, which runs only while
        # there is something to write (so there is nothing to start, and an idle
        # repository holds no task).
        self.max_batch = max_batch
        self._queue: deque[PendingAnswer] = deque()
        self._writer: asyncio.Task[None] | None = None
        # Fault injection for tests: awaited with each batch after its statements ran and
        # before COMMIT. Raising there is a writer that died between gather and commit.
        self.before_commit: Callable[[Sequence[PendingAnswer]], Awaitable[None]] | None = None
        # Counters for benchmarks: transactions committed and answers they carried.
        self.commits = 0
        self.committed_answers = 0

    @contextlib.asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """SQLite's in-process writer queue (nothing on PostgreSQL)."""
        if self._write_lock is None:
            yield
        else:
            async with self._write_lock:
                yield

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: committed on success, rolled back on any error."""
        async with self._exclusive(), self.sessions.begin() as session:
            yield session

    # --- questions -------------------------------------------------------------------

    @_guard
    async def open_question(
        self,
        *,
        guild_id: int,
        channel_id: int,
        question: Question,
        started_by: int,
        opened_at: datetime,
        time_limit: float,
        ranked: bool = True,
        template_name: str | None = None,
        template_version: int | None = None,
    ) -> OpenQuestion:
        """Store a new open question, or raise ``ChannelBusy`` with the one already open."""
        return await questions.open_question(
            self._writing,
            self.sessions,
            guild_id=guild_id,
            channel_id=channel_id,
            question=question,
            started_by=started_by,
            opened_at=opened_at,
            time_limit=time_limit,
            ranked=ranked,
            template_name=template_name,
            template_version=template_version,
        )

    @_guard
    async def set_message(self, question_id: int, message_id: int) -> None:
        await questions.set_message(self._writing, question_id, message_id)

    @_guard
    async def open_in_channel(self, channel_id: int) -> OpenQuestion | None:
        return await questions.open_in_channel(self.sessions, channel_id)

    @_guard
    async def open_questions(
        self, guild_filter: Callable[[int], bool] | None = None
    ) -> list[OpenQuestion]:
        """Every open question (of the guilds ``guild_filter`` accepts), soonest first."""
        return await questions.open_questions(self.engine, guild_filter)

    @_guard
    async def close_question(
        self, question_id: int, closed_at: datetime, status: str = "closed"
    ) -> ClosedQuestion | None:
        """Close an open question; ``None`` when someone else already closed it."""
        return await questions.close_question(self._writing, question_id, closed_at, status)

    # --- answers: group commit --------------------------------------------------------

    async def record_answer(
        self,
        open_question: OpenQuestion,
        *,
        user_id: int,
        reply: str,
        grade: Grade,
        answered_at: datetime,
    ) -> RecordedAnswer:
        """Store one graded attempt and its points, or raise ``AlreadyAnswered`` /
        ``QuestionClosed`` / ``StorageError``. Returns only once the answer is committed.
        ``not_an_answer`` grades must not reach this method."""
        if grade.outcome == "not_an_answer":
            raise ValueError("chat that is not an answer is never recorded")
        loop = asyncio.get_running_loop()
        pending = PendingAnswer(
            open_question, user_id, reply, grade, answered_at, loop.create_future()
        )
        self._queue.append(pending)
        if self._writer is None:
            self._writer = loop.create_task(self._write_loop(), name="convquiz-answer-writer")
        return await pending.future

    async def close(self) -> None:
        """Wait until every queued answer is committed (or has failed), then let go of
        the writer's own SQLite connection (a later answer opens it again)."""
        while (writer := self._writer) is not None:
            await asyncio.wait({writer})
        for engine in (self._sync_engine, self._reader):
            if engine is not None:
                engine.dispose()

    async def _write_loop(self) -> None:
        try:
            while self._queue:
                take = min(len(self._queue), self.max_batch)
                batch = [self._queue.popleft() for _ in range(take)]
                await self._write_batch(batch)
        except BaseException:
            # Cancelled (the process is stopping): nothing left is acknowledged.
            while self._queue:
                _fail(self._queue.popleft(), "the answer writer stopped")
            raise
        finally:
            self._writer = None

    async def _write_batch(self, batch: list[PendingAnswer]) -> None:
        try:
            outcomes = await self._commit_batch(batch)
        except BaseException as error:
            reason = str(error) if isinstance(error, StorageError) else "the answer writer stopped"
            if isinstance(error, Exception) and not isinstance(error, StorageError):
                log.exception("writing %d answers failed", len(batch))
            for pending in batch:
                _fail(pending, reason)
            if not isinstance(error, Exception):
                raise
            return
        self.commits += 1
        self.committed_answers += len(batch)
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.future.done():  # its caller gave up waiting
                continue
            if isinstance(outcome, Exception):
                pending.future.set_exception(outcome)
            else:
                pending.future.set_result(outcome)

    @_guard
    async def _commit_batch(
        self, batch: Sequence[PendingAnswer]
    ) -> list[RecordedAnswer | Exception]:
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return await self._transaction(batch)
            except IntegrityError:
                # Only a writer that bypassed the question lock gets here; redo the
                # batch one answer per transaction so the offender fails alone.
                return await self._commit_one_by_one(batch)
            except _Conflict:
                if attempt == _ATTEMPTS:
                    return await self._commit_one_by_one(batch)
            except DBAPIError as error:
                sqlstate = getattr(error.orig, "sqlstate", None) or getattr(
                    error.orig, "pgcode", None
                )
                if sqlstate not in _RETRYABLE_SQLSTATES or attempt == _ATTEMPTS:
                    raise
                log.info("retrying %d answers after %s", len(batch), sqlstate)
        raise AssertionError("unreachable")

    async def _commit_one_by_one(
        self, batch: Sequence[PendingAnswer]
    ) -> list[RecordedAnswer | Exception]:
        outcomes: list[RecordedAnswer | Exception] = []
        for pending in batch:
            try:
                outcomes += await self._transaction([pending])
            except IntegrityError:
                outcomes.append(AlreadyAnswered())
        return outcomes

    async def _transaction(
        self, batch: Sequence[PendingAnswer]
    ) -> list[RecordedAnswer | Exception]:
        """One transaction: apply the batch, let the fault hook run, commit.

        On SQLite the whole transaction runs in the writer's thread on a plain sqlite3
        connection: one hand-over per batch instead of several per statement, none of
        which waits behind the busy event loop. On PostgreSQL asyncpg is asynchronous
        already and the same statements run through the async engine.
        """
        async with self._exclusive():
            if self._sync_engine is not None:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(
                    self._executor, self._transaction_in_thread, batch, loop
                )
            async with self.engine.begin() as connection:
                outcomes = await connection.run_sync(self._apply, batch)
                if self.before_commit is not None:
                    await self.before_commit(batch)
                return outcomes

    def _transaction_in_thread(
        self, batch: Sequence[PendingAnswer], loop: asyncio.AbstractEventLoop
    ) -> list[RecordedAnswer | Exception]:
        assert self._sync_engine is not None
        with self._sync_engine.begin() as connection:
            outcomes = self._apply(connection, batch)
            hook = self.before_commit
            if hook is not None:

                async def call_hook() -> None:
                    await hook(batch)

                asyncio.run_coroutine_threadsafe(call_hook(), loop).result()
        return outcomes

    def _apply(
        self, connection: Connection, batch: Sequence[PendingAnswer]
    ) -> list[RecordedAnswer | Exception]:
        """Apply a batch in the caller's transaction, in arrival order, with a fixed
        number of statements however many answers it holds.

        Rows are read and locked in one global order (questions, then user totals, each
        by key; then upserts by key), so concurrent batches in other processes wait for
        each other instead of deadlocking. Taking the question rows first serialises
        answers to one question across processes: afterwards the events already stored
        and the first-correct claim are read as committed, and every decision (closed,
        already answered, first correct, streak) is made here, in order, exactly as one
        transaction per answer would have made it.
        """
        sql = self._sql
        qids = sorted({p.question.id for p in batch})
        questions = {row.id: row for row in connection.execute(sql.claim, {"qids": qids})}
        taken: set[tuple[int, int]] = {
            (row.question_id, row.user_id)
            for row in connection.execute(
                sql.taken, {"qids": qids, "users": sorted({p.user_id for p in batch})}
            )
        }
        ranked_keys = sorted({(p.question.guild_id, p.user_id) for p in batch if p.question.ranked})
        before: dict[tuple[int, int], tuple[int, int]] = {}
        if ranked_keys:
            before = {
                (row.guild_id, row.user_id): (row.points, row.streak)
                for row in connection.execute(sql.users, {"keys": ranked_keys})
            }

        first_of = {qid: row.first_correct_user for qid, row in questions.items()}
        streak_of = {key: streak for key, (_points, streak) in before.items()}
        counts: Counter[int] = Counter()
        claimed: dict[int, int] = {}
        events: list[dict[str, Any]] = []
        made: list[tuple[int, Points, bool, int]] = []  # (outcome index, points, first, streak)
        outcomes: list[RecordedAnswer | Exception | None] = []
        totals = _Deltas()
        for pending in batch:
            q = pending.question
            row = questions.get(q.id)
            if row is None or row.status != "open" or row.deadline <= pending.answered_at:
                outcomes.append(QuestionClosed())
                continue
            if (q.id, pending.user_id) in taken:
                outcomes.append(AlreadyAnswered())
                continue
            taken.add((q.id, pending.user_id))
            counts[q.id] += 1
            grade = pending.grade
            is_correct = grade.outcome == "correct"
            first = is_correct and q.ranked and first_of[q.id] is None
            if first:
                first_of[q.id] = claimed[q.id] = pending.user_id
            key = (q.guild_id, pending.user_id)
            streak_before = streak_of.get(key, 0) if q.ranked else 0
            elapsed = max(0.0, (pending.answered_at - q.opened_at).total_seconds())
            decision = decide(
                outcome=grade.outcome,
                score=grade.score,
                first_correct=first,
                streak_before=streak_before,
                elapsed=elapsed,
                time_limit=q.time_limit,
                difficulty=q.question.difficulty,
                ranked=q.ranked,
            )
            points, streak = decision.points, decision.streak
            events.append(
                {
                    "question_id": q.id,
                    "guild_id": q.guild_id,
                    "user_id": pending.user_id,
                    "kind": q.question.kind,
                    "reply": pending.reply[:REPLY_MAX],
                    "outcome": grade.outcome,
                    "score": grade.score,
                    "mistake": grade.mistake,
                    "points": points.total,
                    "first_correct": first,
                    "elapsed_ms": int(elapsed * 1000),
                    "answered_at": pending.answered_at,
                }
            )
            if q.ranked:
                streak_of[key] = streak
                totals.add(
                    q.guild_id,
                    pending.user_id,
                    q.question.kind,
                    week_number(pending.answered_at),
                    points.total,
                    is_correct,
                    streak,
                )
            made.append((len(outcomes), points, first, streak))
            outcomes.append(None)

        if events:
            inserted = connection.execute(sql.insert_answers, events)
            for (index, points, first, streak), event_id in zip(
                made, inserted.scalars(), strict=True
            ):
                grade = batch[index].grade
                outcomes[index] = RecordedAnswer(event_id, grade, points, first, streak)
            connection.execute(
                sql.count_answers,
                [
                    {"b_id": qid, "b_count": counts[qid], "b_first": claimed.get(qid)}
                    for qid in sorted(counts)
                ],
            )
        if totals.users:
            self._write_totals(connection, totals, before)
        assert all(outcome is not None for outcome in outcomes)
        return outcomes  # type: ignore[return-value]

    def _write_totals(
        self,
        connection: Connection,
        totals: _Deltas,
        before: dict[tuple[int, int], tuple[int, int]],
    ) -> None:
        """Add a batch's totals, and move its players in the rank histogram: each
        upsert returns the rows as they now are, so a player's old points are exact
        (new minus what this batch added) whatever else committed in between."""
        sql = self._sql
        histogram: Counter[tuple[int, int, int, int]] = Counter()
        rows = [{"guild_id": g, "user_id": u, **v} for (g, u), v in sorted(totals.users.items())]
        for row in connection.execute(sql.add_users, rows):
            key = (row.guild_id, row.user_id)
            old = _old_points(row, totals.users[key])
            known = before.get(key)
            if (old is None) != (known is None) or (known is not None and known[0] != old):
                raise _Conflict()  # the row changed since it was read: streaks may be stale
            _move(histogram, row.guild_id, ALL_TIME, old, row.points)
        rows = [
            {"guild_id": g, "week": w, "user_id": u, **v}
            for (g, w, u), v in sorted(totals.weekly.items())
        ]
        for row in connection.execute(sql.add_weekly, rows):
            delta = totals.weekly[(row.guild_id, row.week, row.user_id)]
            _move(histogram, row.guild_id, row.week, _old_points(row, delta), row.points)
        connection.execute(
            sql.add_kinds,
            [
                {"guild_id": g, "kind": k, "user_id": u, **v}
                for (g, k, u), v in sorted(totals.kinds.items())
            ],
        )
        connection.execute(
            sql.add_global,
            [{"user_id": u, **v} for (u,), v in sorted(totals.global_.items())],
        )
        changes = [
            {"guild_id": g, "week": w, "level": level, "bucket": bucket, "users": n}
            for (g, w, level, bucket), n in sorted(histogram.items())
            if n
        ]
        if changes:
            connection.execute(sql.add_histogram, changes)
        emptied = sorted(key for key, n in histogram.items() if n < 0)
        if emptied:
            connection.execute(sql.drop_empty, {"keys": emptied})

    # --- leaderboards and stats ----------------------------------------------------------

    async def _read(self, query: Callable[..., T], *args: Any) -> T:
        """Run a synchronous read, ``query(connection, *args)``, in one snapshot.

        On SQLite it runs whole in a reader thread on a plain sqlite3 connection (one
        hand-over instead of several per statement); on PostgreSQL through the async
        engine.
        """
        if self._reader is not None:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                self._read_executor, functools.partial(self._read_in_thread, query, *args)
            )
        async with self.engine.connect() as connection:
            return await connection.run_sync(query, *args)

    def _read_in_thread(self, query: Callable[..., T], *args: Any) -> T:
        assert self._reader is not None
        with self._reader.connect() as connection:
            return query(connection, *args)

    @_guard
    async def leaderboard(
        self,
        guild_id: int | None,
        *,
        scope: Scope = "all",
        kind: str | None = None,
        limit: int = 10,
        user_id: int | None = None,
        now: datetime | None = None,
    ) -> Board:
        """Top ``limit`` players, plus the asking user's own row wherever they stand
        (ranks: see ``bot.storage.boards``)."""
        week: int | None = None
        if guild_id is not None and scope == "week":
            if now is None:
                raise ValueError("a weekly board needs the current time")
            if kind is not None:
                return await boards.weekly_kind_board(
                    self.sessions, guild_id, kind, limit, user_id, now
                )
            week = week_number(now)
        return await self._read(boards.board, guild_id, kind, week, limit, user_id)

    @_guard
    async def user_stats(self, guild_id: int, user_id: int) -> UserStats:
        return await self._read(boards.stats, guild_id, user_id)

    # --- guild settings --------------------------------------------------------------

    @_guard
    async def guild_config(self, guild_id: int) -> GuildConfig:
        return await configs.guild_config(self.sessions, guild_id)

    @_guard
    async def update_config(self, guild_id: int, **changes: Any) -> GuildConfig:
        return await configs.update_config(self._writing, self.sessions, guild_id, changes)

    # --- rebuilding totals from the events ----------------------------------------------

    @_guard
    async def rescore(self) -> int:
        """Recompute every event's points with the current rule and rebuild all totals.

        Events are replayed in the order they were recorded, so streaks and first-correct
        bonuses come out as they would have live. Returns the number of events replayed.
        """
        async with self._writing() as session:
            questions = {row.id: row for row in await session.scalars(select(QuestionRow))}
            events = list(await session.scalars(select(AnswerEvent).order_by(AnswerEvent.id)))
            for model in (UserTotal, WeeklyTotal, KindTotal, GlobalTotal):
                await session.execute(delete(model))
            replay = _replay(events, questions)
            # Core statements, executemany: no ORM bookkeeping per row.
            await session.execute(update(_QUESTIONS).values(first_correct_user=None))
            if replay.first_correct:
                await session.execute(
                    update(_QUESTIONS)
                    .where(_QUESTIONS.c.id == bindparam("b_id"))
                    .values(first_correct_user=bindparam("b_user")),
                    [{"b_id": q, "b_user": u} for q, u in sorted(replay.first_correct.items())],
                )
            if replay.event_points:
                await session.execute(
                    update(_ANSWERS)
                    .where(_ANSWERS.c.id == bindparam("b_id"))
                    .values(points=bindparam("b_points"), first_correct=bindparam("b_first")),
                    [
                        {"b_id": event_id, "b_points": points, "b_first": first}
                        for event_id, (points, first) in sorted(replay.event_points.items())
                    ],
                )
            for table, rows in (
                (_USERS, replay.totals.users),
                (_WEEKLY, replay.totals.weekly),
                (_KINDS, replay.totals.kinds),
                (_GLOBAL, replay.totals.global_),
            ):
                await _insert_all(session, table, rows)
            await _rebuild_histograms(session)
            return len(events)

    @_guard
    async def totals_snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every totals and rank-histogram row, sorted: for proving rebuilt totals equal
        live ones."""
        snapshot: dict[str, list[tuple[Any, ...]]] = {}
        async with self.sessions() as session:
            for model in (
                UserTotal,
                WeeklyTotal,
                KindTotal,
                GlobalTotal,
                PointsHistogram,
            ):
                columns = list(model.__table__.columns)
                rows = (await session.execute(select(*columns))).all()
                snapshot[model.__tablename__] = sorted(tuple(r) for r in rows)
        return snapshot


@dataclass
class _Replay:
    totals: _Deltas = field(default_factory=lambda: _Deltas())
    first_correct: dict[int, int] = field(default_factory=dict)
    event_points: dict[int, tuple[int, bool]] = field(default_factory=dict)


def _bump(table: dict[Any, dict[str, int]], key: Any, points: int, correct: int) -> None:
    row = table.setdefault(key, {"points": 0, "answered": 0, "correct": 0})
    row["points"] += points
    row["answered"] += 1
    row["correct"] += correct


def _replay(events: Iterable[AnswerEvent], questions: dict[int, QuestionRow]) -> _Replay:
    out = _Replay()
    for event in events:
        question = questions[event.question_id]
        if not question.ranked:
            out.event_points[event.id] = (0, False)
            continue
        is_correct = event.outcome == "correct"
        first = is_correct and event.question_id not in out.first_correct
        if first:
            out.first_correct[event.question_id] = event.user_id
        decision = decide(
            outcome=event.outcome,
            score=event.score,
            first_correct=first,
            streak_before=out.totals.streak(event.guild_id, event.user_id),
            elapsed=event.elapsed_ms / 1000,
            time_limit=(question.deadline - question.opened_at).total_seconds(),
            difficulty=question.difficulty,
        )
        points = decision.points.total
        out.event_points[event.id] = (points, first)
        out.totals.add(
            event.guild_id,
            event.user_id,
            event.kind,
            week_number(event.answered_at),
            points,
            is_correct,
            decision.streak,
        )
    return out


async def _insert_all(session: AsyncSession, table: Table, rows: dict[Any, dict[str, int]]) -> None:
    if not rows:
        return
    keys = [c.name for c in table.primary_key.columns]
    await session.execute(
        insert(table),
        [dict(zip(keys, key, strict=True), **values) for key, values in sorted(rows.items())],
    )


# --- group commit helpers ------------------------------------------------------------------


def _fail(pending: PendingAnswer, reason: str) -> None:
    if not pending.future.done():
        pending.future.set_exception(StorageError(reason))


@dataclass
class _Deltas:
    """What one batch adds to each totals row, keyed like the tables."""

    users: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)
    weekly: dict[tuple[int, int, int], dict[str, int]] = field(default_factory=dict)
    kinds: dict[tuple[int, str, int], dict[str, int]] = field(default_factory=dict)
    global_: dict[tuple[int], dict[str, int]] = field(default_factory=dict)

    def add(
        self,
        guild_id: int,
        user_id: int,
        kind: str,
        week: int,
        points: int,
        is_correct: bool,
        streak: int,
    ) -> None:
        """Count one ranked answer: its points, and ``streak``, the player's streak
        after it."""
        correct = int(is_correct)
        _bump(self.users, (guild_id, user_id), points, correct)
        user = self.users[(guild_id, user_id)]
        user["streak"] = streak
        user["best_streak"] = max(user.get("best_streak", 0), streak)
        _bump(self.weekly, (guild_id, week, user_id), points, correct)
        _bump(self.kinds, (guild_id, kind, user_id), points, correct)
        _bump(self.global_, (user_id,), points, correct)

    def streak(self, guild_id: int, user_id: int) -> int:
        """The player's streak after the answers counted so far (0: none counted)."""
        return self.users.get((guild_id, user_id), {}).get("streak", 0)


def _old_points(row: Any, delta: dict[str, int]) -> int | None:
    """A row's points before this batch, from its values after it (None: it is new)."""
    return None if row.answered == delta["answered"] else int(row.points - delta["points"])


def _move(
    histogram: Counter[tuple[int, int, int, int]],
    guild_id: int,
    week: int,
    old: int | None,
    new: int,
) -> None:
    """Count one player of a board leaving ``old`` points (None: joining) for ``new``."""
    if old == new:
        return
    for level in RANK_LEVELS:
        if old is not None:
            histogram[(guild_id, week, level, old >> level)] -= 1
        histogram[(guild_id, week, level, new >> level)] += 1


class _Statements:
    """The group writer's statements, built once per dialect: building an upsert costs
    more than running it."""

    def __init__(self, dialect: str) -> None:
        pg = dialect == "postgresql"
        dml: Any = postgresql if pg else sqlite
        q, a, u, h = _QUESTIONS, _ANSWERS, _USERS, _HISTOGRAM
        claim = (
            select(q.c.id, q.c.status, q.c.deadline, q.c.first_correct_user)
            .where(q.c.id.in_(bindparam("qids", expanding=True)))
            .order_by(q.c.id)
        )
        self.claim = claim.with_for_update() if pg else claim
        self.taken = select(a.c.question_id, a.c.user_id).where(
            a.c.question_id.in_(bindparam("qids", expanding=True)),
            a.c.user_id.in_(bindparam("users", expanding=True)),
        )
        users = (
            select(u.c.guild_id, u.c.user_id, u.c.points, u.c.streak)
            .where(tuple_(u.c.guild_id, u.c.user_id).in_(bindparam("keys", expanding=True)))
            .order_by(u.c.guild_id, u.c.user_id)
        )
        self.users = users.with_for_update() if pg else users
        self.insert_answers = insert(a).returning(a.c.id, sort_by_parameter_order=True)
        self.count_answers = (
            update(q)
            .where(q.c.id == bindparam("b_id"))
            .values(
                answer_count=q.c.answer_count + bindparam("b_count"),
                first_correct_user=func.coalesce(
                    q.c.first_correct_user, bindparam("b_first", type_=BigInteger)
                ),
            )
        )
        counted = ("points", "answered", "correct")

        def add(table: Table, keys: list[str], extra: dict[str, Any] | None = None) -> Any:
            upsert = dml.insert(table)
            return upsert.on_conflict_do_update(
                index_elements=keys,
                set_={
                    **{name: table.c[name] + upsert.excluded[name] for name in counted},
                    **(extra or {}),
                },
            )

        upsert = dml.insert(u)
        best = func.greatest if pg else func.max
        self.add_users = add(
            u,
            ["guild_id", "user_id"],
            {
                "streak": upsert.excluded.streak,
                "best_streak": best(u.c.best_streak, upsert.excluded.best_streak),
            },
        ).returning(u.c.guild_id, u.c.user_id, u.c.points, u.c.answered)
        w = _WEEKLY
        self.add_weekly = add(w, ["guild_id", "week", "user_id"]).returning(
            w.c.guild_id, w.c.week, w.c.user_id, w.c.points, w.c.answered
        )
        self.add_kinds = add(_KINDS, ["guild_id", "kind", "user_id"])
        self.add_global = add(_GLOBAL, ["user_id"])
        upsert = dml.insert(h)
        self.add_histogram = upsert.on_conflict_do_update(
            index_elements=["guild_id", "week", "level", "bucket"],
            set_={"users": h.c.users + upsert.excluded.users},
        )
        self.drop_empty = delete(h).where(
            tuple_(h.c.guild_id, h.c.week, h.c.level, h.c.bucket).in_(
                bindparam("keys", expanding=True)
            ),
            h.c.users == 0,
        )


@functools.cache
def _statements(dialect: str) -> _Statements:
    return _Statements(dialect)


async def _rebuild_histograms(session: AsyncSession) -> None:
    """Count every totals row into the rank histogram again (after a rescore)."""
    await session.execute(delete(PointsHistogram))
    columns = ["guild_id", "week", "level", "bucket", "users"]
    for level in RANK_LEVELS:
        bucket = _USERS.c.points.op(">>")(level)
        await session.execute(
            insert(_HISTOGRAM).from_select(
                columns,
                select(
                    _USERS.c.guild_id, literal(ALL_TIME), literal(level), bucket, func.count()
                ).group_by(_USERS.c.guild_id, bucket),
            )
        )
        bucket = _WEEKLY.c.points.op(">>")(level)
        await session.execute(
            insert(_HISTOGRAM).from_select(
                columns,
                select(
                    _WEEKLY.c.guild_id, _WEEKLY.c.week, literal(level), bucket, func.count()
                ).group_by(_WEEKLY.c.guild_id, _WEEKLY.c.week, bucket),
            )
        )
