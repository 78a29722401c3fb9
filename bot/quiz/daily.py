"""The question of the day: its policy.

A guild sets a channel, a local time and an IANA time zone; every local day one ranked
question is opened there at that time and stays open for the guild's window (an hour
by default). Which day is due, which difficulty it gets, its bonus and the streak are
decided here (the pure parts in ``bot.engine.daily``); a front end's scheduler asks
``due``, then ``open`` for each, and posts what comes back.

Exactly once: ``open`` first claims the (guild, local date) row, and only the process
whose insert won opens the question. A process that was down at the start time finds
the day still unclaimed when it comes back within the window, and posts then; once the
window has passed the day is never due again, so a day missed entirely is skipped. A
channel with a question already open is not claimed: the day waits, and is retried
until its window ends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.engine import daily as rules
from bot.engine.daily import DailySetting, DailyTimeError, Occurrence
from bot.errors import Localized
from bot.records import ChannelBusy, OpenQuestion
from bot.storage.daily import DailyStore

if TYPE_CHECKING:
    from bot.quiz.service import QuizService

__all__ = ["DailyQuestions", "DailyRefusal", "Due", "Streak"]

log = logging.getLogger(__name__)

# Who "started" a question of the day: nobody (the privacy code's anonymous id).
SCHEDULED = 0
# How long a scheduler waits at most between two looks (settings may change meanwhile).
MAX_SLEEP = timedelta(seconds=60)


class DailyRefusal(Localized):
    """A daily setting that cannot be used; the catalog text says why."""


@dataclass(frozen=True, slots=True)
class Due:
    """A guild's question of the day, due now and not yet claimed by this process."""

    setting: DailySetting
    occurrence: Occurrence

    @property
    def channel_id(self) -> int:
        assert self.setting.channel_id is not None
        return self.setting.channel_id


@dataclass(frozen=True, slots=True)
class Opened:
    """A day claimed and its question open; ``posted``/``failed`` records the outcome."""

    claim_id: int
    question: OpenQuestion
    local_date: date


@dataclass(frozen=True, slots=True)
class Streak:
    current: int
    best: int


