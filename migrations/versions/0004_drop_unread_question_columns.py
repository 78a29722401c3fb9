"""drop unread question columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:40:00

``questions.params`` and ``questions.answer_key`` were written with every question but
never read: ``questions.body`` holds the whole question (its params and answer key
included), and grading and reveals rebuild it from there.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("answer_key")
        batch.drop_column("params")


def downgrade() -> None:
    # The dropped values live on in ``body``; going back restores empty columns.
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("answer_key", sa.JSON(), nullable=False, server_default="{}"))
