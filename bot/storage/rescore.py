"""Rebuilding totals from the events: every event's points again with the current
rule, through the same scoring decision and the same ``Deltas`` as the live writer; and
the learner model's cards and misconceptions, through the same reviews."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.scoring import decide
from bot.storage.core import ANSWERS, QUESTIONS
from bot.storage.learner import rebuild_learner_sync
from bot.storage.models import (
    AnswerEvent,
    GlobalTotal,
    KindTotal,
    PointsHistogram,
    QuestionRow,
    UserTotal,
    WeeklyTotal,
    week_number,
)
from bot.storage.totals import Deltas, insert_totals, rebuild_histograms


@dataclass
class _Replay:
    totals: Deltas = field(default_factory=Deltas)
    first_correct: dict[int, int] = field(default_factory=dict)
    event_points: dict[int, tuple[int, bool]] = field(default_factory=dict)


def _replay(events: Iterable[AnswerEvent], questions: dict[int, QuestionRow]) -> _Replay:
    out = _Replay()
    for event in events:
        question = questions[event.question_id]
        if not question.ranked:
            out.event_points[event.id] = (0, False)
            continue
        is_correct = event.outcome == "correct"
        first = is_correct and event.question_id not in out.first_correct
        if first:
            out.first_correct[event.question_id] = event.user_id
        decision = decide(
            outcome=event.outcome,
            score=event.score,
            first_correct=first,
            streak_before=out.totals.streak(event.guild_id, event.user_id),
            elapsed=event.elapsed_ms / 1000,
            time_limit=(question.deadline - question.opened_at).total_seconds(),
            difficulty=question.difficulty,
            hints=event.hints,
            daily=question.daily,
        )
        points = decision.points.total
        out.event_points[event.id] = (points, first)
        out.totals.add(
            event.guild_id,
            event.user_id,
            event.kind,
            week_number(event.answered_at),
            points,
            is_correct,
            decision.streak,
        )
    return out


async def rescore(session: AsyncSession) -> int:
    """Recompute every event's points and rebuild all totals, in ``session``'s
    transaction. Events are replayed in the order they were recorded, so streaks and
    first-correct bonuses come out as they would have live. Returns the number of
    events replayed."""
    questions = {row.id: row for row in await session.scalars(select(QuestionRow))}
    events = list(await session.scalars(select(AnswerEvent).order_by(AnswerEvent.id)))
    for model in (UserTotal, WeeklyTotal, KindTotal, GlobalTotal):
        await session.execute(delete(model))
    replay = _replay(events, questions)
    # Core statements, executemany: no ORM bookkeeping per row.
    await session.execute(update(QUESTIONS).values(first_correct_user=None))
    if replay.first_correct:
        await session.execute(
            update(QUESTIONS)
            .where(QUESTIONS.c.id == bindparam("b_id"))
            .values(first_correct_user=bindparam("b_user")),
            [{"b_id": q, "b_user": u} for q, u in sorted(replay.first_correct.items())],
        )
    if replay.event_points:
        await session.execute(
            update(ANSWERS)
            .where(ANSWERS.c.id == bindparam("b_id"))
            .values(points=bindparam("b_points"), first_correct=bindparam("b_first")),
            [
                {"b_id": event_id, "b_points": points, "b_first": first}
                for event_id, (points, first) in sorted(replay.event_points.items())
            ],
        )
    await insert_totals(session, replay.totals)
    await rebuild_histograms(session)
    await session.run_sync(lambda sync: rebuild_learner_sync(sync.connection()))
    return len(events)


async def totals_snapshot(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every totals and rank-histogram row, sorted: for proving rebuilt totals equal
    live ones."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    for model in (UserTotal, WeeklyTotal, KindTotal, GlobalTotal, PointsHistogram):
        columns = list(model.__table__.columns)
        rows = (await session.execute(select(*columns))).all()
        snapshot[model.__tablename__] = sorted(tuple(r) for r in rows)
    return snapshot
