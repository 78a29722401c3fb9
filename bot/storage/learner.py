"""The learner model's rows: cards and misconceptions, written with the answers.

Storage applies what the engine decides (``bot.engine.learning``: the rating of an
answer, the card after it), in the answer's own transaction, in arrival order, and
``rebuild_learner_sync`` replays every answer event the same way for ``rescore``.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, delete, distinct, func, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.learning import CardState, rating_for, review
from bot.records import Misconception, SkillCount, SkillRecord
from bot.storage.core import ANSWERS, QUESTIONS
from bot.storage.learner_models import SkillCard, SkillMistake

CARDS: Table = SkillCard.__table__  # type: ignore[assignment]
MISTAKES: Table = SkillMistake.__table__  # type: ignore[assignment]
REBUILD_SLICE = 5_000


@dataclass(frozen=True, slots=True)
class Review:
    """One answer as the learner model sees it."""

    user_id: int
    skill: str
    outcome: str
    mistake: str | None
    elapsed: float
    time_limit: float
    at: datetime
    hints_used: int = 0


@dataclass(frozen=True, slots=True)
class _Card:
    state: CardState
    reviews: int
    correct: int


class _LearnerSql:
    def __init__(self, dialect: str) -> None:
        pg = dialect == "postgresql"
        # Only the dialect in use: a bot on SQLite holds no PostgreSQL dialect (2.4 MiB).
        dml: Any = importlib.import_module(f"sqlalchemy.dialects.{dialect}")
        c, m = CARDS, MISTAKES
        # Columns named, not the table's: migration 0007 runs this on the tables as it
        # made them, which a later column must not break.
        card_fields = ("state", "step", "stability", "difficulty", "due", "last_review")
        cards = (
            select(c.c.user_id, c.c.skill, *(c.c[name] for name in card_fields))
            .add_columns(c.c.reviews, c.c.correct)
            .where(tuple_(c.c.user_id, c.c.skill).in_(bindparam("keys", expanding=True)))
            .order_by(c.c.user_id, c.c.skill)
        )
        # Taken after the answers' questions and totals: the writer's one lock order.
        self.cards = cards.with_for_update() if pg else cards
        upsert = dml.insert(c)
        fields = ("state", "step", "stability", "difficulty", "due", "last_review")
        self.upsert_cards = upsert.on_conflict_do_update(
            index_elements=["user_id", "skill"],
            set_={name: upsert.excluded[name] for name in (*fields, "reviews", "correct")},
        )
        mistakes = (
            select(m.c.user_id, m.c.skill, m.c.mistake, m.c["count"], m.c.last_seen, m.c.last_right)
            .where(tuple_(m.c.user_id, m.c.skill).in_(bindparam("keys", expanding=True)))
            .order_by(m.c.user_id, m.c.skill, m.c.mistake)
        )
        self.mistakes = mistakes.with_for_update() if pg else mistakes
        counted = dml.insert(m)
        self.upsert_mistakes = counted.on_conflict_do_update(
            index_elements=["user_id", "skill", "mistake"],
            set_={name: counted.excluded[name] for name in ("count", "last_seen", "last_right")},
        )


@functools.cache
def _learner_sql(dialect: str) -> _LearnerSql:
    return _LearnerSql(dialect)


def write_reviews(connection: Connection, reviews: Sequence[Review]) -> None:
    """Review each answer's card in order and count its misconception, in the caller's
    transaction, with a fixed number of statements."""
    if not reviews:
        return
    sql = _learner_sql(connection.dialect.name)
    keys = sorted({(r.user_id, r.skill) for r in reviews})
    cards: dict[tuple[int, str], _Card] = {
        (row.user_id, row.skill): _Card(
            CardState(row.state, row.step, row.stability, row.difficulty, row.due, row.last_review),
            row.reviews,
            row.correct,
        )
        for row in connection.execute(sql.cards, {"keys": keys})
    }
    # Every misconception row of the skills touched, as (count, last seen, last right).
    mistakes: dict[tuple[int, str, str], list[Any]] = {
        (row.user_id, row.skill, row.mistake): [row.count, row.last_seen, row.last_right]
        for row in connection.execute(sql.mistakes, {"keys": keys})
    }
    # The misconceptions of each (user, skill), so a right answer marks only its own.
    by_skill: dict[tuple[int, str], list[tuple[int, str, str]]] = {}
    for mistake_key in mistakes:
        by_skill.setdefault(mistake_key[:2], []).append(mistake_key)
    changed: set[tuple[int, str, str]] = set()
    for item in reviews:
        key = (item.user_id, item.skill)
        before = cards.get(key)
        rating = rating_for(
            item.outcome,
            hints_used=item.hints_used,
            elapsed=item.elapsed,
            time_limit=item.time_limit,
        )
        right = item.outcome == "correct"
        cards[key] = _Card(
            review(before.state if before else None, rating, item.at),
            (before.reviews if before else 0) + 1,
            (before.correct if before else 0) + right,
        )
        if right:  # every misconception of the skill: answered right since it was seen
            for mistake_key in by_skill.get(key, ()):
                mistakes[mistake_key][2] = item.at
                changed.add(mistake_key)
        elif item.mistake:
            mistake_key = (*key, item.mistake)
            if mistake_key not in mistakes:
                by_skill.setdefault(key, []).append(mistake_key)
            row = mistakes.setdefault(mistake_key, [0, item.at, None])
            row[0] += 1
            row[1] = item.at
            changed.add((*key, item.mistake))
    touched = sorted({(r.user_id, r.skill) for r in reviews})
    connection.execute(
        sql.upsert_cards,
        [
            {
                "user_id": user,
                "skill": skill,
                "state": card.state.state,
                "step": card.state.step,
                "stability": card.state.stability,
                "difficulty": card.state.difficulty,
                "due": card.state.due,
                "last_review": card.state.last_review,
                "reviews": card.reviews,
                "correct": card.correct,
            }
            for user, skill in touched
            for card in (cards[(user, skill)],)
        ],
    )
    if changed:
        connection.execute(
            sql.upsert_mistakes,
            [
                {
                    "user_id": user,
                    "skill": skill,
                    "mistake": mistake,
                    "count": mistakes[(user, skill, mistake)][0],
                    "last_seen": mistakes[(user, skill, mistake)][1],
                    "last_right": mistakes[(user, skill, mistake)][2],
                }
                for user, skill, mistake in sorted(changed)
            ],
        )


def rebuild_learner_sync(connection: Connection) -> int:
    """Every card and misconception again from the answer events, in the order they were
    recorded (``rescore`` and the migration that made the tables). Returns the reviews."""
    connection.execute(delete(CARDS))
    connection.execute(delete(MISTAKES))
    a, q = ANSWERS, QUESTIONS
    rows = connection.execute(
        select(
            a.c.user_id,
            a.c.skill,
            a.c.outcome,
            a.c.mistake,
            a.c.elapsed_ms,
            a.c.answered_at,
            a.c.hints,
            q.c.opened_at,
            q.c.deadline,
            q.c.practice,
        )
        .join(q, q.c.id == a.c.question_id)
        .where(q.c.ranked | q.c.practice, a.c.skill != "")
        .order_by(a.c.id)
    )
    reviews = [
        Review(
            row.user_id,
            row.skill,
            row.outcome,
            row.mistake,
            row.elapsed_ms / 1000,
            0.0 if row.practice else (_aware(row.deadline) - _aware(row.opened_at)).total_seconds(),
            _aware(row.answered_at),
            row.hints,
        )
        for row in rows
    ]
    # In slices: each reads the cards the slices before it wrote.
    for start in range(0, len(reviews), REBUILD_SLICE):
        write_reviews(connection, reviews[start : start + REBUILD_SLICE])
    return len(reviews)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- reading -------------------------------------------------------------------------

RECENT_ANSWERS = 10  # per skill, for "recent accuracy"
_RECENT_SCAN = 1_000  # the user's newest answers read to find them


def _card_of(row: Any) -> CardState:
    return CardState(row.state, row.step, row.stability, row.difficulty, row.due, row.last_review)


async def cards(session: AsyncSession, user_id: int) -> dict[str, CardState]:
    """A user's card per skill (what the scheduler needs to choose the next question)."""
    rows = await session.execute(select(CARDS).where(CARDS.c.user_id == user_id))
    return {row.skill: _card_of(row) for row in rows}


