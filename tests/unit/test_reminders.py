"""Practice reminders' policy on real databases (a SQLite file and PostgreSQL): due at
the member's local time when three skills are due, once a day across processes and
restarts, a missed day skipped, closed DMs switch it off and say so once.

Times are written out by hand: Tokyo is UTC+9 (no daylight saving time)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from helpers import Clock, process

from bot.engine.skills import SKILLS
from bot.quiz.reminders import MIN_DUE, ReminderRefusal, Reminders
from bot.wiring import Services

LEARNER = 42


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def reminders_of(services: Services) -> Reminders:
    assert services.quiz.reminders is not None
    return services.quiz.reminders


async def practise_wrong(services: Services, clock: Clock, skills: int, first: int = 0) -> None:
    """Get skills ``first`` to ``first + skills`` of the catalogue wrong in practice: each
    is due again within minutes."""
    practice = services.quiz.practice
    for index in range(first, first + skills):
        topic = SKILLS[index].name
        await practice.start(user_id=LEARNER, guild_id=None, topic=topic, lang="en")
        clock.advance(5)
        outcome = await practice.answer(LEARNER, "A" if _is_choice(services) else "99999")
        assert outcome is not None and outcome.status == "recorded"


def _is_choice(services: Services) -> bool:
    opened = services.quiz.practice.open_for(LEARNER)
    return opened is not None and opened.question.choices is not None


async def test_due_at_the_local_time_with_three_skills_due(database_url: str) -> None:
    clock = Clock(utc(2026, 12, 1, 8, 0))  # 17:00 in Tokyo
    async with process(database_url, clock) as services:
        reminders = reminders_of(services)
        await reminders.turn_on(LEARNER, "18:30", "asia/tokyo")  # 09:30 UTC
        await practise_wrong(services, clock, MIN_DUE - 1)
        clock.now = utc(2026, 12, 1, 9, 40)
        assert await reminders.due() == []  # only two skills due: not worth a message
        await practise_wrong(services, clock, 1, first=MIN_DUE - 1)
        clock.now = utc(2026, 12, 1, 9, 45)
        (due,) = await reminders.due()
        assert (due.user_id, due.local_date.isoformat(), len(due.due_skills)) == (
            LEARNER,
            "2026-12-01",
            MIN_DUE,
        )
        assert await reminders.claim(due)
        await reminders.sent(due)
        assert await reminders.due() == []  # once a day
        clock.now = utc(2026, 12, 2, 9, 29)  # 18:29 in Tokyo the next day: not yet
        assert await reminders.due() == []
        clock.now = utc(2026, 12, 2, 9, 31)  # 18:31: due again (still not practised)
        (tomorrow,) = await reminders.due()
        assert tomorrow.local_date.isoformat() == "2026-12-02"


async def test_two_processes_race_and_one_sends(database_url: str) -> None:
    clock = Clock(utc(2026, 12, 1, 8, 0))
    async with process(database_url, clock) as one, process(database_url, clock) as two:
        await reminders_of(one).turn_on(LEARNER, "18:30", "Asia/Tokyo")
        await practise_wrong(one, clock, MIN_DUE)
        clock.now = utc(2026, 12, 1, 9, 31)
        (first,), (second,) = await reminders_of(one).due(), await reminders_of(two).due()
        won = await asyncio.gather(reminders_of(one).claim(first), reminders_of(two).claim(second))
        assert sorted(won) == [False, True]
        assert await reminders_of(one).store.sends(LEARNER) == [(first.local_date, "claimed")]


async def test_down_at_the_time_back_within_the_window_or_after(database_url: str) -> None:
    clock = Clock(utc(2026, 12, 1, 8, 0))
    async with process(database_url, clock) as services:
        await reminders_of(services).turn_on(LEARNER, "18:30", "Asia/Tokyo")
        await practise_wrong(services, clock, MIN_DUE)
    clock.now = utc(2026, 12, 1, 14, 0)  # a restart 4.5 h late: still that day's
    async with process(database_url, clock) as services:
        (due,) = await reminders_of(services).due()
        assert due.local_date.isoformat() == "2026-12-01"
    clock.now = utc(2026, 12, 2, 16, 0)  # the next day, 6.5 h late: skipped
    async with process(database_url, clock) as services:
        assert await reminders_of(services).due() == []


async def test_closed_dms_switch_it_off_and_say_so_once(database_url: str) -> None:
    clock = Clock(utc(2026, 12, 1, 8, 0))
    async with process(database_url, clock) as services:
        reminders = reminders_of(services)
        await reminders.turn_on(LEARNER, "18:30", "Asia/Tokyo")
        await practise_wrong(services, clock, MIN_DUE)
        clock.now = utc(2026, 12, 1, 9, 31)
        (due,) = await reminders.due()
        assert await reminders.claim(due)
        await reminders.undeliverable(due)
        setting = await reminders.setting(LEARNER)
        assert setting is not None and not setting.enabled
        assert await reminders.notice(LEARNER) and not await reminders.notice(LEARNER)
        clock.now += timedelta(days=1)
        assert await reminders.due() == []  # off


async def test_bad_times_and_zones_change_nothing(database_url: str) -> None:
    clock = Clock(utc(2026, 12, 1, 8, 0))
    async with process(database_url, clock) as services:
        reminders = reminders_of(services)
        await reminders.turn_on(LEARNER, "07:15", "Europe/Berlin")
        for at, zone, key in (
            ("25:00", None, "remind.error.time"),
            ("7h", None, "remind.error.time"),
            ("08:00", "Mars/Olympus", "remind.error.zone"),
            ("08:00", "+09:00", "remind.error.zone"),
        ):
            with pytest.raises(ReminderRefusal) as refused:
                await reminders.turn_on(LEARNER, at, zone)
            assert refused.value.key == key
        kept = await reminders.setting(LEARNER)
        assert kept is not None and (kept.at.isoformat(), kept.zone) == (
            "07:15:00",
            "Europe/Berlin",
        )
        # On again without a time: the one kept from before.
        await reminders.turn_off(LEARNER)
        again = await reminders.turn_on(LEARNER)
        assert (again.enabled, again.at.isoformat(), again.zone) == (
            True,
            "07:15:00",
            "Europe/Berlin",
        )
