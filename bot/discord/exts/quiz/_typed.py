"""Typed answers: graded, stored and acknowledged by a reaction the budget allows.

A mixin of ``QuizCog`` (discord.py collects a cog's listeners from its bases too), kept
apart because it is the hot path: most of a busy channel's messages come through here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.errors import StorageError
from bot.i18n.texts import t
from bot.present.cards import REACTIONS

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)


class TypedAnswers:
    bot: ConvQuizBot
    _in_flight: set[asyncio.Task[object]]

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        received = time.perf_counter()  # the acknowledgement-latency clock starts here
        if message.author.bot or message.guild is None or not message.content:
            return
        # Most messages are chat in channels with no question: no database, no REST.
        if self.bot.service.open_in(message.channel.id) is None:
            return
        if await self.bot.may_be_command(message):
            return
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        await self._grade_and_acknowledge(message, message.author.id, message.content, received)

    def take_typed_answer(
        self, channel_id: int, guild_id: int, author_id: int, message_id: int, content: str
    ) -> None:
        """A typed answer straight from its gateway event (``ConvQuizBot._worth_parsing``):
        graded and acknowledged in a task of its own, as ``on_message`` would, without
        discord.py building a Message, a Member and a command Context for it first."""
        received = time.perf_counter()
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        message = channel.get_partial_message(message_id)
        task = asyncio.ensure_future(self._answer_task(message, author_id, content, received))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _answer_task(
        self, message: discord.PartialMessage, author_id: int, content: str, received: float
    ) -> None:
        try:
            await self._grade_and_acknowledge(message, author_id, content, received)
        except Exception:  # what discord.py's event runner would have done
            self.bot.metrics.count_error("event")
            log.exception("unhandled error in a typed answer")

    async def drain(self, within: float) -> None:
        """Wait (at most ``within`` s) for answers being graded, stored and acknowledged."""
        pending = {task for task in self._in_flight if task is not asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=within)

    async def _grade_and_acknowledge(
        self,
        message: discord.Message | discord.PartialMessage,
        author_id: int,
        content: str,
        received: float,
    ) -> None:
        try:
            outcome = await self.bot.service.answer(message.channel.id, author_id, content)
        except StorageError as error:
            self.bot.metrics.count_error("database")
            log.warning("answer from %s not stored: %s", author_id, error)
            still_open = self.bot.service.open_in(message.channel.id)
            if still_open is not None:
                await self.bot.reactions.react(message, "⚠️", still_open.id, still_open.deadline)
            return
        if outcome is None or outcome.status != "recorded" or outcome.grade is None:
            return
        # A reaction, not a message (messages are limited to 5 per 5 s per channel), and
        # only while the channel's reaction budget can deliver it promptly; the others
        # read their verdict in the reveal (bot.quiz.feedback). The first right answer,
        # which the channel watches for, is announced by a reply when its reaction would
        # have to wait.
        question = outcome.question
        emoji = REACTIONS[outcome.grade.outcome]
        reactions = self.bot.reactions
        if outcome.recorded is not None and outcome.recorded.first_correct:
            announcement = t("answer.first_right", question.question.lang, user=f"<@{author_id}>")
            sent = await reactions.first_right(
                message, emoji, question.id, question.deadline, announcement
            )
        else:
            sent = await reactions.react(message, emoji, question.id, question.deadline)
        if sent:
            self.bot.metrics.observe_acknowledgement(time.perf_counter() - received)
