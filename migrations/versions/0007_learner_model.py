"""learner model

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:50:00

``questions.practice``: a private practice question (unranked, feeds the learner
model). ``answers.skill``: what each answer's question drills, filled for existing answers from
their questions' codes (a code names its question, and so its skill; a template's
question is the skill ``template:NAME``). ``skill_cards`` and ``skill_mistakes``: the
learner model, built from the answers so far the way ``convquiz rescore`` builds it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _skills_of_questions(connection: sa.Connection) -> dict[int, str]:
    from bot.engine import bank
    from bot.engine.skills import skill_for, template_skill

    rows = connection.execute(sa.text("SELECT id, code, template_name FROM questions"))
    skills: dict[int, str] = {}
    for question_id, code, template_name in rows:
        if template_name:
            skills[question_id] = template_skill(template_name)
            continue
        try:
            skills[question_id] = skill_for(bank.from_code(code))
        except (bank.QuizError, KeyError):
            skills[question_id] = ""  # a code no generator reads any more: no skill
    return skills


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(
            sa.Column("practice", sa.Boolean(), nullable=False, server_default=sa.text("false"))
        )
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("skill", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    skills = _skills_of_questions(connection)
    if skills:
        connection.execute(
            sa.text("UPDATE answers SET skill = :skill WHERE question_id = :question_id"),
            [{"skill": skill, "question_id": qid} for qid, skill in sorted(skills.items())],
        )
    connection.execute(sa.text("UPDATE answers SET skill = '' WHERE skill IS NULL"))
    with op.batch_alter_table("answers") as batch:
        batch.alter_column("skill", existing_type=sa.String(length=64), nullable=False)
    op.create_table(
        "skill_cards",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(), nullable=False),
        sa.Column("last_review", sa.DateTime(), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "skill", name=op.f("pk_skill_cards")),
    )
    op.create_index("ix_skill_cards_due", "skill_cards", ["user_id", "due"])
    op.create_table(
        "skill_mistakes",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.Column("mistake", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("last_right", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("user_id", "skill", "mistake", name=op.f("pk_skill_mistakes")),
    )
    _build_from_answers(connection)


def _build_from_answers(connection: sa.Connection) -> None:
    """The cards and mistakes of the answers so far, exactly as rescore rebuilds them."""
    from bot.storage.learner import rebuild_learner_sync

    rebuild_learner_sync(connection)


def downgrade() -> None:
    op.drop_table("skill_mistakes")
    op.drop_index("ix_skill_cards_due", table_name="skill_cards")
    op.drop_table("skill_cards")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("skill")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("practice")
