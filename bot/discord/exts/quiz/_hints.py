"""The 💡 Hint button on a question and ``!hint``: the next hint, to the asker alone.

The button answers ephemerally, in the presser's Discord language. ``!hint`` sends the
hint by direct message (a channel would show it to everyone); when the member's direct
messages are closed (Discord answers 403 with code 50007) the hint is given back and the
channel is told, in one sentence, to use the button. ``bot.quiz.hints`` decides.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.discord.exts.quiz._views import said_closed, said_database_down
from bot.discord.language import guild_language, user_language
from bot.errors import StorageError
from bot.i18n.texts import DEFAULT_LANGUAGE, t
from bot.present.hints import hint_text
from bot.quiz.practice import practice_channel
from bot.records import OpenQuestion

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

__all__ = ["HintButton", "HintCog", "add_hint_button"]

log = logging.getLogger(__name__)

# Discord's "Cannot send messages to this user": the member does not take DMs from us.
DMS_CLOSED = 50007


class HintButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cq:hint:(?P<question>[0-9]+)",
):
    def __init__(self, question_id: int, label: str = "Hint") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"cq:hint:{question_id}"
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> HintButton:
        return cls(int(match["question"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: ConvQuizBot = interaction.client
        lang = user_language(interaction)  # only the presser sees the reply
        if await said_closed(interaction, self.question_id, lang):
            return
        try:
            outcome = await bot.service.hints.take(
                interaction.channel_id or 0, interaction.user.id, lang, self.question_id
            )
        except StorageError:
            log.warning("hint not stored", exc_info=True)
            await said_database_down(interaction, lang)
            return
        await interaction.response.send_message(hint_text(outcome, lang), ephemeral=True)


def add_hint_button(view: discord.ui.View, opened: OpenQuestion) -> None:
    """The question's 💡 Hint button, beside its answer buttons, if it has hints."""
    if opened.question.hints:
        view.add_item(HintButton(opened.id, t("hint.button", opened.question.lang)))


class HintCog(commands.Cog):
    def __init__(self, bot: ConvQuizBot) -> None:
        self.bot = bot

    @commands.command(name="hint")
    async def hint(self, ctx: commands.Context[ConvQuizBot]) -> None:
        if ctx.guild is None:  # practice by direct message: its hint, right here
            channel = practice_channel(ctx.author.id)
            lang = DEFAULT_LANGUAGE
            outcome = await self.bot.service.hints.take(channel, ctx.author.id, lang)
            await ctx.send(hint_text(outcome, lang))
            return
        open_question = self.bot.service.open_in(ctx.channel.id)
        if open_question is None:
            lang = await guild_language(self.bot, ctx.guild)
            await ctx.send(t("reply.nothing_open", lang))
            return
        lang = open_question.question.lang  # the question's: what the channel reads
        outcome = await self.bot.service.hints.take(ctx.channel.id, ctx.author.id, lang)
        message = t(
            "hint.dm", lang, code=open_question.question.code, reply=hint_text(outcome, lang)
        )
        try:
            await ctx.author.send(message)
        except discord.HTTPException as error:
            await self.bot.service.hints.give_back(outcome, ctx.author.id)
            if error.code != DMS_CLOSED:
                raise
            await ctx.send(t("hint.dm_closed", lang, user=ctx.author.mention))
