"""``/privacy show|export|delete`` (and ``!privacy ...``): a member's own data. The
cog reads Discord input and renders replies; ``bot.quiz.privacy`` decides (only your
own data, only after you confirm). Slash replies are ephemeral and in the member's own
language. ``!privacy export`` sends the file by direct message, or says in one sentence
that DMs are closed: the channel never sees anyone's data."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.discord.language import reply_language, text, user_language
from bot.i18n.texts import t
from bot.quiz.privacy import DeleteRequest, NotYourData, Privacy, PrivacyCounts

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

# The "type: ignore[arg-type]" on hybrid command decorators works around discord.py
# 2.7.1's typing of hybrid decorators on cog methods (see bot/discord/exts/boards.py).

__all__ = ["ConfirmDelete", "PrivacyCog", "setup"]


def show_text(counts: PrivacyCounts, lang: str) -> str:
    lines = [
        f"**{t('privacy.show.title', lang)}**",
        t("privacy.show.answers", lang, count=counts.answers),
        t("hint.privacy.show", lang, count=counts.hints_taken),
        t(
            "privacy.show.totals",
            lang,
            guild=counts.guild_totals,
            weekly=counts.weekly_totals,
            kinds=counts.kind_totals,
            overall=counts.global_totals,
        ),
        t(
            "privacy.show.questions",
            lang,
            started=counts.questions_started,
            first=counts.first_correct,
        ),
        t("privacy.show.templates", lang, templates=counts.templates_authored),
        t(
            "privacy.show.learning",
            lang,
            skills=counts.skill_cards,
            mistakes=counts.skill_mistakes,
            reminders=counts.reminders,
        ),
        t("games.privacy", lang, games=counts.games),
        t("privacy.show.anonymous", lang),
        t("privacy.show.commands", lang),
    ]
    return "\n".join(lines)


def done_text(counts: PrivacyCounts, lang: str) -> str:
    # The learner model's rows are derived from the answers, like the totals.
    totals = (
        counts.guild_totals
        + counts.weekly_totals
        + counts.kind_totals
        + counts.global_totals
        + counts.skill_cards
        + counts.skill_mistakes
        + counts.reminders
    )
    unnamed = counts.total - counts.answers - counts.hints_taken - totals  # hints: deleted
    return t("privacy.delete.done", lang, answers=counts.answers, totals=totals, unnamed=unnamed)


class ConfirmDelete(discord.ui.View):
    """The delete button; only the member who asked may press it."""

    def __init__(self, privacy: Privacy, request: DeleteRequest, lang: str) -> None:
        super().__init__(timeout=120)
        self.privacy = privacy
        self.request = request
        self.lang = lang
        self.yes.label = t("privacy.delete.yes", lang)
        self.no.label = t("privacy.delete.no", lang)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.request.asked_by:
            await interaction.response.send_message(
                NotYourData().said_in(user_language(interaction)), ephemeral=True
            )
            return False
        return True

    @discord.ui.button(label="Delete", style=discord.ButtonStyle.danger, custom_id="cq:privacy:yes")
    async def yes(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        self.stop()
        deleted = await self.privacy.confirm_delete(self.request, interaction.user.id)
        await interaction.response.edit_message(content=done_text(deleted, self.lang), view=None)

    @discord.ui.button(label="Keep", style=discord.ButtonStyle.secondary, custom_id="cq:privacy:no")
    async def no(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=t("privacy.delete.kept", self.lang), view=None
        )


class PrivacyCog(commands.Cog):
    def __init__(self, bot: ConvQuizBot) -> None:
        self.bot = bot

    @property
    def privacy(self) -> Privacy:
        return self.bot.service.privacy

    @commands.hybrid_group(  # type: ignore[arg-type]
        name="privacy", fallback="show", description=text("cmd.privacy.show")
    )
    async def privacy_group(self, ctx: commands.Context[ConvQuizBot]) -> None:
        lang = await reply_language(ctx, ephemeral=True)
        counts = await self.privacy.show(ctx.author.id)
        await ctx.send(show_text(counts, lang), ephemeral=True)

    @privacy_group.command(name="export", description=text("cmd.privacy.export"))  # type: ignore[arg-type]
    async def export(self, ctx: commands.Context[ConvQuizBot]) -> None:
        lang = await reply_language(ctx, ephemeral=True)
        data = await self.privacy.export(ctx.author.id)
        rows = sum(len(v) for v in json.loads(data).values() if isinstance(v, list))
        name = f"convquiz-{ctx.author.id}.json"
        message = t("privacy.export.ready", lang, count=rows)
        if ctx.interaction is not None:
            file = discord.File(io.BytesIO(data), filename=name)
            await ctx.send(message, file=file, ephemeral=True)
            return
        try:  # a prefix command's reply is public: the file goes by DM
            await ctx.author.send(message, file=discord.File(io.BytesIO(data), filename=name))
        except discord.HTTPException:  # DMs closed (403), or no DM channel
            await ctx.send(t("privacy.export.dm_closed", lang))
            return
        if ctx.guild is not None:
            await ctx.send(t("privacy.export.dm_sent", lang))

    @privacy_group.command(name="delete", description=text("cmd.privacy.delete"))  # type: ignore[arg-type]
    async def delete(self, ctx: commands.Context[ConvQuizBot]) -> None:
        lang = await reply_language(ctx, ephemeral=True)
        request = self.privacy.ask_delete(ctx.author.id, ctx.author.id)
        counts = await self.privacy.show(ctx.author.id)
        view = ConfirmDelete(self.privacy, request, lang)
        await ctx.send(
            t("privacy.delete.confirm", lang, answers=counts.answers), view=view, ephemeral=True
        )


async def setup(bot: ConvQuizBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
