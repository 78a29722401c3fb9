"""Waiting for what the bot does: each wait_for_* watches a feed from the last driving action
(the mark) on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from .gateway import GatewaySession
from .model import (
    JSON,
    Feed,
    Identify,
    InteractionResponse,
    MessageEdit,
    SentMessage,
)


class WaitsMixin:
    """Waiting for what the bot does: each wait_for_* watches a feed from the last driving
    action (the mark) on.
    """

    def _feeds(self) -> Iterator[Feed[Any]]:
        yield from (
            self.sent_messages,
            self.edits,
            self.reactions,
            self.interaction_responses,
            self.identifies,
        )

    def _mark(self) -> None:
        """wait_for_* look from here on: what the bot does after this action."""
        for feed in self._feeds():
            feed.mark = len(feed)

    # Plain methods returning an awaitable (`await fake.wait_for_message(...)`); each has
    # a default timeout so a bot that never answers fails with a readable WaitTimeout.
    def wait_for_message(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float = 5.0,
        start: int | None = None,
    ) -> Awaitable[SentMessage]:
        """The next message the bot posts (since the last driving action, or `start`).

        Counts channel sends, interaction replies, follow-ups, and deferred replies once
        they get content. Edits are in `wait_for_edit`. It returns the first match, so
        for the second of two replies pass a predicate or `start=`.
        """
        return self.sent_messages.wait(predicate, timeout=timeout, start=start, what="bot message")

    def wait_for_edit(
        self,
        predicate: Callable[[MessageEdit], bool] | None = None,
        *,
        timeout: float = 5.0,
        start: int | None = None,
    ) -> Awaitable[MessageEdit]:
        return self.edits.wait(predicate, timeout=timeout, start=start, what="edit")

    def wait_for_reaction(
        self,
        predicate: Callable[[tuple[int, int, str]], bool] | None = None,
        *,
        emoji: str | None = None,
        message_id: int | None = None,
        timeout: float = 5.0,
        start: int | None = None,
    ) -> Awaitable[tuple[int, int, str]]:
        def matches(r: tuple[int, int, str]) -> bool:
            return (
                (emoji is None or r[2] == emoji)
                and (message_id is None or r[1] == message_id)
                and (predicate is None or predicate(r))
            )

        return self.reactions.wait(matches, timeout=timeout, start=start, what="reaction")

    def wait_for_interaction_response(
        self,
        predicate: Callable[[InteractionResponse], bool] | None = None,
        *,
        interaction: JSON | None = None,
        timeout: float = 5.0,
        start: int | None = None,
    ) -> Awaitable[InteractionResponse]:
        """The bot's callback; pass the `interaction` a driver returned to match it."""
        wanted = int(interaction["id"]) if interaction else None

        def matches(r: InteractionResponse) -> bool:
            return (wanted is None or r.interaction_id == wanted) and (
                predicate is None or predicate(r)
            )

        return self.interaction_responses.wait(
            matches, timeout=timeout, start=start, what="interaction response"
        )

    def wait_for_sessions(
        self, count: int = 1, *, timeout: float = 5.0
    ) -> Awaitable[list[GatewaySession]]:
        """Until `count` gateway sessions have had READY and all their GUILD_CREATEs."""

        def enough(_: Identify | None = None) -> bool:
            return len(self.ready_sessions) >= count

        async def wait() -> list[GatewaySession]:
            if not enough():
                await self.identifies.wait(
                    enough, timeout=timeout, start=len(self.identifies), what="ready session"
                )
            return self.ready_sessions

        return wait()

    def wait_for_identify(
        self, *, timeout: float = 5.0, start: int | None = None
    ) -> Awaitable[Identify]:
        """The next accepted IDENTIFY (e.g. the re-identify after `drop_gateway`)."""
        return self.identifies.wait(timeout=timeout, start=start, what="identify")
