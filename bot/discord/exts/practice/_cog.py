"""``/practice``, ``/progress``, ``!convquiz review``: adapters over ``bot.quiz.practice``.

In a server, practice is ephemeral (only the learner sees it), so it is allowed in any
channel, even one the server excluded from quizzes: it disturbs nobody. A prefix
command cannot answer privately, so ``!practice`` in a server answers with a button
that opens practice for whoever presses it; in direct messages the question is posted
there and typed answers work.
"""

from __future__ import annotations

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
    review_view,
    send_practice,
)
from bot.discord.exts.quiz._cog import is_moderator
from bot.discord.language import guild_language, reply_language, text
from bot.discord.pictures import progress_chart_for
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

    @app_commands.command(name="practice", description=text("cmd.practice"))
    @app_commands.describe(topic=text("cmd.practice.topic"))
    async def practice_slash(
        self, interaction: discord.Interaction[ConvQuizBot], topic: str | None = None
    ) -> None:
        await send_practice(self.bot, interaction, _topic(topic))

    @commands.command(name="practice")
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


async def send_review(bot: ConvQuizBot, ctx: commands.Context[ConvQuizBot]) -> None:
    """``!convquiz review``: the last questions the member got wrong, privately."""
    lang = await reply_language(ctx, ephemeral=True)
    codes = await bot.service.practice.review_codes(ctx.author.id)
    if not codes:
        await ctx.send(t("review.none", lang), ephemeral=True)
        return
    if ctx.interaction is None and ctx.guild is not None:
        # A prefix command cannot answer privately: a button that can.
        await ctx.send(t("practice.public", lang), view=review_view(lang))
        return
    opened = await bot.service.practice.replay(
        user_id=ctx.author.id,
        guild_id=ctx.guild.id if ctx.guild else None,
        code=codes[0],
        lang=lang,
    )
    embed, file = await practice_message(opened, lang)
    await ctx.send(
        embed=embed,
        view=question_view(opened, None, lang),
        file=file or discord.utils.MISSING,
        ephemeral=True,
    )
