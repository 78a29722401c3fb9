"""Tables of the question of the day: each guild's setting, and one claim row per guild
and local date (the database, not a check in Python, makes a day's question unique)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, UTCDateTime


class DailySettings(Base):
    """A guild's question of the day: where, at what local time, for how long."""

    __tablename__ = "daily_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # None: off (the window and ramp are kept for when it is turned on again).
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    # Local wall-clock time, "HH:MM", in ``zone`` (an IANA name).
    at: Mapped[str | None] = mapped_column(String(5))
    zone: Mapped[str] = mapped_column(String(64), server_default=text("'UTC'"))
    window_minutes: Mapped[int] = mapped_column(Integer, server_default=text("60"))
    # "fixed" (the guild's default difficulty) or "weekly" (Monday easy to Sunday hard).
    ramp: Mapped[str] = mapped_column(String(8), server_default=text("'fixed'"))


class DailyPost(Base):
    """One guild's question of one local date: claimed by the first process to insert
    the row; the others' inserts fail on the unique constraint."""

    __tablename__ = "daily_posts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    local_date: Mapped[date] = mapped_column(Date)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set once the question is open; answers to it are the daily answers (streaks).
    question_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # "claimed", then "posted", or "failed" (Discord refused the message).
    status: Mapped[str] = mapped_column(String(8), server_default=text("'claimed'"))

    __table_args__ = (UniqueConstraint("guild_id", "local_date", name="uq_daily_posts_guild_date"),)
