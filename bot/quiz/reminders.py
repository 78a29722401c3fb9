"""Practice reminders: at most one direct message a day, when practice is worth it.

Off unless a member turns it on (``!practice remind on [HH:MM] [time zone]``). At their
local time, when at least three of their skills are due for review, one direct message
says so. The day is claimed by a unique row before the message goes, so it is sent at
most once a day however many processes run and however often they restart; a bot that
was down at the time still sends it within ``SEND_WINDOW``, and a day missed entirely is
skipped. When the member's direct messages are closed, the reminder is switched off and
they are told so the next time they use the bot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.engine import daily as rules
from bot.engine.daily import DailyTimeError
from bot.errors import Localized
from bot.storage.reminders import Reminder, ReminderStore

if TYPE_CHECKING:
    from bot.quiz.service import QuizService

__all__ = ["DEFAULT_AT", "MIN_DUE", "ReminderDue", "ReminderRefusal", "Reminders"]

DEFAULT_AT = time(19, 0)
DEFAULT_ZONE = "UTC"
MIN_DUE = 3  # skills due before a reminder is worth a direct message
SEND_WINDOW = timedelta(hours=6)  # how late a reminder still goes after a restart


class ReminderRefusal(Localized):
    """A reminder time or zone that cannot be used; nothing was changed."""


@dataclass(frozen=True, slots=True)
class ReminderDue:
    user_id: int
    local_date: date
    due_skills: tuple[str, ...]
    lang: str = "en"


class Reminders:
    def __init__(self, quiz: QuizService, store: ReminderStore) -> None:
        self.quiz = quiz
        self.store = store
        # Days this process knows are claimed (by anyone), or not worth a message.
        self._settled: set[tuple[int, date]] = set()

    async def setting(self, user_id: int) -> Reminder | None:
        return await self.store.setting(user_id)

    async def turn_on(
        self,
        user_id: int,
        at_text: str | None = None,
        zone_text: str | None = None,
        lang: str = "en",
    ) -> Reminder:
        """Read the time and zone (kept from before, else 19:00 UTC) and save them, all
        or nothing. Raises ``ReminderRefusal``."""
        current = await self.store.setting(user_id)
        try:
            at = rules.parse_daily_time(at_text) if at_text else None
            zone = rules.parse_zone(zone_text) if zone_text else None
        except DailyTimeError as error:
            key = error.key.replace("daily.", "remind.", 1)
            raise ReminderRefusal(key, value=error.value[:40]) from None
        reminder = Reminder(
            user_id,
            True,
            at or (current.at if current else DEFAULT_AT),
            zone or (current.zone if current else DEFAULT_ZONE),
            lang,
        )
        return await self.store.save(reminder)

    async def turn_off(self, user_id: int) -> Reminder | None:
        current = await self.store.setting(user_id)
        if current is None:
            return None
        return await self.store.save(replace(current, enabled=False))

    async def due(self, now: datetime | None = None) -> list[ReminderDue]:
        """Members whose reminder time has come today (within the send window), whose
        day is not claimed, and who have at least ``MIN_DUE`` skills due now."""
        now = now or self.quiz.clock()
        found: list[ReminderDue] = []
        for reminder in await self.store.enabled():
            occurrence = rules.due_occurrence(now, reminder.at, reminder.zone, SEND_WINDOW)
            if occurrence is None:
                continue
            key = (reminder.user_id, occurrence.local_date)
            if key in self._settled:
                continue
            if await self.store.is_claimed(*key):
                self._settled.add(key)
                continue
            cards = await self.quiz.repository.learner_cards(reminder.user_id)
            due = tuple(sorted(skill for skill, card in cards.items() if card.due <= now))
            if len(due) >= MIN_DUE:
                found.append(
                    ReminderDue(reminder.user_id, occurrence.local_date, due, reminder.lang)
                )
        return found

    async def claim(self, due: ReminderDue) -> bool:
        """This process sends ``due``'s reminder: True once per member and day, in every
        process together."""
        won = await self.store.claim(due.user_id, due.local_date, self.quiz.clock())
        self._settled.add((due.user_id, due.local_date))
        return won

    async def sent(self, due: ReminderDue) -> None:
        await self.store.mark(due.user_id, due.local_date, "sent")

    async def undeliverable(self, due: ReminderDue) -> None:
        """The member's direct messages are closed: switch the reminder off, and keep
        when, so they are told the next time they use the bot."""
        await self.store.mark(due.user_id, due.local_date, "failed")
        current = await self.store.setting(due.user_id)
        if current is not None:
            await self.store.save(replace(current, enabled=False, dms_closed_at=self.quiz.clock()))

    async def notice(self, user_id: int) -> bool:
        """Whether to tell the member their reminder was switched off (once)."""
        current = await self.store.setting(user_id)
        if current is None or current.dms_closed_at is None:
            return False
        await self.store.save(replace(current, dms_closed_at=None))
        return True

    async def next_look(self, now: datetime | None = None) -> datetime:
        """When a reminder may next be due: the soonest start among the members who have
        one on (at most a minute away, so new settings are seen)."""
        now = now or self.quiz.clock()
        soonest = now + timedelta(minutes=1)
        for reminder in await self.store.enabled():
            soonest = min(soonest, rules.next_start(now, reminder.at, reminder.zone))
        return soonest
