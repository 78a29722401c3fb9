"""``!leaderboard``, ``!stats`` and ``!help``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.embeds import embed_for, mention, with_picture
from bot.discord.exts.quiz._cog import KIND_CHOICES
from bot.discord.language import Refusal, choice, guild_language, reply_language, text
from bot.discord.pictures import stats_chart_for
from bot.present.cards import board_card, help_card, stats_card
from bot.present.game_cards import wins_card

# The "type: ignore[arg-type]" on hybrid command decorators works around discord.py
# 2.7.1's typing of hybrid decorators on cog methods (fixed upstream after 2.7.1, in
# Rapptz/discord.py#10466); nothing else is ignored.

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

SCOPES = ("all", "week", "global")
SCOPE_CHOICES = [
    choice("card.board.all", "all"),
    choice("card.board.week", "week"),
    choice("choice.scope.global", "global"),
    choice("games.scope", "games"),  # game wins (bot.quiz.games)
]


class BoardsCog(commands.Cog):
    def __init__(self, bot: ConvQuizBot) -> None:
        self.bot = bot

    @commands.hybrid_command(  # type: ignore[arg-type]
        name="leaderboard",
        aliases=["lb"],
        description=text("cmd.leaderboard"),
    )
    @commands.guild_only()
    @app_commands.describe(scope=text("cmd.leaderboard.scope"), kind=text("cmd.leaderboard.kind"))
    @app_commands.choices(scope=SCOPE_CHOICES, kind=KIND_CHOICES)
    async def leaderboard(
        self, ctx: commands.Context[ConvQuizBot], scope: str = "all", kind: str | None = None
    ) -> None:
        assert ctx.guild is not None
        scope = scope.lower()
        if scope == "games" and kind is None and self.bot.service.games is not None:
            rows, me, players = await self.bot.service.games.wins(
                ctx.guild.id, user_id=ctx.author.id
            )
            lang = await guild_language(self.bot, ctx.guild)
            await ctx.send(embed=embed_for(wins_card(rows, me, players, mention, lang)))
            return
        kinds = await self.bot.service.kinds_of(ctx.guild.id)
        if scope not in SCOPES and kind is None and scope in kinds:
            scope, kind = "all", scope  # "!leaderboard output_size"
        if scope not in SCOPES:
            raise Refusal("error.scope")
        if kind is not None and kind not in kinds:
            raise Refusal("error.board_kind", kinds=", ".join(f"`{k}`" for k in sorted(kinds)))
        is_global = scope == "global"
        board = await self.bot.service.leaderboard(
            None if is_global else ctx.guild.id,
            scope="all" if is_global else scope,  # type: ignore[arg-type]
            kind=None if is_global else kind,
            user_id=ctx.author.id,
        )
        card = board_card(
            board,
            mention,
            scope="all" if is_global else scope,
            kind=kind,
            lang=await guild_language(self.bot, ctx.guild),
            global_board=is_global,
        )
        await ctx.send(embed=embed_for(card))

    @commands.hybrid_command(name="stats", description=text("cmd.stats"))  # type: ignore[arg-type]
    @commands.guild_only()
    @app_commands.describe(user=text("cmd.stats.user"))
    async def stats(
        self, ctx: commands.Context[ConvQuizBot], user: discord.User | None = None
    ) -> None:
        assert ctx.guild is not None
        target = user or ctx.author
        stats = await self.bot.service.stats(ctx.guild.id, target.id)
        lang = await guild_language(self.bot, ctx.guild)
        daily = self.bot.service.daily
        streak = await daily.streak(ctx.guild.id, target.id) if daily is not None else None
        in_a_row = (streak.current, streak.best) if streak is not None and streak.best else None
        embed = embed_for(stats_card(stats, mention, lang, daily_streak=in_a_row))
        extra: discord.File | None = None
        if stats.answered and (await self.bot.guild_config(ctx.guild.id)).pictures:
            days = await self.bot.service.daily_points(ctx.guild.id, target.id)
            accuracy = {k.kind: (k.correct, k.answered) for k in stats.by_kind}
            chart = await stats_chart_for(accuracy, days, end=self.bot.service.clock().date())
            extra = with_picture(embed, chart, "stats.png")
        await ctx.send(embed=embed, file=extra or discord.utils.MISSING)

    @commands.hybrid_command(name="help", description=text("cmd.help"))  # type: ignore[arg-type]
    async def help(self, ctx: commands.Context[ConvQuizBot]) -> None:
        prefix = ctx.clean_prefix if ctx.interaction is None else self.bot.settings.convquiz_prefix
        lang = await reply_language(ctx, ephemeral=True)
        await ctx.send(embed=embed_for(help_card(prefix, lang)), ephemeral=True)


async def setup(bot: ConvQuizBot) -> None:
    await bot.add_cog(BoardsCog(bot))
