"""Throughput of the quiz engine: questions generated and graded per second, per family.

Run ``python -m bench.engine`` for a table; ``measure()`` returns the mixed-difficulty
figures for programmatic use. Each iteration builds a question from a fresh seed and
grades a typical reply (the right answer as a player would type it), which is the work
the bot does for one round of a quiz.

Time is the process's CPU time (``time.process_time``), so the figures are per core and
other work on a shared machine does not dilute them; ``--wall`` uses the wall clock.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

from bot.engine import bank
from bot.engine.codes import SEED_SPACE

__all__ = ["main", "measure"]

_MIX = (1, 2, 3)
_CHECK_EVERY = 128  # iterations between clock reads


def _typical_reply(question: bank.Question) -> str:
    if question.choices:
        return chr(ord("A") + int(question.answer.value))  # the letter, as typed
    return question.answer_text


def _rate(
    kind: str,
    difficulties: Sequence[int],
    seconds: float,
    start_seed: int = 0,
    clock: Callable[[], float] = time.process_time,
) -> float:
    """Questions of ``kind`` generated and graded per second over about ``seconds``."""
    seed = start_seed
    done = 0
    cycle = len(difficulties)
    begin = clock()
    deadline = begin + seconds
    while True:
        for _ in range(_CHECK_EVERY):
            question = bank.generate(kind, seed % SEED_SPACE, difficulties[done % cycle])
            bank.grade(question, _typical_reply(question))
            seed += 1
            done += 1
        now = clock()
        if now >= deadline:
            return done / (now - begin)


def measure(seconds_per_family: float = 1.0) -> dict[str, float]:
    """Questions generated + graded per second for each family, difficulties mixed 1–3."""
    return {kind: _rate(kind, _MIX, seconds_per_family) for kind in bank.KINDS}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seconds",
        type=float,
        default=1.0,
        help="time spent on each family × difficulty mix (default 1)",
    )
    parser.add_argument(
        "--wall", action="store_true", help="time with the wall clock instead of CPU time"
    )
    args = parser.parse_args(argv)
    clock = time.perf_counter if args.wall else time.process_time
    mixes: list[tuple[str, Sequence[int]]] = [
        ("d1", (1,)),
        ("d2", (2,)),
        ("d3", (3,)),
        ("mixed", _MIX),
    ]
    header = f"{'family':<12}" + "".join(f"{name:>10}" for name, _ in mixes)
    what = "wall-clock" if args.wall else "CPU"
    print(f"questions generated + graded per {what} second ({args.seconds:g} s per cell)")
    print(header)
    print("-" * len(header))
    for kind in bank.KINDS:
        cells = [_rate(kind, diffs, args.seconds, clock=clock) for _, diffs in mixes]
        print(f"{kind:<12}" + "".join(f"{rate:>10,.0f}" for rate in cells))


if __name__ == "__main__":
    main()
