"""The gateway worker hands the event loop back between frames once its turn is used up,
on every connection discord.py opens, and still parses each frame once, in order."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.discord.gateway_turns import take_turns


class _State:
    def __init__(self) -> None:
        self.references: list[object] = []

    def _update_references(self, ws: object) -> None:
        self.references.append(ws)


class _Client:
    def __init__(self) -> None:
        self._connection = _State()


class _Websocket:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def received_message(self, msg: Any, /) -> None:
        self.log.append(f"frame {msg}")  # parsing: no await, like discord.py's parsers


async def _backlog_and_a_waiter(turn: float) -> tuple[list[str], list[_Websocket]]:
    """Three frames already received on each of two connections (a reconnect), read as
    discord.py's worker reads them, while another task waits for its turn."""
    log: list[str] = []
    client: Any = _Client()
    take_turns(client, turn=turn)
    sockets = [_Websocket(log), _Websocket(log)]
    for ws in sockets:
        client._connection._update_references(ws)  # what discord.py calls per connection

    async def other() -> None:
        for _ in range(6):
            log.append("other")
            await asyncio.sleep(0)

    async def worker(ws: _Websocket) -> None:
        for n in range(3):
            await ws.received_message(n)

    waiting = asyncio.ensure_future(other())
    for ws in sockets:
        await worker(ws)
    await waiting
    return log, sockets


async def test_a_used_up_turn_lets_other_tasks_run_between_frames() -> None:
    log, sockets = await _backlog_and_a_waiter(turn=0.0)
    frames = [entry for entry in log if entry != "other"]
    assert frames == ["frame 0", "frame 1", "frame 2"] * 2  # each once, in order
    # Both connections (the first and the reconnect) yielded inside their backlog.
    second = len(log) - 1 - log[::-1].index("frame 0")
    assert "other" in log[log.index("frame 0") : log.index("frame 2")]
    assert "other" in log[second : len(log) - 1 - log[::-1].index("frame 2")]
    assert len(sockets) == 2


async def test_within_its_turn_the_worker_parses_the_backlog_at_once() -> None:
    log, _ = await _backlog_and_a_waiter(turn=3600.0)
    assert log[:6] == ["frame 0", "frame 1", "frame 2"] * 2
