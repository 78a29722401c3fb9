"""Answer buttons for choice questions.

The question id and option index live in the button's custom id, so buttons keep
working after a restart without any view state held in memory.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.language import user_language
from bot.errors import StorageError
from bot.i18n.texts import t
from bot.present.cards import feedback_in
from bot.quiz.service import AnswerOutcome

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cq:answer:(?P<question>[0-9]+):(?P<index>[0-9])",
):
    def __init__(self, question_id: int, index: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=chr(ord("A") + index),
                style=discord.ButtonStyle.secondary,
                custom_id=f"cq:answer:{question_id}:{index}",
            )
        )
        self.question_id = question_id
        self.index = index

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> AnswerButton:
        return cls(int(match["question"]), int(match["index"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        received = time.perf_counter()
        bot: ConvQuizBot = interaction.client
        channel_id = interaction.channel_id or 0
        lang = user_language(interaction)  # only the clicking member sees the reply
        if await said_closed(interaction, self.question_id, lang):
            return
        try:
            outcome = await bot.service.answer_choice(channel_id, interaction.user.id, self.index)
        except StorageError:
            log.warning("button answer not stored", exc_info=True)
            await said_database_down(interaction, lang)
            return
        await interaction.response.send_message(verdict_text(outcome, lang), ephemeral=True)
        bot.metrics.observe_acknowledgement(time.perf_counter() - received)


async def said_closed(interaction: discord.Interaction[Any], question_id: int, lang: str) -> bool:
    """Whether question ``question_id`` is no longer open in the interaction's channel;
    if so, the member has been told so privately and nothing is recorded."""
    bot: ConvQuizBot = interaction.client
    open_question = bot.service.open_in(interaction.channel_id or 0)
    if open_question is not None and open_question.id == question_id:
        return False
    await interaction.response.send_message(t("reply.closed", lang), ephemeral=True)
    return True


async def said_database_down(interaction: discord.Interaction[Any], lang: str) -> None:
    """The database failed: counted, and the presser told so privately in one sentence."""
    bot: ConvQuizBot = interaction.client
    bot.metrics.count_error("database")
    await interaction.response.send_message(t("reply.database", lang), ephemeral=True)


def verdict_text(outcome: AnswerOutcome | None, lang: str) -> str:
    """The private reply to a button or form answer: its verdict and points, or why
    nothing was recorded."""
    if outcome is None or outcome.status == "closed":
        return t("reply.closed", lang)
    if outcome.status == "already_answered":
        return t("reply.already", lang)
    if outcome.status == "ignored" or outcome.grade is None:
        # Nothing recorded: the player may try again with a readable answer.
        return t("reply.unreadable", lang)
    points = outcome.recorded.points.total if outcome.recorded else 0
    feedback = feedback_in(outcome.question.question, outcome.grade, lang)
    return t("reply.button_result", lang, feedback=feedback, points=points)


def answer_view(question_id: int, options: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for index in range(options):
        view.add_item(AnswerButton(question_id, index))
    return view
