"""bot/discord/http_guard.py against the loopback Discord: while a global 429 window is
open, the bot sends nothing, not even discord.py's retry of an earlier per-route 429."""

from __future__ import annotations

import asyncio

import discord
import pytest
from harness import POST_ROUTE, Running

pytestmark = pytest.mark.e2e

GET_CHANNEL = "GET /channels/{channel_id}"


async def test_a_retry_waits_for_a_global_window_opened_meanwhile(quizbot: Running) -> None:
    fake, world = quizbot.world.fake, quizbot.world
    channel = quizbot.bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    # The message gets a per-route 429: discord.py will retry it after 0.3 s ...
    fake.inject_429(POST_ROUTE, 0.3)
    send = asyncio.create_task(channel.send("hello"))
    await fake.injected_429s.wait(start=0)
    # ... and meanwhile another request opens a global window of 0.6 s.
    fake.inject_429(GET_CHANNEL, 0.6, is_global=True)
    fetched = await quizbot.bot.fetch_channel(world.other_channel.id)
    await send
    assert fetched.id == world.other_channel.id
    assert fake.injected_429s == [POST_ROUTE, GET_CHANNEL]
    (window,) = fake.global_windows
    opened, ends = window
    inside = fake.requests_between(opened, ends)
    assert [r.route for r in inside] == [GET_CHANNEL], "a request was sent inside the window"
    retry = [r for r in fake.rate_log if r.route == POST_ROUTE and r.limited is None]
    assert len(retry) == 1 and retry[0].at >= ends
    assert [m.content for m in fake.sent_messages] == ["hello"]
