"""``/practice``, ``/progress``, ``!convquiz review``: adapters over ``bot.quiz.practice``.

In a server, practice is ephemeral (only the learner sees it), so it is allowed in any
channel, even one the server excluded from quizzes: it disturbs nobody. A prefix
command cannot answer privately, so ``!practice`` in a server answers with a button
that opens practice for whoever presses it; in direct messages the question is posted
there and typed answers work.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.embeds import embed_for, mention, with_picture
from bot.discord.exts.practice._views import (
    next_view,
    practice_message,
    question_view,
    send_practice,
)
from bot.discord.exts.quiz._cog import is_moderator
from bot.discord.language import guild_language, reply_language, text
from bot.discord.pictures import progress_chart_for
from bot.discord.reminders import ReminderScheduler
from bot.errors import StorageError
from bot.i18n.texts import DEFAULT_LANGUAGE, t
from bot.present.practice_cards import practice_verdict, progress_card, server_progress_card

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)


def _topic(topic: str | None) -> str | None:
    return topic.strip().lower() if topic else None


class PracticeCog(commands.Cog):
    def __init__(self, bot: ConvQuizBot) -> None:
        self.bot = bot
        self.reminders: ReminderScheduler | None = None

    @app_commands.command(name="practice", description=text("cmd.practice"))
    @app_commands.describe(topic=text("cmd.practice.topic"))
    async def practice_slash(
        self, interaction: discord.Interaction[ConvQuizBot], topic: str | None = None
    ) -> None:
        await send_practice(self.bot, interaction, _topic(topic))

    async def cog_load(self) -> None:
        reminders = self.bot.service.reminders
        if reminders is not None and not self.bot.sync_only:
            self.reminders = ReminderScheduler(self.bot, reminders)
            self.reminders.start()

    async def cog_unload(self) -> None:
        if self.reminders is not None:
            await self.reminders.stop()

    @commands.Cog.listener()
    async def on_command(self, ctx: commands.Context[ConvQuizBot]) -> None:
        """A member whose reminder was switched off (DMs closed) hears it once, the next
        time they use the bot."""
        reminders = self.bot.service.reminders
        if reminders is None or ctx.interaction is not None:
            return
        with contextlib.suppress(StorageError):
            if await reminders.notice(ctx.author.id):
                lang = await guild_language(self.bot, ctx.guild)
                await ctx.send(t("remind.dms_closed", lang))

    @commands.group(name="practice", invoke_without_command=True)
    async def practice_prefix(
        self, ctx: commands.Context[ConvQuizBot], topic: str | None = None
    ) -> None:
        topic = _topic(topic)
        lang = await guild_language(self.bot, ctx.guild)
        self.bot.service.practice.skills_for(topic, lang)  # an unknown topic: the list
        if ctx.guild is not None:
            view = next_view(topic, lang, "practice.button.start")
            await ctx.send(t("practice.public", lang), view=view)
            return
        opened = await self.bot.service.practice.start(
            user_id=ctx.author.id, guild_id=None, topic=topic, lang=lang
        )
        embed, file = await practice_message(opened, lang)
        await ctx.send(
            t("practice.dm", lang),
            embed=embed,
            view=question_view(opened, topic, lang),
            file=file or discord.utils.MISSING,
        )

    @practice_prefix.command(name="remind")  # type: ignore[arg-type]
    async def remind(
        self,
        ctx: commands.Context[ConvQuizBot],
        state: str = "",
        at: str | None = None,
        zone: str | None = None,
    ) -> None:
        """``!practice remind on [HH:MM] [time zone]`` or ``off``."""
        reminders = self.bot.service.reminders
        lang = await guild_language(self.bot, ctx.guild)
        word = state.strip().lower()
        if reminders is None or word not in ("on", "off"):
            await ctx.send(t("remind.usage", lang))
            return
        if word == "off":
            await reminders.turn_off(ctx.author.id)
            await ctx.send(t("remind.off", lang))
        else:
            reminder = await reminders.turn_on(ctx.author.id, at, zone, lang)
            when = reminder.at.strftime("%H:%M")
            await ctx.send(t("remind.on", lang, at=when, zone=reminder.zone))
        if self.reminders is not None:
            self.reminders.wake()

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Typed practice answers in direct messages."""
        if message.guild is not None or message.author.bot or not message.content:
            return
        if self.bot.service.practice.open_for(message.author.id) is None:
            return
        prefixes = await self.bot.get_prefix(message)
        if message.content.startswith(tuple(prefixes) if isinstance(prefixes, list) else prefixes):
            return
        lang = DEFAULT_LANGUAGE  # a direct message has no server language
        try:
            outcome = await self.bot.service.practice.answer(message.author.id, message.content)
        except StorageError:
            self.bot.metrics.count_error("database")
            await message.channel.send(t("reply.database", lang))
            return
        if outcome is None or outcome.status == "ignored":
            return  # chat in the DM, not an attempt
        await message.channel.send(practice_verdict(outcome, lang), view=next_view(None, lang))

    @commands.hybrid_group(  # type: ignore[arg-type]
        name="progress",
        fallback="show",
        invoke_without_command=True,
        description=text("cmd.progress"),
    )
    @app_commands.describe(user=text("cmd.progress.user"))
    async def progress(
        self, ctx: commands.Context[ConvQuizBot], user: discord.User | None = None
    ) -> None:
        target = user or ctx.author
        lang = await reply_language(ctx, ephemeral=True)
        rows = await self.bot.service.practice.progress(target.id)
        embed = embed_for(progress_card(rows, target.id, mention, lang))
        extra: discord.File | None = None
        if any(row.recall is not None for row in rows):
            chart = await progress_chart_for([(row.family, row.recall) for row in rows])
            extra = with_picture(embed, chart, "skills.png")
        await ctx.send(embed=embed, file=extra or discord.utils.MISSING, ephemeral=True)

    @progress.command(name="server", description=text("cmd.progress.server"))  # type: ignore[arg-type]
    @commands.guild_only()
    async def progress_server(self, ctx: commands.Context[ConvQuizBot]) -> None:
        assert ctx.guild is not None
        lang = await reply_language(ctx, ephemeral=True)
        counts = await self.bot.service.practice.server_struggles(
            ctx.guild.id, is_moderator=is_moderator(ctx.author)
        )
        await ctx.send(embed=embed_for(server_progress_card(counts, lang)), ephemeral=True)
