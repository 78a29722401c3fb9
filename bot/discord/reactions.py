"""Typed answers' verdicts as reactions, paced by ``bot.quiz.feedback.ReactionPlan``.

Each reaction waits for its turn in the channel (so discord.py never queues behind the
bucket), then goes out only if its question is still open: a verdict after the reveal
would repeat what the reveal already says. ``settle`` lets the reveal wait for the few
reactions already on their way.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from datetime import datetime

import discord

from bot.discord.http_guard import OneAtATime
from bot.quiz.feedback import ReactionPlan
from bot.quiz.service import QuizService


class ReactionSender:
    def __init__(self, service: QuizService, plan: ReactionPlan | None = None) -> None:
        self.service = service
        self.plan = plan or ReactionPlan()
        self._sending: defaultdict[int, set[asyncio.Task[object]]] = defaultdict(set)
        self._one_at_a_time = OneAtATime()

    async def react(
        self,
        message: discord.Message | discord.PartialMessage,
        emoji: str,
        question_id: int,
        deadline: datetime,
        *,
        first: bool = False,
    ) -> bool:
        """Add ``emoji`` to ``message`` if the channel's budget allows it promptly;
        ``False`` when the verdict is left to the reveal."""
        channel_id = message.channel.id
        loop = asyncio.get_running_loop()
        now = loop.time()
        left = (deadline - self.service.clock()).total_seconds()
        turn = self.plan.reserve(channel_id, now, now + left, first=first)
        if turn is None:
            return False
        if turn > now:
            await asyncio.sleep(turn - now)
        task = asyncio.current_task()
        if task is not None:
            self._sending[channel_id].add(task)
        try:
            # One in flight per channel even so: discord.py 2.7.1's one-token bucket lets
            # a queued waiter through early (bot.discord.http_guard).
            async with self._one_at_a_time.hold(channel_id):
                still_open = self.service.open_in(channel_id)
                if still_open is None or still_open.id != question_id:
                    return False  # the reveal came first: it carries the verdict
                await message.add_reaction(emoji)
        except discord.HTTPException:
            return False
        finally:
            if task is not None:
                self._sending[channel_id].discard(task)
                if not self._sending[channel_id]:
                    del self._sending[channel_id]
            self.plan.forget(channel_id, loop.time())
        return True

    async def settle(self, channel_id: int, within: float = 1.0) -> None:
        """Wait (at most ``within`` s) for reactions in ``channel_id`` already being sent."""
        pending = {t for t in self._sending.get(channel_id, ()) if t is not asyncio.current_task()}
        if pending:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait(pending, timeout=within)
