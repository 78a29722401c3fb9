"""The question of the day's policy on real databases (a SQLite file and PostgreSQL):
posted once at the local time, exactly once across processes and restarts, a missed
day skipped, a busy channel waited for, the streak, the bonus and the weekly ramp.

Times are written out by hand: Tokyo is UTC+9; New York UTC-5 until 02:00 on Sunday
8 March 2026 and UTC-4 after it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from helpers import Clock, process, right_reply
from sqlalchemy import func, select

from bot.quiz.daily import DailyQuestions, DailyRefusal
from bot.records import ChannelBusy
from bot.storage.daily_models import DailyPost
from bot.storage.models import QuestionRow
from bot.wiring import Services

TOKYO, NEW_YORK = 1001, 1002  # guild ids
QUIZ = 55  # each guild's quiz channel: 55 + guild id
ALICE, BOB = 7, 8


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def daily_of(services: Services) -> DailyQuestions:
    assert services.quiz.daily is not None
    return services.quiz.daily


async def claimed_days(services: Services) -> list[tuple[int, date]]:
    async with services.repository.sessions() as session:
        rows = await session.execute(
            select(DailyPost.guild_id, DailyPost.local_date).order_by(
                DailyPost.guild_id, DailyPost.local_date
            )
        )
        return [(guild, day) for guild, day in rows]


async def open_daily_questions(services: Services) -> int:
    async with services.repository.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(QuestionRow)
            .where(QuestionRow.daily.is_(True), QuestionRow.status == "open")
        )
        return int(count or 0)


async def post_due(services: Services) -> list[tuple[int, date]]:
    """What a bot does on one look: close what is due (its deadline loop), then open
    every due day; the days it opened."""
    await services.quiz.close_due()
    daily = daily_of(services)
    opened = []
    for due in await daily.due():
        result = await daily.open(due)
        if result is not None:
            await daily.posted(result)
            opened.append((due.setting.guild_id, result.local_date))
    return opened


async def test_posted_once_at_the_local_time_in_two_zones(database_url: str) -> None:
    clock = Clock(utc(2026, 3, 6, 22, 0))
    async with process(database_url, clock) as services:
        daily = daily_of(services)
        await daily.turn_on(TOKYO, QUIZ + TOKYO, "07:30", "Asia/Tokyo")
        await daily.turn_on(NEW_YORK, QUIZ + NEW_YORK, "7:30", "america/new_york")

        clock.now = utc(2026, 3, 6, 22, 29)  # 07:29 on the 7th in Tokyo
        assert await post_due(services) == []
        clock.now = utc(2026, 3, 6, 22, 30)
        assert await post_due(services) == [(TOKYO, date(2026, 3, 7))]
        clock.now = utc(2026, 3, 6, 22, 45)
        assert await post_due(services) == []  # once

        clock.now = utc(2026, 3, 7, 12, 29)  # 07:29 EST in New York
        assert await post_due(services) == []
        clock.now = utc(2026, 3, 7, 12, 30)
        assert await post_due(services) == [(NEW_YORK, date(2026, 3, 7))]

        # Sunday 8 March: clocks went forward at 02:00, so 07:30 is 11:30 UTC.
        clock.now = utc(2026, 3, 7, 22, 30)
        assert await post_due(services) == [(TOKYO, date(2026, 3, 8))]
        clock.now = utc(2026, 3, 8, 11, 29)
        assert await post_due(services) == []
        clock.now = utc(2026, 3, 8, 11, 30)
        assert await post_due(services) == [(NEW_YORK, date(2026, 3, 8))]
        clock.now = utc(2026, 3, 8, 12, 30)  # where EST would have put it
        assert await post_due(services) == []

        assert await claimed_days(services) == [
            (TOKYO, date(2026, 3, 7)),
            (TOKYO, date(2026, 3, 8)),
            (NEW_YORK, date(2026, 3, 7)),
            (NEW_YORK, date(2026, 3, 8)),
        ]


async def test_two_processes_race_and_exactly_one_opens(database_url: str) -> None:
    clock = Clock(utc(2026, 12, 2, 22, 30))  # 07:30 on 3 December in Tokyo
    async with process(database_url, clock) as first, process(database_url, clock) as second:
        await daily_of(first).turn_on(TOKYO, QUIZ, "07:30", "Asia/Tokyo")
        for _ in range(5):  # several days, several races
            dues = [await daily_of(first).due(), await daily_of(second).due()]
            assert [len(found) for found in dues] == [1, 1]
            results = await asyncio.gather(
                daily_of(first).open(dues[0][0]),
                daily_of(second).open(dues[1][0]),
                return_exceptions=True,
            )
            # The loser either lost the claim (None) or found the winner's question
            # already open in the channel (ChannelBusy, nothing claimed).
            opened = [r for r in results if r is not None and not isinstance(r, ChannelBusy)]
            assert len(opened) == 1, results
            assert await open_daily_questions(first) == 1
            assert await daily_of(first).due() == [] and await daily_of(second).due() == []
            clock.now += timedelta(days=1)
            await first.quiz.resume()
            await second.quiz.resume()
        assert len(await claimed_days(first)) == 5
        # The claim alone, raced: the unique row lets exactly one insert win.
        day = date(2026, 12, 25)
        claims = await asyncio.gather(
            *(
                daily_of(services).store.claim(TOKYO, day, QUIZ, clock.now)
                for services in (first, second, first, second)
            )
        )
        assert len([c for c in claims if c is not None]) == 1, claims


async def test_down_at_the_time_then_back_within_the_window(database_url: str) -> None:
    start = utc(2026, 12, 2, 22, 30)  # 07:30 on 3 December in Tokyo
    clock = Clock(start - timedelta(minutes=5))
    async with process(database_url, clock) as before:
        await daily_of(before).turn_on(TOKYO, QUIZ, "07:30", "Asia/Tokyo")
        assert await post_due(before) == []
    # Down from 07:25 to 07:50; back up, it posts, with the window's own deadline.
    clock.now = start + timedelta(minutes=20)
    async with process(database_url, clock) as back:
        due = await daily_of(back).due()
        assert len(due) == 1
        opened = await daily_of(back).open(due[0])
        assert opened is not None
        assert opened.question.deadline == start + timedelta(hours=1)
        assert opened.question.daily and opened.question.ranked
    # Restarted again within the window: the day is taken, nothing twice.
    clock.now = start + timedelta(minutes=40)
    async with process(database_url, clock) as again:
        assert await post_due(again) == []
        assert [q.id for q in await again.quiz.resume()] == []  # still open, not expired
        assert again.quiz.open_in(QUIZ) is not None
        # Stopped early by a moderator, the day is still not posted again.
        await again.quiz.stop(QUIZ, ALICE, is_moderator=True)
        clock.now += timedelta(minutes=1)
        assert await post_due(again) == []
    assert await claimed_days(again) == [(TOKYO, date(2026, 12, 3))]


async def test_a_day_missed_entirely_is_skipped(database_url: str) -> None:
    start = utc(2026, 12, 2, 22, 30)  # 07:30 on 3 December in Tokyo
    clock = Clock(start - timedelta(minutes=5))
    async with process(database_url, clock) as before:
        await daily_of(before).turn_on(TOKYO, QUIZ, "07:30", "Asia/Tokyo")
    clock.now = start + timedelta(hours=1)  # back just as the window closed
    async with process(database_url, clock) as late:
        assert await post_due(late) == []
        clock.now = start + timedelta(hours=23, minutes=59)
        assert await post_due(late) == []
        clock.now = start + timedelta(days=1)  # the 4th at 07:30
        assert await post_due(late) == [(TOKYO, date(2026, 12, 4))]
    assert await claimed_days(late) == [(TOKYO, date(2026, 12, 4))]


async def test_a_busy_channel_is_waited_for_within_the_window(database_url: str) -> None:
    start = utc(2026, 12, 2, 22, 30)
    clock = Clock(start - timedelta(seconds=10))
    async with process(database_url, clock) as services:
        daily = daily_of(services)
        await daily.turn_on(TOKYO, QUIZ, "07:30", "Asia/Tokyo")
        await services.quiz.start(guild_id=TOKYO, channel_id=QUIZ, user_id=ALICE)
        clock.now = start
        (due,) = await daily.due()
        with pytest.raises(ChannelBusy):
            await daily.open(due)
        assert await claimed_days(services) == []  # nothing claimed: it can still post
        clock.now = start + timedelta(seconds=25)
        await services.quiz.close_due()
        assert await post_due(services) == [(TOKYO, date(2026, 12, 3))]
        opened = services.quiz.open_in(QUIZ)
        assert opened is not None and opened.daily
        assert opened.deadline == start + timedelta(hours=1)


async def test_the_daily_streak_over_three_days_and_the_bonus(database_url: str) -> None:
    start = utc(2026, 12, 2, 22, 30)  # 07:30 on 3 December in Tokyo
    clock = Clock(start)
    async with process(database_url, clock) as services:
        daily, quiz = daily_of(services), services.quiz
        await daily.turn_on(TOKYO, QUIZ, "07:30", "Asia/Tokyo")
        for day in range(3):
            clock.now = start + timedelta(days=day)
            assert len(await post_due(services)) == 1
            question = quiz.open_in(QUIZ)
            assert question is not None
            clock.now += timedelta(minutes=10)
            answered = await quiz.answer(QUIZ, ALICE, right_reply(question.question))
            assert answered is not None and answered.recorded is not None
            assert answered.recorded.points.daily == 5
            if day != 1:  # Bob misses the 4th
                bobs = await quiz.answer(QUIZ, BOB, right_reply(question.question))
                assert bobs is not None and bobs.status == "recorded"
            clock.now = start + timedelta(days=day, hours=1)
            await quiz.close_due()
        # The 5th, 08:30 in Tokyo: three days in a row for Alice; Bob's run broke.
        alice, bob = await daily.streak(TOKYO, ALICE), await daily.streak(TOKYO, BOB)
        assert (alice.current, alice.best) == (3, 3)
        assert (bob.current, bob.best) == (1, 1)
        clock.now = start + timedelta(days=3, hours=14)  # 6 December, 21:30: not over yet
        assert (await daily.streak(TOKYO, ALICE)).current == 3
        clock.now = start + timedelta(days=4, hours=2)  # 7 December: the 6th was missed
        assert (await daily.streak(TOKYO, ALICE)).current == 0
        # Rescoring from the events gives every daily bonus back: totals unchanged.
        before = await services.repository.totals_snapshot()
        await services.repository.rescore()
        assert await services.repository.totals_snapshot() == before


async def test_the_weekly_ramp_sets_each_days_difficulty(database_url: str) -> None:
    monday = utc(2026, 12, 6, 22, 30)  # 07:30 on Monday 7 December in Tokyo
    clock = Clock(monday)
    async with process(database_url, clock) as services:
        daily = daily_of(services)
        await daily.turn_on(TOKYO, QUIZ, "07:30", "Asia/Tokyo")
        await daily.set_ramp(TOKYO, "Weekly")
        levels = []
        for day in range(7):
            clock.now = monday + timedelta(days=day)
            assert len(await post_due(services)) == 1
            question = services.quiz.open_in(QUIZ)
            assert question is not None
            levels.append(question.question.difficulty)
            clock.now += timedelta(hours=1)
            await services.quiz.close_due()
        assert levels == [1, 1, 2, 2, 2, 3, 3]


async def test_bad_settings_change_nothing(database_url: str) -> None:
    async with process(database_url, Clock()) as services:
        daily = daily_of(services)
        kept = await daily.turn_on(TOKYO, QUIZ, "07:30", "Asia/Tokyo")
        for at, zone, key in [
            ("25:00", "Asia/Tokyo", "daily.error.time"),
            ("08:00", "Asia/Osaka", "daily.error.zone"),
        ]:
            with pytest.raises(DailyRefusal) as refused:
                await daily.turn_on(TOKYO, QUIZ + 1, at, zone)
            assert refused.value.key == key
        with pytest.raises(DailyRefusal):
            await daily.set_window(TOKYO, 721)
        with pytest.raises(DailyRefusal):
            await daily.set_ramp(TOKYO, "monthly")
        assert await daily.setting(TOKYO) == kept
        # Without a zone, the guild's zone so far is kept.
        moved = await daily.turn_on(TOKYO, QUIZ, "08:15", None)
        assert (moved.zone, moved.at.isoformat() if moved.at else None) == (
            "Asia/Tokyo",
            "08:15:00",
        )


async def test_a_channel_busy_past_the_window_skips_the_day(database_url: str) -> None:
    start = utc(2026, 12, 2, 22, 30)  # 07:30 on 3 December in Tokyo
    clock = Clock(start - timedelta(seconds=10))
    async with process(database_url, clock) as services:
        daily = daily_of(services)
        await daily.turn_on(TOKYO, QUIZ, "07:30", "Asia/Tokyo")
        await daily.set_window(TOKYO, 5)
        # A moderator's question with a ten-minute limit holds the channel past 07:35.
        await services.quiz.update_config(TOKYO, time_limit=600)
        await services.quiz.start(guild_id=TOKYO, channel_id=QUIZ, user_id=ALICE)
        clock.now = start + timedelta(minutes=4)
        (due,) = await daily.due()
        with pytest.raises(ChannelBusy):
            await daily.open(due)
        clock.now = start + timedelta(minutes=10)
        assert await post_due(services) == []  # closed now, but the window is over
        assert await claimed_days(services) == []
        assert await daily.open(due) is None  # a late retry of the old due does nothing
        assert await claimed_days(services) == []
