"""The learner model: one FSRS card per (user, skill), scheduled by the ``fsrs`` library.

Every ranked or practice answer reviews the card of its question's skill with a rating
read off how the answer went (``rating_for``; the table is in the README):

- wrong: Again (not recalled);
- partly right, i.e. a named misconception (forgot the bias, no padding, ...): Again,
  since the idea the skill is about was missed, and only seeing it again soon corrects it;
- right after one hint or more: Hard (recalled, with help);
- right: Good;
- right within the first third of the time: Easy (recalled fluently: a fast answer is
  the cheapest sign of mastery a quiz has; never in untimed practice).

The scheduler runs without fuzzing, so the same reviews in the same order always give
the same card: ``convquiz rescore`` rebuilds every card from the stored answers and
lands on the live state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Rating, Scheduler, State

__all__ = [
    "CardState",
    "Rating",
    "next_skill",
    "rating_for",
    "recall",
    "review",
]

# A skill counts as mastered at 90 % recall. Scheduled at 0.9, about half the skills
# would sit below that at any moment; at 0.95 they are reviewed before they fall under
# it (bench/learning.py measured 0.9, 0.95 and 0.97: bench/NOTES.md). Fuzzing spreads
# due dates at random: off, so a replay of the answers is exact.
DESIRED_RETENTION = 0.95
# py-fsrs numbers a Card made without an id by the clock and then sleeps 1 ms so the
# next one differs (fsrs/card.py): 1.2 ms per answer in the writer's transaction. Cards
# live here only for the length of one review, so they all take this id.
CARD_ID = 0
SCHEDULER = Scheduler(desired_retention=DESIRED_RETENTION, enable_fuzzing=False)
FLUENT_SHARE = 1 / 3


@dataclass(frozen=True, slots=True)
class CardState:
    """What storage keeps of one FSRS card (the library's ``Card`` without its id)."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    def as_card(self) -> Card:
        return Card(
            card_id=CARD_ID,
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )

    @classmethod
    def of(cls, card: Card) -> CardState:
        return cls(
            int(card.state), card.step, card.stability, card.difficulty, card.due, card.last_review
        )


def rating_for(
    outcome: str, *, hints_used: int = 0, elapsed: float = 0.0, time_limit: float = 0.0
) -> Rating:
    """The FSRS rating of one graded answer (see the table above)."""
    if outcome != "correct":
        # "partial" is always a named misconception: only a known mistake scores partly.
        return Rating.Again
    if hints_used > 0:
        return Rating.Hard
    if time_limit > 0 and elapsed <= time_limit * FLUENT_SHARE:
        return Rating.Easy
    return Rating.Good


def review(card: CardState | None, rating: Rating, at: datetime) -> CardState:
    """The card after one review at ``at`` (``None``: the skill's first review)."""
    current = card.as_card() if card is not None else Card(card_id=CARD_ID, due=at)
    reviewed, _log = SCHEDULER.review_card(current, rating, at)
    return CardState.of(reviewed)


def recall(card: CardState, now: datetime) -> float:
    """The probability, now, that the learner recalls the skill (FSRS retrievability)."""
    return float(SCHEDULER.get_card_retrievability(card.as_card(), now))


def next_skill(
    cards: Mapping[str, CardState], catalogue: Sequence[str], now: datetime
) -> str | None:
    """What to practise next: the due skill the learner is least likely to recall; else
    the first skill of ``catalogue`` (in difficulty order) never reviewed; else the skill
    due soonest. ``None`` only for an empty catalogue."""
    known = [name for name in catalogue if name in cards]
    due = [name for name in known if cards[name].due <= now]
    if due:
        return min(due, key=lambda name: (recall(cards[name], now), catalogue.index(name)))
    new = _first_new(catalogue, cards)
    if new is not None:
        return new
    return min(known, key=lambda name: cards[name].due, default=None)


def _first_new(catalogue: Iterable[str], cards: Mapping[str, CardState]) -> str | None:
    return next((name for name in catalogue if name not in cards), None)
