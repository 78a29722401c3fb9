"""A member's own data: how many rows name them, every such row, and deleting them.

Rows that name a user: their answer events, the hints they took, their totals (per
guild, per week, per kind, global), the questions they started or answered first, the
template versions they wrote, and the games they started, won or played. Points
histograms and guild settings name nobody.

Deleting (one transaction) removes the events, hints and totals, and unnames the rest:
``started_by`` and template authors become ``ANONYMOUS`` (0), ``first_correct_user``
is recomputed, a game's result row is deleted and its ``winner_id`` cleared. Other
members' points depend on the deleted events only through the first-correct bonus
(streaks are per player), so every guild the user played in is replayed with
``rescore``'s own replay, and only the rows that come out different are written:
afterwards the totals equal a full ``rescore`` of what remains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import PrivacyCounts
from bot.storage.core import ANSWERS, GLOBAL, KINDS, QUESTIONS, USERS, WEEKLY
from bot.storage.game_models import GamePlayer, GameRow
from bot.storage.hints import HINTS
from bot.storage.learner import CARDS, MISTAKES
from bot.storage.learner_models import ReminderSend, ReminderSetting
from bot.storage.models import AnswerEvent, QuestionRow
from bot.storage.rescore import _replay
from bot.storage.template_models import GuildTemplate, TemplateVersion
from bot.storage.totals import rebuild_histograms

REMINDERS: Table = ReminderSetting.__table__  # type: ignore[assignment]
REMINDER_SENDS: Table = ReminderSend.__table__  # type: ignore[assignment]

# What a deleted user's id becomes where a row must keep some author (NOT NULL columns).
ANONYMOUS = 0

TEMPLATES: Table = GuildTemplate.__table__  # type: ignore[assignment]
VERSIONS: Table = TemplateVersion.__table__  # type: ignore[assignment]
GAMES: Table = GameRow.__table__  # type: ignore[assignment]
PLAYERS: Table = GamePlayer.__table__  # type: ignore[assignment]

# Every totals table with the columns a replay produces for it.
_TOTALS: tuple[tuple[str, Table, tuple[str, ...]], ...] = (
    ("users", USERS, ("points", "answered", "correct", "streak", "best_streak")),
    ("weekly", WEEKLY, ("points", "answered", "correct")),
    ("kinds", KINDS, ("points", "answered", "correct")),
)


async def _count(session: AsyncSession, table: Table, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def counts(session: AsyncSession, user_id: int) -> PrivacyCounts:
    """How many rows of each kind name ``user_id``."""
    return PrivacyCounts(
        answers=await _count(session, ANSWERS, ANSWERS.c.user_id == user_id),
        guild_totals=await _count(session, USERS, USERS.c.user_id == user_id),
        weekly_totals=await _count(session, WEEKLY, WEEKLY.c.user_id == user_id),
        kind_totals=await _count(session, KINDS, KINDS.c.user_id == user_id),
        global_totals=await _count(session, GLOBAL, GLOBAL.c.user_id == user_id),
        questions_started=await _count(session, QUESTIONS, QUESTIONS.c.started_by == user_id),
        first_correct=await _count(session, QUESTIONS, QUESTIONS.c.first_correct_user == user_id),
        templates_authored=await _count(session, VERSIONS, VERSIONS.c.created_by == user_id)
        + await _count(session, TEMPLATES, TEMPLATES.c.updated_by == user_id),
        skill_cards=await _count(session, CARDS, CARDS.c.user_id == user_id),
        skill_mistakes=await _count(session, MISTAKES, MISTAKES.c.user_id == user_id),
        reminders=await _count(session, REMINDERS, REMINDERS.c.user_id == user_id)
        + await _count(session, REMINDER_SENDS, REMINDER_SENDS.c.user_id == user_id),
        hints_taken=await _count(session, HINTS, HINTS.c.user_id == user_id),
        games=await _count(session, PLAYERS, PLAYERS.c.user_id == user_id)
        + await _count(session, GAMES, _names_in_game(user_id)),
    )


def _names_in_game(user_id: int) -> Any:
    return (GAMES.c.started_by == user_id) | (GAMES.c.winner_id == user_id)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def _rows(session: AsyncSession, table: Table, *where: Any) -> list[dict[str, Any]]:
    query = select(table).where(*where).order_by(*table.primary_key.columns)
    return [
        {key: _plain(value) for key, value in row._mapping.items()}
        for row in await session.execute(query)
    ]


async def export_rows(session: AsyncSession, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row that names ``user_id``, as plain JSON-ready dicts per table."""
    started = (
        select(
            QUESTIONS.c.id,
            QUESTIONS.c.guild_id,
            QUESTIONS.c.channel_id,
            QUESTIONS.c.code,
            QUESTIONS.c.kind,
            QUESTIONS.c.opened_at,
            QUESTIONS.c.status,
        )
        .where(QUESTIONS.c.started_by == user_id)
        .order_by(QUESTIONS.c.id)
    )
    return {
        "answers": await _rows(session, ANSWERS, ANSWERS.c.user_id == user_id),
        "guild_totals": await _rows(session, USERS, USERS.c.user_id == user_id),
        "weekly_totals": await _rows(session, WEEKLY, WEEKLY.c.user_id == user_id),
        "kind_totals": await _rows(session, KINDS, KINDS.c.user_id == user_id),
        "global_totals": await _rows(session, GLOBAL, GLOBAL.c.user_id == user_id),
        "skill_cards": await _rows(session, CARDS, CARDS.c.user_id == user_id),
        "skill_mistakes": await _rows(session, MISTAKES, MISTAKES.c.user_id == user_id),
        "reminder": await _rows(session, REMINDERS, REMINDERS.c.user_id == user_id),
        "reminders_sent": await _rows(session, REMINDER_SENDS, REMINDER_SENDS.c.user_id == user_id),
        "questions_started": [
            {key: _plain(value) for key, value in row._mapping.items()}
            for row in await session.execute(started)
        ],
        "hints_taken": await _rows(session, HINTS, HINTS.c.user_id == user_id),
        "game_results": await _rows(session, PLAYERS, PLAYERS.c.user_id == user_id),
        "games_started_or_won": await _rows(session, GAMES, _names_in_game(user_id)),
        "template_versions_authored": [
            {k: v for k, v in row.items() if k != "source"}
            for row in await _rows(session, VERSIONS, VERSIONS.c.created_by == user_id)
        ],
    }


