"""Direct messages in the loopback Discord, driven by the unmodified discord.py client:
opening a DM channel (``POST /users/@me/channels``) and sending to it as Discord's spec
says, and a member whose DMs are closed answered 403 with code 50007, as Discord does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest
from discord.ext import commands
from fakediscord import FakeDiscord, Member, SentMessage, run_client

pytestmark = pytest.mark.e2e

CANNOT_SEND_TO_USER = 50007  # Discord's JSON error code


class DmBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)

        @self.command()
        async def whisper(ctx: commands.Context[commands.Bot]) -> None:
            try:
                await ctx.author.send("psst")
            except discord.Forbidden as error:
                await ctx.send(f"refused {error.status} {error.code}")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake
        assert fake.server_errors == []
        assert fake.contract_violations == [], "a request or answer breaks Discord's spec"
        assert fake.rate_limited == []


async def _whisper(fake: FakeDiscord, member: Member, channel_id: int) -> SentMessage:
    async with run_client(fake, DmBot()):
        await fake.send_message(channel_id, member.id, "!whisper")
        return await fake.wait_for_message(lambda m: m.content == "psst" or "refused" in m.content)


async def test_a_direct_message_reaches_the_member(fake: FakeDiscord) -> None:
    guild = fake.add_guild("Conv Club")
    channel = fake.add_channel(guild.id, "general")
    bob = fake.add_member(guild.id, "bob")
    sent = await _whisper(fake, bob, channel.id)
    assert sent.content == "psst"
    assert sent.channel_id == fake.dm_channel(bob.id).id
    assert fake.rest_calls["POST /users/@me/channels"] == 1
    assert fake.dm_messages(bob.id) == ["psst"]


async def test_closed_direct_messages_are_refused_like_discord(fake: FakeDiscord) -> None:
    guild = fake.add_guild("Conv Club")
    channel = fake.add_channel(guild.id, "general")
    bob = fake.add_member(guild.id, "bob")
    fake.close_dms(bob.id)
    sent = await _whisper(fake, bob, channel.id)
    assert sent.channel_id == channel.id
    assert sent.content == f"refused 403 {CANNOT_SEND_TO_USER}"
    assert fake.dm_messages(bob.id) == []
