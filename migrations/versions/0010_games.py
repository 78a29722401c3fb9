"""games

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:40:00

Games of several questions: ``games`` (one running per channel), ``game_questions``
(each asked question linked to its round), ``game_players`` (results once a game is
over), and the guild's game settings in ``guild_settings``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("guild_settings") as batch:
        batch.add_column(sa.Column("game_max_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("game_pause", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "game_moderators_only",
                sa.Boolean(),
                nullable=False,
                server_default=sa.text("false"),
            )
        )
    op.create_table(
        "games",
        sa.Column("id", ID, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("started_by", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.Column("difficulty", sa.Integer(), nullable=True),
        sa.Column("template_name", sa.String(length=40), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("rounds_done", sa.Integer(), nullable=False),
        sa.Column("idle_rounds", sa.Integer(), nullable=False),
        sa.Column("current_question_id", sa.BigInteger(), nullable=True),
        sa.Column("next_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("winner_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_games")),
    )
    op.create_index(
        "uq_games_running_channel",
        "games",
        ["channel_id"],
        unique=True,
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    )
    op.create_index("ix_games_guild_winner", "games", ["guild_id", "winner_id"], unique=False)
    op.create_table(
        "game_questions",
        sa.Column("game_id", ID, nullable=False),
        sa.Column("round", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("question_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["game_id"],
            ["games.id"],
            name=op.f("fk_game_questions_game_id_games"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_game_questions_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("game_id", "round", name=op.f("pk_game_questions")),
        sa.UniqueConstraint("question_id", name=op.f("uq_game_questions_question_id")),
    )
    op.create_table(
        "game_players",
        sa.Column("game_id", ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["game_id"],
            ["games.id"],
            name=op.f("fk_game_players_game_id_games"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("game_id", "user_id", name=op.f("pk_game_players")),
    )


def downgrade() -> None:
    op.drop_table("game_players")
    op.drop_table("game_questions")
    op.drop_index("ix_games_guild_winner", table_name="games")
    op.drop_index("uq_games_running_channel", table_name="games")
    op.drop_table("games")
    with op.batch_alter_table("guild_settings") as batch:
        batch.drop_column("game_moderators_only")
        batch.drop_column("game_pause")
        batch.drop_column("game_max_count")
