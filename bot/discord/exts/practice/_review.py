"""``!convquiz review``: the last questions a member got wrong, again, privately."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord.exts.practice._views import practice_message, question_view, review_view
from bot.discord.language import reply_language
from bot.i18n.texts import t

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot


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
