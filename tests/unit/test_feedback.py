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
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN, per_second=None)
    for _ in range(10):
        plan.reserve(1, 0.0, deadline=30.0)
    assert plan.reserve(2, 0.0, deadline=30.0) == 0.0


def test_nothing_is_granted_in_the_deadline_margin() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN)
    assert plan.reserve(1, 9.8, deadline=10.0) is None
    assert plan.reserve(1, 9.7, deadline=10.0) == 9.7


GLOBAL = 40  # the plan's bot-wide budget, reactions per second


def most_in_any_second(sent: list[float]) -> int:
    """Discord's global limit counts requests in a second: the most any second holds."""
    sent = sorted(sent)
    return max((sum(1 for t in sent if start <= t < start + 1.0) for start in sent), default=0)


@given(
    st.lists(
        st.tuples(st.integers(min_value=1, max_value=30), st.floats(min_value=0, max_value=5)),
        max_size=400,
    )
)
def test_many_busy_channels_stay_within_the_bots_global_budget(
    answers: list[tuple[int, float]],
) -> None:
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN, per_second=GLOBAL)
    by_channel: dict[int, list[float]] = {}
    for channel, arrival in sorted(answers, key=lambda a: a[1]):
        turn = plan.reserve(channel, arrival, deadline=30.0)
        if turn is not None:
            assert arrival <= turn <= arrival + WITHIN
            by_channel.setdefault(channel, []).append(turn)
    everything = [t for turns in by_channel.values() for t in turns]
    assert most_in_any_second(everything) <= GLOBAL
    assert all(discord_bucket_accepts(turns) for turns in by_channel.values())


def test_twenty_channels_in_a_burst_share_the_budget() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=0.99, margin=MARGIN, per_second=GLOBAL)
    granted = [
        turn
        for _ in range(10)
        for channel in range(20)
        if (turn := plan.reserve(channel, 0.0, deadline=30.0)) is not None
    ]
    # One every 1/40 s for the whole bot, while each is within 0.99 s of its answer: 40.
    assert len(granted) == GLOBAL and most_in_any_second(granted) == GLOBAL
    assert len(set(granted)) == GLOBAL  # none at the same moment


def test_the_first_right_answer_may_wait_a_little_longer() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=0.5, margin=MARGIN, per_second=None)
    assert [plan.reserve(3, 0.0, deadline=30.0) for _ in range(3)] == [0.0, 0.25, 0.5]
    assert plan.reserve(3, 0.0, deadline=30.0) is None  # 0.75 s away: left to the reveal
    assert plan.reserve(3, 0.0, deadline=30.0, first=True) == 0.75  # the first right one
    assert plan.reserve(3, 0.0, deadline=30.0, first=True) is None  # 1.0 s: too late even so
