"""What the ops metrics and /healthz read off the Discord client.

REST calls are counted by route where discord.py names them: ``HTTPClient.request``,
wrapped on this bot's own client (not the class, so several bots in one process count
apart). The route label is the path template (``PUT /channels/{channel_id}/...``),
never the ids, so the label set stays small.
"""

from __future__ import annotations

import contextvars
import functools
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.http import Route

from bot.ops.health import Health
from bot.ops.metrics import Metrics

if TYPE_CHECKING:
    from discord.ext import commands

# The route being requested by the current task, for the 429 log filter below.
_requesting: contextvars.ContextVar[tuple[Metrics, str] | None] = contextvars.ContextVar(
    "convquiz_route", default=None
)


class _CountRetried429s(logging.Filter):
    """discord.py sleeps and retries a 429 inside ``request``, so the wrapper never sees
    it; the only trace is its warning "... responded with 429 ...", logged from within
    the request, in the requesting task, where ``_requesting`` names the route. (This
    needs the ``discord.http`` logger at WARNING or below, as ``configure_logging``
    leaves it.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        if "responded with 429" in str(record.msg) and (current := _requesting.get()):
            metrics, route = current
            metrics.count_rate_limited(route)
        return True


_RETRIED_429S = _CountRetried429s()


def route_label(route: Route) -> str:
    return f"{route.method} {route.path}"


def count_rest_calls(http: discord.http.HTTPClient, metrics: Metrics) -> None:
    """Count every REST call of ``http`` by route, and its 429 answers."""
    logging.getLogger("discord.http").addFilter(_RETRIED_429S)  # once: filters are a set
    request = http.request

    @functools.wraps(request)
    async def counted(route: Route, **kwargs: Any) -> Any:
        label = route_label(route)
        metrics.count_rest_call(label)
        token = _requesting.set((metrics, label))
        try:
            return await request(route, **kwargs)
        except discord.HTTPException as error:
            if error.status == 429:  # a 429 discord.py does not retry (e.g. Cloudflare's)
                metrics.count_rate_limited(label)
            raise
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
