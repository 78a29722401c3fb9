"""One short answer for every command error, and a log line; never a traceback in chat."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import quiz
from bot.discord_cards import MESSAGE_LIMIT, clip
from bot.exts.quiz._cog import OnCooldown
from bot.exts.templates import TemplateRefused
from bot.records import ChannelBusy, StorageError
from bot.service import NotAllowed
from bot.texts import t

if TYPE_CHECKING:
    from bot.app import ConvQuizBot

log = logging.getLogger(__name__)


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(
        error,
        commands.CommandInvokeError | commands.HybridCommandError | app_commands.CommandInvokeError,
    ):
        inner = getattr(error, "original", None)
        if inner is None:
            break
        error = inner
    return error


def message_for(error: BaseException, lang: str = "en") -> str | None:
    """The user-facing sentence for an error, or None for ones to ignore silently."""
    error = _unwrap(error)
    if isinstance(error, commands.CommandNotFound):
        return None
    if isinstance(error, TemplateRefused):
        return f"Template refused: {error}"
    if isinstance(error, ChannelBusy):
        code = error.open_question.question.code if error.open_question else "?"
        return t("reply.busy", lang, code=code)
    if isinstance(error, NotAllowed):
        text = str(error)
        return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
    if isinstance(error, OnCooldown):
        return t("reply.cooldown", lang, seconds=max(1.0, error.retry_after))
    if isinstance(error, commands.MissingPermissions | app_commands.MissingPermissions):
        return t("reply.no_permission", lang)
    if isinstance(error, commands.NoPrivateMessage | app_commands.NoPrivateMessage):
        return t("reply.dm", lang)
    if isinstance(error, quiz.QuizError):
        return str(error)
    if isinstance(error, StorageError):
        return t("reply.database", lang)
    if isinstance(error, commands.UserInputError):
        detail = str(error) or type(error).__name__
        return t("reply.bad_argument", lang, detail=detail)
    if isinstance(error, commands.CheckFailure | app_commands.CheckFailure):
        return t("reply.no_permission", lang)
    return t("reply.error", lang)


class ErrorsCog(commands.Cog):
    def __init__(self, bot: ConvQuizBot) -> None:
        self.bot = bot
        bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context[Any], error: Exception) -> None:
        text = message_for(error)
        original = _unwrap(error)
        if text is None:
            return
        if text == t("reply.error"):
            log.error("command %s failed", ctx.command, exc_info=original)
        else:
            log.info("command %s refused: %s", ctx.command, type(original).__name__)
        try:
            await ctx.send(clip(text, MESSAGE_LIMIT), ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user about the error", exc_info=True)

    async def on_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        text = message_for(error) or t("reply.error")
        if text == t("reply.error"):
            log.error("slash command failed", exc_info=_unwrap(error))
        try:
            if interaction.response.is_done():
                await interaction.followup.send(clip(text, MESSAGE_LIMIT), ephemeral=True)
            else:
                await interaction.response.send_message(clip(text, MESSAGE_LIMIT), ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user about the error", exc_info=True)


async def setup(bot: ConvQuizBot) -> None:
    await bot.add_cog(ErrorsCog(bot))
