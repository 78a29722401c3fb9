"""Time-based Discord snowflakes.

discord.py derives `created_at` from an id, and treats an interaction whose id is
older than 15 minutes as expired, so ids must encode the current time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1420070400000


class SnowflakeFactory:
    """Hands out strictly increasing snowflakes: `(ms - epoch) << 22 | counter`."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = ms << 22
        # Several ids in one millisecond: bump the low 22 bits (worker/process/increment),
        # which keeps ids unique and ordered like Discord's.
        self._last = max(candidate, self._last + 1)
        return self._last

    def observe(self, snowflake: int) -> None:
        """Never hand out `snowflake` (or anything before it) later: it is taken."""
        self._last = max(self._last, snowflake)


def snowflake_time(snowflake: int) -> datetime:
    """When a snowflake was minted (UTC)."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def iso_now() -> str:
    """Discord-style ISO 8601 timestamp."""
    return datetime.now(UTC).isoformat()
