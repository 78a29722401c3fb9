"""Typed answers' verdicts as reactions (and a question's first right answer, in a busy
channel, as a reply), paced by ``bot.quiz.feedback.ReactionPlan``.

Each reaction waits for its turn in the channel (so discord.py never queues behind the
bucket), then goes out only if its question is still open: a verdict after the reveal
would repeat what the reveal already says. ``settle`` lets the reveal wait for the few
verdicts already on their way.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime

import discord

from bot.discord.http_guard import OneAtATime
from bot.quiz.feedback import ReactionPlan
from bot.quiz.service import QuizService

# The first-right reply names its author without pinging anyone, and notifies nobody.
_NO_MENTIONS = discord.AllowedMentions.none()


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
    ) -> bool:
        """Add ``emoji`` to ``message`` if the channel's budget allows it promptly;
        ``False`` when the verdict is left to the reveal."""
        now = asyncio.get_running_loop().time()
        turn = self.plan.reserve(message.channel.id, now, now + self._left(deadline))
        if turn is None:
            return False
        return await self._at(turn, message, question_id, lambda: message.add_reaction(emoji))

    async def first_right(
        self,
        message: discord.Message | discord.PartialMessage,
        emoji: str,
        question_id: int,
        deadline: datetime,
        announcement: str,
    ) -> bool:
        """Acknowledge a question's first right answer: by its reaction when that can go
        at once, else by replying ``announcement`` (see ``ReactionPlan.reserve_first``);
        ``False`` when it is left to the reveal."""
        now = asyncio.get_running_loop().time()
        plan = self.plan.reserve_first(message.channel.id, now, now + self._left(deadline))
        if plan is None:
            return False
        how, turn = plan
        if how == "reaction":
            return await self._at(turn, message, question_id, lambda: message.add_reaction(emoji))
        reference = message.to_reference(fail_if_not_exists=False)
        return await self._at(
            turn,
            message,
            question_id,
            lambda: message.channel.send(
                announcement,
                reference=reference,
                mention_author=False,
                allowed_mentions=_NO_MENTIONS,
                silent=True,
            ),
            one_at_a_time=False,  # messages are a bucket of their own
        )

    async def settle(self, channel_id: int, within: float = 1.0) -> None:
        """Wait (at most ``within`` s) for verdicts in ``channel_id`` already being sent."""
        pending = {t for t in self._sending.get(channel_id, ()) if t is not asyncio.current_task()}
        if pending:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait(pending, timeout=within)

    def _left(self, deadline: datetime) -> float:
        return (deadline - self.service.clock()).total_seconds()

    async def _at(
        self,
        turn: float,
        message: discord.Message | discord.PartialMessage,
        question_id: int,
        send: Callable[[], Awaitable[object]],
        *,
        one_at_a_time: bool = True,
    ) -> bool:
        """Send at ``turn`` (loop time) unless the question has closed by then."""
        loop = asyncio.get_running_loop()
        channel_id = message.channel.id
        if turn > loop.time():
            await asyncio.sleep(turn - loop.time())
        task = asyncio.current_task()
        if task is not None:
            self._sending[channel_id].add(task)
        try:
            # One reaction in flight per channel even so: discord.py 2.7.1's one-token
            # bucket lets a queued waiter through early (bot.discord.http_guard).
            hold: contextlib.AbstractAsyncContextManager[None] = (
                self._one_at_a_time.hold(channel_id) if one_at_a_time else contextlib.nullcontext()
            )
            async with hold:
                still_open = self.service.open_in(channel_id)
                if still_open is None or still_open.id != question_id:
                    return False  # the reveal came first: it carries the verdict
                await send()
        except discord.HTTPException:
            return False
        finally:
            if task is not None:
                self._sending[channel_id].discard(task)
                if not self._sending[channel_id]:
                    del self._sending[channel_id]
            self.plan.forget(channel_id, loop.time())
        return True
