"""bot/discord/http_guard.py on its own: the version guard and the per-key queue."""

from __future__ import annotations

import asyncio
import logging

import discord
import pytest

from bot.discord import http_guard


def test_the_guard_is_skipped_with_a_warning_on_another_discord_py(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(discord, "__version__", "2.8.0")
    client = discord.Client(intents=discord.Intents.none())
    with caplog.at_level(logging.WARNING, logger=http_guard.__name__):
        assert http_guard.install(client) is False
    assert client.http.http_trace is None
    assert "2.7.x only" in caplog.text


async def test_one_at_a_time_queues_holders_per_key_and_forgets_idle_keys() -> None:
    gate = http_guard.OneAtATime()
    order: list[str] = []

    async def hold(key: int, name: str) -> None:
        async with gate.hold(key):
            order.append(f"{name} in")
            await asyncio.sleep(0.01)
            order.append(f"{name} out")

    await asyncio.gather(hold(1, "a"), hold(1, "b"), hold(2, "c"))
    assert order.index("a out") < order.index("b in")  # same key: one after the other
    assert order.index("c in") < order.index("a out")  # another key: alongside
    assert len(gate) == 0
