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
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Decision", "Points", "base_points", "decide", "next_streak", "score_answer"]

BASE_BY_DIFFICULTY = {1: 10, 2: 20, 3: 30}
STREAK_STEP = 2
STREAK_CAP = 10
# The question of the day's own bonus, for each correct answer (bot.quiz.daily).
DAILY_BONUS = 5


@dataclass(frozen=True, slots=True)
class Points:
    base: int
    speed: int
    first: int
    streak: int
    daily: int = 0

    @property
    def total(self) -> int:
        return self.base + self.speed + self.first + self.streak + self.daily


def _half_up(value: float) -> int:
    # round() rounds halves to even (2.5 → 2), which players read as a bug.
    return int(value + 0.5)


def base_points(difficulty: int) -> int:
    return BASE_BY_DIFFICULTY.get(difficulty, BASE_BY_DIFFICULTY[1])


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
    daily: bool = False,
) -> Points:
    """Points for one graded answer; ``elapsed`` and ``time_limit`` in seconds;
    ``daily``: the question of the day."""
    if outcome not in ("correct", "partial") or score <= 0:
        return Points(0, 0, 0, 0)
    base = base_points(difficulty)
    remaining = 0.0 if time_limit <= 0 else max(0.0, 1.0 - elapsed / time_limit)
    return Points(
        base=_half_up(base * score),
        speed=_half_up(base / 2 * score * remaining),
        first=base // 2 if first_correct and outcome == "correct" else 0,
        streak=min(STREAK_CAP, STREAK_STEP * streak_before) if outcome == "correct" else 0,
        daily=DAILY_BONUS if daily and outcome == "correct" else 0,
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
            daily=daily,
        )
        if ranked
        else Points(0, 0, 0, 0)
    )
    return Decision(points, next_streak(outcome, streak_before))
