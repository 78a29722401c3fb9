"""The worst template case: the slowest hostile template's check, and what one question
of the costliest accepted template costs to generate, grade and picture.

Figures, not pass/fail: the templates' own budgets (``bot/engine/templates/_limits.py``)
bound both. The hostile set covers the costly classes (many languages, long ``round``
chains, heavy and rare constraints, a failure in one corner, text too long once rendered,
an import of 50); the accepted one is as heavy as the budget admits (six languages of
heavy placeholders). Times are wall-clock medians in milliseconds.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import time

from bot.engine import bank
from bot.engine.templates import TemplateError, load_template, load_templates
from bot.present.pictures import render_question

__all__ = ["measure"]

_LANGS = ("en", "ja", "fr", "de", "es", "it")
_BIG = "{n: {range: [1, 1000]}, k: {range: [1, 1000]}}"
_HEAVY = "+".join(["conv_params(n, k, 3)"] * 13)
_ROUND = "round(round(round(round(round(round(n / 7, 6), 5), 4), 3), 2), 1)"


def _doc(name: str, prompt: object, answer: str = "n + k", extra: str = "", kind: str = "x") -> str:
    return (
        f"name: {name}\nkind: {kind}\ndifficulty: 1\nparams: {_BIG}\n"
        f"prompt: {json.dumps(prompt, ensure_ascii=False)}\nanswer: {json.dumps(answer)}\n"
        f"answer_type: int\n{extra}"
    )


_HEAVY_PROMPT = " ".join(["{" + _HEAVY + "}"] * 5) + " {n}{k}"
HOSTILE = {
    "six-languages": _doc("six", dict.fromkeys(_LANGS, _HEAVY_PROMPT)),
    "round-chains": _doc(
        "rounds", dict.fromkeys(_LANGS, " ".join(["{" + _ROUND + "}"] * 10) + "{k}")
    ),
    "heavy-constraints": _doc(
        "constrained",
        dict.fromkeys(_LANGS[:3], _HEAVY_PROMPT),
        extra="constraints: "
        + json.dumps([f"({_HEAVY}) % 7 != 9 or n > {900 + i}" for i in range(3)])
        + "\n",
    ),
    "rare-constraint": _doc(
        "rare", "{n} {k}", extra="constraints: ['(n * 1000 + k) % 116 == 0']\n"
    ),
    "bad-corner": _doc("corner", "{n} {k}", answer="n * k // (n + k - 2000)"),
    "long-options": _doc("options", "x" * 1_490 + "{n}{k}")
    .replace("answer_type: int", "answer_type: choice")
    .replace('answer: "n + k"', "answer: H")
    + "choices: "
    + json.dumps([f"{i}" + "y" * 295 + "{n}" for i in range(8)])
    + "\n",
}
IMPORT = "---\n".join(
    _doc(f"t{i}", dict.fromkeys(_LANGS[:4], " ".join(["{n * k}"] * 20) + "{n}{k}"))
    for i in range(50)
)
# As heavy as the budget admits: six languages, two heavy placeholders in each.
WORST_ACCEPTED = _doc(
    "worst",
    dict.fromkeys(_LANGS, " ".join(["{" + _HEAVY + "}"] * 2) + " {n}{k}"),
    kind="output_size",
)


def _median_ms(action: object, runs: int) -> float:
    assert callable(action)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _load_any(text: str) -> None:
    with contextlib.suppress(TemplateError):  # accepted or refused: the time is the figure
        load_template(text)


def measure(runs: int = 5, questions: int = 200) -> dict[str, float]:
    """Milliseconds: the slowest hostile check, an import of 50, one worst question."""
    checks = {
        name: _median_ms(lambda text=text: _load_any(text), runs) for name, text in HOSTILE.items()
    }
    worst = load_template(WORST_ACCEPTED)

    def one_round(seed: int) -> None:
        question = worst.sample(seed, _LANGS[seed % len(_LANGS)])
        bank.grade(question, question.answer_text)
        render_question(question)

    began = time.perf_counter()
    for seed in range(questions):
        one_round(seed)
    per_question = (time.perf_counter() - began) * 1000 / questions
    return {
        "worst_check_ms": max(checks.values()),
        "import_50_ms": _median_ms(lambda: load_templates(IMPORT), max(1, runs // 2)),
        "worst_accepted_check_ms": _median_ms(lambda: load_template(WORST_ACCEPTED), runs),
        "worst_question_ms": per_question,
    }


if __name__ == "__main__":
    for key, value in measure().items():
        print(f"{key:28} {value:8.2f} ms")