async def skill_records(session: AsyncSession, user_id: int) -> list[SkillRecord]:
    """Every skill the user has reviewed, with recent answers and misconceptions."""
    a = ANSWERS
    recent: dict[str, list[bool]] = {}
    newest = await session.execute(
        select(a.c.skill, a.c.outcome)
        .where(a.c.user_id == user_id, a.c.skill != "")
        .order_by(a.c.id.desc())
        .limit(_RECENT_SCAN)
    )
    for skill, outcome in newest:
        answers = recent.setdefault(skill, [])
        if len(answers) < RECENT_ANSWERS:
            answers.append(outcome == "correct")
    mistakes: dict[str, list[tuple[str, int]]] = {}
    rows = await session.execute(
        select(MISTAKES.c.skill, MISTAKES.c.mistake, MISTAKES.c["count"])
        .where(MISTAKES.c.user_id == user_id)
        .order_by(MISTAKES.c["count"].desc(), MISTAKES.c.mistake)
    )
    for skill, mistake, count in rows:
        mistakes.setdefault(skill, []).append((mistake, count))
    found = await session.execute(
        select(CARDS).where(CARDS.c.user_id == user_id).order_by(CARDS.c.skill)
    )
    return [
        SkillRecord(
            row.skill,
            _card_of(row),
            row.reviews,
            row.correct,
            tuple(recent.get(row.skill, ())),
            tuple(mistakes.get(row.skill, ())),
        )
        for row in found
    ]


