"""Practice reminders on Discord: a small task that asks the service who is due, has
the day claimed, and sends the direct message.

The policy (when, at most once a day, skipping a missed day, switching off on closed
direct messages) is ``bot.quiz.reminders``'; this module only knows Discord.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from bot.discord.looking import LookingTask
from bot.i18n.texts import DEFAULT_LANGUAGE, t
from bot.quiz.reminders import ReminderDue, Reminders

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)

DMS_CLOSED = 50007  # Discord's "Cannot send messages to this user"
SKILLS_NAMED = 5


def reminder_text(due: ReminderDue, lang: str = DEFAULT_LANGUAGE) -> str:
    names = t("sep.list", lang).join(f"`{skill}`" for skill in due.due_skills[:SKILLS_NAMED])
    more = len(due.due_skills) - SKILLS_NAMED
    if more > 0:
        names += t("remind.more", lang, count=more)
    return t("remind.dm", lang, count=len(due.due_skills), skills=names)


class ReminderScheduler(LookingTask):
    what = "practice reminders"

    def __init__(self, bot: ConvQuizBot, reminders: Reminders) -> None:
        super().__init__(bot, "convquiz-reminders")
        self.reminders = reminders
        # One look at a time: a look that finds a day claimed waits for the look that
        # claimed it to finish sending.
        self._looking = asyncio.Lock()

    async def look(self) -> float:
        await self.send_due()
        soonest = await self.reminders.next_look()
        return max(0.0, (soonest - self.reminders.quiz.clock()).total_seconds())

    async def send_due(self) -> None:
        async with self._looking:
            for due in await self.reminders.due():
                if not await self.reminders.claim(due):
                    continue  # another process (or an earlier run) has this day
                await self._send(due)

    async def _send(self, due: ReminderDue) -> None:
        try:
            user = self.bot.get_user(due.user_id) or await self.bot.fetch_user(due.user_id)
            await user.send(reminder_text(due, due.lang))
        except discord.HTTPException as error:
            if getattr(error, "code", None) == DMS_CLOSED:
                await self.reminders.undeliverable(due)
                return
            log.warning("cannot send a practice reminder: %s", error)
            await self.reminders.store.mark(due.user_id, due.local_date, "failed")
            return
        await self.reminders.sent(due)
