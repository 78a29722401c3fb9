"""Private practice (``/practice``), ``/progress`` and ``!convquiz review``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot


async def setup(bot: ConvQuizBot) -> None:
    from bot.discord.exts.practice._cog import PracticeCog
    from bot.discord.exts.practice._views import DYNAMIC_ITEMS

    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(PracticeCog(bot))
