"""Practice's buttons and form: Answer (a one-field form), the options, Next.

Each button's custom id holds what it needs (the question id, or the practice topic),
so they keep working after a restart. A practice question belongs to whoever opened it:
the buttons act on the presser's own open practice question, and say "closed" when the
one they were drawn for is no longer it.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.embeds import embed_for, with_picture
from bot.discord.exts.quiz._views import said_database_down
from bot.discord.language import user_language
from bot.discord.pictures import picture_for
from bot.engine.skills import UnknownSkill, skill_of
from bot.errors import StorageError
from bot.i18n.texts import t
from bot.present.hints import hint_text
from bot.present.practice_cards import practice_card, practice_verdict
from bot.quiz.practice import PracticeOutcome, practice_channel
from bot.records import OpenQuestion

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)

ANSWER_MAX_LENGTH = 200
NO_TOPIC = "-"  # in a custom id: practise whatever is due


def question_view(opened: OpenQuestion, topic: str | None, lang: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    choices = opened.question.choices
    if choices:
        for index in range(len(choices)):
            view.add_item(PracticeChoiceButton(opened.id, index, topic))
    else:
        view.add_item(PracticeAnswerButton(opened.id, topic, t("quiz.button.answer", lang)))
    if opened.question.hints:
        view.add_item(PracticeHintButton(opened.id, t("hint.button", lang)))
    view.add_item(NextButton(topic, t("practice.button.next", lang)))
    return view


def next_view(
    topic: str | None, lang: str, label_key: str = "practice.button.next"
) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(NextButton(topic, t(label_key, lang)))
    return view


async def send_practice(
    bot: ConvQuizBot, interaction: discord.Interaction[Any], topic: str | None
) -> None:
    """Open the presser's next practice question and show it to them alone."""
    lang = user_language(interaction)
    try:
        opened = await bot.service.practice.start(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            topic=topic,
            lang=lang,
        )
    except UnknownSkill as error:
        await interaction.response.send_message(error.said_in(lang), ephemeral=True)
        return
    embed, file = await practice_message(opened, lang)
    await interaction.response.send_message(
        embed=embed,
        view=question_view(opened, topic, lang),
        file=file or discord.utils.MISSING,
        ephemeral=True,
    )


async def practice_message(
    opened: OpenQuestion, lang: str
) -> tuple[discord.Embed, discord.File | None]:
    embed = embed_for(practice_card(opened, skill_of(opened.question), lang))
    return embed, with_picture(embed, await picture_for(opened.question, reveal=False))


async def _verdict(
    interaction: discord.Interaction[Any],
    outcome: PracticeOutcome | None,
    topic: str | None,
    lang: str,
) -> None:
    await interaction.response.send_message(
        practice_verdict(outcome, lang), view=next_view(topic, lang), ephemeral=True
    )


def _topic(value: str) -> str | None:
    return None if value == NO_TOPIC else value


TOPIC = r"(?P<topic>[a-z0-9_.\-]{1,60})"


async def _said_closed(interaction: discord.Interaction[Any], question_id: int, lang: str) -> bool:
    bot: ConvQuizBot = interaction.client
    open_question = bot.service.practice.open_for(interaction.user.id)
    if open_question is not None and open_question.id == question_id:
        return False
    await interaction.response.send_message(
        t("practice.closed", lang), view=next_view(None, lang), ephemeral=True
    )
    return True


class PracticeAnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cq:pa:(?P<question>[0-9]+):" + TOPIC,
):
    def __init__(self, question_id: int, topic: str | None, label: str = "Answer") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"cq:pa:{question_id}:{topic or NO_TOPIC}",
            )
        )
        self.question_id = question_id
        self.topic = topic

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PracticeAnswerButton:
        return cls(int(match["question"]), _topic(match["topic"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        lang = user_language(interaction)
        if await _said_closed(interaction, self.question_id, lang):
            return
        await interaction.response.send_modal(PracticeForm(self.question_id, self.topic, lang))


class PracticeForm(discord.ui.Modal):
    def __init__(self, question_id: int, topic: str | None, lang: str) -> None:
        # Per question, and a practice question has one user: an id no one else opens.
        super().__init__(title=t("quiz.form.title", lang), custom_id=f"cq:pform:{question_id}")
        self.question_id = question_id
        self.topic = topic
        self.reply: discord.ui.TextInput[PracticeForm] = discord.ui.TextInput(
            label=t("quiz.form.field", lang),
            placeholder=t("quiz.form.placeholder", lang),
            max_length=ANSWER_MAX_LENGTH,
            custom_id="cq:pform:reply",
        )
        self.add_item(self.reply)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        bot: ConvQuizBot = interaction.client
        lang = user_language(interaction)
        if await _said_closed(interaction, self.question_id, lang):
            return
        try:
            outcome = await bot.service.practice.answer(interaction.user.id, self.reply.value)
        except StorageError:
            log.warning("practice answer not stored", exc_info=True)
            await said_database_down(interaction, lang)
            return
        await _verdict(interaction, outcome, self.topic, lang)


class PracticeChoiceButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cq:pc:(?P<question>[0-9]+):(?P<index>[0-9]):" + TOPIC,
):
    def __init__(self, question_id: int, index: int, topic: str | None) -> None:
        super().__init__(
            discord.ui.Button(
                label=chr(ord("A") + index),
                style=discord.ButtonStyle.secondary,
                custom_id=f"cq:pc:{question_id}:{index}:{topic or NO_TOPIC}",
            )
        )
        self.question_id = question_id
        self.index = index
        self.topic = topic

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PracticeChoiceButton:
        return cls(int(match["question"]), int(match["index"]), _topic(match["topic"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: ConvQuizBot = interaction.client
        lang = user_language(interaction)
        if await _said_closed(interaction, self.question_id, lang):
            return
        try:
            outcome = await bot.service.practice.answer_choice(interaction.user.id, self.index)
        except StorageError:
            await said_database_down(interaction, lang)
            return
        await _verdict(interaction, outcome, self.topic, lang)


class PracticeHintButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cq:ph:(?P<question>[0-9]+)",
):
    """The next hint of the presser's practice question: no points to lose, but the
    answer after it reviews the skill as Hard (recalled with help)."""

    def __init__(self, question_id: int, label: str = "Hint") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"cq:ph:{question_id}"
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PracticeHintButton:
        return cls(int(match["question"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: ConvQuizBot = interaction.client
        lang = user_language(interaction)
        if await _said_closed(interaction, self.question_id, lang):
            return
        user = interaction.user.id
        try:
            outcome = await bot.service.hints.take(
                practice_channel(user), user, lang, self.question_id
            )
        except StorageError:
            await said_database_down(interaction, lang)
            return
        await interaction.response.send_message(hint_text(outcome, lang), ephemeral=True)


class NextButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cq:pn:" + TOPIC,
):
    def __init__(self, topic: str | None, label: str = "Next") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.success,
                custom_id=f"cq:pn:{topic or NO_TOPIC}",
            )
        )
        self.topic = topic

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> NextButton:
        return cls(_topic(match["topic"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: ConvQuizBot = interaction.client
        try:
            await send_practice(bot, interaction, self.topic)
        except StorageError:
            await said_database_down(interaction, user_language(interaction))


class ReviewButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cq:pr"):
    """Replays, privately, the presser's last wrong question (``!convquiz review``)."""

    def __init__(self, label: str = "Review") -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.success, custom_id="cq:pr")
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ReviewButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: ConvQuizBot = interaction.client
        lang = user_language(interaction)
        try:
            codes = await bot.service.practice.review_codes(interaction.user.id)
            if not codes:
                await interaction.response.send_message(t("review.none", lang), ephemeral=True)
                return
            opened = await bot.service.practice.replay(
                user_id=interaction.user.id,
                guild_id=interaction.guild_id,
                code=codes[0],
                lang=lang,
            )
        except StorageError:
            await said_database_down(interaction, lang)
            return
        embed, file = await practice_message(opened, lang)
        await interaction.response.send_message(
            embed=embed,
            view=question_view(opened, None, lang),
            file=file or discord.utils.MISSING,
            ephemeral=True,
        )


def review_view(lang: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReviewButton(t("practice.button.review", lang)))
    return view


DYNAMIC_ITEMS = (
    PracticeAnswerButton,
    PracticeChoiceButton,
    PracticeHintButton,
    NextButton,
    ReviewButton,
)
