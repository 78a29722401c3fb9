"""Tables of the learner model: one FSRS card and the misconceptions per (user, skill).

Both are derived from the answer events, like the totals: the writer updates them in
the answer's own transaction and ``rescore`` rebuilds them. They are per user, not per
guild: what a member has mastered travels with them (and practice in direct messages
has no guild).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, UTCDateTime

SKILL_MAX = 64  # "template:" and a template name of at most 40 characters fit


class SkillCard(Base):
    """The fields of an FSRS card (``bot.engine.learning.CardState``) and its count."""

    __tablename__ = "skill_cards"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    skill: Mapped[str] = mapped_column(String(SKILL_MAX), primary_key=True)
    state: Mapped[int] = mapped_column(Integer)
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviews: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_skill_cards_due", "user_id", "due"),)


class SkillMistake(Base):
    """How often a user made one named mistake on a skill, when last, and when they last
    answered the skill right (after which the mistake counts as corrected)."""

    __tablename__ = "skill_mistakes"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    skill: Mapped[str] = mapped_column(String(SKILL_MAX), primary_key=True)
    mistake: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_right: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderSetting(Base):
    """A member's practice reminder: at most one direct message a day, at their local
    time, when at least three of their skills are due. Off unless they turn it on."""

    __tablename__ = "reminder_settings"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    enabled: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[str] = mapped_column(String(5))  # "HH:MM" in ``zone``
    zone: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))  # of the direct message
    # Set when a reminder could not be delivered (DMs closed): the reminder was switched
    # off, and the member is told so the next time they use the bot.
    dms_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderSend(Base):
    """One member's reminder of one local date, claimed by the first process to insert
    it (the primary key makes it once a day, across processes and restarts)."""

    __tablename__ = "reminder_sends"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(8))  # "claimed", "sent" or "failed"
