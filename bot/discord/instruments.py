"""What the ops metrics and /healthz read off the Discord client.

REST calls are counted by route where discord.py names them: ``HTTPClient.request``,
wrapped on this bot's own client (not the class, so several bots in one process count
apart). The route label is the path template (``PUT /channels/{channel_id}/...``),
never the ids, so the label set stays small.
"""

from __future__ import annotations

import contextvars
import functools
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.http import Route

from bot.ops.health import Health
from bot.ops.metrics import Metrics

if TYPE_CHECKING:
    from discord.ext import commands

# The route being requested by the current task, for the 429 trace below.
_requesting: contextvars.ContextVar[tuple[Metrics, str] | None] = contextvars.ContextVar(
    "convquiz_route", default=None
)


def route_label(route: Route) -> str:
    return f"{route.method} {route.path}"


async def _count_429(
    _session: aiohttp.ClientSession,
    _context: SimpleNamespace,
    params: aiohttp.TraceRequestEndParams,
) -> None:
    # discord.py sleeps and retries most 429s inside ``request``, so the wrapper never
    # sees them; aiohttp's trace sees every response, in the requesting task, where
    # ``_requesting`` names the route.
    if params.response.status == 429 and (current := _requesting.get()):
        metrics, route = current
        metrics.count_rate_limited(route)


def count_rest_calls(http: discord.http.HTTPClient, metrics: Metrics) -> None:
    """Count every REST call of ``http`` by route, and its 429 answers.

    Call before login: aiohttp freezes a session's traces when ``static_login`` makes it.
    """
    trace = http.http_trace or aiohttp.TraceConfig()
    trace.on_request_end.append(_count_429)
    http.http_trace = trace
    request = http.request

    @functools.wraps(request)
    async def counted(route: Route, **kwargs: Any) -> Any:
        label = route_label(route)
        metrics.count_rest_call(label)
        token = _requesting.set((metrics, label))
        try:
            return await request(route, **kwargs)
        finally:
            _requesting.reset(token)

    http.request = counted  # type: ignore[method-assign]


def gateway_problem(bot: commands.AutoShardedBot) -> str | None:
    """None when every shard of ``bot`` is connected and ready, else why not."""
    if bot.is_closed():
        return "the bot is stopping"
    if not bot.is_ready():
        return "the gateway is not ready yet"
    down = sorted(shard_id for shard_id, shard in bot.shards.items() if shard.is_closed())
    if down:
        return f"gateway shards {down} are disconnected"
    return None


def instrument(bot: commands.AutoShardedBot, metrics: Metrics, health: Health | None) -> None:
    count_rest_calls(bot.http, metrics)
    metrics.watch_gateway_latency(lambda: bot.latency)
    if health is not None:
        health.gateway = lambda: gateway_problem(bot)
