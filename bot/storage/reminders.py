"""Practice reminders' rows: each member's setting and the once-a-day claim.

Stores only; ``bot.quiz.reminders`` decides when a reminder is due. A day is claimed by
inserting its (member, local date) row: the primary key lets exactly one insert win,
in any number of processes, before and after restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.core import guard
from bot.storage.learner_models import ReminderSend, ReminderSetting
from bot.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class Reminder:
    user_id: int
    enabled: bool
    at: time
    zone: str
    lang: str = "en"
    dms_closed_at: datetime | None = None


def _reminder(row: ReminderSetting) -> Reminder:
    hour, minute = row.at.split(":")
    at = time(int(hour), int(minute))
    return Reminder(row.user_id, row.enabled, at, row.zone, row.lang, row.dms_closed_at)


class ReminderStore:
    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self.sessions = repository.sessions
        self._writing = repository._writing

    @guard
    async def setting(self, user_id: int) -> Reminder | None:
        async with self.sessions() as session:
            row = await session.get(ReminderSetting, user_id)
            return None if row is None else _reminder(row)

    @guard
    async def save(self, reminder: Reminder) -> Reminder:
        async with self._writing() as session:
            row = await session.get(ReminderSetting, reminder.user_id, with_for_update=True)
            if row is None:
                row = ReminderSetting(user_id=reminder.user_id)
                session.add(row)
            row.enabled = reminder.enabled
            row.at = reminder.at.strftime("%H:%M")
            row.zone = reminder.zone
            row.lang = reminder.lang
            row.dms_closed_at = reminder.dms_closed_at
        return reminder

    @guard
    async def enabled(self) -> list[Reminder]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(ReminderSetting)
                .where(ReminderSetting.enabled.is_(True))
                .order_by(ReminderSetting.user_id)
            )
            return [_reminder(row) for row in rows]

    @guard
    async def is_claimed(self, user_id: int, local_date: date) -> bool:
        async with self.sessions() as session:
            return await session.get(ReminderSend, (user_id, local_date)) is not None

    @guard
    async def claim(self, user_id: int, local_date: date, claimed_at: datetime) -> bool:
        """Claim a member's day: True for the one process (and run) whose insert won."""
        try:
            async with self._writing() as session:
                session.add(
                    ReminderSend(
                        user_id=user_id,
                        local_date=local_date,
                        claimed_at=claimed_at,
                        status="claimed",
                    )
                )
                await session.flush()
        except IntegrityError:
            return False
        return True

    @guard
    async def mark(self, user_id: int, local_date: date, status: str) -> None:
        async with self._writing() as session:
            await session.execute(
                update(ReminderSend)
                .where(ReminderSend.user_id == user_id, ReminderSend.local_date == local_date)
                .values(status=status)
            )

    @guard
    async def sends(self, user_id: int) -> list[tuple[date, str]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(ReminderSend.local_date, ReminderSend.status)
                .where(ReminderSend.user_id == user_id)
                .order_by(ReminderSend.local_date)
            )
            return [(day, status) for day, status in rows]
