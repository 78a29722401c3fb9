"""hints

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:40:00

``answers.hints``: the hints a player had taken when answering (the scoring rule caps
the points by it, so ``convquiz rescore`` reproduces them). ``hint_takings``: hints
taken on a question not yet answered, stored when taken so a restart keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(
            sa.Column("hints", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.create_table(
        "hint_takings",
        sa.Column(
            "question_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("hints", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_hint_takings_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("question_id", "user_id", name=op.f("pk_hint_takings")),
    )


def downgrade() -> None:
    op.drop_table("hint_takings")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("hints")
