"""``!convquiz game`` and stopping a game: thin adapters over ``bot.quiz.games``.

Stopping a game with more than one question left asks first: a button whose custom id
holds the game's id, so it still works (or says the game is over) after a restart.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.discord.language import guild_language, reply_language, user_language
from bot.engine import bank
from bot.errors import Localized
from bot.i18n.texts import t
from bot.present.cards import parse_quiz_args
from bot.quiz.games import GameEnd

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot
    from bot.discord.exts.quiz._cog import QuizCog


def _is_moderator(member: object) -> bool:
    from bot.discord.exts.quiz._cog import is_moderator

    return is_moderator(member)  # type: ignore[arg-type]


async def start_game(
    cog: QuizCog,
    ctx: commands.Context[ConvQuizBot],
    count: int | None,
    kind: str | None,
    difficulty: str | None,
) -> None:
    assert ctx.guild is not None
    bot = cog.bot
    games = bot.service.games
    assert games is not None
    lang = await guild_language(bot, ctx.guild)
    request = parse_quiz_args([word for word in (kind, difficulty) if word], lang)
    if request.action not in ("start", "template"):  # a code or "stop" is no kind
        word = (kind or "")[:40]
        raise bank.QuizError.of("error.unknown_kind", lang, kind=word, kinds=bank.kind_list(lang))
    config = await bot.guild_config(ctx.guild.id)
    lang = bot.service.language_of(config, str(ctx.guild.preferred_locale))
    game, opened = await games.start(
        guild_id=ctx.guild.id,
        channel_id=ctx.channel.id,
        user_id=ctx.author.id,
        count=count,
        kind=request.kind,
        difficulty=request.difficulty,
        template=request.template,
        config=config,
        lang=lang,
        is_moderator=_is_moderator(ctx.author),
        member_roles={role.id for role in getattr(ctx.author, "roles", [])},
    )
    try:
        await cog._post(ctx, opened, pictures=config.pictures)
    except discord.HTTPException:
        await games.abandon(game)  # nobody saw it start
        raise


async def stop_game(cog: QuizCog, ctx: commands.Context[ConvQuizBot]) -> bool:
    """``!convquiz stop`` in a channel with a game: its starter or a moderator; with
    more than one question left, after a confirmation button. False: no game here."""
    bot = cog.bot
    games = bot.service.games
    if games is None:
        return False
    moderator = _is_moderator(ctx.author)
    request = games.may_stop(ctx.channel.id, ctx.author.id, is_moderator=moderator)
    if request is None:
        return False
    if request.needs_confirmation:
        lang = await reply_language(ctx, ephemeral=True)
        view = discord.ui.View(timeout=None)
        view.add_item(StopGameButton(request.game.id, lang))
        text = t("games.stop_confirm", lang, left=request.left)
        await ctx.send(text, view=view, ephemeral=True)
        return True
    await _stop_now(bot, ctx.channel.id, ctx.author.id, moderator, ctx, None)
    return True


async def _stop_now(
    bot: ConvQuizBot,
    channel_id: int,
    user_id: int,
    moderator: bool,
    via: discord.abc.Messageable | None,
    game_id: int | None,
) -> bool:
    """Stop the game; its reveal (and final message) or just its final message."""
    games = bot.service.games
    assert games is not None
    result = await games.stop(channel_id, user_id, is_moderator=moderator, game_id=game_id)
    if result is None:
        return False
    if isinstance(result, GameEnd):
        destination = via or bot.get_channel(channel_id)
        if destination is not None:
            await bot.games.post_final(result, destination)  # type: ignore[arg-type]
        return True
    await bot.post_reveal(result, via=via)
    return True


class StopGameButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cq:gamestop:(?P<game>[0-9]+)",
):
    def __init__(self, game_id: int, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t("games.stop_button", lang),
                style=discord.ButtonStyle.danger,
                custom_id=f"cq:gamestop:{game_id}",
            )
        )
        self.game_id = game_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> StopGameButton:
        return cls(int(match["game"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: ConvQuizBot = interaction.client
        lang = user_language(interaction)  # only the clicking member reads the reply
        channel_id = interaction.channel_id or 0
        games = bot.service.games
        game = games.running_in(channel_id) if games is not None else None
        if games is None or game is None or game.id != self.game_id:
            await interaction.response.send_message(t("games.not_running", lang), ephemeral=True)
            return
        moderator = _is_moderator(interaction.user)
        try:
            games.may_stop(channel_id, interaction.user.id, is_moderator=moderator)
        except Localized as refusal:
            await interaction.response.send_message(refusal.said_in(lang), ephemeral=True)
            return
        await interaction.response.edit_message(content=t("games.stopping", lang), view=None)
        await _stop_now(bot, channel_id, interaction.user.id, moderator, None, self.game_id)
