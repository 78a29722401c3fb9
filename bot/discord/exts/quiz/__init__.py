"""Starting questions, typed and button answers, hints, stopping early."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot


async def setup(bot: ConvQuizBot) -> None:
    from bot.discord.exts.quiz._cog import QuizCog
    from bot.discord.exts.quiz._games import StopGameButton
    from bot.discord.exts.quiz._hints import HintButton, HintCog
    from bot.discord.exts.quiz._modal import TypedAnswerButton
    from bot.discord.exts.quiz._views import AnswerButton

    bot.add_dynamic_items(AnswerButton, TypedAnswerButton, HintButton, StopGameButton)
    await bot.add_cog(QuizCog(bot))
    await bot.add_cog(HintCog(bot))
