"""Which typed answers get their verdict as a reaction, and which from the reveal.

Discord lets a bot add about one reaction per 0.25 s in a channel. In a busy channel a
reaction per answer becomes a queue: measured with 100 answers in 5 s, verdicts came a
median 9.9 s late and a quarter of them after the reveal had told everyone the answer.
A verdict that late teaches nothing, so the plan is:

- reactions go out in the order answers were stored, one per ``interval`` per channel;
  for the whole bot, at most ``reactions_per_window`` in any ``window`` (Discord's 50
  requests a second per bot cover every REST call, and 20 busy channels at 4 reactions a
  second each would spend 80). The budget is a rolling window, not an even spacing, so
  the first verdicts of a burst in 20 channels go out together instead of 25 ms apart;
- an answer gets a reaction only if its turn comes within ``within`` (0.5 s) and before
  the question's deadline, so there is never a backlog and never a reaction after the
  reveal;
- the question's first right answer is the one the channel watches for (it earns the
  first-correct bonus): when its reaction cannot go at once, a short reply announces it
  instead (``reserve_first``: creating messages is a bucket of its own, 5 per 5 s per
  channel, which a question uses once), from a share of the window reactions leave to
  it; failing that, its reaction may wait up to ``first_within`` (0.9 s);
- every other answerer finds their verdict, by name, in the reveal (right, partly right
  and wrong) and in ``!stats``; the Answer button gives a private verdict at any load,
  since interaction replies are not limited per channel.

The plan is arithmetic on a monotonic clock the caller passes in; it sends nothing.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from typing import Literal

# Discord's reaction bucket: limit 1, reset after 0.25 s, keyed by the channel (what the
# API's X-RateLimit headers report for PUT .../reactions/{emoji}/@me).
REACTION_INTERVAL = 0.25
# How long a reaction may wait for its turn: with the request itself, the verdict still
# comes within a second (the target), and the queue never outgrows half a second.
PROMPT_WITHIN = 0.5
# Slack before the deadline: a reaction due this close to the reveal is left to it.
DEADLINE_MARGIN = 0.25
# The bot-wide budget, of Discord's 50 requests a second per bot (the "Global Rate Limit"
# of the Rate Limits page; interaction replies do not count). Counted over 1.25 s rather
# than 1: a turn the event loop runs up to a quarter second late (under a burst) still
# leaves every second of Discord's count within the budget.
BUDGET_WINDOW = 1.25
# Reactions and first-right replies together; the other 10 a second of Discord's 50 are
# for questions, reveals and commands.
FEEDBACK_PER_WINDOW = 40
# Reactions alone: the remaining 10 of the window are kept for first-right replies.
REACTIONS_PER_WINDOW = 30
# A first right answer's reaction counts as "at once" when its turn is this near.
AT_ONCE = 0.05
# How long the first right answer's reaction may wait when no reply can go either.
FIRST_WITHIN = 0.9


@dataclass
class ReactionPlan:
    """Per-channel turns for reactions and a bot-wide rolling budget: ``reserve`` says
    when to send an answer's reaction, or not to; ``reserve_first`` how to acknowledge a
    question's first right answer."""

    interval: float = REACTION_INTERVAL
    within: float = PROMPT_WITHIN
    margin: float = DEADLINE_MARGIN
    window: float = BUDGET_WINDOW
    reactions_per_window: int | None = REACTIONS_PER_WINDOW  # None: no bot-wide budget
    feedback_per_window: int = FEEDBACK_PER_WINDOW
    first_within: float = FIRST_WITHIN
    _next_free: dict[int, float] = field(default_factory=dict)
    # Turns granted (reactions and replies) from one window ago on, sorted.
    _granted: list[float] = field(default_factory=list)
    granted: int = 0
    declined: int = 0
    replies: int = 0

    def reserve(self, channel_id: int, now: float, deadline: float) -> float | None:
        """The time (on the caller's clock) to send this answer's reaction, or ``None``
        when it would come later than ``within`` or too close to ``deadline``."""
        turn = self._turn(channel_id, now, min(now + self.within, deadline - self.margin))
        self._count(turn is not None)
        return turn

    def reserve_first(
        self, channel_id: int, now: float, deadline: float
    ) -> tuple[Literal["reaction", "reply"], float] | None:
        """How and when to acknowledge the question's first right answer: its reaction
        if that can go at once, else a reply now if the budget has room for one, else
        its reaction if it can wait at most ``first_within``; ``None``: the reveal."""
        latest = deadline - self.margin
        turn = self._turn(channel_id, now, min(now + AT_ONCE, latest))
        if turn is None and now <= latest and self._take_reply(now):
            self.replies += 1
            return ("reply", now)
        if turn is None:
            turn = self._turn(channel_id, now, min(now + self.first_within, latest))
        self._count(turn is not None)
        return None if turn is None else ("reaction", turn)

    def forget(self, channel_id: int, now: float) -> None:
        """Drop turns that have passed (keeps the table as small as the busy channels)."""
        if self._next_free.get(channel_id, now) <= now:
            self._next_free.pop(channel_id, None)

    # --- turns and the rolling window -----------------------------------------------------

    def _turn(self, channel_id: int, now: float, latest: float) -> float | None:
        """Take the channel's next turn if it comes by ``latest`` within the budget."""
        turn: float | None = max(now, self._next_free.get(channel_id, now))
        if self.reactions_per_window is not None and turn is not None and turn <= latest:
            self._prune(now)
            turn = self._budget_turn(turn, self.reactions_per_window, latest)
        if turn is None or turn > latest:
            return None
        self._next_free[channel_id] = turn + self.interval
        if self.reactions_per_window is not None:
            insort(self._granted, turn)
        return turn

    def _take_reply(self, now: float) -> bool:
        if self.reactions_per_window is None:
            return True
        self._prune(now)
        if not self._fits(now, self.feedback_per_window):
            return False
        insort(self._granted, now)
        return True

    def _count(self, granted: bool) -> None:
        if granted:
            self.granted += 1
        else:
            self.declined += 1

    def _prune(self, now: float) -> None:
        del self._granted[: bisect_right(self._granted, now - self.window)]

    def _budget_turn(self, earliest: float, limit: int, latest: float) -> float | None:
        """The first time from ``earliest`` on (at most ``latest``) at which one more
        turn keeps every window within ``limit``; ``None`` if there is none."""
        turn = earliest
        while turn <= latest:
            if self._fits(turn, limit):
                return turn
            # The next moment a turn leaves the window that holds ``turn`` (never the
            # same moment again: ``g - w`` may round to ``turn - w``).
            leaving = bisect_right(self._granted, turn - self.window)
            turn = max(self._granted[leaving] + self.window, math.nextafter(turn, math.inf))
        return None

    def _fits(self, turn: float, limit: int) -> bool:
        """Whether every window (x - window, x] that would hold ``turn`` holds fewer
        than ``limit`` turns now. Such windows end at ``turn`` or at a later granted
        turn less than a window after it; those are the only counts to check."""
        granted, w = self._granted, self.window
        lo = bisect_right(granted, turn - w)
        hi = bisect_left(granted, turn + w)
        if hi - lo < limit:  # even the two windows around it have room
            return True
        if bisect_right(granted, turn) - lo >= limit:
            return False
        for index in range(bisect_left(granted, turn), hi):
            end = granted[index]
            if bisect_right(granted, end) - bisect_right(granted, end - w) >= limit:
                return False
        return True
