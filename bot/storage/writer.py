"""The group-commit answer writer.

``record`` queues an answer and waits; one writer task takes everything queued
(whatever arrived while the previous commit was in flight), applies it in one
transaction with a handful of set-based statements, commits, and only then resolves
each caller. An answer whose caller heard "recorded" is on disk; one that was not
acknowledged may be lost but is never half-applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, bindparam, func, insert, select, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.engine.question import Grade
from bot.engine.scoring import Points, decide
from bot.engine.skills import skill_for
from bot.errors import StorageError
from bot.records import AlreadyAnswered, OpenQuestion, QuestionClosed, RecordedAnswer
from bot.storage.core import ANSWERS, QUESTIONS, USERS, guard
from bot.storage.db import sync_engine_for
from bot.storage.hints import HINTS
from bot.storage.learner import Review, write_reviews
from bot.storage.models import REPLY_MAX, week_number
from bot.storage.totals import Conflict, Deltas, write_totals
from bot.storage.warm_up import open_throwaway_question

log = logging.getLogger(__name__)

# Most answers one transaction takes; the rest wait for the next commit.
MAX_BATCH = 500
# Slow start: the first transaction after the writer was idle takes at most this many,
# and each one after it twice as many as the one before (up to MAX_BATCH). A burst's
# first answers are then committed, and acknowledged, while the rest still arrives
# (bench/burst.py: the first answer of each of 20 channels waited for a 300-answer
# transaction, about 190 ms under the burst); a long queue still goes in few commits.
FIRST_BATCH = 64
# PostgreSQL: deadlock and serialization failures are worth one more try.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
_ATTEMPTS = 3

Outcomes = list[RecordedAnswer | Exception]
# Told of each committed batch: its size, the seconds its commit took, and the grade
# outcome of each answer it stored. Storage knows no metrics library; ops passes one.
CommitObserver = Callable[[int, float, Sequence[str]], None]


@dataclass(eq=False, slots=True)
class PendingAnswer:
    """One answer waiting for the writer; ``future`` resolves once it is committed."""

    question: OpenQuestion
    user_id: int
    reply: str
    grade: Grade
    answered_at: datetime
    future: asyncio.Future[RecordedAnswer]


def _fail(pending: PendingAnswer, reason: str) -> None:
    if not pending.future.done():
        pending.future.set_exception(StorageError(reason))


class _WriterSql:
    """The writer's reads and event statements, built once per dialect."""

    def __init__(self, dialect: str) -> None:
        pg = dialect == "postgresql"
        q, a, u = QUESTIONS, ANSWERS, USERS
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
        h = HINTS  # hints taken before answering (bot.storage.hints)
        self.hints = select(h.c.question_id, h.c.user_id, h.c.hints).where(
            h.c.question_id.in_(bindparam("qids", expanding=True)),
            h.c.user_id.in_(bindparam("users", expanding=True)),
        )
        users = (
            select(u.c.guild_id, u.c.user_id, u.c.points, u.c.streak)
            .where(tuple_(u.c.guild_id, u.c.user_id).in_(bindparam("keys", expanding=True)))
            .order_by(u.c.guild_id, u.c.user_id)
        )
        self.users = users.with_for_update() if pg else users
        # Each id comes back with its (question, user) pair, unique per answer, rather than
        # in parameter order: SQLite cannot sort insertmanyvalues' RETURNING without a
        # sentinel column, so SQLAlchemy would send one INSERT per answer (2,667 of them,
        # a third of the writer's time in the burst benchmark).
        self.insert_answers = insert(a).returning(a.c.id, a.c.question_id, a.c.user_id)
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


@functools.cache
def _writer_sql(dialect: str) -> _WriterSql:
    return _WriterSql(dialect)


