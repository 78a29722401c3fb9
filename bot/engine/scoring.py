"""The scoring rule: how many points an answer earns. Pure; the README states it.

points = base × score                       (base: 10, 20, 30 for difficulty 1, 2, 3)
       + speed bonus                        (up to base / 2 × score, falling linearly
                                             to 0 at the deadline)
       + first-correct bonus                (base / 2, to the first correct answer only)
       + streak bonus                       (2 per correct answer in a row before this
                                             one, at most 10)
       + daily bonus                        (5, to every correct answer to the question
                                             of the day)
A correct answer extends the streak, a partial one keeps it, a wrong one resets it;
``not_an_answer`` is never recorded and changes nothing. Practice questions score 0.

Hints: an answer given after taking hints earns at most a share of the base, everything
above included: after one hint ⌊base × 3/4⌋ (7, 15, 22 points), after two or more
⌊base / 2⌋ (5, 10, 15). Points under the cap are kept as they are; the streak moves as
without hints. ``Points.hints`` is what the cap took away (0 or less).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Decision",
    "Points",
    "base_points",
    "decide",
    "hint_cap",
    "next_streak",
    "score_answer",
]

BASE_BY_DIFFICULTY = {1: 10, 2: 20, 3: 30}
STREAK_STEP = 2
STREAK_CAP = 10
# The share of the base an answer may still earn after 1, 2 hints (numerator, denominator).
HINT_SHARES = {1: (3, 4), 2: (1, 2)}
# The question of the day's own bonus, for each correct answer (bot.quiz.daily).
DAILY_BONUS = 5


@dataclass(frozen=True, slots=True)
class Points:
    base: int
    speed: int
    first: int
    streak: int
    hints: int = 0  # what the hint cap took away: 0 or less
    daily: int = 0

    @property
    def total(self) -> int:
        return self.base + self.speed + self.first + self.streak + self.hints + self.daily


def _half_up(value: float) -> int:
    # round() rounds halves to even (2.5 → 2), which players read as a bug.
    return int(value + 0.5)


def base_points(difficulty: int) -> int:
    return BASE_BY_DIFFICULTY.get(difficulty, BASE_BY_DIFFICULTY[1])


def hint_cap(difficulty: int, hints: int) -> int | None:
    """The most an answer earns after ``hints`` hints (None: no cap)."""
    if hints <= 0:
        return None
    numerator, denominator = HINT_SHARES[min(hints, max(HINT_SHARES))]
    return base_points(difficulty) * numerator // denominator


def next_streak(outcome: str, streak: int) -> int:
    if outcome == "correct":
        return streak + 1
    if outcome == "partial":
        return streak
    return 0


def score_answer(
    *,
    difficulty: int,
    outcome: str,
    score: float,
    elapsed: float,
    time_limit: float,
    first_correct: bool,
    streak_before: int,
    hints: int = 0,
    daily: bool = False,
) -> Points:
    """Points for one graded answer; ``elapsed`` and ``time_limit`` in seconds;
    ``hints``: how many hints the player took before answering; ``daily``: the question
    of the day."""
    if outcome not in ("correct", "partial") or score <= 0:
        return Points(0, 0, 0, 0)
    base = base_points(difficulty)
    remaining = 0.0 if time_limit <= 0 else max(0.0, 1.0 - elapsed / time_limit)
    points = Points(
        base=_half_up(base * score),
        speed=_half_up(base / 2 * score * remaining),
        first=base // 2 if first_correct and outcome == "correct" else 0,
        streak=min(STREAK_CAP, STREAK_STEP * streak_before) if outcome == "correct" else 0,
        daily=DAILY_BONUS if daily and outcome == "correct" else 0,
    )
    cap = hint_cap(difficulty, hints)
    if cap is None or points.total <= cap:
        return points
    # The cap takes in every bonus, the daily one too: the total is the cap.
    return Points(
        points.base,
        points.speed,
        points.first,
        points.streak,
        hints=cap - points.total,
        daily=points.daily,
    )


@dataclass(frozen=True, slots=True)
class Decision:
    """What one answer earns and the streak it leaves behind."""

    points: Points
    streak: int


def decide(
    *,
    outcome: str,
    score: float,
    first_correct: bool,
    streak_before: int,
    elapsed: float,
    time_limit: float,
    difficulty: int,
    ranked: bool = True,
    hints: int = 0,
    daily: bool = False,
) -> Decision:
    """The scoring decision for one answer, live or replayed: its points (0 on a
    practice question) and the player's streak after it."""
    points = (
        score_answer(
            difficulty=difficulty,
            outcome=outcome,
            score=score,
            elapsed=elapsed,
            time_limit=time_limit,
            first_correct=first_correct,
            streak_before=streak_before,
            hints=hints,
            daily=daily,
        )
        if ranked
        else Points(0, 0, 0, 0)
    )
    return Decision(points, next_streak(outcome, streak_before))
