"""The hint rule as README's Scoring section states it, on cases worked by hand:
after one hint an answer earns at most ⌊base × 3/4⌋, after two at most ⌊base / 2⌋,
every bonus included; points under the cap and the streak are as without hints."""

from __future__ import annotations

import pytest

from bot.engine.scoring import decide


def points(hints: int, **answer: object) -> tuple[int, int]:
    decision = decide(**answer, hints=hints)  # type: ignore[arg-type]
    return decision.points.total, decision.streak


# Difficulty 2 (base 20), right and first, 6 s of 30, two right answers before:
# 20 + 20/2 × 24/30 = 8 + 20/2 = 10 + 2 × 2 = 4 → 42 without hints.
FAST_FIRST = {
    "outcome": "correct",
    "score": 1.0,
    "first_correct": True,
    "streak_before": 2,
    "elapsed": 6.0,
    "time_limit": 30.0,
    "difficulty": 2,
}
# Difficulty 3 (base 30), partly right (0.5), 15 s of 30: 15 + 30/2 × 0.5 × 0.5 = 3.75,
# rounded half up to 4 → 19 without hints.
SLOW_PARTIAL = {
    "outcome": "partial",
    "score": 0.5,
    "first_correct": False,
    "streak_before": 0,
    "elapsed": 15.0,
    "time_limit": 30.0,
    "difficulty": 3,
}


@pytest.mark.parametrize(
    ("answer", "hints", "expected"),
    [
        (FAST_FIRST, 0, (42, 3)),
        (FAST_FIRST, 1, (15, 3)),  # ⌊20 × 3/4⌋ = 15; the streak still grows
        (FAST_FIRST, 2, (10, 3)),  # ⌊20 / 2⌋ = 10
        (FAST_FIRST, 3, (10, 3)),  # a template's third hint: still half
        (SLOW_PARTIAL, 0, (19, 0)),
        (SLOW_PARTIAL, 1, (19, 0)),  # under ⌊30 × 3/4⌋ = 22: unchanged
        (SLOW_PARTIAL, 2, (15, 0)),  # ⌊30 / 2⌋ = 15
        ({**FAST_FIRST, "difficulty": 1, "first_correct": False}, 1, (7, 3)),  # ⌊7.5⌋
        ({**FAST_FIRST, "outcome": "wrong", "score": 0.0}, 2, (0, 0)),
        ({**FAST_FIRST, "difficulty": 3}, 1, (22, 3)),  # ⌊22.5⌋
    ],
)
def test_hints_cap_the_points_as_documented(
    answer: dict[str, object], hints: int, expected: tuple[int, int]
) -> None:
    assert points(hints, **answer) == expected


def test_the_cap_is_a_part_of_the_points_that_add_up() -> None:
    capped = decide(**FAST_FIRST, hints=1).points  # type: ignore[arg-type]
    assert (capped.base, capped.speed, capped.first, capped.streak) == (20, 8, 10, 4)
    assert capped.hints == 15 - 42 and capped.total == 15


def test_a_practice_question_scores_nothing_with_or_without_hints() -> None:
    assert points(1, **FAST_FIRST, ranked=False) == (0, 3)


def test_the_daily_bonus_is_inside_the_cap() -> None:
    # The question of the day adds 5 to a right answer: 42 + 5 = 47 without hints; the
    # cap still bounds the whole answer, so one hint leaves ⌊20 × 3/4⌋ = 15.
    assert points(0, **FAST_FIRST, daily=True) == (47, 3)
    capped = decide(**FAST_FIRST, hints=1, daily=True).points  # type: ignore[arg-type]
    assert (capped.daily, capped.total) == (5, 15)
    assert points(1, **SLOW_PARTIAL, daily=True) == (19, 0)  # partly right: no daily bonus