class AnswerWriter:
    """The answer queue of one repository and the task that commits it."""

    def __init__(
        self,
        engine: AsyncEngine,
        exclusive: Callable[[], contextlib.AbstractAsyncContextManager[None]],
        *,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.engine = engine
        self._exclusive = exclusive
        self._sql = _writer_sql(engine.dialect.name)
        # SQLite: the writer's own synchronous engine and thread (see ``_transaction``);
        # None for PostgreSQL and in-memory databases.
        self._sync_engine = sync_engine_for(engine, writer=True)
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="convquiz-writer")
            if self._sync_engine is not None
            else None
        )
        # Answers wait here for the writer task, which runs only while there is
        # something to write (so there is nothing to start, and an idle repository
        # holds no task).
        self.max_batch = max_batch
        self._queue: deque[PendingAnswer] = deque()
        self.task: asyncio.Task[None] | None = None
        # Fault injection for tests: awaited with each batch after its statements ran and
        # before COMMIT. Raising there is a writer that died between gather and commit.
        self.before_commit: Callable[[Sequence[PendingAnswer]], Awaitable[None]] | None = None
        # Counters for benchmarks: transactions committed and answers they carried.
        self.commits = 0
        self.committed_answers = 0
        self.on_commit: CommitObserver | None = None

    async def record(
        self,
        open_question: OpenQuestion,
        user_id: int,
        reply: str,
        grade: Grade,
        answered_at: datetime,
    ) -> RecordedAnswer:
        loop = asyncio.get_running_loop()
        pending = PendingAnswer(
            open_question, user_id, reply, grade, answered_at, loop.create_future()
        )
        self._queue.append(pending)
        if self.task is None:
            self.task = loop.create_task(self._write_loop(), name="convquiz-answer-writer")
        return await pending.future

    async def warm_up(self) -> None:
        """Take four answers to a throwaway question through every statement of a batch,
        in a transaction that is rolled back: SQLAlchemy compiles each statement on first
        use (about 15 ms on an idle bot, over 100 ms when a burst's parsing competes for
        the interpreter lock), which the first answers after a start should not wait
        for. Nothing is stored; a failed warm-up leaves a writer that is only slower."""
        if self.task is not None:  # answers are being written already: they warm it
            return
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in range(4)]
        try:
            async with self._exclusive():
                if self._sync_engine is not None:
                    await loop.run_in_executor(self._executor, self._warm_in_thread, futures)
                else:
                    async with self.engine.connect() as connection:
                        transaction = await connection.begin()
                        await connection.run_sync(self._warm, futures)
                        await transaction.rollback()
        except Exception:
            log.debug("the answer writer's warm-up failed", exc_info=True)

    def _warm_in_thread(self, futures: list[asyncio.Future[RecordedAnswer]]) -> None:
        assert self._sync_engine is not None
        with self._sync_engine.connect() as connection:
            transaction = connection.begin()
            self._warm(connection, futures)
            transaction.rollback()

    def _warm(self, connection: Connection, futures: list[asyncio.Future[RecordedAnswer]]) -> None:
        opened, replies = open_throwaway_question(connection)
        batch = [
            PendingAnswer(opened, user, reply, grade, opened.opened_at, future)
            for user, ((reply, grade), future) in enumerate(zip(replies, futures, strict=True), 1)
        ]
        # A batch of one answer and one of three: SQLAlchemy compiles a statement for one
        # row and for many separately.
        self._apply(connection, batch[:1])
        self._apply(connection, batch[1:])

    async def close(self) -> None:
        """Wait until every queued answer is committed (or has failed), then let go of
        the writer's own SQLite connection (a later answer opens it again)."""
        while (task := self.task) is not None:
            await asyncio.wait({task})
        if self._sync_engine is not None:
            self._sync_engine.dispose()

    async def _write_loop(self) -> None:
        most = FIRST_BATCH
        try:
            while self._queue:
                take = min(len(self._queue), most, self.max_batch)
                batch = [self._queue.popleft() for _ in range(take)]
                await self._write_batch(batch)
                most *= 2
        except BaseException:
            # Cancelled (the process is stopping): nothing left is acknowledged.
            while self._queue:
                _fail(self._queue.popleft(), "the answer writer stopped")
            raise
        finally:
            self.task = None

    async def _write_batch(self, batch: list[PendingAnswer]) -> None:
        started = time.perf_counter()
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
        self._report(batch, outcomes, time.perf_counter() - started)
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.future.done():  # its caller gave up waiting
                continue
            if isinstance(outcome, Exception):
                pending.future.set_exception(outcome)
            else:
                pending.future.set_result(outcome)

    def _report(self, batch: Sequence[PendingAnswer], outcomes: Outcomes, seconds: float) -> None:
        stored = [o.grade.outcome for o in outcomes if isinstance(o, RecordedAnswer)]
        places = {(p.question.guild_id, p.question.channel_id) for p in batch}
        guild_id, channel_id = next(iter(places)) if len(places) == 1 else (None, None)
        # Debug, not info: a busy bot commits many times a second, and the line cost
        # 0.18 ms each (0.66 s of the writer's 1.6 s in the peer benchmark's profile);
        # the commit metrics count every one.
        log.debug(
            "committed %d answers (%d stored) in %.1f ms",
            len(batch),
            len(stored),
            seconds * 1000,
            extra={"guild_id": guild_id, "channel_id": channel_id},
        )
        if self.on_commit is not None:
            try:
                self.on_commit(len(batch), seconds, stored)
            except Exception:  # an observer must never cost an answer
                log.exception("the commit observer failed")

    @guard
    async def _commit_batch(self, batch: Sequence[PendingAnswer]) -> Outcomes:
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return await self._transaction(batch)
            except IntegrityError:
                # Only a writer that bypassed the question lock gets here; redo the
                # batch one answer per transaction so the offender fails alone.
                return await self._commit_one_by_one(batch)
            except Conflict:
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

    async def _commit_one_by_one(self, batch: Sequence[PendingAnswer]) -> Outcomes:
        outcomes: Outcomes = []
        for pending in batch:
            try:
                outcomes += await self._transaction([pending])
            except IntegrityError:
                outcomes.append(AlreadyAnswered())
        return outcomes

    async def _transaction(self, batch: Sequence[PendingAnswer]) -> Outcomes:
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
    ) -> Outcomes:
        assert self._sync_engine is not None
        with self._sync_engine.begin() as connection:
            outcomes = self._apply(connection, batch)
            hook = self.before_commit
            if hook is not None:

                async def call_hook() -> None:
                    await hook(batch)

                asyncio.run_coroutine_threadsafe(call_hook(), loop).result()
        return outcomes

    def _apply(self, connection: Connection, batch: Sequence[PendingAnswer]) -> Outcomes:
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
        users = sorted({p.user_id for p in batch})
        taken: set[tuple[int, int]] = {
            (row.question_id, row.user_id)
            for row in connection.execute(sql.taken, {"qids": qids, "users": users})
        }
        hints_of: dict[tuple[int, int], int] = {
            (row.question_id, row.user_id): row.hints
            for row in connection.execute(sql.hints, {"qids": qids, "users": users})
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
        totals = Deltas()
        reviews: list[Review] = []
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
            elapsed = max(0.0, (pending.answered_at - q.opened_at).total_seconds())
            decision = decide(
                outcome=grade.outcome,
                score=grade.score,
                first_correct=first,
                streak_before=streak_of.get(key, 0) if q.ranked else 0,
                elapsed=elapsed,
                time_limit=q.time_limit,
                difficulty=q.question.difficulty,
                ranked=q.ranked,
                hints=hints_of.get((q.id, pending.user_id), 0),
                daily=q.daily,
            )
            points, streak = decision.points, decision.streak
            skill = skill_for(q.question, q.template_name)
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
                    "skill": skill,
                    "points": points.total,
                    "first_correct": first,
                    "elapsed_ms": int(elapsed * 1000),
                    "answered_at": pending.answered_at,
                    "hints": hints_of.get((q.id, pending.user_id), 0),
                }
            )
            if q.ranked or q.practice:
                reviews.append(
                    Review(
                        pending.user_id,
                        skill,
                        grade.outcome,
                        grade.mistake,
                        elapsed,
                        0.0 if q.practice else q.time_limit,  # practice is untimed
                        pending.answered_at,
                        hints_of.get((q.id, pending.user_id), 0),
                    )
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
            ids = {(row.question_id, row.user_id): row.id for row in inserted}
            for index, points, first, streak in made:
                pending = batch[index]
                event_id = ids[(pending.question.id, pending.user_id)]
                outcomes[index] = RecordedAnswer(event_id, pending.grade, points, first, streak)
            connection.execute(
                sql.count_answers,
                [
                    {"b_id": qid, "b_count": counts[qid], "b_first": claimed.get(qid)}
                    for qid in sorted(counts)
                ],
            )
        if totals.users:
            write_totals(connection, totals, before)
        write_reviews(connection, reviews)
        assert all(outcome is not None for outcome in outcomes)
        return outcomes  # type: ignore[return-value]
