"""``GET /healthz`` and ``GET /metrics`` for process managers and Prometheus.

Served by aiohttp (a discord.py dependency already) in the bot's own event loop, not by
prometheus_client's threaded server: /healthz must ask live, loop-bound things (the
gateway's state, a query on the bot's database engine), which a server thread could only
reach by hopping back onto the loop; one aiohttp app serves both endpoints.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.errors import StartupError, StorageError
from bot.ops.metrics import CONTENT_TYPE_LATEST, Metrics
from bot.settings import Settings

log = logging.getLogger(__name__)

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


class OpsServer:
    """The two endpoints on ``host:port``; port 0 picks a free one (tests)."""

    def __init__(self, metrics: Metrics, health: Health, host: str, port: int) -> None:
        self.metrics = metrics
        self.health = health
        self.host = host
        self.port = port
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)

    async def start(self) -> None:
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as error:
            await self._runner.cleanup()
            raise StartupError(
                f"cannot serve metrics on {self.host}:{self.port}: {error.strerror or error}"
            ) from None
        self.port = self._runner.addresses[0][1]
        log.info("serving /healthz and /metrics on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        ready, body = await self.health.check()
        return web.json_response(body, status=200 if ready else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(
            body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )


@contextlib.asynccontextmanager
async def serving(
    metrics: Metrics, health: Health, settings: Settings
) -> AsyncIterator[OpsServer | None]:
    """The ops server while the block runs, when ``CONVQUIZ_METRICS_PORT`` is set; no
    port is opened otherwise."""
    if settings.convquiz_metrics_port is None:
        yield None
        return
    server = OpsServer(
        metrics, health, settings.convquiz_metrics_host, settings.convquiz_metrics_port
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
