"""Per-day history of one player, for the stats chart. Reads only that player's events
of the last days (the ``ix_answers_guild_user`` index), never the whole log."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select

from bot.storage.core import guard
from bot.storage.models import AnswerEvent
from bot.storage.repository import Repository


@guard
async def points_by_day(
    repository: Repository, guild_id: int, user_id: int, since: datetime
) -> list[tuple[date, int]]:
    """(UTC day, points earned that day) for the days with answers since ``since``."""
    async with repository.sessions() as session:
        rows = await session.execute(
            select(AnswerEvent.answered_at, AnswerEvent.points).where(
                AnswerEvent.guild_id == guild_id,
                AnswerEvent.user_id == user_id,
                AnswerEvent.answered_at >= since,
            )
        )
        days: dict[date, int] = defaultdict(int)
        for answered_at, points in rows:
            days[answered_at.date()] += points
    return sorted(days.items())
