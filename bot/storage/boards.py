"""Leaderboard and stats reads, each in one snapshot.

Ranks are competition ranks: 1 + the number of players with more points, computed in
one place (``ranked_rows``) for every board whose rows are read in order. Guild boards
(all time and weekly) count the players above someone in their rank histogram, so a
rank costs the same at the top and at the bottom of a million players; the global and
per-kind boards count them in their totals index.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, case, func, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.records import Board, BoardRow, KindStats, UserStats
from bot.storage.core import ANSWERS, GLOBAL, HISTOGRAM, KINDS, USERS, WEEKLY
from bot.storage.models import ALL_TIME, RANK_LEVELS, AnswerEvent


def ranked_rows(ordered: Sequence[Any]) -> list[BoardRow]:
    """Competition ranks of (user, points, answered, correct) rows, most points first:
    everyone with more points than a row is above it in the same list, so the list
    itself is enough."""
    rows: list[BoardRow] = []
    for position, (user, points, answered, correct) in enumerate(ordered, start=1):
        rank = rows[-1].rank if rows and rows[-1].points == points else position
        rows.append(BoardRow(rank, user, points, answered, correct))
    return rows


@dataclass(frozen=True)
class _BoardSql:
    """The reads of one kind of board, built once: a board's scope, limit, user and
    points are parameters."""

    top: Any
    mine: Any
    count: Any  # players on the board
    count_above: Any  # players with more than :points

    @classmethod
    def of(cls, table: Table, scope: Sequence[str]) -> _BoardSql:
        c = table.c
        filters = [c[name] == bindparam(name) for name in scope]
        columns = (c.user_id, c.points, c.answered, c.correct)
        count = select(func.count()).select_from(table).where(*filters)
        return cls(
            top=select(*columns)
            .where(*filters)
            .order_by(c.points.desc(), c.user_id)
            .limit(bindparam("limit")),
            mine=select(*columns).where(*filters, c.user_id == bindparam("user")),
            count=count,
            count_above=count.where(c.points > bindparam("points")),
        )


def _above_sql() -> tuple[Any, Any]:
    """(players above :points and all players, all players) of a histogram board.

    Players above p: those in a higher top-level bucket, plus those in a higher
    level-8 bucket inside p's top-level bucket, plus those with more points inside p's
    level-8 bucket: three index range scans of at most a few hundred rows each.
    """
    h = HISTOGRAM
    level, bucket, users = h.c.level, h.c.bucket, h.c.users
    scope = (h.c.guild_id == bindparam("guild_id"), h.c.week == bindparam("week"))
    top = RANK_LEVELS[-1]
    arms = [
        select(
            users.label("users"),
            case((bucket > bindparam(f"above_{top}"), 1), else_=0).label("above"),
            literal(1).label("counted"),
        ).where(*scope, level == top)
    ]
    for lower, _upper in itertools.pairwise(RANK_LEVELS):
        arms.append(
            select(users, literal(1), literal(0)).where(
                *scope,
                level == lower,
                bucket > bindparam(f"above_{lower}"),
                bucket < bindparam(f"below_{lower}"),
            )
        )
    both = union_all(*arms).subquery()
    above = select(
        func.coalesce(func.sum(case((both.c.above == 1, both.c.users), else_=0)), 0),
        func.coalesce(func.sum(case((both.c.counted == 1, both.c.users), else_=0)), 0),
    )
    players = select(func.coalesce(func.sum(users), 0)).where(*scope, level == top)
    return above, players


def _above_params(points: int) -> dict[str, int]:
    params = {f"above_{RANK_LEVELS[-1]}": points >> RANK_LEVELS[-1]}
    for lower, upper in itertools.pairwise(RANK_LEVELS):
        params[f"above_{lower}"] = points >> lower
        params[f"below_{lower}"] = ((points >> upper) + 1) << (upper - lower)
    return params


_BOARDS = {
    "global": _BoardSql.of(GLOBAL, ()),
    "kind": _BoardSql.of(KINDS, ("guild_id", "kind")),
    "week": _BoardSql.of(WEEKLY, ("guild_id", "week")),
    "all": _BoardSql.of(USERS, ("guild_id",)),
}
_ABOVE, _PLAYERS = _above_sql()
_STATS_TOTAL = select(USERS).where(
    USERS.c.guild_id == bindparam("guild_id"), USERS.c.user_id == bindparam("user")
)
_STATS_KINDS = (
    select(KINDS.c.kind, KINDS.c.answered, KINDS.c.correct, KINDS.c.points)
    .where(KINDS.c.guild_id == bindparam("guild_id"), KINDS.c.user_id == bindparam("user"))
    .order_by(KINDS.c.kind)
)
_STATS_MISTAKES = (
    select(ANSWERS.c.mistake, func.count())
    .where(
        ANSWERS.c.guild_id == bindparam("guild_id"),
        ANSWERS.c.user_id == bindparam("user"),
        ANSWERS.c.mistake.is_not(None),
    )
    .group_by(ANSWERS.c.mistake)
    .order_by(func.count().desc(), ANSWERS.c.mistake)
    .limit(5)
)


def _above(connection: Connection, guild_id: int, week: int, points: int | None) -> tuple[int, int]:
    """(players with more than ``points``, all players) of one guild board, from its
    rank histogram (see ``_above_sql``)."""
    scope = {"guild_id": guild_id, "week": week}
    if points is None:
        return 0, int(connection.scalar(_PLAYERS, scope) or 0)
    row = connection.execute(_ABOVE, {**scope, **_above_params(points)}).one()
    return int(row[0]), int(row[1])


def board(
    connection: Connection,
    guild_id: int | None,
    kind: str | None,
    week: int | None,
    limit: int,
    user_id: int | None,
) -> Board:
    """One board, read in one snapshot (see ``Repository.leaderboard``)."""
    scope: dict[str, Any]
    histogram: tuple[int, int] | None = None  # (guild, week) of a histogram board
    if guild_id is None:
        sql, scope = _BOARDS["global"], {}
    elif kind is not None:
        sql, scope = _BOARDS["kind"], {"guild_id": guild_id, "kind": kind}
    elif week is not None:
        sql, scope = _BOARDS["week"], {"guild_id": guild_id, "week": week}
        histogram = (guild_id, week)
    else:
        sql, scope = _BOARDS["all"], {"guild_id": guild_id}
        histogram = (guild_id, ALL_TIME)
    top = connection.execute(sql.top, {**scope, "limit": limit}).all()
    rows = ranked_rows(top)
    me = next((r for r in rows if r.user_id == user_id), None)
    mine = None
    if me is None and user_id is not None:
        mine = connection.execute(sql.mine, {**scope, "user": user_id}).first()
    if histogram is not None:
        above, players = _above(connection, *histogram, mine.points if mine else None)
    else:
        players = connection.scalar(sql.count, scope) or 0
        above = 0
        if mine is not None:
            above = connection.scalar(sql.count_above, {**scope, "points": mine.points}) or 0
    if mine is not None:
        me = BoardRow(above + 1, mine.user_id, mine.points, mine.answered, mine.correct)
    return Board(tuple(rows), me, players)


async def weekly_kind_board(
    sessions: async_sessionmaker[AsyncSession],
    guild_id: int,
    kind: str,
    limit: int,
    user_id: int | None,
    now: datetime,
) -> Board:
    """A weekly board of one kind: rare, so answered from the event log, bounded by the
    guild and the week."""
    weekday = now.isocalendar().weekday
    start = (now - timedelta(days=weekday - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    filters = [
        AnswerEvent.guild_id == guild_id,
        AnswerEvent.kind == kind,
        AnswerEvent.answered_at >= start,
    ]
    async with sessions() as session:
        grouped = (
            await session.execute(
                select(
                    AnswerEvent.user_id,
                    func.sum(AnswerEvent.points).label("points"),
                    func.count().label("answered"),
                    func.sum(
                        func.cast(AnswerEvent.outcome == "correct", type_=AnswerEvent.points.type)
                    ),
                )
                .where(*filters)
                .group_by(AnswerEvent.user_id)
            )
        ).all()
    ordered = sorted(grouped, key=lambda r: (-int(r[1]), r[0]))
    rows = ranked_rows(
        [
            (user, int(points), int(answered), int(correct or 0))
            for user, points, answered, correct in ordered
        ]
    )
    me = next((r for r in rows if r.user_id == user_id), None)
    return Board(tuple(rows[:limit]), me, len(rows))


def stats(connection: Connection, guild_id: int, user_id: int) -> UserStats:
    """A player's totals, per-kind totals, common mistakes and exact rank, one snapshot."""
    params = {"guild_id": guild_id, "user": user_id}
    total = connection.execute(_STATS_TOTAL, params).first()
    kinds = connection.execute(_STATS_KINDS, params).all()
    mistakes = connection.execute(_STATS_MISTAKES, params).all()
    rank = None
    if total is not None:
        above, _players = _above(connection, guild_id, ALL_TIME, total.points)
        rank = above + 1
    return UserStats(
        user_id=user_id,
        points=total.points if total else 0,
        answered=total.answered if total else 0,
        correct=total.correct if total else 0,
        streak=total.streak if total else 0,
        best_streak=total.best_streak if total else 0,
        rank=rank,
        by_kind=tuple(KindStats(*row) for row in kinds),
        mistakes=tuple((str(name), int(count)) for name, count in mistakes),
    )
