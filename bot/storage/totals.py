"""Totals and rank histograms: what answers add to the totals rows, written in the
answers' own transaction, and the histograms' buckets moved to match.

``Deltas`` is the one record of what a run of answers adds to each totals row; the
live writer builds one per batch and rescore builds one from the whole event log.
"""

from __future__ import annotations

import functools
import importlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, literal, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.core import GLOBAL, HISTOGRAM, KINDS, USERS, WEEKLY
from bot.storage.models import ALL_TIME, RANK_LEVELS, PointsHistogram


class Conflict(Exception):
    """Another transaction changed a row this batch read without a lock: start over."""


def _bump(table: dict[Any, dict[str, int]], key: Any, points: int, correct: int) -> None:
    row = table.setdefault(key, {"points": 0, "answered": 0, "correct": 0})
    row["points"] += points
    row["answered"] += 1
    row["correct"] += correct


@dataclass
class Deltas:
    """What some answers add to each totals row, keyed like the tables."""

    users: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)
    weekly: dict[tuple[int, int, int], dict[str, int]] = field(default_factory=dict)
    kinds: dict[tuple[int, str, int], dict[str, int]] = field(default_factory=dict)
    global_: dict[tuple[int], dict[str, int]] = field(default_factory=dict)

    def add(
        self,
        guild_id: int,
        user_id: int,
        kind: str,
        week: int,
        points: int,
        is_correct: bool,
        streak: int,
    ) -> None:
        """Count one ranked answer: its points, and ``streak``, the player's streak
        after it."""
        correct = int(is_correct)
        _bump(self.users, (guild_id, user_id), points, correct)
        user = self.users[(guild_id, user_id)]
        user["streak"] = streak
        user["best_streak"] = max(user.get("best_streak", 0), streak)
        _bump(self.weekly, (guild_id, week, user_id), points, correct)
        _bump(self.kinds, (guild_id, kind, user_id), points, correct)
        _bump(self.global_, (user_id,), points, correct)

    def streak(self, guild_id: int, user_id: int) -> int:
        """The player's streak after the answers counted so far (0: none counted)."""
        return self.users.get((guild_id, user_id), {}).get("streak", 0)


def _old_points(row: Any, delta: dict[str, int]) -> int | None:
    """A row's points before this batch, from its values after it (None: it is new)."""
    return None if row.answered == delta["answered"] else int(row.points - delta["points"])


def _move(
    histogram: Counter[tuple[int, int, int, int]],
    guild_id: int,
    week: int,
    old: int | None,
    new: int,
) -> None:
    """Count one player of a board leaving ``old`` points (None: joining) for ``new``."""
    if old == new:
        return
    for level in RANK_LEVELS:
        if old is not None:
            histogram[(guild_id, week, level, old >> level)] -= 1
        histogram[(guild_id, week, level, new >> level)] += 1


class TotalsSql:
    """The totals upserts, built once per dialect: building an upsert costs more than
    running it."""

    def __init__(self, dialect: str) -> None:
        pg = dialect == "postgresql"
        # Only the dialect in use: a bot on SQLite holds no PostgreSQL dialect (2.4 MiB).
        dml: Any = importlib.import_module(f"sqlalchemy.dialects.{dialect}")
        u, h = USERS, HISTOGRAM
        counted = ("points", "answered", "correct")

        def add(table: Table, keys: list[str], extra: dict[str, Any] | None = None) -> Any:
            upsert = dml.insert(table)
            return upsert.on_conflict_do_update(
                index_elements=keys,
                set_={
                    **{name: table.c[name] + upsert.excluded[name] for name in counted},
                    **(extra or {}),
                },
            )

        upsert = dml.insert(u)
        best = func.greatest if pg else func.max
        self.add_users = add(
            u,
            ["guild_id", "user_id"],
            {
                "streak": upsert.excluded.streak,
                "best_streak": best(u.c.best_streak, upsert.excluded.best_streak),
            },
        ).returning(u.c.guild_id, u.c.user_id, u.c.points, u.c.answered)
        w = WEEKLY
        self.add_weekly = add(w, ["guild_id", "week", "user_id"]).returning(
            w.c.guild_id, w.c.week, w.c.user_id, w.c.points, w.c.answered
        )
        self.add_kinds = add(KINDS, ["guild_id", "kind", "user_id"])
        self.add_global = add(GLOBAL, ["user_id"])
        upsert = dml.insert(h)
        self.add_histogram = upsert.on_conflict_do_update(
            index_elements=["guild_id", "week", "level", "bucket"],
            set_={"users": h.c.users + upsert.excluded.users},
        )
        self.drop_empty = delete(h).where(
            tuple_(h.c.guild_id, h.c.week, h.c.level, h.c.bucket).in_(
                bindparam("keys", expanding=True)
            ),
            h.c.users == 0,
        )


