"""Hostile templates of two classes, each fixed as a mechanism, not case by case.

- **Work beyond the budget**: the check counts work units (formula parts evaluated ×
  languages × samples, plus fixed costs) before it runs, refuses beyond the budget, and
  the count bounds what the check and every later question really evaluate.
- **Rare failures**: the check enumerates small spaces and visits the boundaries of large
  ones; every question asked is validated when it is made, a bad draw skipped.

Loads run in the hostile harness (``tests/template_harness.py``: tripwires, a memory cap,
recorded times printed by ``test_budget_timings`` with ``pytest -s``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from template_harness import LANGS, doc, print_timings, refused, timed_load, warm

from bot.engine.bank import grade
from bot.engine.templates import LIMITS, Template, TemplateError, load_template, load_templates
from bot.engine.templates._check import check_template
from bot.engine.templates._expr import Formula


@pytest.fixture(autouse=True, scope="module")
def _warm() -> None:
    warm()


BIG = "{n: {range: [1, 1000]}, k: {range: [1, 1000]}}"  # a million value sets: sampled
HEAVY = "+".join(["conv_params(n, k, 3)"] * 13)
HEAVY_PROMPT = " ".join("{n * k + " + str(i) + "}" for i in range(28)) + " {n}{k}"
HEAVY_PLACEHOLDERS = " ".join(["{" + HEAVY + "}"] * 5) + " {n}{k}"  # 1,400 characters
ROUND = "round(round(round(round(round(round(n / 7, 6), 5), 4), 3), 2), 1)"
ROUNDS = " ".join(["{" + ROUND + " + " + ROUND.replace("n /", "k /") + "}"] * 10) + " {n}{k}"


# --- class 2: work beyond the budget ---------------------------------------------------------

COSTLY = [
    ("six-languages", doc(params=BIG, prompt=dict.fromkeys(LANGS, HEAVY_PLACEHOLDERS))),
    ("round-chains", doc(params=BIG, prompt=dict.fromkeys(LANGS, ROUNDS))),
    (
        "heavy-constraints",
        doc(
            params=BIG,
            prompt=dict.fromkeys(LANGS[:3], HEAVY_PROMPT),
            extra="constraints: "
            + json.dumps([f"({HEAVY}) % 7 != 9 or n > {900 + i}" for i in range(3)])
            + "\n",
        ),
    ),
    (
        "rare-constraint-costs-every-question",
        doc(
            params=BIG,
            prompt=dict.fromkeys(LANGS, HEAVY_PROMPT),
            extra="constraints: "
            + json.dumps([f"({HEAVY}) > {i}" for i in range(3)] + ["n % 17 == 0"])
            + "\n",
        ),
    ),
]


@pytest.mark.parametrize(("case", "text"), COSTLY, ids=[c[0] for c in COSTLY])
def test_heavy_templates_are_refused_or_cost_what_was_counted(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, case: str, text: str
) -> None:
    result = timed_load(request, monkeypatch, text)
    if isinstance(result, TemplateError):
        assert "units of work" in str(result), result
        return
    counted = _count_evaluations(monkeypatch)
    estimate = check_template(result)
    assert counted[0] <= estimate <= LIMITS.check_units


def test_a_question_that_costs_more_than_its_budget_is_refused() -> None:
    # A heavy constraint behind one that holds for exactly 1 in 20 (the space of 200 is
    # enumerated): each question would run the heavy one about 20 times, past the
    # per-question budget, though the check alone would fit its own.
    heavy = HEAVY.replace("conv_params(n, k, 3)", "conv_params(n, n, 3)")
    text = doc(
        params="{n: {range: [1, 200]}}",
        prompt="{n}",
        answer="n",
        extra="constraints: " + json.dumps(["n % 20 == 0", f"({heavy}) > 0"]) + "\n",
    )
    with pytest.raises(TemplateError, match=r"each question would take about [0-9,]+ units"):
        load_template(text)


def test_a_rare_true_acceptance_is_refused_whatever_the_draws() -> None:
    # 1 value in 116 (0.86 %) holds: the check draws with a fresh secret seed each
    # time, so no load is lucky enough to see the 5 % it needs.
    text = doc(params=BIG, extra="constraints: ['(n * 1000 + k) % 116 == 0']\n")
    for _ in range(20):
        with pytest.raises(
            TemplateError, match=r"constraints(\[0\])?: holds? (together )?for \d+ of 500 draws"
        ):
            load_template(text)


@pytest.mark.parametrize(("holding", "accepted"), [(4, False), (6, True)])
def test_a_small_space_is_measured_exactly(holding: int, accepted: bool) -> None:
    # 100 value sets, enumerated: exactly `holding` in 100 hold, every time.
    text = doc(
        params="{n: {range: [1, 100]}}",
        prompt="{n}",
        answer="n",
        extra=f"constraints: ['n <= {holding}']\n",
    )
    for _ in range(5):
        if accepted:
            assert load_template(text).name == "budget"
        else:
            with pytest.raises(TemplateError, match=f"hold together for {holding} of 100 possible"):
                load_template(text)


ACCEPTED = [
    ("plain", doc()),
    ("sampled", doc(params=BIG, prompt="{n} and {k}", answer="conv_params(n, k, 3)")),
    (
        "constrained",
        doc(params=BIG, prompt="{n} {k}", extra="constraints: ['n % 5 == 0', 'k > n']\n"),
    ),
    (
        "languages",
        doc(params=BIG, prompt=dict.fromkeys(LANGS, "{n} / {k} = {n / k}"), answer="n * k"),
    ),
    (
        "choices",
        doc(
            params=BIG,
            prompt="{n} {k}",
            answer="A",
            answer_type="choice",
            extra='choices: ["{n + k}", "{n + k + 1}", "{n * k + 5000000}"]\nshuffle: true\n',
        ),
    ),
]


def _count_evaluations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the formula parts evaluated: each call of a Formula costs its size."""
    counted = [0]
    real_call = Formula.__call__

    def counting(self: Formula, env: Any) -> Any:
        counted[0] += self.size
        return real_call(self, env)

    monkeypatch.setattr(Formula, "__call__", counting)
    return counted


