"""The reaction plan (``bot.quiz.feedback``) against Discord's reaction bucket simulated
on its own: what it grants never trips the bucket, comes promptly and before the
deadline, and what it declines could not have been sent in time."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from bot.quiz.feedback import ReactionPlan

INTERVAL, WITHIN, MARGIN = 0.25, 1.0, 0.25


def discord_bucket_accepts(sent: list[float]) -> bool:
    """Discord's reaction bucket: limit 1, reset after 0.25 s, per channel."""
    sent = sorted(sent)
    return all(b - a >= INTERVAL - 1e-9 for a, b in itertools.pairwise(sent))


arrivals = st.lists(st.floats(min_value=0, max_value=20, allow_nan=False), max_size=120)


@given(arrivals, st.floats(min_value=1, max_value=30))
def test_granted_reactions_fit_the_bucket_come_promptly_and_before_the_deadline(
    times: list[float], deadline: float
) -> None:
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN)
    granted: list[float] = []
    for arrival in sorted(times):
        turn = plan.reserve(1, arrival, deadline)
        if turn is None:
            # Declined: even right after the last granted one it would come too late.
            earliest = max([arrival, *(g + INTERVAL for g in granted)])
            assert earliest - arrival > WITHIN or earliest > deadline - MARGIN
        else:
            assert arrival <= turn <= arrival + WITHIN
            assert turn <= deadline - MARGIN
            granted.append(turn)
    assert discord_bucket_accepts(granted)
    assert plan.granted == len(granted) and plan.granted + plan.declined == len(times)


def test_a_burst_gets_about_what_one_second_of_the_bucket_holds() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN)
    turns = [plan.reserve(7, 0.0, deadline=30.0) for _ in range(100)]
    granted = [t for t in turns if t is not None]
    # Turns at 0, 0.25, 0.5, 0.75 and 1.0 s: five, and then nothing queued behind them.
    assert granted == [0.0, 0.25, 0.5, 0.75, 1.0]
    later = plan.reserve(7, 5.0, deadline=30.0)
    assert later == 5.0  # the channel's budget refills once the burst is over


def test_channels_have_budgets_of_their_own() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN)
    for _ in range(10):
        plan.reserve(1, 0.0, deadline=30.0)
    assert plan.reserve(2, 0.0, deadline=30.0) == 0.0


def test_nothing_is_granted_in_the_deadline_margin() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN)
    assert plan.reserve(1, 9.8, deadline=10.0) is None
    assert plan.reserve(1, 9.7, deadline=10.0) == 9.7
