"""What every part of the repository shares: the Core tables of the models, and the
guard that turns driver and connection failures into one short ``StorageError``."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import StorageError
from bot.storage.models import (
    AnswerEvent,
    GlobalTotal,
    KindTotal,
    PointsHistogram,
    QuestionRow,
    UserTotal,
    WeeklyTotal,
)

P = ParamSpec("P")
T = TypeVar("T")

# A write transaction (``Repository._writing``): committed on success, rolled back on
# any error, queued behind other writers on SQLite.
Writing = Callable[[], contextlib.AbstractAsyncContextManager[AsyncSession]]

QUESTIONS: Table = QuestionRow.__table__  # type: ignore[assignment]
ANSWERS: Table = AnswerEvent.__table__  # type: ignore[assignment]
USERS: Table = UserTotal.__table__  # type: ignore[assignment]
WEEKLY: Table = WeeklyTotal.__table__  # type: ignore[assignment]
KINDS: Table = KindTotal.__table__  # type: ignore[assignment]
GLOBAL: Table = GlobalTotal.__table__  # type: ignore[assignment]
HISTOGRAM: Table = PointsHistogram.__table__  # type: ignore[assignment]


def guard(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Turn driver and connection failures into one short ``StorageError``."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except (OperationalError, DBAPIError) as error:
            if isinstance(error, IntegrityError):
                raise
            reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
            raise StorageError(f"the database is unavailable ({reason[:120]})") from error
        except (OSError, TimeoutError) as error:
            raise StorageError(
                f"the database is unreachable ({error.__class__.__name__})"
            ) from error

    return wrapper
