"""A task that looks at the service now and then: the question of the day's and the
practice reminders' schedulers share it.

Each look does whatever is due and says how long until the next one is worth it; a
``wake`` (a setting changed, a test moved the clock) starts the next look at once. A
database failure or a bug in one look is logged and the task looks again shortly: the
bot goes on either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.errors import StorageError

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)

# After a failed look, the next one (seconds).
FAILURE_RETRY_SECONDS = 5.0


class LookingTask:
    """Subclasses say what they look at (``what``, for the log) and ``look``."""

    what = "due work"

    def __init__(self, bot: ConvQuizBot, name: str) -> None:
        self.bot = bot
        self._name = name
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Settings changed or the clock moved: look again now."""
        self._wake.set()

    async def look(self) -> float:
        """Do what is due; the seconds until the next look is worth it."""
        raise NotImplementedError

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while not self.bot.is_closed():
            self._wake.clear()
            try:
                timeout = await self.look()
            except StorageError as error:
                log.warning("%s could not be checked: %s", self.what, error)
                timeout = FAILURE_RETRY_SECONDS
            except Exception:
                log.exception("%s could not be checked", self.what)
                timeout = FAILURE_RETRY_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