async def _lock(session: AsyncSession, user_id: int) -> None:
    """PostgreSQL: lock like the answer writer does (question rows first, by id, then
    the totals), so a delete and a batch of answers wait for each other instead of
    one of them reading totals the other is rewriting."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the repository's writer queue serialises every write
    mine = select(ANSWERS.c.question_id).where(ANSWERS.c.user_id == user_id)
    await session.execute(
        select(QUESTIONS.c.id)
        .where(
            QUESTIONS.c.id.in_(mine)
            | (QUESTIONS.c.started_by == user_id)
            | (QUESTIONS.c.first_correct_user == user_id)
        )
        .order_by(QUESTIONS.c.id)
        .with_for_update()
    )
    await session.execute(
        text(
            "LOCK TABLE user_totals, weekly_totals, kind_totals, global_totals,"
            " points_histogram IN SHARE ROW EXCLUSIVE MODE"
        )
    )


async def _delete(session: AsyncSession, table: Table, *where: Any) -> int:
    result = await session.execute(delete(table).where(*where))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _keyed(table: Table, rows: Iterable[Any], names: tuple[str, ...]) -> dict[Any, tuple[int, ...]]:
    keys = [c.name for c in table.primary_key.columns]
    out: dict[Any, tuple[int, ...]] = {}
    for row in rows:
        mapping = row._mapping
        out[tuple(mapping[k] for k in keys)] = tuple(int(mapping[n]) for n in names)
    return out


async def _write_differences(
    session: AsyncSession,
    table: Table,
    names: tuple[str, ...],
    guild_id: int,
    want: Mapping[Any, Mapping[str, int]],
) -> set[int]:
    """Make ``table``'s rows of ``guild_id`` equal ``want``; the users whose rows changed."""
    keys = [c.name for c in table.primary_key.columns]
    have = _keyed(
        table, await session.execute(select(table).where(table.c.guild_id == guild_id)), names
    )
    wanted = {key: tuple(values.get(n, 0) for n in names) for key, values in want.items()}
    changed = sorted(k for k in have.keys() | wanted.keys() if have.get(k) != wanted.get(k))
    if not changed:
        return set()
    columns = [table.c[k] for k in keys]
    await session.execute(delete(table).where(tuple_(*columns).in_(changed)))
    fresh = [
        dict(zip(keys, key, strict=True), **dict(zip(names, wanted[key], strict=True)))
        for key in changed
        if key in wanted
    ]
    if fresh:
        await session.execute(insert(table), fresh)
    user_at = keys.index("user_id")
    return {int(key[user_at]) for key in changed}


