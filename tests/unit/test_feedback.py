"""The reaction plan (``bot.quiz.feedback``) against Discord's reaction bucket simulated
on its own: what it grants never trips the bucket, comes promptly and before the
deadline, and what it declines could not have been sent in time."""

from __future__ import annotations

import itertools
from bisect import bisect_left

from hypothesis import given, settings
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
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN, reactions_per_window=None)
    for _ in range(10):
        plan.reserve(1, 0.0, deadline=30.0)
    assert plan.reserve(2, 0.0, deadline=30.0) == 0.0


def test_nothing_is_granted_in_the_deadline_margin() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN)
    assert plan.reserve(1, 9.8, deadline=10.0) is None
    assert plan.reserve(1, 9.7, deadline=10.0) == 9.7


WINDOW, REACTIONS, FEEDBACK = 1.25, 30, 40  # the plan's bot-wide budget


def most_in_any_window(sent: list[float], window: float) -> int:
    """The most turns any interval [start, start + window) holds (two pointers over the
    sorted turns: the busiest interval starts at a turn)."""
    sent = sorted(sent)
    return max((bisect_left(sent, t + window) - i for i, t in enumerate(sent)), default=0)


def fits_by_brute_force(sent: list[float], turn: float, limit: int) -> bool:
    return most_in_any_window([*sent, turn], WINDOW) <= limit


# Arrivals on a 1/16 s grid: bursts of simultaneous answers, where the windows fill; the
# interval and the window are whole sixteenths too, so every sum is exact.
busy_answers = st.lists(
    st.tuples(st.integers(min_value=1, max_value=40), st.integers(0, 48).map(lambda n: n / 16)),
    min_size=150,
    max_size=400,
)


@settings(max_examples=40, deadline=None)
@given(busy_answers)
def test_many_busy_channels_stay_within_the_bots_rolling_budget(
    answers: list[tuple[int, float]],
) -> None:
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN)
    by_channel: dict[int, list[float]] = {}
    everything: list[float] = []
    for channel, arrival in sorted(answers, key=lambda a: a[1]):
        free = max([arrival, *(t + INTERVAL for t in by_channel.get(channel, []))])
        turn = plan.reserve(channel, arrival, deadline=30.0)
        # The earliest moment from the channel's free turn on with room in every window
        # (room appears only when a turn leaves the window), if within the horizon.
        recent = [t for t in everything if t > arrival - 2 * WINDOW]  # older ones cannot matter
        moments = sorted(m for m in [free, *(t + WINDOW for t in recent)] if m >= free)
        earliest = next((m for m in moments if fits_by_brute_force(recent, m, REACTIONS)), None)
        if turn is None:
            assert earliest is None or earliest > arrival + WITHIN
        else:
            assert turn == earliest and turn <= arrival + WITHIN
            by_channel.setdefault(channel, []).append(turn)
            everything.append(turn)
    assert most_in_any_window(everything, WINDOW) <= REACTIONS
    # Run up to a quarter second late each, they still keep any one second under 40.
    late = [t + 0.25 * ((i * 7919) % 13) / 12 for i, t in enumerate(sorted(everything))]
    assert most_in_any_window(late, 1.0) <= FEEDBACK
    assert all(discord_bucket_accepts(turns) for turns in by_channel.values())


def test_twenty_channels_in_a_burst_get_their_first_verdicts_at_once() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=0.99, margin=MARGIN)
    granted = [
        turn
        for _ in range(10)
        for channel in range(20)
        if (turn := plan.reserve(channel, 0.0, deadline=30.0)) is not None
    ]
    # Every channel's first reaction at once (not one each 25 ms), ten channels' second
    # one at 0.25 s; then the window is spent until 1.25 s, beyond the horizon.
    assert granted == [0.0] * 20 + [0.25] * 10
    assert plan.granted == 30 and plan.declined == 170


def test_a_turn_now_counts_in_the_window_of_a_turn_already_planned_later() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN)
    assert [plan.reserve(c, 0.0, deadline=30.0) for c in range(29)] == [0.0] * 29
    assert plan.reserve(0, 0.0, deadline=30.0) == 0.25  # channel 0's second: 30 by 0.25 s
    # One more now would fit the window that ends now (29 + 1), but make the one that
    # ends at 0.25 s hold 31.
    assert plan.reserve(29, 0.01, deadline=30.0) is None


def test_the_first_right_answer_goes_at_once_else_by_reply() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=0.5, margin=MARGIN)
    assert plan.reserve_first(3, 0.0, deadline=30.0) == ("reaction", 0.0)  # a quiet channel
    assert plan.reserve(3, 0.01, deadline=30.0) == 0.25
    # Behind a wrong answer's reaction: announced by a reply now instead of waiting.
    assert plan.reserve_first(3, 0.02, deadline=30.0) == ("reply", 0.02)
    assert plan.reserve_first(3, 29.8, deadline=30.0) is None  # the reveal says it
    assert (plan.granted, plan.declined, plan.replies) == (2, 1, 1)


def test_replies_have_a_share_of_the_budget_that_reactions_cannot_spend() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=0.5, margin=MARGIN)
    for channel in range(REACTIONS):
        assert plan.reserve(channel, 0.0, deadline=30.0) == 0.0
    assert plan.reserve(100, 0.0, deadline=30.0) is None  # the reactions' share is spent
    firsts = [plan.reserve_first(channel, 0.1, deadline=30.0) for channel in range(12)]
    assert firsts[:10] == [("reply", 0.1)] * 10  # the replies' own ten
    # The window is full: the next first right answer's reaction waits for the window
    # to move on (1.25 s) - beyond the first's 0.9 s - so the reveal says it.
    assert firsts[10:] == [None, None]


def test_without_a_budget_only_the_channels_limit_turns() -> None:
    plan = ReactionPlan(interval=INTERVAL, within=WITHIN, margin=MARGIN, reactions_per_window=None)
    assert [plan.reserve(c, 0.0, deadline=30.0) for c in range(100)] == [0.0] * 100
    assert plan.reserve_first(0, 0.0, deadline=30.0) == ("reply", 0.0)
