"""The aiohttp app behind ``GET /healthz`` and ``GET /metrics`` (see ``bot.ops.health``,
which imports this module only when a metrics port is set)."""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.errors import StartupError
from bot.ops.health import Health
from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)


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
