"""The question of the day, the pure parts: reading a daily time and a time zone, when a
local date's question starts (in UTC), which occurrence is due now, the weekly
difficulty ramp and the daily streak. No clock is read here; callers pass ``now``.

A local time that does not exist on a day (the hour skipped when clocks go forward) is
taken with the offset from before the change, so 02:30 on a spring-forward night in New
York is posted at 03:30 daylight time; a local time that happens twice (clocks go back)
is the first of the two. That is ``zoneinfo``'s ``fold=0`` reading.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = [
    "RAMPS",
    "WEEKLY_RAMP",
    "DailySetting",
    "DailyTimeError",
    "Occurrence",
    "best_daily_streak",
    "daily_streak",
    "difficulty_on",
    "due_occurrence",
    "next_start",
    "parse_daily_time",
    "parse_zone",
    "starts_at",
]

# "fixed": the guild's default difficulty every day; "weekly": Monday easy to Sunday hard.
RAMPS = ("fixed", "weekly")
# Difficulty by ISO weekday (Monday first): two easy days, three medium, a hard weekend.
WEEKLY_RAMP = (1, 1, 2, 2, 2, 3, 3)

_HH_MM = re.compile(r"(\d{1,2}):(\d{2})")


DEFAULT_WINDOW_MINUTES = 60
MIN_WINDOW_MINUTES, MAX_WINDOW_MINUTES = 5, 720


@dataclass(frozen=True, slots=True)
class DailySetting:
    """A guild's question of the day; ``channel_id`` None: off (window and ramp kept)."""

    guild_id: int
    channel_id: int | None = None
    at: time | None = None
    zone: str = "UTC"
    window_minutes: int = DEFAULT_WINDOW_MINUTES
    ramp: str = "fixed"

    @property
    def on(self) -> bool:
        return self.channel_id is not None and self.at is not None

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)


class DailyTimeError(ValueError):
    """A daily time or time zone that cannot be used; ``key`` names the catalog text."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(f"{key}: {value!r}")
        self.key = key
        self.value = value


def parse_daily_time(text: str) -> time:
    """``HH:MM`` (or ``H:MM``), 00:00 to 23:59; full-width digits and colon are read too
    (a Japanese keyboard types ０７：３０)."""
    normalized = unicodedata.normalize("NFKC", text).strip()
    match = _HH_MM.fullmatch(normalized)
    if match is None:
        raise DailyTimeError("daily.error.time", text)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise DailyTimeError("daily.error.time", text)
    return time(hour, minute)


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every IANA name this host (or the tzdata package) knows, by its lower case."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def parse_zone(text: str) -> str:
    """The canonical spelling of an IANA time zone name (``asia/tokyo`` → ``Asia/Tokyo``),
    or ``DailyTimeError``. Only names, no offsets like ``+09:00``: an offset has no
    daylight saving time and would drift twice a year."""
    name = _zone_names().get(unicodedata.normalize("NFKC", text).strip().lower())
    if name is None:
        raise DailyTimeError("daily.error.zone", text)
    return name


def zone(name: str) -> tzinfo:
    return zoneinfo.ZoneInfo(name)


def starts_at(local_date: date, at: time, zone_name: str) -> datetime:
    """When a local date's question starts, in UTC (see the module note on DST)."""
    local = datetime.combine(local_date, at, tzinfo=zone(zone_name))
    return local.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One day's question of the day: its local date and its window in UTC."""

    local_date: date
    starts: datetime
    ends: datetime


def due_occurrence(now: datetime, at: time, zone_name: str, window: timedelta) -> Occurrence | None:
    """The occurrence whose window holds ``now`` (start inclusive, end exclusive), or
    None. A window under a day can only have started on today's or yesterday's local
    date; a day whose window passed entirely is never due again."""
    today = now.astimezone(zone(zone_name)).date()
    for local_date in (today, today - timedelta(days=1)):
        starts = starts_at(local_date, at, zone_name)
        if starts <= now < starts + window:
            return Occurrence(local_date, starts, starts + window)
    return None


def next_start(now: datetime, at: time, zone_name: str) -> datetime:
    """The first start strictly after ``now``."""
    today = now.astimezone(zone(zone_name)).date()
    for offset in range(3):
        starts = starts_at(today + timedelta(days=offset), at, zone_name)
        if starts > now:
            return starts
    raise AssertionError("a local time recurs within three days")


def difficulty_on(local_date: date, ramp: str, fixed: int) -> int:
    """The difficulty of a local date's question: ``fixed`` or the weekly ramp."""
    if ramp == "weekly":
        return WEEKLY_RAMP[local_date.weekday()]
    return fixed


def daily_streak(answered: Iterable[date], today: date) -> int:
    """Consecutive local days up to ``today`` on which the question of the day was
    answered. Today not answered yet does not break it (the day is not over); a day
    missed before that does."""
    days = set(answered)
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def best_daily_streak(answered: Iterable[date]) -> int:
    """The longest run of consecutive local days in ``answered``."""
    days = set(answered)
    best = 0
    for day in days:
        if day - timedelta(days=1) in days:
            continue  # not the first day of a run
        length = 1
        while day + timedelta(days=length) in days:
            length += 1
        best = max(best, length)
    return best
