"""The Answer button of a numeric question and the one-field form it opens.

The verdict comes back privately through the interaction, which Discord does not limit
per channel: in a busy channel this is the answer path that always gets feedback at
once. It is graded, scored and committed exactly like a typed reply (one attempt each).
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.exts.quiz._views import said_closed, said_database_down, verdict_text
from bot.discord.language import user_language
from bot.errors import StorageError
from bot.i18n.texts import t

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)

ANSWER_MAX_LENGTH = 200  # a number, a shape or a short sentence; chat needs no more


class TypedAnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cq:typed:(?P<question>[0-9]+)",
):
    def __init__(self, question_id: int, label: str = "Answer") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"cq:typed:{question_id}",
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> TypedAnswerButton:
        return cls(int(match["question"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        lang = user_language(interaction)
        if await said_closed(interaction, self.question_id, lang):
            return
        await interaction.response.send_modal(
            AnswerForm(self.question_id, interaction.user.id, lang)
        )


class AnswerForm(discord.ui.Modal):
    def __init__(self, question_id: int, user_id: int, lang: str) -> None:
        # One id per person: discord.py keeps open forms by id alone, so a shared id let
        # each new opener's form replace the last one's, whose answer was then dropped.
        super().__init__(
            title=t("quiz.form.title", lang), custom_id=f"cq:form:{question_id}:{user_id}"
        )
        self.question_id = question_id
        self.reply: discord.ui.TextInput[AnswerForm] = discord.ui.TextInput(
            label=t("quiz.form.field", lang),
            placeholder=t("quiz.form.placeholder", lang),
            max_length=ANSWER_MAX_LENGTH,
            custom_id="cq:form:reply",
        )
        self.add_item(self.reply)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        received = time.perf_counter()
        bot: ConvQuizBot = interaction.client
        lang = user_language(interaction)
        channel_id = interaction.channel_id or 0
        if await said_closed(interaction, self.question_id, lang):
            return
        try:
            outcome = await bot.service.answer(channel_id, interaction.user.id, self.reply.value)
        except StorageError:
            log.warning("form answer not stored", exc_info=True)
            await said_database_down(interaction, lang)
            return
        await interaction.response.send_message(verdict_text(outcome, lang), ephemeral=True)
        bot.metrics.observe_acknowledgement(time.perf_counter() - received)


def typed_answer_view(question_id: int, lang: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TypedAnswerButton(question_id, t("quiz.button.answer", lang)))
    return view
