"""The learner model against the ``fsrs`` library itself, and the rating table."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from bot.engine.learning import (
    DESIRED_RETENTION,
    CardState,
    Rating,
    next_skill,
    rating_for,
    recall,
    review,
)
from bot.engine.skills import SKILLS

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("seed", range(20))
def test_reviews_give_the_cards_the_library_gives(seed: int) -> None:
    """Same ratings at the same times, straight through fsrs: the same card each step."""
    draw = random.Random(seed)
    library = fsrs.Scheduler(desired_retention=DESIRED_RETENTION, enable_fuzzing=False)
    theirs = fsrs.Card(due=START)
    ours: CardState | None = None
    at = START
    for _ in range(12):
        rating = draw.choice(list(fsrs.Rating))
        theirs, _log = library.review_card(theirs, rating, at)
        ours = review(ours, rating, at)
        assert (ours.state, ours.step, ours.due, ours.last_review) == (
            int(theirs.state),
            theirs.step,
            theirs.due,
            theirs.last_review,
        )
        assert ours.stability == theirs.stability and ours.difficulty == theirs.difficulty
        later = at + timedelta(hours=draw.randrange(1, 24 * 20))
        assert recall(ours, later) == library.get_card_retrievability(theirs, later)
        at = later


def test_replaying_the_same_reviews_lands_on_the_same_card() -> None:
    ratings = [Rating.Good, Rating.Again, Rating.Hard, Rating.Easy, Rating.Good]
    times = [START + timedelta(days=day, minutes=day * 7) for day in range(5)]

    def replay() -> CardState:
        card = None
        for rating, at in zip(ratings, times, strict=True):
            card = review(card, rating, at)
        assert card is not None
        return card

    assert replay() == replay()


@pytest.mark.parametrize(
    ("outcome", "hints", "elapsed", "expected"),
    [
        ("wrong", 0, 3.0, Rating.Again),
        ("wrong", 2, 25.0, Rating.Again),
        ("partial", 0, 3.0, Rating.Again),  # a named misconception
        ("correct", 1, 3.0, Rating.Hard),  # right after a hint, even when fast
        ("correct", 2, 29.0, Rating.Hard),
        ("correct", 0, 10.0, Rating.Easy),  # within the first third of 30 s
        ("correct", 0, 10.5, Rating.Good),
        ("correct", 0, 29.0, Rating.Good),
    ],
)
def test_the_rating_table(outcome: str, hints: int, elapsed: float, expected: Rating) -> None:
    assert rating_for(outcome, hints_used=hints, elapsed=elapsed, time_limit=30) == expected


def test_a_right_answer_with_no_time_limit_is_good_not_easy() -> None:
    # Practice in direct messages has no deadline: speed says nothing there.
    assert rating_for("correct", elapsed=1.0, time_limit=0) == Rating.Good


def test_a_forgotten_skill_comes_back_first() -> None:
    catalogue = [skill.name for skill in SKILLS]
    first, second, third = catalogue[:3]
    strong = review(review(None, Rating.Easy, START), Rating.Easy, START + timedelta(days=1))
    weak = review(review(None, Rating.Good, START), Rating.Again, START + timedelta(days=1))
    now = max(strong.due, weak.due) + timedelta(days=30)
    cards = {first: strong, second: weak}
    # Both are due; the weaker one (lower recall now) is practised before the other.
    assert recall(weak, now) < recall(strong, now)
    assert next_skill(cards, catalogue, now) == second
    # Nothing due yet: the next new skill in difficulty order.
    soon = START + timedelta(days=1, seconds=1)
    assert min(strong.due, weak.due) > soon
    assert next_skill(cards, catalogue, soon) == third
    # Nothing due and nothing new: the one due soonest.
    everything = dict.fromkeys(catalogue, strong) | {third: weak}
    assert next_skill(everything, catalogue, soon) == third
    assert next_skill({}, catalogue, START) == catalogue[0]
    assert next_skill({}, [], START) is None
