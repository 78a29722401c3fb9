"""question of the day

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:40:00

``daily_settings``: a guild's question of the day (channel, local time, IANA zone,
window, weekly ramp). ``daily_posts``: one row per guild and local date, unique, so
exactly one process posts a day's question. ``questions.daily``: which questions were
questions of the day (their correct answers earn the daily bonus, also when rescored).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.String(length=5), nullable=True),
        sa.Column("zone", sa.String(length=64), server_default=sa.text("'UTC'"), nullable=False),
        sa.Column("window_minutes", sa.Integer(), server_default=sa.text("60"), nullable=False),
        sa.Column("ramp", sa.String(length=8), server_default=sa.text("'fixed'"), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_daily_settings")),
    )
    op.create_table(
        "daily_posts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("question_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "status", sa.String(length=8), server_default=sa.text("'claimed'"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_posts")),
        sa.UniqueConstraint("guild_id", "local_date", name="uq_daily_posts_guild_date"),
    )
    op.create_index(
        op.f("ix_daily_posts_question_id"), "daily_posts", ["question_id"], unique=False
    )
    # A plain ADD COLUMN, not a batch: on SQLite a batch copies the table and drops the
    # old one, and with foreign keys on that drop would cascade to every answer.
    op.add_column(
        "questions",
        sa.Column("daily", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("questions", "daily")  # SQLite 3.35+ drops a column in place
    op.drop_index(op.f("ix_daily_posts_question_id"), table_name="daily_posts")
    op.drop_table("daily_posts")
    op.drop_table("daily_settings")