@functools.cache
def totals_sql(dialect: str) -> TotalsSql:
    return TotalsSql(dialect)


def write_totals(
    connection: Connection,
    totals: Deltas,
    before: dict[tuple[int, int], tuple[int, int]],
) -> None:
    """Add a batch's totals, and move its players in the rank histogram: each upsert
    returns the rows as they now are, so a player's old points are exact (new minus
    what this batch added) whatever else committed in between. ``before``: the
    players' (points, streak) as the batch read them; raises ``Conflict`` when a row
    changed since."""
    sql = totals_sql(connection.dialect.name)
    histogram: Counter[tuple[int, int, int, int]] = Counter()
    rows = [{"guild_id": g, "user_id": u, **v} for (g, u), v in sorted(totals.users.items())]
    for row in connection.execute(sql.add_users, rows):
        key = (row.guild_id, row.user_id)
        old = _old_points(row, totals.users[key])
        known = before.get(key)
        if (old is None) != (known is None) or (known is not None and known[0] != old):
            raise Conflict()  # the row changed since it was read: streaks may be stale
        _move(histogram, row.guild_id, ALL_TIME, old, row.points)
    rows = [
        {"guild_id": g, "week": w, "user_id": u, **v}
        for (g, w, u), v in sorted(totals.weekly.items())
    ]
    for row in connection.execute(sql.add_weekly, rows):
        delta = totals.weekly[(row.guild_id, row.week, row.user_id)]
        _move(histogram, row.guild_id, row.week, _old_points(row, delta), row.points)
    connection.execute(
        sql.add_kinds,
        [
            {"guild_id": g, "kind": k, "user_id": u, **v}
            for (g, k, u), v in sorted(totals.kinds.items())
        ],
    )
    connection.execute(
        sql.add_global,
        [{"user_id": u, **v} for (u,), v in sorted(totals.global_.items())],
    )
    changes = [
        {"guild_id": g, "week": w, "level": level, "bucket": bucket, "users": n}
        for (g, w, level, bucket), n in sorted(histogram.items())
        if n
    ]
    if changes:
        connection.execute(sql.add_histogram, changes)
    emptied = sorted(key for key, n in histogram.items() if n < 0)
    if emptied:
        connection.execute(sql.drop_empty, {"keys": emptied})


async def insert_totals(session: AsyncSession, totals: Deltas) -> None:
    """Insert every row of ``totals`` into empty totals tables (after a rescore)."""
    for table, rows in (
        (USERS, totals.users),
        (WEEKLY, totals.weekly),
        (KINDS, totals.kinds),
        (GLOBAL, totals.global_),
    ):
        if not rows:
            continue
        keys = [c.name for c in table.primary_key.columns]
        await session.execute(
            insert(table),
            [dict(zip(keys, key, strict=True), **values) for key, values in sorted(rows.items())],
        )


async def rebuild_histograms(session: AsyncSession, guild_ids: list[int] | None = None) -> None:
    """Count every totals row (of ``guild_ids``; None: of every guild) into the rank
    histogram again (after a rescore, or a member's data deleted)."""
    if guild_ids is None:
        await session.execute(delete(PointsHistogram))
    else:
        await session.execute(delete(HISTOGRAM).where(HISTOGRAM.c.guild_id.in_(guild_ids)))
    columns = ["guild_id", "week", "level", "bucket", "users"]
    for level in RANK_LEVELS:
        bucket = USERS.c.points.op(">>")(level)
        users = select(
            USERS.c.guild_id, literal(ALL_TIME), literal(level), bucket, func.count()
        ).group_by(USERS.c.guild_id, bucket)
        bucket = WEEKLY.c.points.op(">>")(level)
        weekly = select(
            WEEKLY.c.guild_id, WEEKLY.c.week, literal(level), bucket, func.count()
        ).group_by(WEEKLY.c.guild_id, WEEKLY.c.week, bucket)
        if guild_ids is not None:
            users = users.where(USERS.c.guild_id.in_(guild_ids))
            weekly = weekly.where(WEEKLY.c.guild_id.in_(guild_ids))
        for rows in (users, weekly):
            await session.execute(insert(HISTOGRAM).from_select(columns, rows))
