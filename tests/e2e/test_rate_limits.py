"""Discord's rate limits in the loopback Discord: the headers, the 429s, the global limit,
and the unmodified discord.py client waiting on them instead of being refused."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands
from fakediscord import Channel, FakeDiscord, Member, run_client
from fakediscord.contract import contract
from fakediscord.limits import CREATE_MESSAGE, GLOBAL_PER_SECOND, REACTIONS

pytestmark = pytest.mark.e2e

POST = "POST /channels/{channel_id}/messages"
REACT = "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
UNREACT = "DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
EMOJI = ["🍎", "🍐", "🍊", "🍋", "🍌", "🍉", "🍇", "🍓"]


class Raw:
    """Bare HTTP requests to the fake, authenticated as the bot."""

    def __init__(self, fake: FakeDiscord, session: aiohttp.ClientSession) -> None:
        self.fake, self.session = fake, session

    async def __call__(
        self, method: str, path: str, json: Any = None
    ) -> tuple[int, dict[str, str], Any]:
        headers = {"Authorization": f"Bot {self.fake.token}"}
        async with self.session.request(
            method, self.fake.api_base + path, json=json, headers=headers
        ) as response:
            body = await response.json() if response.content_type == "application/json" else None
            return response.status, dict(response.headers), body

    async def post(self, channel: Channel, text: str = "hi") -> tuple[int, dict[str, str], Any]:
        return await self("POST", f"/channels/{channel.id}/messages", {"content": text})

    async def react(
        self, channel: Channel, message_id: int, emoji: str = "🍎", method: str = "PUT"
    ) -> tuple[int, dict[str, str], Any]:
        path = f"/channels/{channel.id}/messages/{message_id}/reactions/{emoji}/@me"
        return await self(method, path)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake
        assert fake.server_errors == []
        assert fake.contract_violations == [], "a request or answer breaks Discord's spec"


@pytest.fixture
async def raw(fake: FakeDiscord) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as session:
        yield Raw(fake, session)


def channels(fake: FakeDiscord, count: int) -> list[Channel]:
    guild = fake.add_guild("Busy")
    return [fake.add_channel(guild.id, f"c{i}") for i in range(count)]


def member(fake: FakeDiscord) -> Member:
    return fake.add_member(next(iter(fake.guilds)), "alice")


async def test_headers_count_down_and_the_sixth_message_in_5_s_is_429(
    fake: FakeDiscord, raw: Raw
) -> None:
    channel, other = channels(fake, 2)
    answers = [await raw.post(channel) for _ in range(CREATE_MESSAGE.limit)]
    assert [status for status, _, _ in answers] == [200] * 5
    assert [int(h["X-RateLimit-Remaining"]) for _, h, _ in answers] == [4, 3, 2, 1, 0]
    assert {h["X-RateLimit-Limit"] for _, h, _ in answers} == {"5"}
    assert len({h["X-RateLimit-Bucket"] for _, h, _ in answers}) == 1
    resets = [float(h["X-RateLimit-Reset-After"]) for _, h, _ in answers]
    assert resets == sorted(resets, reverse=True) and 0 < resets[-1] <= 5.0
    _, last, _ = answers[-1]
    reset_at = float(last["X-RateLimit-Reset"]) - float(last["X-RateLimit-Reset-After"])
    assert abs(reset_at - time.time()) < 1.0  # epoch seconds, consistent with Reset-After

    status, headers, body = await raw.post(channel)
    assert status == 429
    assert body["message"] == "You are being rate limited."
    assert body["global"] is False and 0 < body["retry_after"] <= 5.0
    assert headers["X-RateLimit-Remaining"] == "0" and headers["X-RateLimit-Scope"] == "user"
    assert int(headers["Retry-After"]) >= body["retry_after"]
    assert "X-RateLimit-Global" not in headers
    op = contract().operation("POST", "/channels/{channel_id}/messages")
    assert op is not None
    assert contract().check_response(op, 429, body) == []  # RatelimitedResponse
    assert contract().check_response(op, 429, {"message": "slow down"}) != []  # can fail
    assert fake.rate_limited == [POST]

    # The bucket is per channel: another channel still has all five.
    status, headers, _ = await raw.post(other)
    assert status == 200 and headers["X-RateLimit-Remaining"] == "4"


async def test_a_bucket_resets_after_reset_after(fake: FakeDiscord, raw: Raw) -> None:
    (channel,) = channels(fake, 1)
    _, _, message = await raw.post(channel)
    status, first, _ = await raw.react(channel, message["id"])
    assert status == 204 and first["X-RateLimit-Limit"] == "1"
    assert first["X-RateLimit-Remaining"] == "0"
    assert 0 < float(first["X-RateLimit-Reset-After"]) <= REACTIONS.per
    assert (await raw.react(channel, message["id"], "🍐"))[0] == 429
    await asyncio.sleep(float(first["X-RateLimit-Reset-After"]))
    status, after, _ = await raw.react(channel, message["id"], "🍐")
    assert status == 204 and after["X-RateLimit-Remaining"] == "0"
    assert float(after["X-RateLimit-Reset-After"]) > REACTIONS.per * 0.8  # a fresh window
    assert fake.rate_limited == [REACT]


async def test_adding_and_removing_reactions_share_one_bucket(fake: FakeDiscord, raw: Raw) -> None:
    channel, other = channels(fake, 2)
    _, post, message = await raw.post(channel)
    _, _, elsewhere = await raw.post(other)
    _, added, _ = await raw.react(channel, message["id"])
    status, removed, _ = await raw.react(channel, message["id"], method="DELETE")
    assert status == 429  # the PUT used the bucket's only token
    assert added["X-RateLimit-Bucket"] == removed["X-RateLimit-Bucket"]
    assert added["X-RateLimit-Bucket"] != post["X-RateLimit-Bucket"]
    assert (await raw.react(other, elsewhere["id"]))[0] == 204  # per channel
    assert fake.rate_limited == [UNREACT]


async def test_the_51st_request_in_a_second_is_a_global_429_but_callbacks_pass(
    fake: FakeDiscord, raw: Raw
) -> None:
    many = channels(fake, GLOBAL_PER_SECOND + 1)
    alice = member(fake)
    async with run_client(fake, ReactingBot()):
        # A slash command the bot does not know: discord.py leaves it unanswered.
        call = await fake.invoke_slash(many[0].guild_id, many[0].id, alice.id, "anything")
    await asyncio.sleep(1.0)  # the bot's login requests are out of the global window
    began = time.monotonic()
    answers = [await raw("GET", f"/channels/{c.id}") for c in many]
    assert time.monotonic() - began < 1.0, "too slow a machine to send 51 in a second"
    assert [status for status, _, _ in answers] == [200] * 50 + [429]
    status, headers, body = answers[-1]
    assert body["global"] is True and 0 < body["retry_after"] <= 1.0
    assert headers["X-RateLimit-Global"] == "true" and headers["X-RateLimit-Scope"] == "global"
    assert fake.rate_limited == ["GET /channels/{channel_id}"]
    (window,) = fake.global_windows
    # Inside the global window: an interaction callback is not counted, a GET is refused.
    url = f"/interactions/{call['id']}/{call['token']}/callback"
    status, _, _ = await raw("POST", url, {"type": 4, "data": {"content": "still here"}})
    assert status == 204 and time.monotonic() < window[1]
    assert (await raw("GET", f"/channels/{many[1].id}"))[0] == 429
    assert [r.content for r in fake.interaction_responses] == ["still here"]


class ReactingBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)

        @self.command()
        async def fruit(ctx: commands.Context[commands.Bot]) -> None:
            # All at once: discord.py's bucket for the channel has to queue them.
            await asyncio.gather(*(ctx.message.add_reaction(e) for e in EMOJI))

        @self.command()
        async def ping(ctx: commands.Context[commands.Bot]) -> None:
            await ctx.send("pong")


async def test_discord_py_waits_on_the_reaction_bucket_instead_of_earning_429s(
    fake: FakeDiscord,
) -> None:
    (channel,) = channels(fake, 1)
    alice = member(fake)
    async with run_client(fake, ReactingBot()):
        command = await fake.send_message(channel.id, alice.id, "!fruit")
        for emoji in EMOJI:
            await fake.wait_for_reaction(emoji=emoji, message_id=int(command["id"]))
    assert fake.rate_limited == []
    times = [r.at for r in fake.rate_log if r.route == REACT]
    assert len(times) == len(EMOJI)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= REACTIONS.per, gaps  # one per bucket window, as the headers said


async def test_an_unannounced_429_is_retried_after_retry_after(fake: FakeDiscord) -> None:
    (channel,) = channels(fake, 1)
    alice = member(fake)
    async with run_client(fake, ReactingBot()):
        fake.inject_429(POST, 0.2)
        await fake.send_message(channel.id, alice.id, "!ping")
        await fake.wait_for_message(lambda m: m.content == "pong")
    assert fake.injected_429s == [POST] and fake.rate_limited == []
    refused, sent = [r for r in fake.rate_log if r.route == POST]
    assert refused.limited == "route" and sent.limited is None
    assert sent.at - refused.at >= 0.2
    assert [m.content for m in fake.sent_messages] == ["pong"]
