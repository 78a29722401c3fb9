"""Hints taken: stored when taken, so a restart before the player answers keeps them.

One row per (question, player) counts the hints they have seen. Taking one locks the
question row first, as the answer writer does (PostgreSQL; SQLite's writer queue
serialises every write), so a hint and an answer of the same player are ordered: a
hint taken after the answer was stored is refused, and one taken before it is on the
answer event the writer inserts (``bot.storage.writer``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.core import ANSWERS, QUESTIONS, Writing
from bot.storage.models import HintTaking

__all__ = ["HINTS", "HintTake", "give_back", "take"]

HINTS: Table = HintTaking.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class HintTake:
    """What asking for a hint did: ``taken`` (the count is the hint's number), ``all_taken``
    (nothing more to show), ``answered`` (the player answered already: no hint now)."""

    status: Literal["taken", "all_taken", "answered"]
    count: int


async def _locked_state(
    session: AsyncSession, question_id: int, user_id: int
) -> tuple[bool, int | None]:
    """(answered already, hints taken or None) with the question row locked."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(QUESTIONS.c.id).where(QUESTIONS.c.id == question_id).with_for_update()
        )
    answered = await session.scalar(
        select(ANSWERS.c.id).where(
            ANSWERS.c.question_id == question_id, ANSWERS.c.user_id == user_id
        )
    )
    count = await session.scalar(
        select(HINTS.c.hints).where(HINTS.c.question_id == question_id, HINTS.c.user_id == user_id)
    )
    return answered is not None, count


async def take(
    writing: Writing, question_id: int, user_id: int, available: int, taken_at: datetime
) -> HintTake:
    """Count one more hint for ``user_id`` on ``question_id`` (at most ``available``)."""
    async with writing() as session:
        answered, count = await _locked_state(session, question_id, user_id)
        if answered:
            return HintTake("answered", count or 0)
        if count is not None and count >= available:
            return HintTake("all_taken", count)
        if count is None:
            await session.execute(
                insert(HINTS).values(
                    question_id=question_id, user_id=user_id, hints=1, taken_at=taken_at
                )
            )
            return HintTake("taken", 1)
        await session.execute(
            update(HINTS)
            .where(HINTS.c.question_id == question_id, HINTS.c.user_id == user_id)
            .values(hints=count + 1, taken_at=taken_at)
        )
        return HintTake("taken", count + 1)


async def give_back(writing: Writing, question_id: int, user_id: int, count: int) -> bool:
    """Undo hint number ``count`` (it could not be delivered), unless the player has
    answered since (their answer counted it) or took another. Whether it was undone."""
    async with writing() as session:
        answered, now = await _locked_state(session, question_id, user_id)
        if answered or now != count:
            return False
        where = (HINTS.c.question_id == question_id, HINTS.c.user_id == user_id)
        if count <= 1:
            await session.execute(delete(HINTS).where(*where))
        else:
            await session.execute(update(HINTS).where(*where).values(hints=count - 1))
        return True
