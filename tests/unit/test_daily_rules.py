"""The question of the day's pure rules, against truths written out by hand: Japan keeps
UTC+9 all year; New York is UTC-5 in winter and UTC-4 in summer, and in 2026 its clocks
go forward at 02:00 on Sunday 8 March and back at 02:00 on Sunday 1 November (the
second Sunday of March, the first of November); 7 December 2026 is a Monday."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.engine import daily
from bot.engine.daily import DailyTimeError
from bot.engine.scoring import score_answer

HOUR = timedelta(hours=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- reading what a moderator types ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        (" 23:59 ", time(23, 59)),
        ("00:00", time(0, 0)),
        ("０７：３０", time(7, 30)),  # full-width, as a Japanese keyboard types it
    ],
)
def test_daily_times_that_read(text: str, expected: time) -> None:
    assert daily.parse_daily_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "7.30", "0730", "7:3", "", "noon", "-1:00"])
def test_daily_times_that_do_not_read(text: str) -> None:
    with pytest.raises(DailyTimeError) as caught:
        daily.parse_daily_time(text)
    assert caught.value.key == "daily.error.time"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Asia/Tokyo", "Asia/Tokyo"),
        ("asia/tokyo", "Asia/Tokyo"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_zone_names_are_spelled_canonically(text: str, expected: str) -> None:
    assert daily.parse_zone(text) == expected


@pytest.mark.parametrize("text", ["Mars/Olympus_Mons", "+09:00", "JST-9x", "", "Tokyo"])
def test_unknown_zones_are_refused(text: str) -> None:
    with pytest.raises(DailyTimeError) as caught:
        daily.parse_zone(text)
    assert caught.value.key == "daily.error.zone"


# --- when a local date's question starts -------------------------------------------------


@pytest.mark.parametrize(
    ("local_date", "at", "zone", "expected"),
    [
        # Tokyo 07:30 is 22:30 UTC the day before, summer and winter alike.
        (date(2026, 12, 3), time(7, 30), "Asia/Tokyo", utc(2026, 12, 2, 22, 30)),
        (date(2026, 7, 1), time(7, 30), "Asia/Tokyo", utc(2026, 6, 30, 22, 30)),
        # New York 07:30: EST (12:30 UTC) the day before the spring change, EDT after.
        (date(2026, 3, 7), time(7, 30), "America/New_York", utc(2026, 3, 7, 12, 30)),
        (date(2026, 3, 8), time(7, 30), "America/New_York", utc(2026, 3, 8, 11, 30)),
        # ... and back: EDT on Saturday 31 October, EST on Sunday 1 November.
        (date(2026, 10, 31), time(7, 30), "America/New_York", utc(2026, 10, 31, 11, 30)),
        (date(2026, 11, 1), time(7, 30), "America/New_York", utc(2026, 11, 1, 12, 30)),
        # 02:30 does not exist on 8 March: read with the winter offset, 07:30 UTC
        # (03:30 daylight time).
        (date(2026, 3, 8), time(2, 30), "America/New_York", utc(2026, 3, 8, 7, 30)),
        # 01:30 happens twice on 1 November: the first, still daylight time (05:30 UTC).
        (date(2026, 11, 1), time(1, 30), "America/New_York", utc(2026, 11, 1, 5, 30)),
    ],
)
def test_local_times_in_utc(local_date: date, at: time, zone: str, expected: datetime) -> None:
    assert daily.starts_at(local_date, at, zone) == expected


def test_due_only_within_the_window() -> None:
    at, zone = time(7, 30), "Asia/Tokyo"
    start = utc(2026, 12, 2, 22, 30)  # 07:30 on 3 December in Tokyo
    assert daily.due_occurrence(start - timedelta(seconds=1), at, zone, HOUR) is None
    due = daily.due_occurrence(start, at, zone, HOUR)
    assert due == daily.Occurrence(date(2026, 12, 3), start, start + HOUR)
    assert daily.due_occurrence(start + timedelta(minutes=59), at, zone, HOUR) == due
    assert daily.due_occurrence(start + HOUR, at, zone, HOUR) is None


def test_a_window_across_local_midnight_belongs_to_the_day_it_started() -> None:
    # Tokyo 23:30 on 3 December is 14:30 UTC; at 00:10 on the 4th it is still the 3rd's.
    due = daily.due_occurrence(utc(2026, 12, 3, 15, 10), time(23, 30), "Asia/Tokyo", HOUR)
    assert due is not None
    assert due.local_date == date(2026, 12, 3)
    assert due.starts == utc(2026, 12, 3, 14, 30)


def test_the_next_start_across_the_spring_change() -> None:
    at, zone = time(7, 30), "America/New_York"
    # Just after Saturday's 12:30 UTC start, the next is Sunday's at 11:30 UTC (EDT).
    assert daily.next_start(utc(2026, 3, 7, 12, 31), at, zone) == utc(2026, 3, 8, 11, 30)
    assert daily.next_start(utc(2026, 3, 7, 12, 29), at, zone) == utc(2026, 3, 7, 12, 30)


# --- difficulty, streaks and the bonus ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "level"),
    [
        (date(2026, 12, 7), 1),  # Monday
        (date(2026, 12, 8), 1),  # Tuesday
        (date(2026, 12, 9), 2),  # Wednesday
        (date(2026, 12, 11), 2),  # Friday
        (date(2026, 12, 12), 3),  # Saturday
        (date(2026, 12, 13), 3),  # Sunday
    ],
)
def test_the_weekly_ramp_rises_from_monday_to_sunday(day: date, level: int) -> None:
    assert daily.difficulty_on(day, "weekly", fixed=2) == level
    assert daily.difficulty_on(day, "fixed", fixed=2) == 2


def test_the_daily_streak() -> None:
    first, second, third = date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)
    three = [first, second, third]
    assert daily.daily_streak(three, third) == 3
    assert daily.daily_streak(three, date(2026, 12, 4)) == 3  # the 4th is not over yet
    assert daily.daily_streak(three, date(2026, 12, 5)) == 0  # the 4th was missed
    assert daily.daily_streak([first, third], third) == 1
    assert daily.daily_streak([], third) == 0
    assert daily.best_daily_streak([first, third]) == 1
    assert daily.best_daily_streak([*three, date(2026, 12, 5)]) == 3
    assert daily.best_daily_streak([]) == 0


def test_the_daily_bonus_is_five_for_a_correct_answer() -> None:
    # Difficulty 1, answered at once, not first, no streak: 10 base + 5 speed (README),
    # and 5 more on the question of the day; nothing more for a partial answer.
    common = {"difficulty": 1, "score": 1.0, "elapsed": 0, "time_limit": 3600}
    plain = score_answer(outcome="correct", first_correct=False, streak_before=0, **common)
    day = score_answer(
        outcome="correct", first_correct=False, streak_before=0, daily=True, **common
    )
    assert (plain.total, day.total) == (15, 20)
    half = {**common, "score": 0.5}
    partial = score_answer(
        outcome="partial", first_correct=False, streak_before=0, daily=True, **half
    )
    assert partial.total == 5 + 3  # half of 10, and half of the 5 speed points rounded up