class DailyQuestions:
    def __init__(self, quiz: QuizService, store: DailyStore) -> None:
        self.quiz = quiz
        self.store = store
        # Days this process knows are claimed (by anyone): no query for them again.
        self._settled: set[tuple[int, date]] = set()

    # --- settings ----------------------------------------------------------------------

    async def setting(self, guild_id: int) -> DailySetting:
        return await self.store.setting(guild_id)

    async def turn_on(
        self, guild_id: int, channel_id: int, at_text: str, zone_text: str | None
    ) -> DailySetting:
        """Read the time and zone (the guild's zone so far when none is given) and save
        them with the channel, all or nothing. Raises ``DailyRefusal``."""
        current = await self.store.setting(guild_id)
        try:
            at = rules.parse_daily_time(at_text)
            zone = rules.parse_zone(zone_text) if zone_text else current.zone
        except DailyTimeError as error:
            raise DailyRefusal(error.key, value=error.value[:40]) from None
        return await self.store.save(replace(current, channel_id=channel_id, at=at, zone=zone))

    async def turn_off(self, guild_id: int) -> DailySetting:
        current = await self.store.setting(guild_id)
        return await self.store.save(replace(current, channel_id=None, at=None))

    async def set_window(self, guild_id: int, minutes: int) -> DailySetting:
        low, high = rules.MIN_WINDOW_MINUTES, rules.MAX_WINDOW_MINUTES
        if not low <= minutes <= high:
            raise DailyRefusal("daily.error.window", low=low, high=high)
        current = await self.store.setting(guild_id)
        return await self.store.save(replace(current, window_minutes=minutes))

    async def set_ramp(self, guild_id: int, ramp: str) -> DailySetting:
        word = ramp.strip().lower()
        if word not in rules.RAMPS:
            raise DailyRefusal("daily.error.ramp", ramps=", ".join(f"`{r}`" for r in rules.RAMPS))
        current = await self.store.setting(guild_id)
        return await self.store.save(replace(current, ramp=word))

    # --- what is due -------------------------------------------------------------------

    async def _settings(self) -> list[DailySetting]:
        owns = self.quiz.owns_guild
        return [s for s in await self.store.active() if s.on and (owns is None or owns(s.guild_id))]

    async def due(self, now: datetime | None = None) -> list[Due]:
        """Guilds (of this process) whose day's window holds ``now`` and whose day is
        not claimed yet."""
        now = now or self.quiz.clock()
        found: list[Due] = []
        for setting in await self._settings():
            assert setting.at is not None
            occurrence = rules.due_occurrence(now, setting.at, setting.zone, setting.window)
            if occurrence is None:
                continue
            key = (setting.guild_id, occurrence.local_date)
            if key in self._settled:
                continue
            if await self.store.is_claimed(*key):
                self._settled.add(key)
                continue
            found.append(Due(setting, occurrence))
        return found

    async def next_look(self, now: datetime | None = None) -> datetime:
        """When a scheduler should look again: the next start, at most a minute away."""
        now = now or self.quiz.clock()
        wake = now + MAX_SLEEP
        for setting in await self._settings():
            assert setting.at is not None
            wake = min(wake, rules.next_start(now, setting.at, setting.zone))
        return wake

    def difficulty_of(self, setting: DailySetting, local_date: date, default: int) -> int:
        return rules.difficulty_on(local_date, setting.ramp, default)

    # --- opening -----------------------------------------------------------------------

    async def open(self, due: Due, *, lang: str | None = None) -> Opened | None:
        """Claim the day and open its question, deadline at the window's end.

        None: another process (or an earlier run) has the day. ``ChannelBusy``: the
        channel has a question open; nothing is claimed, so the day can be retried
        within its window.
        """
        now = self.quiz.clock()
        if now >= due.occurrence.ends:
            return None
        channel_id = due.channel_id
        busy = self.quiz.open_in(channel_id) or await self.quiz.repository.open_in_channel(
            channel_id
        )
        if busy is not None:
            raise ChannelBusy(busy)
        guild_id, local_date = due.setting.guild_id, due.occurrence.local_date
        claim_id = await self.store.claim(guild_id, local_date, channel_id, now)
        self._settled.add((guild_id, local_date))
        if claim_id is None:
            return None
        try:
            opened = await self._open_question(due, now, lang)
        except BaseException:
            # Nothing was posted: give the day back so it can still be posted.
            self._settled.discard((guild_id, local_date))
            await self.store.release(claim_id)
            raise
        await self.store.mark(claim_id, "open", opened.id)
        log.info(
            "question of the day %s opened for %s",
            opened.id,
            local_date.isoformat(),
            extra={"guild_id": guild_id, "channel_id": channel_id},
        )
        return Opened(claim_id, opened, local_date)

    async def _open_question(self, due: Due, now: datetime, lang: str | None) -> OpenQuestion:
        quiz = self.quiz
        config = await quiz.config(due.setting.guild_id)
        lang = lang or quiz.language_of(config)
        level = config.default_difficulty or 1
        picked = await quiz.questions.pick(
            due.setting.guild_id,
            kind=None,
            difficulty=self.difficulty_of(due.setting, due.occurrence.local_date, level),
            code=None,
            template=None,
            default_difficulty=level,
            lang=lang,
        )
        opened = await quiz.repository.open_question(
            guild_id=due.setting.guild_id,
            channel_id=due.channel_id,
            question=picked.question,
            started_by=SCHEDULED,
            opened_at=now,
            time_limit=(due.occurrence.ends - now).total_seconds(),
            ranked=True,
            template_name=picked.template_name,
            template_version=picked.template_version,
            daily=True,
        )
        quiz.track(opened)
        return opened

    async def posted(self, opened: Opened) -> None:
        await self.store.mark(opened.claim_id, "posted")

    async def failed(self, opened: Opened) -> None:
        """The message could not be posted (the front end has closed the question, as
        nobody can see it): the day stays claimed, so it is never posted twice."""
        await self.store.mark(opened.claim_id, "failed")

    # --- streaks -----------------------------------------------------------------------

    async def streak(self, guild_id: int, user_id: int) -> Streak:
        """Consecutive local days (the guild's zone) the user answered the question of
        the day, and their longest such run."""
        days = await self.store.answered_dates(guild_id, user_id)
        setting = await self.store.setting(guild_id)
        today = self.quiz.clock().astimezone(rules.zone(setting.zone)).date()
        return Streak(rules.daily_streak(days, today), rules.best_daily_streak(days))
