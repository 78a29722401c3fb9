"""One short answer for every command error, and a log line; never a traceback in chat.

The answer is in the language of whoever reads it: the guild's for a prefix command
(everyone in the channel sees it), the user's own for a slash command (only they do).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.embeds import MESSAGE_LIMIT, clip
from bot.discord.language import Refusal, reply_language, user_language
from bot.errors import Localized, StorageError
from bot.i18n.texts import DEFAULT_LANGUAGE, t
from bot.quiz.template_admin import TemplateRefused
from bot.records import ChannelBusy

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)

# discord.py's own message when a converter fails: 'Converting to "int" failed for
# parameter "seconds".' We say it ourselves, naming the parameter.
_FAILED_PARAMETER = re.compile(r'for parameter "(\w+)"')


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


def _input_message(error: commands.UserInputError, lang: str) -> str:
    if isinstance(error, Refusal):
        return t("reply.bad_argument", lang, detail=error.said_in(lang))
    if isinstance(error, commands.MissingRequiredArgument):
        return t("reply.missing_argument", lang, name=error.param.name)
    if isinstance(error, commands.BadArgument) and (found := _FAILED_PARAMETER.search(str(error))):
        return t("reply.bad_parameter", lang, name=found.group(1))
    if lang == DEFAULT_LANGUAGE:  # discord.py's own explanation is English
        return t("reply.bad_argument", lang, detail=str(error) or type(error).__name__)
    return t("reply.bad_input", lang)


def error_kind(error: BaseException, text: str, lang: str) -> str | None:
    """The ``kind`` an error counts as in the errors metric; None for a refusal (the
    user's mistake, not the bot's)."""
    if isinstance(error, StorageError):
        return "database"
    return "command" if text == t("reply.error", lang) else None


def message_for(error: BaseException, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """The user-facing sentence for an error, or None for ones to ignore silently."""
    error = _unwrap(error)
    if isinstance(error, commands.CommandNotFound):
        return None
    if isinstance(error, TemplateRefused):
        return t("tpl.refused", lang, detail=error.said_in(lang))
    if isinstance(error, ChannelBusy):
        code = error.open_question.question.code if error.open_question else "?"
        return t("reply.busy", lang, code=code)
    if isinstance(error, Refusal):  # an argument: "I could not read that: ..."
        return _input_message(error, lang)
    if isinstance(error, commands.MissingPermissions | app_commands.MissingPermissions):
        return t("reply.no_permission", lang)
    if isinstance(error, commands.NoPrivateMessage | app_commands.NoPrivateMessage):
        return t("reply.dm", lang)
    if isinstance(error, Localized):  # NotAllowed, OnCooldown, QuizError
        return error.said_in(lang)
    if isinstance(error, StorageError):
        return t("reply.database", lang)
    if isinstance(error, commands.UserInputError):
        return _input_message(error, lang)
    if isinstance(error, commands.CheckFailure | app_commands.CheckFailure):
        return t("reply.no_permission", lang)
    return t("reply.error", lang)


class ErrorsCog(commands.Cog):
    def __init__(self, bot: ConvQuizBot) -> None:
        self.bot = bot
        bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context[Any], error: Exception) -> None:
        original = _unwrap(error)
        if isinstance(original, commands.CommandNotFound):
            return
        lang = await reply_language(ctx, ephemeral=True)
        text = message_for(error, lang)
        if text is None:
            return
        if (kind := error_kind(original, text, lang)) is not None:
            self.bot.metrics.count_error(kind)
        if text == t("reply.error", lang):
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
        lang = user_language(interaction)  # the reply is ephemeral: only they read it
        text = message_for(error, lang) or t("reply.error", lang)
        if (kind := error_kind(_unwrap(error), text, lang)) is not None:
            self.bot.metrics.count_error(kind)
        if text == t("reply.error", lang):
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
