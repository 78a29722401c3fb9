"""Pointing the unmodified discord.py client at a FakeDiscord, and running one against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, TypeVar

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .model import WaitTimeout

if TYPE_CHECKING:
    from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def point_discord_at(fake: FakeDiscord) -> Iterator[None]:
    """Send discord.py's REST calls (interaction callbacks and webhooks included) and
    its gateway connection to the fake; restore the real URLs afterwards.

    These are process-wide class attributes: one fake per process at a time. Keep the
    block open for the client's whole life (reconnects read DEFAULT_GATEWAY again).
    """
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


async def _no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
    return None


@contextlib.asynccontextmanager
async def run_client(
    fake: FakeDiscord,
    client: ClientT,
    *,
    ready_timeout: float = 5.0,
    fast_reidentify: bool = True,
) -> AsyncIterator[ClientT]:
    """Log `client` into the fake, connect, wait for on_ready; close it on exit.

    fast_reidentify: discord.py sleeps 5 s in `before_identify_hook` before every
    IDENTIFY but the first (reconnects, extra shards); tests replace it with no-op.
    """
    with point_discord_at(fake):
        if fast_reidentify:
            client.before_identify_hook = _no_identify_delay  # type: ignore[method-assign]
        task: asyncio.Task[None] | None = None
        try:
            await client.login(fake.token)  # wait_until_ready() before login raises
            task = asyncio.create_task(client.connect(reconnect=True))
            ready = asyncio.create_task(client.wait_until_ready())
            done, _ = await asyncio.wait(
                {task, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if ready not in done:
                ready.cancel()
                if task in done:
                    task.result()  # surfaces e.g. PrivilegedIntentsRequired
                raise WaitTimeout(f"client not ready within {ready_timeout}s")
            yield client
        finally:
            await client.close()
            if task is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(task, 2.0)