async def misconceptions(session: AsyncSession, user_id: int, skill: str) -> list[Misconception]:
    """Mistakes on ``skill`` not answered right since they were last made, newest first."""
    m = MISTAKES
    rows = await session.execute(
        select(m.c.mistake, m.c.last_seen)
        .where(
            m.c.user_id == user_id,
            m.c.skill == skill,
            (m.c.last_right.is_(None)) | (m.c.last_right < m.c.last_seen),
        )
        .order_by(m.c.last_seen.desc(), m.c.mistake)
    )
    return [Misconception(mistake, last_seen) for mistake, last_seen in rows]


async def guild_skills(session: AsyncSession, guild_id: int, since: datetime) -> list[SkillCount]:
    """Ranked answers in a guild since ``since``, per skill (practice is private)."""
    a = ANSWERS
    right = func.sum(case((a.c.outcome == "correct", 1), else_=0))
    rows = await session.execute(
        select(a.c.skill, func.count(), right, func.count(distinct(a.c.user_id)))
        .join(QUESTIONS, QUESTIONS.c.id == a.c.question_id)
        .where(
            a.c.guild_id == guild_id,
            a.c.answered_at >= since,
            a.c.skill != "",
            QUESTIONS.c.ranked,
        )
        .group_by(a.c.skill)
        .order_by(a.c.skill)
    )
    return [SkillCount(skill, int(n), int(ok or 0), int(players)) for skill, n, ok, players in rows]


async def wrong_codes(session: AsyncSession, user_id: int, limit: int) -> list[str]:
    """Codes of the last questions the user got wrong (or partly), newest first, once each."""
    a, q = ANSWERS, QUESTIONS
    rows = await session.execute(
        select(q.c.code)
        .join(a, a.c.question_id == q.c.id)
        .where(a.c.user_id == user_id, a.c.outcome != "correct")
        .order_by(a.c.id.desc())
        .limit(limit * 4)
    )
    return list(dict.fromkeys(code for (code,) in rows))[:limit]
