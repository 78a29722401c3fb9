"""Cost of the question pictures: render time and PNG size, per family.

Run ``python -m bench.render`` for a table; ``measure()`` returns the figures. Every
question is rendered twice (as asked, and revealed for the close message) without the
cache, which is the work the bot does the first time a question is posted and closed.
Choice questions ('why' variants) have no picture and are counted apart.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time
from collections.abc import Sequence

from bot.engine import bank
from bot.engine.codes import SEED_SPACE
from bot.present import pictures as render

__all__ = ["main", "measure"]

_DIFFICULTIES = (1, 2, 3)


def _summary(times: list[float], sizes: list[int], skipped: int) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "renders": float(len(times)),
        "no_picture": float(skipped),
        "median_ms": statistics.median(times) * 1000 if times else 0.0,
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000 if times else 0.0,
        "max_ms": ordered[-1] * 1000 if times else 0.0,
        "median_bytes": float(statistics.median(sizes)) if sizes else 0.0,
        "max_bytes": float(max(sizes)) if sizes else 0.0,
    }


def measure(questions_per_difficulty: int = 40) -> dict[str, dict[str, float]]:
    """Render time (ms) and PNG size (bytes) per family, plus the stats chart.

    Each family renders ``questions_per_difficulty`` seeds at each difficulty, each both
    unrevealed and revealed. Keys per family: renders, no_picture, median_ms, p95_ms,
    max_ms, median_bytes, max_bytes.
    """
    render.render_question(bank.generate("output_size", 0, 1))  # load the font once
    results: dict[str, dict[str, float]] = {}
    for kind in bank.KINDS:
        times: list[float] = []
        sizes: list[int] = []
        skipped = 0
        for difficulty in _DIFFICULTIES:
            for seed in range(questions_per_difficulty):
                question = bank.generate(kind, seed * 7919 % SEED_SPACE, difficulty)
                for reveal in (False, True):
                    start = time.perf_counter()
                    png = render.render_question(question, reveal)
                    elapsed = time.perf_counter() - start
                    if png is None:
                        skipped += 1
                        continue
                    times.append(elapsed)
                    sizes.append(len(png))
        results[kind] = _summary(times, sizes, skipped)
    times, sizes = [], []
    today = datetime.date(2025, 1, 31)
    days = [(today - datetime.timedelta(days=i), (i * 37) % 120) for i in range(30)]
    accuracy = {kind: (3 + i, 5 + 2 * i) for i, kind in enumerate(bank.KINDS)}
    for _ in range(max(5, questions_per_difficulty // 4)):
        start = time.perf_counter()
        png = render.render_stats_chart(accuracy, days)
        times.append(time.perf_counter() - start)
        sizes.append(len(png))
    results["stats_chart"] = _summary(times, sizes, 0)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--questions", type=int, default=40, help="seeds per family and difficulty (default 40)"
    )
    args = parser.parse_args(argv)
    results = measure(args.questions)
    print(
        f"pictures: {args.questions} questions per family × difficulty, each rendered "
        f"unrevealed and revealed, no cache"
    )
    header = (
        f"{'family':<12}{'renders':>8}{'none':>6}{'median ms':>11}{'p95 ms':>8}"
        f"{'max ms':>8}{'median B':>10}{'max B':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, row in results.items():
        print(
            f"{name:<12}{row['renders']:>8.0f}{row['no_picture']:>6.0f}"
            f"{row['median_ms']:>11.1f}{row['p95_ms']:>8.1f}{row['max_ms']:>8.1f}"
            f"{row['median_bytes']:>10.0f}{row['max_bytes']:>8.0f}"
        )
    worst = max(row["max_bytes"] for row in results.values())
    print(f"largest PNG: {worst:,.0f} bytes (limit {render.MAX_PNG_BYTES:,})")


if __name__ == "__main__":
    main()
