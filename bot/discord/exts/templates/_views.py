"""The confirmation asked before ``!template remove`` deletes a template."""

from __future__ import annotations

from typing import Any

import discord

from bot.discord.language import user_language
from bot.i18n.texts import t


class ConfirmRemoval(discord.ui.View):
    """Asks the admin who typed ``!template remove`` to confirm; nobody else can click."""

    def __init__(self, author_id: int, lang: str) -> None:
        super().__init__(timeout=60)
        self.author_id = author_id
        self.lang = lang
        self.confirmed: bool | None = None
        self.yes.label = t("tpl.button.remove", lang)
        self.no.label = t("tpl.button.keep", lang)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.author_id:
            await interaction.response.send_message(
                t("tpl.only_author", user_language(interaction)), ephemeral=True
            )
            return False
        return True

    @discord.ui.button(label="Remove", style=discord.ButtonStyle.danger, custom_id="cq:tpl:yes")
    async def yes(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        self.confirmed = True
        await interaction.response.edit_message(view=None)
        self.stop()

    @discord.ui.button(label="Keep", style=discord.ButtonStyle.secondary, custom_id="cq:tpl:no")
    async def no(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        self.confirmed = False
        await interaction.response.edit_message(content=t("tpl.kept", self.lang), view=None)
        self.stop()
