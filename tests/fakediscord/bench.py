"""Throughput of the fake plus an unmodified discord.py bot, for benchmarks."""

from __future__ import annotations

import time

import discord
from discord.ext import commands

from .client import run_client
from .server import FakeDiscord


def _ping_bot() -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)

    @bot.command()
    async def ping(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("pong")

    return bot


async def ping_throughput(n: int = 1000) -> float:
    """Sequential `!ping` -> "pong" round trips per second, fake and bot in one loop.

    Each round trip is: MESSAGE_CREATE on the gateway, the bot's command dispatch,
    POST /channels/{id}/messages, and the echoed MESSAGE_CREATE.
    """
    async with FakeDiscord() as fake:
        guild = fake.add_guild("bench")
        channel = fake.add_channel(guild.id, "general")
        user = fake.add_member(guild.id, "alice")
        async with run_client(fake, _ping_bot()):
            await fake.send_message(channel.id, user.id, "!ping")  # warm-up
            await fake.wait_for_message(lambda m: m.content == "pong")
            began = time.perf_counter()
            for _ in range(n):
                await fake.send_message(channel.id, user.id, "!ping")
                await fake.wait_for_message(lambda m: m.content == "pong")
            elapsed = time.perf_counter() - began
    return n / elapsed
