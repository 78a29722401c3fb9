"""Languages on Discord: whose language a message is in, and slash commands in every
language the catalogs have.

- What the whole guild sees (questions, reveals, boards, refusals in the channel) is in
  the guild's language: its ``!quizconfig language`` setting, else its preferred locale
  in Discord (a Japanese community server gets Japanese without touching a setting).
- What only one person sees (an ephemeral reply to a slash command or a button) is in
  that person's own Discord language, ``interaction.locale``.
- Slash-command descriptions, option descriptions and choice names carry their catalog
  key (``text``); ``CatalogTranslator`` gives Discord their translations when the
  commands are synced. Command and option names stay ASCII and the same everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import Localized, StorageError
from bot.i18n.texts import DEFAULT_LANGUAGE, language_for_locale, t

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

__all__ = [
    "CatalogTranslator",
    "Refusal",
    "choice",
    "guild_language",
    "reply_language",
    "text",
    "user_language",
]


def user_language(interaction: discord.Interaction[Any]) -> str:
    """The language of the person who clicked or typed the slash command."""
    return language_for_locale(str(interaction.locale))


async def guild_language(bot: ConvQuizBot, guild: discord.Guild | None) -> str:
    """The language of everything a guild sees (English outside guilds)."""
    if guild is None:
        return DEFAULT_LANGUAGE
    preferred = str(guild.preferred_locale)
    try:
        config = await bot.guild_config(guild.id)
    except StorageError:  # the refusal that says so is still in the right language
        return language_for_locale(preferred)
    return bot.service.language_of(config, preferred)


async def reply_language(ctx: commands.Context[ConvQuizBot], *, ephemeral: bool) -> str:
    """An ephemeral reply to a slash command is read by its user alone: their language.
    Anything else a command sends is read by the guild (a prefix command's "ephemeral"
    reply is an ordinary message)."""
    if ephemeral and ctx.interaction is not None:
        return user_language(ctx.interaction)
    return await guild_language(ctx.bot, ctx.guild)


# --- slash commands ---------------------------------------------------------------------


def text(key: str, **params: object) -> app_commands.locale_str:
    """A slash-command text: the English catalog text, translated at sync time."""
    return app_commands.locale_str(t(key, DEFAULT_LANGUAGE, **params), key=key, params=params)


def choice(key: str, value: str) -> app_commands.Choice[str]:
    return app_commands.Choice(name=text(key), value=value)


class CatalogTranslator(app_commands.Translator):
    """Translates what ``text`` marked; names and unmarked strings stay as they are."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        lang = language_for_locale(str(locale))
        if not isinstance(key, str) or lang == DEFAULT_LANGUAGE:
            return None  # English is the command's own text
        params = string.extras.get("params") or {}
        translated = t(key, lang, **params)
        return translated if translated != string.message else None


# --- refusals that can be said in any language ------------------------------------------


class Refusal(Localized, commands.BadArgument):
    """An argument the bot cannot use; shown as "I could not read that: <detail>"."""
