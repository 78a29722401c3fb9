"""Games on Discord: the small hooks the bot's reveal path and deadline loop call.

The policy is ``bot.quiz.games``; this only posts what it decides. A game question's
reveal (the one reveal path, ``ConvQuizBot.post_reveal``) carries the standings; after
it, the game's final message when the game has ended. The deadline loop also wakes at
the end of each pause (``next_due``) and opens the game's next question (``run_due``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.discord.embeds import embed_for, mention
from bot.errors import StorageError
from bot.present.game_cards import final_card, question_title_suffix, standings_field
from bot.quiz.games import GameEnd, Games, RoundOver
from bot.records import ClosedQuestion, OpenQuestion

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)


class GameRunner:
    def __init__(self, bot: ConvQuizBot) -> None:
        self.bot = bot
        # Games a restart found over or counted without a reveal: posted once ready.
        self._settled: list[RoundOver] = []

    @property
    def games(self) -> Games | None:
        return self.bot.service.games

    async def resume(self, revealing: Sequence[ClosedQuestion]) -> None:
        if self.games is not None:
            self._settled = await self.games.resume({c.open.id for c in revealing})

    def next_due(self) -> datetime | None:
        return None if self.games is None else self.games.next_due()

    def title_suffix(self, opened: OpenQuestion) -> str:
        """For a game's question, which of its questions it is (in its title)."""
        game = None if self.games is None else self.games.running_in(opened.channel_id)
        if game is None or game.current_question_id != opened.id:
            return ""
        return question_title_suffix(game.rounds_done + 1, game.count, opened.question.lang)

    # --- the reveal path's hook ---------------------------------------------------------

    async def on_close(self, closed: ClosedQuestion) -> RoundOver | None:
        """Count a game question's round before its reveal is drawn (never fails the
        reveal: a database failure leaves the round to be counted after a restart)."""
        if self.games is None:
            return None
        try:
            return await self.games.on_close(closed)
        except StorageError as error:
            log.warning("cannot count game question %s: %s", closed.open.id, error)
            return None

    def reveal_fields(self, over: RoundOver | None, lang: str) -> tuple[tuple[str, str], ...]:
        return () if over is None else (standings_field(over, mention, lang),)

    async def after_reveal(
        self, over: RoundOver | None, destination: discord.abc.Messageable
    ) -> None:
        if over is None:
            return
        if over.ended is not None:
            await self.post_final(over.ended, destination)
        self.bot.wake_deadlines()  # the pause may end before any deadline

    async def post_final(self, end: GameEnd, destination: discord.abc.Messageable) -> None:
        from bot.discord.bot import NO_PINGS

        card = final_card(end, mention, end.game.lang)
        try:
            await destination.send(embed=embed_for(card), allowed_mentions=NO_PINGS)
        except discord.HTTPException as error:
            log.warning("cannot post the end of game %s: %s", end.game.id, error)

    # --- the deadline loop's hook -------------------------------------------------------

    async def run_due(self) -> None:
        """Post what a restart settled, then open every game question whose pause is
        over."""
        if self.games is None:
            return
        settled, self._settled = self._settled, []
        for over in settled:
            if over.ended is not None and (channel := await self._channel(over.game.channel_id)):
                await self.post_final(over.ended, channel)
        for game in self.games.due():
            channel = await self._channel(game.channel_id)
            if channel is None:
                await self.games.abandon(game)
                continue
            result = await self.games.next_question(game)
            if isinstance(result, GameEnd):
                await self.post_final(result, channel)
            elif isinstance(result, OpenQuestion):
                await self._post_question(result, channel)

    async def _post_question(self, opened: OpenQuestion, channel: discord.abc.Messageable) -> None:
        cog = self.bot.get_cog("QuizCog")
        assert cog is not None and self.games is not None
        pictures = (await self.bot.guild_config(opened.guild_id)).pictures
        try:
            # The question posts exactly as a command's would (buttons, picture, hints).
            await cog.post_question(channel, opened, pictures=pictures)  # type: ignore[attr-defined]
        except discord.HTTPException as error:
            log.warning("cannot post game question %s: %s", opened.id, error)
            game = self.games.running_in(opened.channel_id)
            if game is not None:
                await self.games.abandon(game)

    async def _channel(self, channel_id: int) -> discord.abc.Messageable | None:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException:
                log.warning("cannot reach channel %s for its game", channel_id)
                return None
        return channel if isinstance(channel, discord.abc.Messageable) else None
