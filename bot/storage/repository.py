"""Every read and write the quiz needs, as transactions over the models.

Correctness under concurrency comes from the database, not from checks in Python:
one open question per channel is a partial unique index, one attempt per user a unique
constraint, the first correct answer a conditional UPDATE. Totals are updated in the
same transaction as the event they count, so they always equal what the events say.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, ParamSpec, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.question import Grade, Question, answer_key_to_dict, question_from_dict, question_to_dict
from bot.records import (
    AlreadyAnswered,
    AnswerSummary,
    Board,
    BoardRow,
    ChannelBusy,
    ClosedQuestion,
    GuildConfig,
    KindStats,
    OpenQuestion,
    QuestionClosed,
    RecordedAnswer,
    StorageError,
    UserStats,
)
from bot.scoring import Points, next_streak, score_answer
from bot.storage.models import (
    REPLY_MAX,
    AnswerEvent,
    GlobalTotal,
    GuildSettings,
    KindTotal,
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
    "QuestionClosed",
    "RecordedAnswer",
    "Repository",
    "StorageError",
    "UserStats",
]

P = ParamSpec("P")
T = TypeVar("T")

Scope = Literal["all", "week"]


def _guard(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Turn driver and connection failures into one short ``StorageError``."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except (OperationalError, DBAPIError) as error:
            if isinstance(error, IntegrityError):
                raise
            reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
            raise StorageError(f"the database is unavailable ({reason[:120]})") from error
        except (OSError, TimeoutError) as error:
            raise StorageError(
                f"the database is unreachable ({error.__class__.__name__})"
            ) from error

    return wrapper


def _open_from_row(row: QuestionRow) -> OpenQuestion:
    return OpenQuestion(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        message_id=row.message_id,
        question=question_from_dict(row.body),
        started_by=row.started_by,
        opened_at=row.opened_at,
        deadline=row.deadline,
        ranked=row.ranked,
        status=row.status,
        template_name=row.template_name,
        template_version=row.template_version,
    )


class Repository:
    """All persistence for one database; safe to share between coroutines."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._dialect = engine.dialect.name
        # SQLite has one writer at a time. Queuing writers here, in order, beats letting
        # many pooled connections spin in SQLite's busy handler, which under load can
        # starve one past its timeout ("database is locked"). PostgreSQL needs no queue.
        self._write_lock = asyncio.Lock() if self._dialect == "sqlite" else None

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: committed on success, rolled back on any error."""
        async with contextlib.AsyncExitStack() as stack:
            if self._write_lock is not None:
                await stack.enter_async_context(self._write_lock)
            session = await stack.enter_async_context(self.sessions.begin())
            yield session

    # --- upserts, the same call on SQLite and PostgreSQL ---------------------------------

    def _insert(self, model: type[Any]) -> Any:
        module = postgresql if self._dialect == "postgresql" else sqlite
        return module.insert(model)

    async def _add_totals(
        self,
        session: AsyncSession,
        model: type[Any],
        keys: dict[str, Any],
        points: int,
        correct: int,
    ) -> None:
        statement = self._insert(model).values(**keys, points=points, answered=1, correct=correct)
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={
                "points": model.points + points,
                "answered": model.answered + 1,
                "correct": model.correct + correct,
            },
        )
        await session.execute(statement)

    # --- questions -----------------------------------------------------------------------

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
        row = QuestionRow(
            guild_id=guild_id,
            channel_id=channel_id,
            kind=question.kind,
            code=question.code,
            template_name=template_name,
            template_version=template_version,
            difficulty=question.difficulty,
            params=question.params,
            answer_key=answer_key_to_dict(question.answer),
            body=question_to_dict(question),
            started_by=started_by,
            opened_at=opened_at,
            deadline=opened_at + timedelta(seconds=time_limit),
            status="open",
            ranked=ranked,
            answer_count=0,
        )
        try:
            async with self._writing() as session:
                session.add(row)
                await session.flush()
        except IntegrityError:
            raise ChannelBusy(await self.open_in_channel(channel_id)) from None
        return _open_from_row(row)

    @_guard
    async def set_message(self, question_id: int, message_id: int) -> None:
        async with self._writing() as session:
            await session.execute(
                update(QuestionRow)
                .where(QuestionRow.id == question_id)
                .values(message_id=message_id)
            )

    @_guard
    async def open_in_channel(self, channel_id: int) -> OpenQuestion | None:
        async with self.sessions() as session:
            row = await session.scalar(
                select(QuestionRow).where(
                    QuestionRow.channel_id == channel_id, QuestionRow.status == "open"
                )
            )
            return _open_from_row(row) if row else None

    @_guard
    async def get_question(self, question_id: int) -> OpenQuestion | None:
        async with self.sessions() as session:
            row = await session.get(QuestionRow, question_id)
            return _open_from_row(row) if row else None

    @_guard
    async def open_questions(
        self, guild_filter: Callable[[int], bool] | None = None
    ) -> list[OpenQuestion]:
        """Every open question (of the guilds ``guild_filter`` accepts), soonest first."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(QuestionRow)
                .where(QuestionRow.status == "open")
                .order_by(QuestionRow.deadline, QuestionRow.id)
            )
            return [
                _open_from_row(row)
                for row in rows
                if guild_filter is None or guild_filter(row.guild_id)
            ]

    @_guard
    async def close_question(
        self, question_id: int, closed_at: datetime, status: str = "closed"
    ) -> ClosedQuestion | None:
        """Close an open question; ``None`` when someone else already closed it."""
        async with self._writing() as session:
            result = await session.execute(
                update(QuestionRow)
                .where(QuestionRow.id == question_id, QuestionRow.status == "open")
                .values(status=status, closed_at=closed_at)
                .returning(QuestionRow.id)
            )
            if result.first() is None:
                return None
            row = await session.get(QuestionRow, question_id)
            assert row is not None
            await session.refresh(row)
            events = await session.scalars(
                select(AnswerEvent)
                .where(AnswerEvent.question_id == question_id)
                .order_by(AnswerEvent.id)
            )
            answers = tuple(
                AnswerSummary(e.user_id, e.outcome, e.mistake, e.points, e.first_correct)
                for e in events
            )
            return ClosedQuestion(_open_from_row(row), status, closed_at, answers)

    # --- answers -------------------------------------------------------------------------

    @_guard
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
        ``QuestionClosed``. ``not_an_answer`` grades must not reach this method."""
        async with self._writing() as session:
            return await self._record(session, open_question, user_id, reply, grade, answered_at)

    async def _record(
        self,
        session: AsyncSession,
        q: OpenQuestion,
        user_id: int,
        reply: str,
        grade: Grade,
        answered_at: datetime,
    ) -> RecordedAnswer:
        is_correct = grade.outcome == "correct"
        # Taking the question row first serialises answers to one question (row lock on
        # PostgreSQL, the write lock on SQLite) and claims the first-correct bonus
        # atomically; a closed or expired question updates nothing.
        claim = (
            update(QuestionRow)
            .where(
                QuestionRow.id == q.id,
                QuestionRow.status == "open",
                QuestionRow.deadline > answered_at,
            )
            .values(answer_count=QuestionRow.answer_count + 1)
            .returning(QuestionRow.first_correct_user)
        )
        claimed = (await session.execute(claim)).first()
        if claimed is None:
            raise QuestionClosed()
        first = False
        if is_correct and q.ranked and claimed[0] is None:
            await session.execute(
                update(QuestionRow).where(QuestionRow.id == q.id).values(first_correct_user=user_id)
            )
            first = True
        streak_before = 0
        if q.ranked:
            await session.execute(
                self._insert(UserTotal)
                .values(
                    guild_id=q.guild_id,
                    user_id=user_id,
                    points=0,
                    answered=0,
                    correct=0,
                    streak=0,
                    best_streak=0,
                )
                .on_conflict_do_nothing()
            )
            streak_before = (
                await session.scalar(
                    select(UserTotal.streak)
                    .where(UserTotal.guild_id == q.guild_id, UserTotal.user_id == user_id)
                    .with_for_update()
                )
            ) or 0
        elapsed = max(0.0, (answered_at - q.opened_at).total_seconds())
        points = (
            score_answer(
                difficulty=q.question.difficulty,
                outcome=grade.outcome,
                score=grade.score,
                elapsed=elapsed,
                time_limit=q.time_limit,
                first_correct=first,
                streak_before=streak_before,
            )
            if q.ranked
            else Points(0, 0, 0, 0)
        )
        event = AnswerEvent(
            question_id=q.id,
            guild_id=q.guild_id,
            user_id=user_id,
            kind=q.question.kind,
            reply=reply[:REPLY_MAX],
            outcome=grade.outcome,
            score=grade.score,
            mistake=grade.mistake,
            points=points.total,
            first_correct=first,
            elapsed_ms=int(elapsed * 1000),
            answered_at=answered_at,
        )
        session.add(event)
        try:
            await session.flush()
        except IntegrityError:
            raise AlreadyAnswered() from None
        streak = next_streak(grade.outcome, streak_before)
        if q.ranked:
            await self._apply_totals(
                session,
                q.guild_id,
                user_id,
                q.question.kind,
                answered_at,
                points.total,
                is_correct,
                streak,
            )
        return RecordedAnswer(event.id, grade, points, first, streak)

    async def _apply_totals(
        self,
        session: AsyncSession,
        guild_id: int,
        user_id: int,
        kind: str,
        moment: datetime,
        points: int,
        is_correct: bool,
        streak: int,
    ) -> None:
        correct = int(is_correct)
        await session.execute(
            update(UserTotal)
            .where(UserTotal.guild_id == guild_id, UserTotal.user_id == user_id)
            .values(
                points=UserTotal.points + points,
                answered=UserTotal.answered + 1,
                correct=UserTotal.correct + correct,
                streak=streak,
                best_streak=func.max(UserTotal.best_streak, streak)
                if self._dialect == "sqlite"
                else func.greatest(UserTotal.best_streak, streak),
            )
        )
        week = week_number(moment)
        await self._add_totals(
            session,
            WeeklyTotal,
            {"guild_id": guild_id, "week": week, "user_id": user_id},
            points,
            correct,
        )
        await self._add_totals(
            session,
            KindTotal,
            {"guild_id": guild_id, "kind": kind, "user_id": user_id},
            points,
            correct,
        )
        await self._add_totals(session, GlobalTotal, {"user_id": user_id}, points, correct)

    # --- leaderboards and stats ----------------------------------------------------------

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
        """Top ``limit`` players, plus the asking user's own row wherever they stand.

        Ranks are competition ranks: 1 + the number of players with more points.
        """
        model: Any
        filters: list[Any]
        if guild_id is None:
            model, filters = GlobalTotal, []
        elif kind is not None:
            model, filters = KindTotal, [KindTotal.guild_id == guild_id, KindTotal.kind == kind]
            if scope == "week":
                # Weekly boards per kind are rare; they are answered from the event log,
                # bounded by the guild and the week.
                return await self._weekly_kind_board(guild_id, kind, limit, user_id, now)
        elif scope == "week":
            if now is None:
                raise ValueError("a weekly board needs the current time")
            model = WeeklyTotal
            filters = [WeeklyTotal.guild_id == guild_id, WeeklyTotal.week == week_number(now)]
        else:
            model, filters = UserTotal, [UserTotal.guild_id == guild_id]
        async with self.sessions() as session:
            top = (
                await session.execute(
                    select(model.user_id, model.points, model.answered, model.correct)
                    .where(*filters)
                    .order_by(model.points.desc(), model.user_id)
                    .limit(limit)
                )
            ).all()
            rows = await self._ranked(session, model, filters, top)
            players = await session.scalar(select(func.count()).select_from(model).where(*filters))
            me = next((r for r in rows if r.user_id == user_id), None)
            if me is None and user_id is not None:
                mine = (
                    await session.execute(
                        select(model.user_id, model.points, model.answered, model.correct).where(
                            *filters, model.user_id == user_id
                        )
                    )
                ).first()
                if mine is not None:
                    me = (await self._ranked(session, model, filters, [mine]))[0]
            return Board(tuple(rows), me, players or 0)

    async def _ranked(
        self, session: AsyncSession, model: Any, filters: list[Any], rows: Sequence[Any]
    ) -> list[BoardRow]:
        ranked: list[BoardRow] = []
        rank_of: dict[int, int] = {}
        for user, points, answered, correct in rows:
            if points not in rank_of:
                above = await session.scalar(
                    select(func.count()).select_from(model).where(*filters, model.points > points)
                )
                rank_of[points] = (above or 0) + 1
            ranked.append(BoardRow(rank_of[points], user, points, answered, correct))
        return ranked

    async def _weekly_kind_board(
        self, guild_id: int, kind: str, limit: int, user_id: int | None, now: datetime | None
    ) -> Board:
        if now is None:
            raise ValueError("a weekly board needs the current time")
        weekday = now.isocalendar().weekday
        start = (now - timedelta(days=weekday - 1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        filters = [
            AnswerEvent.guild_id == guild_id,
            AnswerEvent.kind == kind,
            AnswerEvent.answered_at >= start,
        ]
        async with self.sessions() as session:
            grouped = (
                await session.execute(
                    select(
                        AnswerEvent.user_id,
                        func.sum(AnswerEvent.points).label("points"),
                        func.count().label("answered"),
                        func.sum(
                            func.cast(
                                AnswerEvent.outcome == "correct", type_=AnswerEvent.points.type
                            )
                        ),
                    )
                    .where(*filters)
                    .group_by(AnswerEvent.user_id)
                )
            ).all()
        ordered = sorted(grouped, key=lambda r: (-int(r[1]), r[0]))
        rows: list[BoardRow] = []
        rank = 0
        previous: int | None = None
        for position, (user, points, answered, correct) in enumerate(ordered, start=1):
            if points != previous:
                rank, previous = position, points
            rows.append(BoardRow(rank, user, int(points), int(answered), int(correct or 0)))
        me = next((r for r in rows if r.user_id == user_id), None)
        return Board(tuple(rows[:limit]), me, len(rows))

    @_guard
    async def user_stats(self, guild_id: int, user_id: int) -> UserStats:
        async with self.sessions() as session:
            total = await session.get(UserTotal, (guild_id, user_id))
            kinds = await session.scalars(
                select(KindTotal)
                .where(KindTotal.guild_id == guild_id, KindTotal.user_id == user_id)
                .order_by(KindTotal.kind)
            )
            by_kind = tuple(KindStats(k.kind, k.answered, k.correct, k.points) for k in kinds)
            mistakes = (
                await session.execute(
                    select(AnswerEvent.mistake, func.count())
                    .where(
                        AnswerEvent.guild_id == guild_id,
                        AnswerEvent.user_id == user_id,
                        AnswerEvent.mistake.is_not(None),
                    )
                    .group_by(AnswerEvent.mistake)
                    .order_by(func.count().desc(), AnswerEvent.mistake)
                    .limit(5)
                )
            ).all()
            rank = None
            if total is not None:
                above = await session.scalar(
                    select(func.count())
                    .select_from(UserTotal)
                    .where(UserTotal.guild_id == guild_id, UserTotal.points > total.points)
                )
                rank = (above or 0) + 1
            return UserStats(
                user_id=user_id,
                points=total.points if total else 0,
                answered=total.answered if total else 0,
                correct=total.correct if total else 0,
                streak=total.streak if total else 0,
                best_streak=total.best_streak if total else 0,
                rank=rank,
                by_kind=by_kind,
                mistakes=tuple((str(name), int(count)) for name, count in mistakes),
            )

    # --- guild settings ------------------------------------------------------------------

    @_guard
    async def guild_config(self, guild_id: int) -> GuildConfig:
        async with self.sessions() as session:
            row = await session.get(GuildSettings, guild_id)
            if row is None:
                return GuildConfig(guild_id)
            return GuildConfig(
                guild_id=guild_id,
                prefix=row.prefix,
                time_limit=row.time_limit,
                default_difficulty=row.default_difficulty,
                allowed_channels=tuple(row.allowed_channels or ()),
                starter_role_id=row.starter_role_id,
                language=row.language,
                pictures=row.pictures,
            )

    @_guard
    async def update_config(self, guild_id: int, **changes: Any) -> GuildConfig:
        allowed = {f for f in GuildConfig.__dataclass_fields__ if f != "guild_id"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        if "allowed_channels" in changes:
            changes["allowed_channels"] = list(changes["allowed_channels"])
        async with self._writing() as session:
            row = await session.get(GuildSettings, guild_id, with_for_update=True)
            if row is None:
                row = GuildSettings(guild_id=guild_id, allowed_channels=[], pictures=True)
                session.add(row)
            for name, value in changes.items():
                setattr(row, name, value)
        return await self.guild_config(guild_id)

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
            await session.execute(update(QuestionRow).values(first_correct_user=None))
            totals = _replay(events, questions)
            for question_id, user in totals.first_correct.items():
                await session.execute(
                    update(QuestionRow)
                    .where(QuestionRow.id == question_id)
                    .values(first_correct_user=user)
                )
            for event_id, (points, first) in totals.event_points.items():
                await session.execute(
                    update(AnswerEvent)
                    .where(AnswerEvent.id == event_id)
                    .values(points=points, first_correct=first)
                )
            _insert_all(session, UserTotal, totals.users)
            _insert_all(session, WeeklyTotal, totals.weekly)
            _insert_all(session, KindTotal, totals.kinds)
            _insert_all(session, GlobalTotal, totals.global_)
            await session.flush()
            return len(events)

    @_guard
    async def totals_snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every totals row, sorted: for proving rebuilt totals equal live ones."""
        snapshot: dict[str, list[tuple[Any, ...]]] = {}
        async with self.sessions() as session:
            for model in (UserTotal, WeeklyTotal, KindTotal, GlobalTotal):
                columns = list(model.__table__.columns)
                rows = (await session.execute(select(*columns))).all()
                snapshot[model.__tablename__] = sorted(tuple(r) for r in rows)
        return snapshot


