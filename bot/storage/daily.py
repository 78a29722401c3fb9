"""The question of the day's rows: guild settings, the per-day claim, daily answers.

Stores only; ``bot.quiz.daily`` decides when a day is due and what to ask. A day is
claimed by inserting its (guild, local date) row: the unique constraint lets exactly
one insert win, in any number of processes on one database, before and after restarts.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.engine.daily import DailySetting
from bot.storage.core import guard
from bot.storage.daily_models import DailyPost, DailySettings
from bot.storage.models import AnswerEvent
from bot.storage.repository import Repository


def _setting(row: DailySettings) -> DailySetting:
    at = None
    if row.at is not None:
        hour, minute = row.at.split(":")
        at = time(int(hour), int(minute))
    return DailySetting(
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        at=at,
        zone=row.zone,
        window_minutes=row.window_minutes,
        ramp=row.ramp,
    )


class DailyStore:
    def __init__(self, repository: Repository) -> None:
        self.sessions = repository.sessions
        # SQLite's in-process writer queue; committed on success, rolled back on error.
        self._writing = repository._writing

    # --- settings ----------------------------------------------------------------------

    @guard
    async def setting(self, guild_id: int) -> DailySetting:
        async with self.sessions() as session:
            row = await session.get(DailySettings, guild_id)
            return DailySetting(guild_id) if row is None else _setting(row)

    @guard
    async def active(self) -> list[DailySetting]:
        """Every guild whose question of the day is on."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(DailySettings)
                .where(DailySettings.channel_id.is_not(None))
                .order_by(DailySettings.guild_id)
            )
            return [_setting(row) for row in rows]

    @guard
    async def save(self, setting: DailySetting) -> DailySetting:
        """Write the whole setting in one transaction (insert or update)."""
        async with self._writing() as session:
            row = await session.get(DailySettings, setting.guild_id, with_for_update=True)
            if row is None:
                row = DailySettings(guild_id=setting.guild_id)
                session.add(row)
            row.channel_id = setting.channel_id
            row.at = None if setting.at is None else setting.at.strftime("%H:%M")
            row.zone = setting.zone
            row.window_minutes = setting.window_minutes
            row.ramp = setting.ramp
        return setting

    # --- the claim of one day ----------------------------------------------------------

    @guard
    async def is_claimed(self, guild_id: int, local_date: date) -> bool:
        async with self.sessions() as session:
            found = await session.scalar(
                select(DailyPost.id).where(
                    DailyPost.guild_id == guild_id, DailyPost.local_date == local_date
                )
            )
            return found is not None

    @guard
    async def claim(
        self, guild_id: int, local_date: date, channel_id: int, claimed_at: datetime
    ) -> int | None:
        """Claim a day for this process: the claim's id, or None when another process
        (or an earlier run of this one) already has it."""
        row = DailyPost(
            guild_id=guild_id,
            local_date=local_date,
            channel_id=channel_id,
            claimed_at=claimed_at,
            status="claimed",
        )
        try:
            async with self._writing() as session:
                session.add(row)
                await session.flush()
        except IntegrityError:
            return None
        return row.id

    @guard
    async def release(self, claim_id: int) -> None:
        """Give a claim back before anything was posted (the channel was busy): the day
        may still be posted within its window."""
        async with self._writing() as session:
            await session.execute(delete(DailyPost).where(DailyPost.id == claim_id))

    @guard
    async def mark(self, claim_id: int, status: str, question_id: int | None = None) -> None:
        values: dict[str, object] = {"status": status}
        if question_id is not None:
            values["question_id"] = question_id
        async with self._writing() as session:
            await session.execute(update(DailyPost).where(DailyPost.id == claim_id).values(values))

    @guard
    async def posts(self, guild_id: int) -> list[tuple[date, str]]:
        """Every claimed day of a guild and what became of it, oldest first."""
        async with self.sessions() as session:
            rows = await session.execute(
                select(DailyPost.local_date, DailyPost.status)
                .where(DailyPost.guild_id == guild_id)
                .order_by(DailyPost.local_date)
            )
            return [(day, status) for day, status in rows]

    # --- streaks -----------------------------------------------------------------------

    @guard
    async def answered_dates(self, guild_id: int, user_id: int) -> list[date]:
        """The local dates whose question of the day ``user_id`` answered in a guild."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(DailyPost.local_date)
                .join(AnswerEvent, AnswerEvent.question_id == DailyPost.question_id)
                .where(
                    DailyPost.guild_id == guild_id,
                    AnswerEvent.guild_id == guild_id,
                    AnswerEvent.user_id == user_id,
                )
                .distinct()
            )
            return sorted(rows)
