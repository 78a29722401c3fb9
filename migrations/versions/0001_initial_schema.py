"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 23:13:58.883275
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "global_totals",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_global_totals")),
    )
    op.create_index("ix_global_totals_board", "global_totals", ["points", "user_id"], unique=False)
    op.create_table(
        "guild_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=True),
        sa.Column("time_limit", sa.Integer(), nullable=True),
        sa.Column("default_difficulty", sa.Integer(), nullable=True),
        sa.Column("allowed_channels", sa.JSON(), nullable=False),
        sa.Column("starter_role_id", sa.BigInteger(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("pictures", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_settings")),
    )
    op.create_table(
        "kind_totals",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "kind", "user_id", name=op.f("pk_kind_totals")),
    )
    op.create_index(
        "ix_kind_totals_board",
        "kind_totals",
        ["guild_id", "kind", "points", "user_id"],
        unique=False,
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("template_name", sa.String(length=40), nullable=True),
        sa.Column("template_version", sa.Integer(), nullable=True),
        sa.Column("difficulty", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("answer_key", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("started_by", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("ranked", sa.Boolean(), nullable=False),
        sa.Column("answer_count", sa.Integer(), nullable=False),
        sa.Column("first_correct_user", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index(
        "ix_questions_guild_opened", "questions", ["guild_id", "opened_at"], unique=False
    )
    op.create_index("ix_questions_open_deadline", "questions", ["status", "deadline"], unique=False)
    op.create_index(
        "uq_questions_open_channel",
        "questions",
        ["channel_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "user_totals",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("best_streak", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_user_totals")),
    )
    op.create_index(
        "ix_user_totals_board", "user_totals", ["guild_id", "points", "user_id"], unique=False
    )
    op.create_table(
        "weekly_totals",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("week", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "week", "user_id", name=op.f("pk_weekly_totals")),
    )
    op.create_index(
        "ix_weekly_totals_board",
        "weekly_totals",
        ["guild_id", "week", "points", "user_id"],
        unique=False,
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "question_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reply", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("mistake", sa.String(length=40), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("first_correct", sa.Boolean(), nullable=False),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_answers_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.UniqueConstraint("question_id", "user_id", name="uq_answers_question_user"),
    )
    op.create_index("ix_answers_guild_user", "answers", ["guild_id", "user_id"], unique=False)


def downgrade() -> None:

    op.drop_index("ix_answers_guild_user", table_name="answers")
    op.drop_table("answers")
    op.drop_index("ix_weekly_totals_board", table_name="weekly_totals")
    op.drop_table("weekly_totals")
    op.drop_index("ix_user_totals_board", table_name="user_totals")
    op.drop_table("user_totals")
    op.drop_index(
        "uq_questions_open_channel",
        table_name="questions",
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_index("ix_questions_open_deadline", table_name="questions")
    op.drop_index("ix_questions_guild_opened", table_name="questions")
    op.drop_table("questions")
    op.drop_index("ix_kind_totals_board", table_name="kind_totals")
    op.drop_table("kind_totals")
    op.drop_table("guild_settings")
    op.drop_index("ix_global_totals_board", table_name="global_totals")
    op.drop_table("global_totals")
