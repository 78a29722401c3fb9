"""Workarounds for two rate-limit bugs of discord.py 2.7.1's HTTP client.

1. ``HTTPClient.request`` awaits ``self._global_over`` (the global-429 gate) once, before
   its retry loop; a retry after a per-route 429 is sent even while a global 429 window
   is open, and earns another 429. Unfixed in any release (2.7.1 is the newest);
   Rapptz/discord.py#10287 "redo ratelimits" would fix it and is unmerged. ``install``
   adds an aiohttp ``on_request_start`` trace to the client's session: aiohttp awaits
   it before sending each attempt, so every attempt, retries included, waits for the
   gate. Nothing of discord.py is replaced.
2. ``Ratelimit`` (one per bucket) races when several requests wait on a one-token bucket
   (a channel's reactions: limit 1 per 0.25 s): a waiter whose wait times out runs
   ``_refresh`` while the bucket's last response is arriving, ``__aexit__`` then skips
   its own refresh because the lock is held, and the waiter hands out a token before
   the window ends: a 429 (seen in tests/e2e with 50 answers in one channel).
   ``one_at_a_time`` keeps callers to one in flight per key, so no request ever waits
   inside discord.py's bucket.

Both apply to discord.py 2.7.x only; ``install`` logs a warning and does nothing on
another version (check whether the bugs are still there before widening it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Hashable
from types import SimpleNamespace

import aiohttp
import discord

log = logging.getLogger(__name__)

PATCHED_VERSIONS = "2.7."  # the discord.py versions whose HTTP client has these bugs


def applies() -> bool:
    return discord.__version__.startswith(PATCHED_VERSIONS)


def install(client: discord.Client) -> bool:
    """Make every REST attempt of ``client`` wait out an open global 429 window.

    Call before login: aiohttp freezes a session's traces when ``static_login`` makes it.
    Returns whether the guard was installed.
    """
    if not applies():
        log.warning(
            "discord.py %s: the global-rate-limit guard is for 2.7.x only; not installed",
            discord.__version__,
        )
        return False
    http = client.http
    trace = http.http_trace or aiohttp.TraceConfig()

    async def wait_for_global_window(
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        gate = getattr(http, "_global_over", None)  # set by discord.py at login
        if not isinstance(gate, asyncio.Event) or gate.is_set():
            return
        # REST only: the gateway's websocket and the CDN are not under the global limit.
        if str(params.url).startswith(discord.http.Route.BASE):
            await gate.wait()

    trace.on_request_start.append(wait_for_global_window)
    http.http_trace = trace
    return True


class OneAtATime:
    """At most one holder per key (e.g. per channel); the others queue here, in order."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}  # lock, users

    @contextlib.asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]  # idle: no lock kept for every channel ever seen
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