@dataclass
class _Replay:
    users: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)
    weekly: dict[tuple[int, int, int], dict[str, int]] = field(default_factory=dict)
    kinds: dict[tuple[int, str, int], dict[str, int]] = field(default_factory=dict)
    global_: dict[tuple[int], dict[str, int]] = field(default_factory=dict)
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
        key = (event.guild_id, event.user_id)
        user = out.users.setdefault(
            key, {"points": 0, "answered": 0, "correct": 0, "streak": 0, "best_streak": 0}
        )
        is_correct = event.outcome == "correct"
        first = is_correct and event.question_id not in out.first_correct
        if first:
            out.first_correct[event.question_id] = event.user_id
        limit = (question.deadline - question.opened_at).total_seconds()
        points = score_answer(
            difficulty=question.difficulty,
            outcome=event.outcome,
            score=event.score,
            elapsed=event.elapsed_ms / 1000,
            time_limit=limit,
            first_correct=first,
            streak_before=user["streak"],
        ).total
        out.event_points[event.id] = (points, first)
        user["streak"] = next_streak(event.outcome, user["streak"])
        user["best_streak"] = max(user["best_streak"], user["streak"])
        user["points"] += points
        user["answered"] += 1
        user["correct"] += int(is_correct)
        correct = int(is_correct)
        _bump(
            out.weekly,
            (event.guild_id, week_number(event.answered_at), event.user_id),
            points,
            correct,
        )
        _bump(out.kinds, (event.guild_id, event.kind, event.user_id), points, correct)
        _bump(out.global_, (event.user_id,), points, correct)
    return out


def _insert_all(session: AsyncSession, model: type[Any], rows: dict[Any, dict[str, int]]) -> None:
    keys = [c.name for c in model.__table__.primary_key.columns]
    for key, values in rows.items():
        session.add(model(**dict(zip(keys, key, strict=True)), **values))
