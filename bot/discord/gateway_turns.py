"""Reading the gateway in turns with the rest of the bot.

discord.py 2.7.1's shard worker reads its websocket in a loop: ``poll_event`` awaits
``socket.receive()``, which returns at once while aiohttp holds frames already
received, then ``received_message`` parses the frame and schedules its listeners, with
no await in between. A burst of thousands of messages arrives in a few socket reads, so
the worker parses all of it without giving the event loop back: every handler it
scheduled, every commit result the answer writer's thread hands to the loop, and every
reaction's REST response waits until the whole backlog is parsed (``bench/burst.py``:
the first answer of a 4,000-message burst acknowledged after 0.73 s, nearly all of it
that wait).

``take_turns`` wraps each gateway connection's ``received_message`` so the worker hands
the loop back once it has parsed for ``TURN`` seconds in a row: the loop then runs what
became ready meanwhile (commits, acknowledgements, the handlers of the frames just
parsed) before the next frames. Frames are still parsed one at a time, in order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import discord

# How long the worker parses before it lets the loop run what is waiting: a few dozen
# messages, so a waiting acknowledgement is delayed by milliseconds, not by the backlog.
TURN = 0.002


def take_turns(client: discord.Client, turn: float = TURN) -> None:
    """Make every gateway connection ``client`` opens (shards, reconnects) yield to the
    event loop after ``turn`` seconds of parsing."""
    state: Any = client._connection
    update_references: Callable[[Any], None] = state._update_references

    def on_new_websocket(ws: Any) -> None:  # discord.py calls this for each connection
        update_references(ws)
        ws.received_message = _in_turns(ws.received_message, turn)

    state._update_references = on_new_websocket


def _in_turns(
    received_message: Callable[[Any], Awaitable[None]], turn: float
) -> Callable[[Any], Awaitable[None]]:
    turn_began = time.perf_counter()

    async def received_in_turns(msg: Any, /) -> None:
        nonlocal turn_began
        if time.perf_counter() - turn_began >= turn:
            # After a quiet spell this yields once more than needed: one loop pass.
            await asyncio.sleep(0)
            turn_began = time.perf_counter()
        await received_message(msg)

    return received_in_turns
