"""Does the scheduler help learners? Simulated learners, three ways of choosing questions.

The learners' memory is a model written for this benchmark alone; it shares nothing
with FSRS but the clock (see bench/NOTES.md, "The simulated learner"):

- each skill has a half-life in days, the learner's own (a per-learner, per-skill draw):
  recall now = 2^(−days since the last feedback / half-life); a skill never seen is
  never recalled;
- an answer is right with the probability of recall; a skill the learner holds a named
  misconception about (about a third of the numeric skills at the start) is answered
  with that mistake (partly right) whenever it would have been recalled;
- every answer is followed by feedback: a right answer lengthens the half-life, the
  more the harder the recall was (recalling at 50 % helps far more than at 99 %); a
  wrong one re-teaches it from a shorter half-life; feedback that names a misconception
  corrects it half the time.

Three choosers, 20 questions a day (one a minute from 19:00) for 30 days, the same
learners (same seeds) for each: the FSRS scheduler (``bot.engine.learning``), uniform
random skills, and the skill with the lowest accuracy so far (unseen skills first).
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.engine.learning import CardState, next_skill, rating_for, review
from bot.engine.skills import SKILLS

CATALOGUE = [skill.name for skill in SKILLS]
NUMERIC = [name for name in CATALOGUE if ".why" not in name]
RANK_IN_FAMILY = {
    skill.name: [other.family for other in SKILLS[:index]].count(skill.family)
    for index, skill in enumerate(SKILLS)
}
TIME_LIMIT = 30.0
START = datetime(2026, 1, 5, 19, 0, tzinfo=UTC)
MASTERED = 0.9
# The learner model's constants: a skill taught once is half forgotten in about a day,
# and a learner who is taught well masters the catalogue within the month.
FIRST_HALF_LIFE_DAYS = 1.0
GROWTH_FLOOR, GROWTH = 0.2, 3.0
RELEARN_SHARE = 0.5
MISCONCEPTION_SHARE = 0.35
CORRECTED_BY_FEEDBACK = 0.5


@dataclass
class Memory:
    half_life: float
    first: float
    last: datetime | None = None
    misconception: bool = False


@dataclass
class Learner:
    rng: random.Random
    memory: dict[str, Memory] = field(default_factory=dict)

    @classmethod
    def drawn(cls, seed: int) -> Learner:
        rng = random.Random(seed)
        learner = cls(rng)
        for name in CATALOGUE:
            # Later skills of a family are harder: they are forgotten sooner.
            family_rank = RANK_IN_FAMILY[name]
            first = FIRST_HALF_LIFE_DAYS * math.exp(rng.gauss(0, 0.4)) / (1 + 0.2 * family_rank)
            learner.memory[name] = Memory(
                first, first, misconception=name in NUMERIC and rng.random() < MISCONCEPTION_SHARE
            )
        return learner

    def recall(self, skill: str, now: datetime) -> float:
        memory = self.memory[skill]
        if memory.last is None:
            return 0.0
        days = (now - memory.last).total_seconds() / 86_400
        return float(2 ** (-days / memory.half_life))

    def true_recall(self, skill: str, now: datetime) -> float:
        """What a question would show now: a misconception answers wrong every time."""
        return 0.0 if self.memory[skill].misconception else self.recall(skill, now)

    def answer(self, skill: str, now: datetime) -> tuple[str, float]:
        """The outcome and the seconds it took; feedback follows at once."""
        memory = self.memory[skill]
        p = self.recall(skill, now)
        recalled = self.rng.random() < p
        outcome = "correct" if recalled else "wrong"
        if recalled and memory.misconception:
            outcome = "partial"
        elapsed = min(TIME_LIMIT, TIME_LIMIT * (0.15 + 0.7 * (1 - p)) * self.rng.uniform(0.8, 1.2))
        first = memory.last is None
        if outcome == "correct":
            memory.half_life *= 1 + GROWTH_FLOOR + GROWTH * (1 - p)
        elif not first:
            memory.half_life = max(memory.half_life * RELEARN_SHARE, memory.first / 2)
        if outcome == "partial" and self.rng.random() < CORRECTED_BY_FEEDBACK:
            memory.misconception = False
        memory.last = now
        return outcome, elapsed


Chooser = Callable[[datetime], str]


@dataclass
class Run:
    questions_to_mastery: int | None
    recall_day_30: float


def _simulate(seed: int, strategy: str, days: int, per_day: int) -> Run:
    learner = Learner.drawn(seed)
    choice_rng = random.Random(seed * 7 + 1)
    cards: dict[str, CardState] = {}
    answered: dict[str, list[bool]] = {}
    mastered_at: int | None = None
    asked = 0
    now = START
    for day in range(days):
        for minute in range(per_day):
            now = START + timedelta(days=day, minutes=minute)
            if strategy == "fsrs":
                skill = next_skill(cards, CATALOGUE, now) or CATALOGUE[0]
            elif strategy == "random":
                skill = choice_rng.choice(CATALOGUE)
            else:
                skill = min(
                    CATALOGUE,
                    key=lambda name: (
                        statistics.fmean(answered[name]) if name in answered else -1.0,
                        CATALOGUE.index(name),
                    ),
                )
            outcome, elapsed = learner.answer(skill, now)
            asked += 1
            answered.setdefault(skill, []).append(outcome == "correct")
            rating = rating_for(outcome, elapsed=elapsed, time_limit=TIME_LIMIT)
            cards[skill] = review(cards.get(skill), rating, now)
            if mastered_at is None and all(
                learner.true_recall(name, now) >= MASTERED for name in CATALOGUE
            ):
                mastered_at = asked
    recall = statistics.fmean(learner.true_recall(name, now) for name in CATALOGUE)
    return Run(mastered_at, recall)


STRATEGIES = ("fsrs", "random", "lowest_accuracy")


def measure(learners: int = 20, days: int = 30, per_day: int = 20) -> dict[str, float]:
    budget = days * per_day
    figures: dict[str, float] = {}
    for strategy in STRATEGIES:
        runs = [_simulate(1_000 + i, strategy, days, per_day) for i in range(learners)]
        # A learner who never gets there counts as the whole budget (a lower bound).
        needed = [run.questions_to_mastery or budget for run in runs]
        recalls = [run.recall_day_30 for run in runs]
        figures[f"{strategy}_questions"] = statistics.median(needed)
        figures[f"{strategy}_questions_min"] = min(needed)
        figures[f"{strategy}_questions_max"] = max(needed)
        figures[f"{strategy}_reached"] = sum(run.questions_to_mastery is not None for run in runs)
        figures[f"{strategy}_recall"] = statistics.fmean(recalls)
        figures[f"{strategy}_recall_min"] = min(recalls)
        figures[f"{strategy}_recall_max"] = max(recalls)
    figures["fsrs_vs_random"] = figures["fsrs_questions"] / figures["random_questions"]
    figures["fsrs_vs_lowest"] = figures["fsrs_questions"] / figures["lowest_accuracy_questions"]
    figures["learners"] = learners
    return figures


def main() -> None:
    for key, value in measure().items():
        print(f"{key:28} {value:10.3f}")


if __name__ == "__main__":
    main()
