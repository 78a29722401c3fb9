"""Tables. Totals tables exist so leaderboards never aggregate the event log per request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Longest reply kept verbatim; chat can be longer but the event keeps what it needs.
REPLY_MAX = 200


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database (SQLite has no zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[int]: JSON}


class GuildSettings(Base):
    __tablename__ = "guild_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    prefix: Mapped[str | None] = mapped_column(String(8))
    time_limit: Mapped[int | None] = mapped_column(Integer)
    default_difficulty: Mapped[int | None] = mapped_column(Integer)
    # Empty list: quizzes may run in every channel.
    allowed_channels: Mapped[list[int]] = mapped_column(JSON, default=list)
    # None: anyone may start a quiz; otherwise members with this role (or Manage Server).
    starter_role_id: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[str | None] = mapped_column(String(8))
    pictures: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # Games (bot.quiz.games): the longest a game may be, the pause between its
    # questions (None: the defaults), and whether only moderators may start one.
    game_max_count: Mapped[int | None] = mapped_column(Integer)
    game_pause: Mapped[int | None] = mapped_column(Integer)
    game_moderators_only: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )


class QuestionRow(Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(80))
    template_name: Mapped[str | None] = mapped_column(String(40))
    template_version: Mapped[int | None] = mapped_column(Integer)
    difficulty: Mapped[int] = mapped_column(Integer)
    # The whole question as asked, so it can be graded and revealed after a restart.
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_by: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="open")
    ranked: Mapped[bool] = mapped_column(Boolean, default=True)
    # A private practice question (``bot.quiz.practice``): unranked, but it feeds the
    # learner model; its channel is the practising user's own (``practice_channel``).
    practice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    answer_count: Mapped[int] = mapped_column(Integer, default=0)
    first_correct_user: Mapped[int | None] = mapped_column(BigInteger)
    # The question of the day (bot.quiz.daily); rescoring needs it for the daily bonus.
    daily: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    # At most one open question per channel: a partial unique index (bot.storage.schema).
    __table_args__ = (
        Index("ix_questions_open_deadline", "status", "deadline"),
        Index("ix_questions_guild_opened", "guild_id", "opened_at"),
    )


class AnswerEvent(Base):
    """One attempt: append-only. Totals are derived from these and can be rebuilt."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    guild_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))
    reply: Mapped[str] = mapped_column(String(REPLY_MAX))
    outcome: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    mistake: Mapped[str | None] = mapped_column(String(40))
    # What the question drills (``bot.engine.skills``): a built-in skill or template:NAME.
    skill: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer)
    first_correct: Mapped[bool] = mapped_column(Boolean, default=False)
    elapsed_ms: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Hints the player had taken when answering: the scoring rule caps the points by it,
    # so a rescore gives the same points.
    hints: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    __table_args__ = (
        # One attempt per user per question, enforced by the database (no check-then-insert).
        UniqueConstraint("question_id", "user_id", name="uq_answers_question_user"),
        Index("ix_answers_guild_user", "guild_id", "user_id"),
    )


class HintTaking(Base):
    """How many hints a player took on a question, stored when taken (a restart before
    they answer keeps it); the answer writer copies it onto the answer event."""

    __tablename__ = "hint_takings"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hints: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserTotal(Base):
    __tablename__ = "user_totals"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    points: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    streak: Mapped[int] = mapped_column(Integer, default=0)
    best_streak: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_user_totals_board", "guild_id", "points", "user_id"),)


class WeeklyTotal(Base):
    __tablename__ = "weekly_totals"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    week: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    points: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_weekly_totals_board", "guild_id", "week", "points", "user_id"),)


class KindTotal(Base):
    __tablename__ = "kind_totals"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    points: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_kind_totals_board", "guild_id", "kind", "points", "user_id"),
        # A player's row per kind (``!stats``): the primary key leads with the kind.
        Index("ix_kind_totals_user", "guild_id", "user_id"),
    )


class GlobalTotal(Base):
    __tablename__ = "global_totals"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    points: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_global_totals_board", "points", "user_id"),)


# Rank histogram: how many players of a guild board stand at each points value, kept in
# the same transaction as the totals it counts. ``week`` is 0 for the all-time board and
# the ISO week (202648) for a weekly one. Each player is counted once per level: at level
# 0 in bucket ``points``, at level 8 in bucket ``points >> 8``, at level 16 in bucket
# ``points >> 16``. "How many players have more than p points" is then a sum over at
# most 255 + 255 + (max points >> 16) rows, however many players and distinct scores a
# board has (see ``bot.storage.boards._above``).
RANK_LEVELS = (0, 8, 16)
ALL_TIME = 0  # the ``week`` of the all-time board in the histogram


class PointsHistogram(Base):
    """Players of a guild board (all time, or one week) per (level, bucket) of points."""

    __tablename__ = "points_histogram"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    week: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    users: Mapped[int] = mapped_column(Integer, default=0)


def week_number(moment: datetime) -> int:
    """ISO week as an int (2026-W48 → 202648), UTC."""
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return year * 100 + week
