"""rank histograms

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:36:26.943089

Players per (level, bucket) of points for the guild boards (all time as week 0, and each
week), so an exact rank is a sum over a few hundred rows instead of a count over every
player above. Existing totals are counted in here; from then on the repository keeps the
histogram in the same transaction as the totals. Also an index for a player's per-kind
totals (``!stats``), whose primary key leads with the kind.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVELS = (0, 8, 16)  # bot.storage.models.RANK_LEVELS when this revision was written


def upgrade() -> None:
    op.create_table(
        "points_histogram",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("week", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("users", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "guild_id", "week", "level", "bucket", name=op.f("pk_points_histogram")
        ),
    )
    op.create_index("ix_kind_totals_user", "kind_totals", ["guild_id", "user_id"], unique=False)
    # Count the players already on each board: week 0 is the all-time board. (The
    # levels are the constants above, not input.)
    for level in LEVELS:
        op.execute(
            "INSERT INTO points_histogram (guild_id, week, level, bucket, users) "  # noqa: S608
            f"SELECT guild_id, 0, {level}, points >> {level}, COUNT(*) FROM user_totals "
            f"GROUP BY guild_id, points >> {level}"
        )
        op.execute(
            "INSERT INTO points_histogram (guild_id, week, level, bucket, users) "  # noqa: S608
            f"SELECT guild_id, week, {level}, points >> {level}, COUNT(*) FROM weekly_totals "
            f"GROUP BY guild_id, week, points >> {level}"
        )


def downgrade() -> None:
    op.drop_index("ix_kind_totals_user", table_name="kind_totals")
    op.drop_table("points_histogram")
