"""The question lifecycle: open, set its message, find open ones, close.

One open question per channel is a partial unique index: opening a second one fails in
the database, and the caller hears which question holds the channel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.engine.question import Question, pack_stored, question_to_dict
from bot.records import AnswerSummary, ChannelBusy, ClosedQuestion, GameRound, OpenQuestion
from bot.storage.core import QUESTIONS, Writing
from bot.storage.games import link_question
from bot.storage.models import AnswerEvent, QuestionRow


def open_from_row(row: Any) -> OpenQuestion:
    """An open question from a ``questions`` row, its ``body`` a mapping (an ORM row) or
    the JSON text (a row read with the body cast to text), packed as it is."""
    return OpenQuestion(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        message_id=row.message_id,
        packed=pack_stored(row.body),
        started_by=row.started_by,
        opened_at=row.opened_at,
        deadline=row.deadline,
        ranked=row.ranked,
        status=row.status,
        template_name=row.template_name,
        template_version=row.template_version,
        practice=row.practice,
        daily=bool(row.daily),
    )


async def open_question(
    writing: Writing,
    sessions: async_sessionmaker[AsyncSession],
    *,
    guild_id: int,
    channel_id: int,
    question: Question,
    started_by: int,
    opened_at: datetime,
    time_limit: float,
    ranked: bool,
    template_name: str | None,
    template_version: int | None,
    practice: bool = False,
    daily: bool = False,
    game_round: GameRound | None = None,
) -> OpenQuestion:
    """Store a new open question, or raise ``ChannelBusy`` with the one already open;
    a game's question is linked to its round in the same transaction."""
    row = QuestionRow(
        guild_id=guild_id,
        channel_id=channel_id,
        kind=question.kind,
        code=question.code,
        template_name=template_name,
        template_version=template_version,
        difficulty=question.difficulty,
        body=question_to_dict(question),
        started_by=started_by,
        opened_at=opened_at,
        deadline=opened_at + timedelta(seconds=time_limit),
        status="open",
        ranked=ranked,
        practice=practice,
        answer_count=0,
        daily=daily,
    )
    try:
        async with writing() as session:
            session.add(row)
            await session.flush()
            if game_round is not None:
                await link_question(session, game_round, row.id)
    except IntegrityError:
        raise ChannelBusy(await open_in_channel(sessions, channel_id)) from None
    return open_from_row(row)


async def set_message(writing: Writing, question_id: int, message_id: int) -> None:
    async with writing() as session:
        await session.execute(
            update(QuestionRow).where(QuestionRow.id == question_id).values(message_id=message_id)
        )


async def open_in_channel(
    sessions: async_sessionmaker[AsyncSession], channel_id: int
) -> OpenQuestion | None:
    async with sessions() as session:
        row = await session.scalar(
            select(QuestionRow).where(
                QuestionRow.channel_id == channel_id, QuestionRow.status == "open"
            )
        )
        return open_from_row(row) if row else None


async def open_questions(
    engine: AsyncEngine, guild_filter: Callable[[int], bool] | None
) -> list[OpenQuestion]:
    """Every open question (of the guilds ``guild_filter`` accepts), soonest first.

    Read in slices, with only the columns a question needs and its JSON body packed as
    text, not decoded (bot.engine.question.pack_stored), and only for accepted guilds: a
    restart with ten thousand questions open neither holds every row at once nor decodes
    a question before it is used.
    """
    q = QUESTIONS
    columns = [
        q.c.id,
        q.c.guild_id,
        q.c.channel_id,
        q.c.message_id,
        cast(q.c.body, Text).label("body"),  # packed as text, decoded when used
        q.c.started_by,
        q.c.opened_at,
        q.c.deadline,
        q.c.ranked,
        q.c.status,
        q.c.template_name,
        q.c.template_version,
        q.c.practice,
        q.c.daily,
    ]
    found: list[OpenQuestion] = []
    async with engine.connect() as connection:
        result = await connection.stream(
            select(*columns)
            .where(q.c.status == "open")
            .order_by(q.c.deadline, q.c.id)
            .execution_options(yield_per=500)
        )
        async for rows in result.partitions():
            found += [
                open_from_row(row)
                for row in rows
                if guild_filter is None or guild_filter(row.guild_id)
            ]
    return found


async def close_question(
    writing: Writing, question_id: int, closed_at: datetime, status: str
) -> ClosedQuestion | None:
    """Close an open question; ``None`` when someone else already closed it."""
    async with writing() as session:
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
            AnswerSummary(e.user_id, e.outcome, e.mistake, e.points, e.first_correct, e.hints)
            for e in events
        )
        return ClosedQuestion(open_from_row(row), status, closed_at, answers)
