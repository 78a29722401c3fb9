"""``!quizconfig``: per-server settings, for members with Manage Server."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.daily import configure as configure_daily
from bot.discord.embeds import embed_for
from bot.discord.language import Refusal, choice, guild_language, text
from bot.engine.daily import MAX_WINDOW_MINUTES, MIN_WINDOW_MINUTES, RAMPS, DailySetting
from bot.i18n.texts import LANGUAGES, language_named
from bot.present.cards import config_card
from bot.present.daily_cards import daily_card
from bot.present.game_cards import game_config_fields
from bot.quiz.games import MAX_COUNT, MAX_PAUSE

# The "type: ignore[arg-type]" on hybrid command decorators works around discord.py
# 2.7.1's typing of hybrid decorators on cog methods (fixed upstream after 2.7.1, in
# Rapptz/discord.py#10466); nothing else is ignored.

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

MIN_TIME_LIMIT, MAX_TIME_LIMIT = 10, 600
GAME_STARTERS = ("anyone", "moderators")
AUTO_LANGUAGE = ("auto", "default", "server")  # follow the guild's language in Discord


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
        lang = await guild_language(self.bot, ctx.guild)
        card = config_card(config, self.bot.service.time_limit_of(config), lang)
        card = dataclasses.replace(card, fields=card.fields + game_config_fields(config, lang))
        await ctx.send(embed=embed_for(card))

    @commands.hybrid_group(  # type: ignore[arg-type]
        name="quizconfig",
        fallback="show",
        invoke_without_command=True,
        description=text("cmd.quizconfig"),
    )
    @commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def quizconfig(self, ctx: commands.Context[ConvQuizBot]) -> None:
        await self._show(ctx)

    @quizconfig.command(name="timelimit", description=text("cmd.quizconfig.timelimit"))  # type: ignore[arg-type]
    @app_commands.describe(
        seconds=text("cmd.quizconfig.timelimit.seconds", low=MIN_TIME_LIMIT, high=MAX_TIME_LIMIT)
    )
    async def timelimit(self, ctx: commands.Context[ConvQuizBot], seconds: int) -> None:
        assert ctx.guild is not None
        if not MIN_TIME_LIMIT <= seconds <= MAX_TIME_LIMIT:
            raise Refusal("error.timelimit_range", low=MIN_TIME_LIMIT, high=MAX_TIME_LIMIT)
        await self.bot.save_config(ctx.guild.id, time_limit=seconds)
        await self._show(ctx)

    @quizconfig.command(name="difficulty", description=text("cmd.quizconfig.difficulty"))  # type: ignore[arg-type]
    @app_commands.describe(level=text("cmd.convquiz.difficulty"))
    async def difficulty(self, ctx: commands.Context[ConvQuizBot], level: int) -> None:
        assert ctx.guild is not None
        if level not in (1, 2, 3):
            raise Refusal("error.difficulty_range")
        await self.bot.save_config(ctx.guild.id, default_difficulty=level)
        await self._show(ctx)

    @quizconfig.command(name="channel", description=text("cmd.quizconfig.channel"))  # type: ignore[arg-type]
    @app_commands.describe(
        action=text("cmd.quizconfig.channel.action"),
        channel=text("cmd.quizconfig.channel.channel"),
    )
    @app_commands.choices(
        action=[choice(f"choice.action.{a}", a) for a in ("add", "remove", "clear")]
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
            raise Refusal("error.channel_action")
        await self.bot.save_config(ctx.guild.id, allowed_channels=sorted(channels))
        await self._show(ctx)

    @quizconfig.command(name="starter", description=text("cmd.quizconfig.starter"))  # type: ignore[arg-type]
    @app_commands.describe(role=text("cmd.quizconfig.starter.role"))
    async def starter(
        self, ctx: commands.Context[ConvQuizBot], role: discord.Role | None = None
    ) -> None:
        assert ctx.guild is not None
        await self.bot.save_config(ctx.guild.id, starter_role_id=role.id if role else None)
        await self._show(ctx)

    @quizconfig.command(name="pictures", description=text("cmd.quizconfig.pictures"))  # type: ignore[arg-type]
    @app_commands.describe(state=text("cmd.quizconfig.pictures.state"))
    @app_commands.choices(state=[choice(f"card.config.{s}", s) for s in ("on", "off")])
    async def pictures(self, ctx: commands.Context[ConvQuizBot], state: str) -> None:
        assert ctx.guild is not None
        if state not in ("on", "off"):
            raise Refusal("error.pictures_state")
        await self.bot.save_config(ctx.guild.id, pictures=state == "on")
        await self._show(ctx)

    @quizconfig.command(name="language", description=text("cmd.quizconfig.language"))  # type: ignore[arg-type]
    @app_commands.describe(language=text("cmd.quizconfig.language.language"))
    @app_commands.choices(language=[choice(f"lang.{code}", code) for code in (*LANGUAGES, "auto")])
    async def language(self, ctx: commands.Context[ConvQuizBot], language: str) -> None:
        """``ja`` or ``en`` for every member's messages; ``auto`` follows the server's
        language in Discord again."""
        assert ctx.guild is not None
        word = language.strip().lower()
        code = None if word in AUTO_LANGUAGE else language_named(word)
        if code is None and word not in AUTO_LANGUAGE:
            choices = ", ".join(f"`{name}`" for name in (*LANGUAGES, "auto"))
            raise Refusal("error.language", languages=choices)
        await self.bot.save_config(ctx.guild.id, language=code)
        await self._show(ctx)

    # --- the question of the day (bot.discord.daily, bot.quiz.daily) --------------------

    async def _show_daily(self, ctx: commands.Context[ConvQuizBot], setting: DailySetting) -> None:
        assert ctx.guild is not None
        level = (await self.bot.guild_config(ctx.guild.id)).default_difficulty or 1
        lang = await guild_language(self.bot, ctx.guild)
        card = daily_card(setting, level, self.bot.service.clock(), lang)
        await ctx.send(embed=embed_for(card))

    @quizconfig.command(name="daily", description=text("daily.cmd"))  # type: ignore[arg-type]
    @app_commands.describe(
        channel=text("daily.cmd.channel"), time=text("daily.cmd.time"), zone=text("daily.cmd.zone")
    )
    async def daily(
        self,
        ctx: commands.Context[ConvQuizBot],
        channel: discord.TextChannel | None = None,
        time: str | None = None,
        zone: str | None = None,
    ) -> None:
        """``daily #channel HH:MM [zone]``, ``daily off``, or ``daily`` to show it."""
        assert ctx.guild is not None
        where = channel or (ctx.channel if time is not None else None)
        setting = await configure_daily(self.bot, ctx.guild, where, time, zone)
        await self._show_daily(ctx, setting)

    @quizconfig.command(name="dailywindow", description=text("daily.cmd.window"))  # type: ignore[arg-type]
    @app_commands.describe(
        minutes=text("daily.cmd.window.minutes", low=MIN_WINDOW_MINUTES, high=MAX_WINDOW_MINUTES)
    )
    async def dailywindow(self, ctx: commands.Context[ConvQuizBot], minutes: int) -> None:
        assert ctx.guild is not None and self.bot.service.daily is not None
        await self._show_daily(ctx, await self.bot.service.daily.set_window(ctx.guild.id, minutes))

    @quizconfig.command(name="dailyramp", description=text("daily.cmd.ramp"))  # type: ignore[arg-type]
    @app_commands.describe(ramp=text("daily.cmd.ramp.ramp"))
    @app_commands.choices(ramp=[choice(f"daily.choice.{r}", r) for r in RAMPS])
    async def dailyramp(self, ctx: commands.Context[ConvQuizBot], ramp: str) -> None:
        assert ctx.guild is not None and self.bot.service.daily is not None
        await self._show_daily(ctx, await self.bot.service.daily.set_ramp(ctx.guild.id, ramp))

    # --- games (bot.quiz.games) --------------------------------------------------------

    @quizconfig.command(name="gamemax", description=text("games.cmd.gamemax"))  # type: ignore[arg-type]
    @app_commands.describe(count=text("games.cmd.gamemax.count", high=MAX_COUNT))
    async def gamemax(self, ctx: commands.Context[ConvQuizBot], count: int) -> None:
        assert ctx.guild is not None
        if not 1 <= count <= MAX_COUNT:
            raise Refusal("games.error.max_range", low=1, high=MAX_COUNT)
        await self.bot.save_config(ctx.guild.id, game_max_count=count)
        await self._show(ctx)

    @quizconfig.command(name="gamepause", description=text("games.cmd.gamepause"))  # type: ignore[arg-type]
    @app_commands.describe(seconds=text("games.cmd.gamepause.seconds", high=MAX_PAUSE))
    async def gamepause(self, ctx: commands.Context[ConvQuizBot], seconds: int) -> None:
        assert ctx.guild is not None
        if not 0 <= seconds <= MAX_PAUSE:
            raise Refusal("games.error.pause_range", low=0, high=MAX_PAUSE)
        await self.bot.save_config(ctx.guild.id, game_pause=seconds)
        await self._show(ctx)

    @quizconfig.command(name="gamestarters", description=text("games.cmd.gamestarters"))  # type: ignore[arg-type]
    @app_commands.describe(who=text("games.cmd.gamestarters.who"))
    @app_commands.choices(who=[choice(f"games.choice.{w}", w) for w in GAME_STARTERS])
    async def gamestarters(self, ctx: commands.Context[ConvQuizBot], who: str) -> None:
        assert ctx.guild is not None
        if who.lower() not in GAME_STARTERS:
            raise Refusal("games.error.starters")
        await self.bot.save_config(ctx.guild.id, game_moderators_only=who.lower() == "moderators")
        await self._show(ctx)


async def setup(bot: ConvQuizBot) -> None:
    await bot.add_cog(AdminCog(bot))
