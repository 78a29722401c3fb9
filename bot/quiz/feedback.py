"""Which typed answers get their verdict as a reaction, and which from the reveal.

Discord lets a bot add about one reaction per 0.25 s in a channel. In a busy channel a
reaction per answer becomes a queue: measured with 100 answers in 5 s, verdicts came a
median 9.9 s late and a quarter of them after the reveal had told everyone the answer.
A verdict that late teaches nothing, so the plan is:

- reactions go out in the order answers were stored, one per ``interval`` per channel,
  and at most ``per_second`` a second for the whole bot: Discord's 50 requests a second
  per bot cover every REST call, and 20 busy channels at 4 reactions a second each would
  spend 80;
- an answer gets a reaction only if its turn comes within ``within`` (0.5 s) and before
  the question's deadline, so there is never a backlog and never a reaction after the
  reveal; the question's first right answer may wait up to ``first_within`` (0.9 s,
  still under the second a verdict should take): it is the one the channel watches for;
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
# The bot's own budget for reactions, of Discord's 50 requests a second per bot (the
# "Global Rate Limit" of the Rate Limits page; interaction replies do not count): the
# other 10 a second are for questions, reveals and commands.
REACTIONS_PER_SECOND = 40
# How long the first right answer's reaction may wait for its turn.
FIRST_WITHIN = 0.9


@dataclass
class ReactionPlan:
    """Per-channel turns for reactions; ``reserve`` says when to send one, or not to."""

    interval: float = REACTION_INTERVAL
    within: float = PROMPT_WITHIN
    margin: float = DEADLINE_MARGIN
    per_second: float | None = REACTIONS_PER_SECOND  # None: no bot-wide budget
    first_within: float = FIRST_WITHIN
    _next_free: dict[int, float] = field(default_factory=dict)
    _next_anywhere: float = float("-inf")
    granted: int = 0
    declined: int = 0

    def reserve(
        self, channel_id: int, now: float, deadline: float, *, first: bool = False
    ) -> float | None:
        """The time (on the caller's clock) to send this answer's reaction, or ``None``
        when it would come later than ``within`` (``first_within`` for the question's
        first right answer) or too close to ``deadline``."""
        turn = max(now, self._next_free.get(channel_id, now), self._next_anywhere)
        within = max(self.within, self.first_within) if first else self.within
        if turn - now > within or turn > deadline - self.margin:
            self.declined += 1
            return None
        self._next_free[channel_id] = turn + self.interval
        if self.per_second:
            # Spaced evenly: no second, however it is cut, holds more than per_second.
            self._next_anywhere = turn + 1.0 / self.per_second
        self.granted += 1
        return turn

    def forget(self, channel_id: int, now: float) -> None:
        """Drop turns that have passed (keeps the table as small as the busy channels)."""
        if self._next_free.get(channel_id, now) <= now:
            self._next_free.pop(channel_id, None)
