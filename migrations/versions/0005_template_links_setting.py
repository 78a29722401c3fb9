"""template links setting

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 19:20:00

``template_settings.template_links``: whether a guild's templates may hold links (off
unless the guild turns it on; masked links are refused either way).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("template_settings") as batch:
        batch.add_column(
            sa.Column(
                "template_links", sa.Boolean(), nullable=False, server_default=sa.text("false")
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("template_settings") as batch:
        batch.drop_column("template_links")
