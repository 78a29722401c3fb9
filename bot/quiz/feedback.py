"""Which typed answers get their verdict as a reaction, and which from the reveal.

Discord lets a bot add about one reaction per 0.25 s in a channel. In a busy channel a
reaction per answer becomes a queue: measured with 100 answers in 5 s, verdicts came a
median 9.9 s late and a quarter of them after the reveal had told everyone the answer.
A verdict that late teaches nothing, so the plan is:

- reactions go out in the order answers were stored, one per ``interval`` per channel;
- an answer gets a reaction only if its turn comes within ``within`` (0.5 s) and before
  the question's deadline, so there is never a backlog and never a reaction after the
  reveal;
- every other answerer finds their verdict, by name, in the reveal (right, partly right
  and wrong) and in ``!stats``; the Answer button gives a private verdict at any load,
  since interaction replies are not limited per channel.

The plan is arithmetic on a monotonic clock the caller passes in; it sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Discord's reaction bucket: limit 1, reset after 0.25 s, keyed by the channel (what the
# API's X-RateLimit headers report for PUT .../reactions/{emoji}/@me).
REACTION_INTERVAL = 0.25
# How long a reaction may wait for its turn: with the request itself, the verdict still
# comes within a second (the target), and the queue never outgrows half a second.
PROMPT_WITHIN = 0.5
# Slack before the deadline: a reaction due this close to the reveal is left to it.
DEADLINE_MARGIN = 0.25


@dataclass
class ReactionPlan:
    """Per-channel turns for reactions; ``reserve`` says when to send one, or not to."""

    interval: float = REACTION_INTERVAL
    within: float = PROMPT_WITHIN
    margin: float = DEADLINE_MARGIN
    _next_free: dict[int, float] = field(default_factory=dict)
    granted: int = 0
    declined: int = 0

    def reserve(self, channel_id: int, now: float, deadline: float) -> float | None:
        """The time (on the caller's clock) to send this answer's reaction, or ``None``
        when it would come later than ``within`` or too close to ``deadline``."""
        turn = max(now, self._next_free.get(channel_id, now))
        if turn - now > self.within or turn > deadline - self.margin:
            self.declined += 1
            return None
        self._next_free[channel_id] = turn + self.interval
        self.granted += 1
        return turn

    def forget(self, channel_id: int, now: float) -> None:
        """Drop turns that have passed (keeps the table as small as the busy channels)."""
        if self._next_free.get(channel_id, now) <= now:
            self._next_free.pop(channel_id, None)
