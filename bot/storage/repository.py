"""Every read and write the quiz needs, as transactions over the models.

Correctness under concurrency comes from the database, not from checks in Python:
one open question per channel is a partial unique index, one attempt per user a unique
constraint. Totals are updated in the same transaction as the event they count, so they
always equal what the events say.

``Repository`` owns the engine, its sessions, the SQLite writer queue and the error
guard, and composes the parts that do the work: ``questions`` (the question
lifecycle), ``writer`` (group-committed answers), ``totals`` (totals and rank
histograms), ``boards`` (leaderboards and stats), ``configs`` (guild settings) and
``rescore`` (rebuilding totals from the events).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.engine.learning import CardState
from bot.engine.question import Grade, Question
from bot.errors import StorageError
from bot.records import (
    AlreadyAnswered,
    Board,
    BoardRow,
    ChannelBusy,
    ClosedQuestion,
    GameRound,
    GuildConfig,
    Misconception,
    OpenQuestion,
    PrivacyCounts,
    QuestionClosed,
    RecordedAnswer,
    SkillCount,
    SkillRecord,
    UserStats,
)
from bot.storage import boards, configs, hints, learner, privacy, questions, totals
from bot.storage import rescore as rescoring
from bot.storage.core import guard
from bot.storage.db import sync_engine_for
from bot.storage.hints import HintTake
from bot.storage.models import week_number
from bot.storage.writer import MAX_BATCH, AnswerWriter, PendingAnswer

__all__ = [
    "AlreadyAnswered",
    "Board",
    "BoardRow",
    "ChannelBusy",
    "ClosedQuestion",
    "GuildConfig",
    "HintTake",
    "OpenQuestion",
    "PendingAnswer",
    "QuestionClosed",
    "RecordedAnswer",
    "Repository",
    "Scope",
    "StorageError",
    "UserStats",
]

T = TypeVar("T")

Scope = Literal["all", "week"]

# SQLite reader threads (and connections) for boards and stats.
READERS = 2


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
        # SQLite: boards and stats read in threads (see ``_read``).
        self._reader = sync_engine_for(engine, writer=False, connections=READERS)
        self._read_executor = (
            ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="convquiz-reader")
            if self._reader is not None
            else None
        )
        self.answers = AnswerWriter(engine, self._exclusive, max_batch=max_batch)

    # --- the writer's knobs and counters (tests and benchmarks) ----------------------

    @property
    def max_batch(self) -> int:
        return self.answers.max_batch

    @property
    def before_commit(self) -> Callable[[Sequence[PendingAnswer]], Awaitable[None]] | None:
        """Fault injection: awaited with each batch after its statements ran and before
        COMMIT."""
        return self.answers.before_commit

    @before_commit.setter
    def before_commit(
        self, hook: Callable[[Sequence[PendingAnswer]], Awaitable[None]] | None
    ) -> None:
        self.answers.before_commit = hook

    @property
    def commits(self) -> int:
        return self.answers.commits

    @property
    def committed_answers(self) -> int:
        return self.answers.committed_answers

    @property
    def _writer(self) -> asyncio.Task[None] | None:
        """The running writer task, if any."""
        return self.answers.task

    def _write_totals(
        self,
        connection: Connection,
        deltas: totals.Deltas,
        before: dict[tuple[int, int], tuple[int, int]],
    ) -> None:
        """The writer's totals step on its own (the rank tests drive it directly)."""
        totals.write_totals(connection, deltas, before)

    # --- transactions ----------------------------------------------------------------

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

    @guard
    async def ping(self) -> None:
        """A trivial query (health checks); ``StorageError`` when the database is down."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    # --- questions -------------------------------------------------------------------

    @guard
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
        practice: bool = False,
        daily: bool = False,
        game_round: GameRound | None = None,
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
            practice=practice,
            daily=daily,
            game_round=game_round,
        )

    @guard
    async def set_message(self, question_id: int, message_id: int) -> None:
        await questions.set_message(self._writing, question_id, message_id)

    @guard
    async def open_in_channel(self, channel_id: int) -> OpenQuestion | None:
        return await questions.open_in_channel(self.sessions, channel_id)

    @guard
    async def open_questions(
        self, guild_filter: Callable[[int], bool] | None = None
    ) -> list[OpenQuestion]:
        """Every open question (of the guilds ``guild_filter`` accepts), soonest first."""
        return await questions.open_questions(self.engine, guild_filter)

    @guard
    async def close_question(
        self, question_id: int, closed_at: datetime, status: str = "closed"
    ) -> ClosedQuestion | None:
        """Close an open question; ``None`` when someone else already closed it."""
        return await questions.close_question(self._writing, question_id, closed_at, status)

    # --- answers ---------------------------------------------------------------------

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
        return await self.answers.record(open_question, user_id, reply, grade, answered_at)

    async def warm_up(self) -> None:
        """Prepare the answer writer's statements before the first answers arrive
        (``AnswerWriter.warm_up``: nothing is stored)."""
        await self.answers.warm_up()

    async def close(self) -> None:
        """Wait until every queued answer is committed (or has failed), then let go of
        the SQLite connections of the writer and readers (later use opens them again)."""
        await self.answers.close()
        if self._reader is not None:
            self._reader.dispose()

    # --- hints -----------------------------------------------------------------------

    @guard
    async def take_hint(
        self, question_id: int, user_id: int, *, available: int, taken_at: datetime
    ) -> HintTake:
        """Count one more hint (at most ``available``) unless the player has answered."""
        return await hints.take(self._writing, question_id, user_id, available, taken_at)

    @guard
    async def give_back_hint(self, question_id: int, user_id: int, count: int) -> bool:
        """Undo hint number ``count`` if it is still the last one taken and unanswered."""
        return await hints.give_back(self._writing, question_id, user_id, count)

    # --- leaderboards and stats ------------------------------------------------------

    @guard
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

    @guard
    async def user_stats(self, guild_id: int, user_id: int) -> UserStats:
        return await self._read(boards.stats, guild_id, user_id)

    # --- guild settings --------------------------------------------------------------

    @guard
    async def guild_config(self, guild_id: int) -> GuildConfig:
        return await configs.guild_config(self.sessions, guild_id)

    @guard
    async def update_config(self, guild_id: int, **changes: Any) -> GuildConfig:
        return await configs.update_config(self._writing, self.sessions, guild_id, changes)

    # --- rebuilding totals from the events -------------------------------------------

    @guard
    async def rescore(self) -> int:
        """Recompute every event's points with the current rule and rebuild all totals.
        Returns the number of events replayed."""
        async with self._writing() as session:
            return await rescoring.rescore(session)

    @guard
    async def totals_snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every totals and rank-histogram row, sorted: for proving rebuilt totals equal
        live ones."""
        async with self.sessions() as session:
            return await rescoring.totals_snapshot(session)

    # --- the learner model ----------------------------------------------------------

    @guard
    async def learner_cards(self, user_id: int) -> dict[str, CardState]:
        async with self.sessions() as session:
            return await learner.cards(session, user_id)

    @guard
    async def skill_records(self, user_id: int) -> list[SkillRecord]:
        async with self.sessions() as session:
            return await learner.skill_records(session, user_id)

    @guard
    async def misconceptions(self, user_id: int, skill: str) -> list[Misconception]:
        async with self.sessions() as session:
            return await learner.misconceptions(session, user_id, skill)

    @guard
    async def guild_skills(self, guild_id: int, since: datetime) -> list[SkillCount]:
        async with self.sessions() as session:
            return await learner.guild_skills(session, guild_id, since)

    @guard
    async def wrong_codes(self, user_id: int, limit: int = 5) -> list[str]:
        async with self.sessions() as session:
            return await learner.wrong_codes(session, user_id, limit)

    # --- a member's own data ---------------------------------------------------------

    @guard
    async def privacy_counts(self, user_id: int) -> PrivacyCounts:
        """How many stored rows of each kind name ``user_id``."""
        async with self.sessions() as session:
            return await privacy.counts(session, user_id)

    @guard
    async def privacy_export(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every stored row that names ``user_id``, JSON-ready, per table."""
        async with self.sessions() as session:
            return await privacy.export_rows(session, user_id)

    @guard
    async def privacy_delete(self, user_id: int) -> PrivacyCounts:
        """Delete ``user_id``'s events and totals and unname the rest, in one
        transaction that leaves every total equal to a full rescore; what there was."""
        async with self._writing() as session:
            return await privacy.delete_user(session, user_id)
