"""``GET /healthz`` and ``GET /metrics`` for process managers and Prometheus.

Served by aiohttp (a discord.py dependency already) in the bot's own event loop, not by
prometheus_client's threaded server: /healthz must ask live, loop-bound things (the
gateway's state, a query on the bot's database engine), which a server thread could only
reach by hopping back onto the loop; one aiohttp app serves both endpoints. The server
(``bot.ops.server``) loads only when a port is set: aiohttp's web server is 2 MiB
resident that a bot without a metrics port would hold for nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.errors import StorageError
from bot.ops.metrics import Metrics
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.ops.server import OpsServer

# A database that has not answered ``SELECT 1`` by then is as good as down.
DATABASE_TIMEOUT = 3.0

NOT_STARTED = "the gateway is not connected yet"


class Health:
    """Whether the process can do its work: the gateway connected, the database answering.

    ``gateway`` returns None when connected, else the reason; the Discord layer sets it
    once the bot exists. ``database`` raises when the database does not answer.
    """

    def __init__(self, database: Callable[[], Awaitable[None]] | None = None) -> None:
        self.database = database
        self.gateway: Callable[[], str | None] = lambda: NOT_STARTED

    async def check(self) -> tuple[bool, dict[str, Any]]:
        problem = self.gateway()
        if problem is not None:
            return False, {"status": "unavailable", "reason": problem}
        if self.database is not None:
            try:
                await asyncio.wait_for(self.database(), DATABASE_TIMEOUT)
            except TimeoutError:
                return False, {"status": "unavailable", "reason": "the database does not answer"}
            except StorageError as error:
                return False, {"status": "unavailable", "reason": str(error)[:200]}
            except Exception as error:  # the probe must answer, whatever the driver says
                reason = f"the database check failed ({type(error).__name__})"
                return False, {"status": "unavailable", "reason": reason}
        return True, {"status": "ok"}


@contextlib.asynccontextmanager
async def serving(
    metrics: Metrics, health: Health, settings: Settings
) -> AsyncIterator[OpsServer | None]:
    """The ops server while the block runs, when ``CONVQUIZ_METRICS_PORT`` is set, and
    ``metrics`` counting from then on; no port is opened (nor anything counted)
    otherwise."""
    if settings.convquiz_metrics_port is None:
        yield None
        return
    from bot.ops.server import OpsServer

    metrics.start_counting()  # nothing counts what no server would show
    server = OpsServer(
        metrics, health, settings.convquiz_metrics_host, settings.convquiz_metrics_port
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