async def _replay_guild(session: AsyncSession, guild_id: int) -> set[int]:
    """Replay one guild's remaining events and write what differs: event points and
    first-correct flags, questions' first-correct user, totals. The users whose guild
    totals changed."""
    questions = {
        row.id: row
        for row in await session.scalars(
            select(QuestionRow).where(QuestionRow.guild_id == guild_id)
        )
    }
    events = list(
        await session.scalars(
            select(AnswerEvent).where(AnswerEvent.guild_id == guild_id).order_by(AnswerEvent.id)
        )
    )
    replay = _replay(events, questions)
    moved = [
        {
            "b_id": e.id,
            "b_points": replay.event_points[e.id][0],
            "b_first": replay.event_points[e.id][1],
        }
        for e in events
        if (e.points, e.first_correct) != replay.event_points[e.id]
    ]
    if moved:
        await session.execute(
            update(ANSWERS)
            .where(ANSWERS.c.id == bindparam("b_id"))
            .values(points=bindparam("b_points"), first_correct=bindparam("b_first")),
            moved,
        )
    firsts = [
        {"b_id": qid, "b_user": replay.first_correct.get(qid)}
        for qid, row in sorted(questions.items())
        if row.first_correct_user != replay.first_correct.get(qid)
    ]
    if firsts:
        await session.execute(
            update(QUESTIONS)
            .where(QUESTIONS.c.id == bindparam("b_id"))
            .values(first_correct_user=bindparam("b_user")),
            firsts,
        )
    changed: set[int] = set()
    wants: dict[str, Mapping[Any, Mapping[str, int]]] = {
        "users": replay.totals.users,
        "weekly": replay.totals.weekly,
        "kinds": replay.totals.kinds,
    }
    for name, table, columns in _TOTALS:
        users = await _write_differences(session, table, columns, guild_id, wants[name])
        if name == "users":
            changed = users
    return changed


async def _refresh_global(session: AsyncSession, user_ids: set[int]) -> None:
    """Global totals of ``user_ids`` again, as the sum of their guild totals (what
    every ranked answer adds to both)."""
    if not user_ids:
        return
    ids = sorted(user_ids)
    await session.execute(delete(GLOBAL).where(GLOBAL.c.user_id.in_(ids)))
    await session.execute(
        insert(GLOBAL).from_select(
            ["user_id", "points", "answered", "correct"],
            select(
                USERS.c.user_id,
                func.sum(USERS.c.points),
                func.sum(USERS.c.answered),
                func.sum(USERS.c.correct),
            )
            .where(USERS.c.user_id.in_(ids))
            .group_by(USERS.c.user_id),
        )
    )


async def delete_user(session: AsyncSession, user_id: int) -> PrivacyCounts:
    """Delete or unname every row that names ``user_id``, in ``session``'s
    transaction; the counts of what was there. Deleting again deletes nothing."""
    await _lock(session, user_id)
    before = await counts(session, user_id)
    guilds = sorted(
        set(
            await session.scalars(
                select(ANSWERS.c.guild_id).where(ANSWERS.c.user_id == user_id).distinct()
            )
        )
        | set(await session.scalars(select(USERS.c.guild_id).where(USERS.c.user_id == user_id)))
    )
    answered = select(ANSWERS.c.question_id).where(ANSWERS.c.user_id == user_id)
    # Each question loses one answer (one attempt per user): ``answer_count`` stays true.
    await session.execute(
        update(QUESTIONS)
        .where(QUESTIONS.c.id.in_(answered))
        .values(answer_count=QUESTIONS.c.answer_count - 1)
    )
    await _delete(session, ANSWERS, ANSWERS.c.user_id == user_id)
    await _delete(session, HINTS, HINTS.c.user_id == user_id)
    for table in (USERS, WEEKLY, KINDS, GLOBAL, CARDS, MISTAKES, REMINDERS, REMINDER_SENDS):
        await _delete(session, table, table.c.user_id == user_id)
    await session.execute(
        update(QUESTIONS).where(QUESTIONS.c.started_by == user_id).values(started_by=ANONYMOUS)
    )
    await session.execute(
        update(VERSIONS).where(VERSIONS.c.created_by == user_id).values(created_by=ANONYMOUS)
    )
    await session.execute(
        update(TEMPLATES).where(TEMPLATES.c.updated_by == user_id).values(updated_by=ANONYMOUS)
    )
    await _delete(session, PLAYERS, PLAYERS.c.user_id == user_id)
    await session.execute(
        update(GAMES).where(GAMES.c.started_by == user_id).values(started_by=ANONYMOUS)
    )
    await session.execute(update(GAMES).where(GAMES.c.winner_id == user_id).values(winner_id=None))
    changed: set[int] = set()
    for guild_id in guilds:
        changed |= await _replay_guild(session, guild_id)
    # A question the user answered first in a guild with no events left of theirs is
    # handled by the replay; one in a guild without any remaining rows is cleared here.
    await session.execute(
        update(QUESTIONS)
        .where(QUESTIONS.c.first_correct_user == user_id)
        .values(first_correct_user=None)
    )
    await _refresh_global(session, changed - {user_id})
    if guilds:
        await rebuild_histograms(session, guilds)
    return before


__all__ = ["ANONYMOUS", "counts", "delete_user", "export_rows"]
