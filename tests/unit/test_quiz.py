"""The quiz engine's contracts, for every family and difficulty and many seeds.

Answers are checked against brute-force oracles recomputed from each question's params
(window sliding, weight enumeration, pixel averaging), never against ``bot.engine.formulas``.
"""

from __future__ import annotations

import functools
import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import bank
from bot.engine.bank import KINDS, Question, QuizError, from_code, generate, grade
from bot.engine.codes import SEED_SPACE
from bot.engine.question import AnswerValue
from bot.i18n.texts import EN

SEEDS = st.integers(0, SEED_SPACE - 1)
DIFFICULTIES = st.sampled_from((1, 2, 3))
PER_KIND = settings(max_examples=200, deadline=None)

# --- oracles ----------------------------------------------------------------------------


def slide(n: int, k: int, s: int, before: int, after: int, d: int = 1) -> int:
    """How many k-tap windows (taps d apart), moved s at a time, fit in [-before, n+after)."""
    lo, hi = -before, n + after
    return sum(
        1 for start in range(lo, hi, s) if all(lo <= start + d * tap < hi for tap in range(k))
    )


def tf_same(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    eff = d * (k - 1) + 1
    total = max((math.ceil(n / s) - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


@functools.cache
def weights(cin: int, cout: int, kh: int, kw: int, groups: int = 1) -> int:
    """Connections between channels of the same group, times the kernel's taps."""
    per_in, per_out = cin // groups, cout // groups
    connections = sum(
        1 for o, i in itertools.product(range(cout), range(cin)) if o // per_out == i // per_in
    )
    return connections * len(list(itertools.product(range(kh), range(kw))))


def conv(cin: int, cout: int, k: int, bias: bool) -> int:
    return weights(cin, cout, k, k) + (len(range(cout)) if bias else 0)


def _list(params: dict[str, object], name: str) -> list[int]:
    value = params[name]
    assert isinstance(value, list) and len(value) == 2
    assert all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    return value


def _int(params: dict[str, object], name: str) -> int:
    value = params[name]
    assert isinstance(value, int) and not isinstance(value, bool)
    return value


def oracle(q: Question) -> AnswerValue:
    """The right answer, recomputed from the question's params by brute force."""
    p = q.params
    if q.choices is not None:
        options = p["options"]
        assert isinstance(options, list)
        return options.index("correct")
    if q.kind == "output_size":
        size, kernel = _list(p, "size"), _list(p, "kernel")
        stride, dil = _list(p, "stride"), _list(p, "dilation")
        out = []
        for axis in range(2):
            n, k, s, d = size[axis], kernel[axis], stride[axis], dil[axis]
            if p["padding"] == "same":
                before, after = tf_same(n, k, s, d)
            else:
                before = after = _list(p, "padding")[axis]
            out.append(Fraction(slide(n, k, s, before, after, d)))
        return out[0], out[1]
    if q.kind == "param_count":
        kh, kw = _list(p, "kernel")
        cin, cout = _int(p, "in_channels"), _int(p, "out_channels")
        return Fraction(weights(cin, cout, kh, kw, _int(p, "groups")) + (cout if p["bias"] else 0))
    if q.kind == "bottleneck":
        cin, mid, cout = (_int(p, n) for n in ("in_channels", "mid_channels", "out_channels"))
        k, k2 = _list(p, "kernel")
        assert k == k2
        bias = p["bias"]
        assert isinstance(bias, bool)
        first, second = conv(cin, mid, 1, bias), conv(mid, cout, k, bias)
        if p["variant"] == "total":
            return Fraction(first + second)
        if p["variant"] == "saved":
            return Fraction(conv(cin, cout, k, bias) - first - second)
        assert p["variant"] == "macs"
        n = _list(p, "size")[0]
        pad = (k - 1) // 2  # "padding keeps the size" at stride 1
        positions = slide(n, k, 1, pad, pad) ** 2
        assert positions == n * n
        return Fraction(positions * (weights(cin, mid, 1, 1) + weights(mid, cout, k, k)))
    assert q.kind == "odd_kernel"
    k, k2 = _list(p, "kernel")
    assert k == k2
    if p["variant"] == "center":
        pixels = range(1, k + 1)
        centre = Fraction(sum(pixels), len(pixels))
        return centre, centre
    if p["variant"] == "pad_side":
        # The least padding on each side that keeps a 32-pixel map at 32.
        side = next(pad for pad in range(k + 1) if slide(32, k, 1, pad, pad) == 32)
        return Fraction(side)
    assert p["variant"] == "pad_split"
    d = _list(p, "dilation")[0]
    before, after = tf_same(32, k, 1, d)
    assert slide(32, k, 1, before, after, d) == 32
    return Fraction(before), Fraction(after)


def as_text(value: AnswerValue) -> str:
    """How a player would type a value (our own formatting, not the engine's)."""
    if isinstance(value, tuple):
        return f"{as_text(value[0])} x {as_text(value[1])}"
    if isinstance(value, int):
        return str(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def typed_answer(q: Question) -> str:
    if q.choices is not None:
        assert isinstance(q.answer.value, int)
        return "ABCD"[q.answer.value]
    return q.answer_text


# --- properties of every generated question ---------------------------------------------


def check_question(kind: str, seed: int, difficulty: int) -> Question:
    q = generate(kind, seed, difficulty)
    assert (q.kind, q.seed, q.difficulty) == (kind, seed, difficulty)
    # Deterministic, and rebuilt exactly from its public code.
    assert generate(kind, seed, difficulty) == q
    assert from_code(q.code) == q
    assert from_code(q.code.lower()) == q
    assert from_code(f"  {q.code} ") == q
    # The answer is the brute-force one.
    assert q.answer.value == oracle(q)
    # Its text reads back as correct, and so does our own spelling of it.
    assert grade(q, typed_answer(q)).outcome == "correct"
    if q.choices is None:
        assert grade(q, as_text(q.answer.value)) == bank.Grade(
            "correct", 1.0, None, EN["grade.correct"]
        )
    # Every mistake differs from the answer (and from each other), and grading its value
    # names it, partial when it scores, wrong when it does not.
    values = [m.value for m in q.mistakes]
    assert q.answer.value not in values
    assert len(set(values)) == len(values)
    for mistake in q.mistakes:
        assert 0.0 <= mistake.score < 1.0
        assert mistake.feedback
        typed = "ABCD"[mistake.value] if isinstance(mistake.value, int) else as_text(mistake.value)
        result = grade(q, typed)
        assert result.mistake == mistake.name
        assert result.outcome == ("partial" if mistake.score > 0 else "wrong")
    assert q.prompt and q.explanation
    return q


def check_params(q: Question) -> None:
    p = q.params
    for name in ("size", "kernel", "stride", "dilation"):
        if name in p:
            assert all(v >= 1 for v in _list(p, name)), name
    if isinstance(p.get("padding"), list):
        assert all(v >= 0 for v in _list(p, "padding"))
    channels = [_int(p, n) for n in ("in_channels", "mid_channels", "out_channels") if n in p]
    assert all(c >= 1 for c in channels)
    groups = _int(p, "groups") if "groups" in p else 1
    assert groups >= 1
    assert all(c % groups == 0 for c in channels)
    if q.kind == "output_size" and p["padding"] != "same":
        # The kernel fits the padded input on both axes.
        size, kernel, dil = _list(p, "size"), _list(p, "kernel"), _list(p, "dilation")
        for axis in range(2):
            pad = _list(p, "padding")[axis]
            assert size[axis] + 2 * pad >= dil[axis] * (kernel[axis] - 1) + 1


@pytest.mark.parametrize("kind", KINDS)
@PER_KIND
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_generated_questions_hold_their_contracts(kind: str, seed: int, difficulty: int) -> None:
    q = check_question(kind, seed, difficulty)
    check_params(q)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_first_seeds_of_every_kind_and_difficulty(kind: str, difficulty: int) -> None:
    # A fixed sweep too, so every variant is certainly reached on every run.
    for seed in range(60):
        check_params(check_question(kind, seed, difficulty))
    check_question(kind, 0, difficulty)
    check_question(kind, SEED_SPACE - 1, difficulty)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=100, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES, reply=st.text())
def test_grade_never_raises(kind: str, seed: int, difficulty: int, reply: str) -> None:
    q = generate(kind, seed, difficulty)
    result = grade(q, reply)
    assert result.outcome in ("correct", "partial", "wrong", "not_an_answer")
    assert 0.0 <= result.score <= 1.0
    assert result.feedback


@pytest.mark.parametrize("reply", [None, 4640, b"4640", ["4640"]])
def test_grade_of_a_non_string_is_not_an_answer(reply: object) -> None:
    q = generate("param_count", 1, 1)
    assert grade(q, reply).outcome == "not_an_answer"  # type: ignore[arg-type]


def test_different_seeds_give_different_questions() -> None:
    for kind in KINDS:
        prompts = {generate(kind, seed, 2).prompt for seed in range(50)}
        assert len(prompts) >= 5, kind


def test_all_variants_are_reachable() -> None:
    seen = {
        (kind, d, str(generate(kind, seed, d).params.get("variant", "")))
        for kind in ("bottleneck", "odd_kernel")
        for d in (1, 2, 3)
        for seed in range(200)
    }
    expected = {
        ("bottleneck", 1, "why"),
        ("bottleneck", 1, "total"),
        ("bottleneck", 2, "total"),
        ("bottleneck", 2, "saved"),
        ("bottleneck", 2, "why"),
        ("bottleneck", 3, "saved"),
        ("bottleneck", 3, "macs"),
        ("odd_kernel", 1, "why"),
        ("odd_kernel", 1, "center"),
        ("odd_kernel", 2, "center"),
        ("odd_kernel", 2, "pad_side"),
        ("odd_kernel", 2, "why"),
        ("odd_kernel", 3, "pad_split"),
        ("odd_kernel", 3, "center"),
    }
    assert seen == expected
    paddings = {str(generate("output_size", seed, 3).params["padding"]) for seed in range(100)}
    assert "same" in paddings and len(paddings) > 1


# --- multiple choice ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bottleneck", "odd_kernel"])
def test_choice_questions_have_four_shuffled_options(kind: str) -> None:
    prefix = {"bottleneck": "bn", "odd_kernel": "ok"}[kind]
    right_indices = []
    for seed in range(400):
        q = generate(kind, seed, 1)
        if q.choices is None:
            continue
        assert q.answer.type == "choice"
        assert len(q.choices) == 4 == len(set(q.choices))
        assert isinstance(q.answer.value, int)
        assert q.choices[q.answer.value] == EN[f"{prefix}.choice.correct"]
        assert sum(choice == EN[f"{prefix}.choice.correct"] for choice in q.choices) == 1
        assert len(q.mistakes) == 3
        assert {m.value for m in q.mistakes} | {q.answer.value} == {0, 1, 2, 3}
        assert q.answer_text.startswith("ABCD"[q.answer.value])
        right_indices.append(q.answer.value)
    assert len(right_indices) >= 50
    # Shuffled: the right option is not always in the same place.
    assert set(right_indices) == {0, 1, 2, 3}
    assert max(right_indices.count(i) for i in range(4)) < 0.5 * len(right_indices)


def test_choice_accepts_letters_and_numbers_only_in_range() -> None:
    q = next(q for q in (generate("odd_kernel", s, 1) for s in range(100)) if q.choices)
    assert isinstance(q.answer.value, int)
    letter, number = "ABCD"[q.answer.value], str(q.answer.value + 1)
    for reply in (
        letter,
        letter.lower(),
        f"({letter.lower()})",
        number,
        chr(ord("Ａ") + q.answer.value),
    ):
        assert grade(q, reply).outcome == "correct", reply
    for reply in ("E", "z", "5", "0", "lol", ""):
        assert grade(q, reply).outcome == "not_an_answer", reply


# --- codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "hello",
        "OS1",
        "OS1-",
        "OS1-5",
        "OS1-5v",
        "OS1-5vx",
        "OS-5v1",
        "OS1-v1",
        "OS4-5v1",
        "OS0-5v1",
        "OS1-ZZZZZZv1",
        "OS1-5!v1",
        "OS1_5v1",
        "XX1-5v1",
        "QQ2-ABCv1",
        "os1-5v1 extra",
        "OS1-5v1\nOS1-6v1",
        "O S1-5v1",
        "PC1--5v1",
        "a" * 10_000,
    ],
)
def test_from_code_rejects_malformed_codes(code: str) -> None:
    with pytest.raises(QuizError) as caught:
        from_code(code)
    message = str(caught.value)
    assert 0 < len(message) <= 160
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("code", ["OS1-5v2", "PC2-ABCv0", "BN3-1v99", "OK1-ZZZZZv123"])
def test_from_code_rejects_other_generator_versions(code: str) -> None:
    with pytest.raises(QuizError, match="version") as caught:
        from_code(code)
    assert len(str(caught.value)) <= 160


@pytest.mark.parametrize("code", [None, 12345, b"OS1-5v1", ["OS1-5v1"]])
def test_from_code_rejects_non_strings(code: object) -> None:
    with pytest.raises(QuizError):
        from_code(code)  # type: ignore[arg-type]


def test_codes_name_kind_difficulty_and_seed() -> None:
    prefixes = {"output_size": "OS", "param_count": "PC", "bottleneck": "BN", "odd_kernel": "OK"}
    assert set(prefixes) == set(KINDS)
    for kind, prefix in prefixes.items():
        for difficulty in (1, 2, 3):
            for seed in (0, 1, 35, 36, 1295, SEED_SPACE - 1):
                q = generate(kind, seed, difficulty)
                assert q.code.upper().startswith(f"{prefix}{difficulty}-")
                assert int(q.code.split("-")[1].upper().split("V")[0], 36) == seed
                assert len(q.code) <= len("OS1-ZZZZZv1")
    codes = {
        generate(kind, seed, d).code for kind in KINDS for d in (1, 2, 3) for seed in range(30)
    }
    assert len(codes) == len(KINDS) * 3 * 30


# --- refusals from generate ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "seed", "difficulty", "word"),
    [
        ("nope", 1, 1, "kind"),
        ("", 1, 1, "kind"),
        ("OUTPUT_SIZE", 1, 1, "kind"),
        (["output_size"], 1, 1, "kind"),
        ("output_size", 1, 0, "ifficulty"),
        ("output_size", 1, 4, "ifficulty"),
        ("output_size", 1, True, "ifficulty"),
        ("output_size", 1, 1.0, "ifficulty"),
        ("output_size", 1, "1", "ifficulty"),
        ("output_size", -1, 1, "seed"),
        ("output_size", SEED_SPACE, 1, "seed"),
        ("output_size", True, 1, "seed"),
        ("output_size", 1.0, 1, "seed"),
        ("output_size", "1", 1, "seed"),
    ],
)
def test_generate_refuses_bad_requests(
    kind: object, seed: object, difficulty: object, word: str
) -> None:
    with pytest.raises(QuizError, match=word):
        generate(kind, seed, difficulty)  # type: ignore[arg-type]
