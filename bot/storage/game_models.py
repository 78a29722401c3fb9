"""Tables of games: a run of questions in one channel, its questions and its players."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, UTCDateTime


class GameRow(Base):
    """One game: what it asks, how far it got, and (once over) how it ended."""

    __tablename__ = "games"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    started_by: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(40))
    difficulty: Mapped[int | None] = mapped_column(Integer)
    template_name: Mapped[str | None] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(8))
    # running, then finished (all asked), idle (two unanswered in a row) or stopped.
    status: Mapped[str] = mapped_column(String(12), default="running")
    # Questions closed and counted; a close is counted once (a conditional update).
    rounds_done: Mapped[int] = mapped_column(Integer, default=0)
    idle_rounds: Mapped[int] = mapped_column(Integer, default=0)
    # The question of the round under way (open, or closed and not yet counted).
    current_question_id: Mapped[int | None] = mapped_column(BigInteger)
    # While pausing between questions: when the next one is due.
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    winner_id: Mapped[int | None] = mapped_column(BigInteger)

    # One running game per channel: a partial unique index (bot.storage.schema).
    __table_args__ = (Index("ix_games_guild_winner", "guild_id", "winner_id"),)


class GameQuestion(Base):
    """A question asked in a game: an ordinary ranked question, linked to its round."""

    __tablename__ = "game_questions"

    game_id: Mapped[int] = mapped_column(
        ForeignKey(GameRow.id, ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), unique=True
    )


class GamePlayer(Base):
    """A player's result in a finished game (their points and place), kept once."""

    __tablename__ = "game_players"

    game_id: Mapped[int] = mapped_column(
        ForeignKey(GameRow.id, ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    points: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    place: Mapped[int] = mapped_column(Integer)
