"""The question of the day on Discord: a small task that asks the service what is due,
has it claimed and opened, and posts it through the quiz cog's posting path.

The policy (which day is due, exactly once, skipping a missed day) is the service's,
``bot.quiz.daily``; this module only knows Discord: which guilds and channels it can
see, and what to do when a message cannot be posted (log, and go on).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.discord.looking import LookingTask
from bot.engine import bank
from bot.engine.daily import DailySetting
from bot.quiz.daily import DailyQuestions, DailyRefusal, Due
from bot.records import ChannelBusy

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)

# A channel with a question open is looked at again after that question's deadline,
# and no sooner than this (seconds), while the day's window lasts.
BUSY_RETRY_SECONDS = 1.0


def can_post_in(channel: discord.abc.GuildChannel) -> bool:
    """Whether the bot may post a question there: see the channel, send messages with
    embeds and pictures (Discord's channel permissions, overwrites included)."""
    permissions = channel.permissions_for(channel.guild.me)
    return (
        permissions.view_channel
        and permissions.send_messages
        and permissions.embed_links
        and permissions.attach_files
    )


async def configure(
    bot: ConvQuizBot,
    guild: discord.Guild,
    channel: discord.abc.Snowflake | None,
    at: str | None,
    zone: str | None,
) -> DailySetting:
    """``!quizconfig daily``: turn it off (``off``), show it (nothing given), or set it,
    refusing a channel the bot cannot post in; nothing is saved on a refusal."""
    daily = bot.service.daily
    assert daily is not None
    if at is not None and at.strip().lower() in ("off", "オフ"):
        setting = await daily.turn_off(guild.id)
    elif channel is None and at is None:
        return await daily.setting(guild.id)
    elif channel is None or at is None:
        raise DailyRefusal("daily.error.usage")
    elif not isinstance(channel, discord.TextChannel) or not can_post_in(channel):
        raise DailyRefusal("daily.error.channel", channel=channel.id)
    else:
        setting = await daily.turn_on(guild.id, channel.id, at, zone)
    if bot.daily is not None:
        bot.daily.wake()
    return setting


class DailyScheduler(LookingTask):
    what = "the question of the day"

    def __init__(self, bot: ConvQuizBot, daily: DailyQuestions) -> None:
        super().__init__(bot, "convquiz-daily")
        self.daily = daily
        # The earliest a busy channel is worth another look (service clock).
        self._busy_until: datetime | None = None

    async def look(self) -> float:
        await self.post_due()
        timeout = self._seconds_until(await self.daily.next_look())
        if self._busy_until is not None:
            timeout = min(timeout, max(BUSY_RETRY_SECONDS, self._seconds_until(self._busy_until)))
        return timeout

    def _seconds_until(self, moment: datetime) -> float:
        return max(0.0, (moment - self.daily.quiz.clock()).total_seconds())

    async def post_due(self) -> None:
        """Post every question of the day that is due in a guild this process sees."""
        self._busy_until = None
        for due in await self.daily.due():
            await self._post(due)

    async def _post(self, due: Due) -> None:
        guild = self.bot.get_guild(due.setting.guild_id)
        if guild is None:  # not (or no longer) in this process's guilds
            return
        channel = guild.get_channel(due.channel_id)
        if not isinstance(channel, discord.TextChannel):
            log.warning(
                "the question of the day's channel %s is gone",
                due.channel_id,
                extra={"guild_id": guild.id},
            )
            return
        config = await self.bot.guild_config(guild.id)
        lang = self.bot.service.language_of(config, str(guild.preferred_locale))
        try:
            opened = await self.daily.open(due, lang=lang)
        except ChannelBusy as busy:
            # A question is open there: wait for it, and try again within the window.
            deadline = busy.open_question.deadline if busy.open_question else None
            retry = min(deadline or due.occurrence.ends, due.occurrence.ends)
            self._busy_until = retry if self._busy_until is None else min(self._busy_until, retry)
            return
        except bank.QuizError as error:  # e.g. the guild asks only templates and has none
            log.warning("no question of the day: %s", error, extra={"guild_id": guild.id})
            return
        if opened is None:
            return
        cog = self.bot.get_cog("QuizCog")
        post = getattr(cog, "post_question", None)
        try:
            if post is None:
                raise discord.ClientException("the quiz cog is not loaded")
            await post(channel, opened.question, pictures=config.pictures)
        except (discord.HTTPException, discord.ClientException) as error:
            log.warning(
                "cannot post the question of the day: %s",
                error,
                extra={"guild_id": guild.id, "channel_id": channel.id},
            )
            await self.daily.failed(opened)
            return
        await self.daily.posted(opened)
