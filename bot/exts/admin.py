"""``!quizconfig``: per-server settings, for members with Manage Server."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.conversation import config_card
from bot.discord_cards import embed_for

# The "type: ignore[arg-type]" on hybrid command decorators works around discord.py
# 2.7.1's typing of hybrid decorators on cog methods (fixed upstream after 2.7.1, in
# Rapptz/discord.py#10466); nothing else is ignored.

if TYPE_CHECKING:
    from bot.app import ConvQuizBot

MIN_TIME_LIMIT, MAX_TIME_LIMIT = 10, 600


class AdminCog(commands.Cog):
    def __init__(self, bot: ConvQuizBot) -> None:
        self.bot = bot

    async def cog_check(self, ctx: commands.Context[ConvQuizBot]) -> bool:  # type: ignore[override]
        if ctx.guild is None:
            raise commands.NoPrivateMessage()
        permissions = getattr(ctx.author, "guild_permissions", None)
        if not (permissions and permissions.manage_guild):
            raise commands.MissingPermissions(["manage_guild"])
        return True

    async def _show(self, ctx: commands.Context[ConvQuizBot]) -> None:
        assert ctx.guild is not None
        config = await self.bot.guild_config(ctx.guild.id)
        await ctx.send(embed=embed_for(config_card(config, self.bot.service.default_time_limit)))

    @commands.hybrid_group(  # type: ignore[arg-type]
        name="quizconfig",
        fallback="show",
        invoke_without_command=True,
        description="Show the quiz settings of this server",
    )
    @commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def quizconfig(self, ctx: commands.Context[ConvQuizBot]) -> None:
        await self._show(ctx)

    @quizconfig.command(name="timelimit", description="Seconds to answer a question")  # type: ignore[arg-type]
    @app_commands.describe(seconds=f"{MIN_TIME_LIMIT} to {MAX_TIME_LIMIT}")
    async def timelimit(self, ctx: commands.Context[ConvQuizBot], seconds: int) -> None:
        assert ctx.guild is not None
        if not MIN_TIME_LIMIT <= seconds <= MAX_TIME_LIMIT:
            raise commands.BadArgument(
                f"the time limit must be {MIN_TIME_LIMIT} to {MAX_TIME_LIMIT} seconds"
            )
        await self.bot.save_config(ctx.guild.id, time_limit=seconds)
        await self._show(ctx)

    @quizconfig.command(name="difficulty", description="Default difficulty, 1 to 3")  # type: ignore[arg-type]
    async def difficulty(self, ctx: commands.Context[ConvQuizBot], level: int) -> None:
        assert ctx.guild is not None
        if level not in (1, 2, 3):
            raise commands.BadArgument("the difficulty must be 1, 2 or 3")
        await self.bot.save_config(ctx.guild.id, default_difficulty=level)
        await self._show(ctx)

    @quizconfig.command(name="channel", description="Allow or forbid quizzes in a channel")  # type: ignore[arg-type]
    @app_commands.describe(action="add, remove, or clear (quizzes everywhere)")
    @app_commands.choices(
        action=[app_commands.Choice(name=a, value=a) for a in ("add", "remove", "clear")]
    )
    async def channel(
        self,
        ctx: commands.Context[ConvQuizBot],
        action: str,
        channel: discord.TextChannel | None = None,
    ) -> None:
        assert ctx.guild is not None
        config = await self.bot.guild_config(ctx.guild.id)
        channels = set(config.allowed_channels)
        target = (channel or ctx.channel).id
        if action == "add":
            channels.add(target)
        elif action == "remove":
            channels.discard(target)
        elif action == "clear":
            channels.clear()
        else:
            raise commands.BadArgument("the action must be add, remove or clear")
        await self.bot.save_config(ctx.guild.id, allowed_channels=sorted(channels))
        await self._show(ctx)

    @quizconfig.command(name="starter", description="Only this role may start quizzes")  # type: ignore[arg-type]
    @app_commands.describe(role="leave empty to let anyone start quizzes")
    async def starter(
        self, ctx: commands.Context[ConvQuizBot], role: discord.Role | None = None
    ) -> None:
        assert ctx.guild is not None
        await self.bot.save_config(ctx.guild.id, starter_role_id=role.id if role else None)
        await self._show(ctx)

    @quizconfig.command(name="pictures", description="Attach layer pictures to questions")  # type: ignore[arg-type]
    @app_commands.choices(state=[app_commands.Choice(name=s, value=s) for s in ("on", "off")])
    async def pictures(self, ctx: commands.Context[ConvQuizBot], state: str) -> None:
        assert ctx.guild is not None
        if state not in ("on", "off"):
            raise commands.BadArgument("pictures must be on or off")
        await self.bot.save_config(ctx.guild.id, pictures=state == "on")
        await self._show(ctx)


async def setup(bot: ConvQuizBot) -> None:
    await bot.add_cog(AdminCog(bot))
