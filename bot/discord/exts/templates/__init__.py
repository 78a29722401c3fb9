"""``!template``: server admins add, preview, list, enable, remove, export and import
their own question templates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.quiz.template_admin import TemplateRefused

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

__all__ = ["TemplateRefused", "setup"]


async def setup(bot: ConvQuizBot) -> None:
    from bot.discord.exts.templates._cog import TemplatesCog

    admin = bot.service.template_admin
    if admin is None:
        raise RuntimeError("the templates extension needs a service with template admin")
    await bot.add_cog(TemplatesCog(bot, admin))
