"""The baseline bot of the end-to-end benchmark: unmodified discord.py, no database.

It answers ``!ping`` with "pong" and does nothing else (it never reacts), so a round
trip costs one gateway event in, one command dispatch and one REST call out.
"""

from __future__ import annotations

import discord
from discord.ext import commands

__all__ = ["ping_bot"]


def ping_bot() -> commands.Bot:
    """A fresh ``!ping`` → "pong" bot with the message content intent."""
    intents = discord.Intents.default()
    intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)

    @bot.command()
    async def ping(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("pong")

    return bot