@pytest.mark.parametrize(("case", "text"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_the_estimate_bounds_the_real_work(
    monkeypatch: pytest.MonkeyPatch, case: str, text: str
) -> None:
    template = load_template(text)
    counted = _count_evaluations(monkeypatch)
    estimate = check_template(template)
    assert 0 < counted[0] <= estimate <= LIMITS.check_units
    counted[0] = 0
    seeds = 200
    for seed in range(seeds):
        template.sample(seed)
    assert counted[0] / seeds <= LIMITS.question_units


def test_an_import_shares_one_budget(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    heavy = doc(params=BIG, prompt=dict.fromkeys(LANGS[:4], " ".join(["{n * k}"] * 20) + "{n}{k}"))
    text = "---\n".join(heavy.replace("name: budget", f"name: t{i}") for i in range(50))
    results = timed_load(request, monkeypatch, text, loader=load_templates)
    assert isinstance(results, list) and len(results) == 50
    kept = [r for r in results if isinstance(r, Template)]
    left_out = [r for r in results if isinstance(r, TemplateError)]
    assert kept and left_out, "the budget should admit some and leave the rest"
    assert all("import it separately" in str(error) for error in left_out)
    first_left_out = results.index(left_out[0])
    alone = load_template(text.split("---\n")[first_left_out])  # as the refusal says
    assert alone.name == f"t{first_left_out}"


def test_a_stream_of_tiny_documents_is_refused_without_cutting_it_all(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = timed_load(request, monkeypatch, "---\na: 1\n" * 55_000, loader=load_templates)
    assert isinstance(result, TemplateError)
    assert "more than 50 templates in one import" in str(result)


# --- class 3: rare failures ------------------------------------------------------------------

CORNER_BAD = [
    ("division-by-zero", doc(params=BIG, answer="n * k // (n + k - 2000)"), "division by zero"),
    (
        "square-below-one",
        doc(params=BIG, answer="2000 - n - k", answer_type="square"),
        "at least 1",
    ),
    (
        "identical-options",
        doc(
            params=BIG,
            answer="A",
            answer_type="choice",
            extra='choices: ["{n}", "{2000 - k}"]\n',
        ),
        "both read",
    ),
    (
        "answer-shown-as-0",
        doc(params=BIG, answer="n + k if n + k < 2000 else 1 / 100000", answer_type="float"),
        "is shown as 0",
    ),
    ("pair-for-int", doc(params=BIG, answer="(n, k) if n + k == 2000 else n"), "answer_type: pair"),
]


@pytest.mark.parametrize(("case", "text", "expected"), CORNER_BAD, ids=[c[0] for c in CORNER_BAD])
def test_a_template_bad_in_one_corner_is_refused_at_load(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    text: str,
    expected: str,
) -> None:
    # Bad for exactly one value set in a million (n = k = 1000, or its neighbour):
    # random draws would never see it; the boundaries are always visited.
    message = refused(request, monkeypatch, text)
    assert expected in message and "n=1000" in message, message


def test_a_rare_interior_failure_is_refused_or_never_asked() -> None:
    # Division by zero at n = 500 only (0.1 %), not on a boundary: the load may miss it,
    # but then no question ever asked meets it.
    text = doc(params=BIG, answer="n * k // (n - 500)")
    result = load_or_refusal(text)
    if isinstance(result, TemplateError):
        assert "division by zero when n=500" in str(result)
        return
    template = result
    asked = [template.sample(seed) for seed in range(10_000)]
    assert all(q.params["n"] != 500 for q in asked)
    assert all(grade(q, q.answer_text).outcome == "correct" for q in asked[:500])


def load_or_refusal(text: str) -> Template | TemplateError:
    try:
        return load_template(text)
    except TemplateError as error:
        return error


def test_a_small_space_is_checked_in_full() -> None:
    # 300 value sets, the one bad one inside: enumerated, so found every time.
    text = doc(params="{n: {range: [1, 300]}}", prompt="{n}", answer="1 // (n - 150)")
    for _ in range(3):
        with pytest.raises(TemplateError, match="division by zero when n=150"):
            load_template(text)


def test_every_question_asked_skips_bad_draws_the_same_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Load without the check, so the template holds bad variants (division by zero at
    # n = 40, identical options at n = 41): questions asked skip them, deterministically.
    monkeypatch.setattr("bot.engine.templates._load.check_template", lambda *a, **k: 0)
    template = load_template(
        doc(
            params="{n: {range: [1, 50]}}",
            prompt="{n}",
            answer="A",
            answer_type="choice",
            extra='choices: ["{n // (n - 40)}", "{41 if n == 41 else 0}", "{n}"]\n',
        )
    )
    asked = [template.sample(seed) for seed in range(2_000)]
    assert {q.params["n"] for q in asked} == set(range(1, 51)) - {40, 41}
    assert [q.params for q in asked[:100]] == [template.sample(s).params for s in range(100)]


def test_budget_timings() -> None:
    """Print the load times collected above (pytest -s shows them)."""
    print_timings(__name__, "budget and rare-failure loads")
