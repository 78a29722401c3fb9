"""Grading chat replies: what people type, against questions found by their settings.

Questions come from ``generate`` with a seed found by searching for the settings a row
needs (the seed article's 25×25/5×5/stride 2 question, its 16→32 3×3 layer, …). The
expected values come from the article itself or from brute-force oracles over the
question's params, never from ``bot.engine.formulas``.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import replies as answers
from bot.engine.bank import Question, generate, grade
from bot.engine.replies import Choice, Number, Pair, read_reply
from bot.i18n.texts import EN

# --- oracles ----------------------------------------------------------------------------


def slide(n: int, k: int, s: int, before: int, after: int, d: int = 1) -> int:
    """How many k-tap windows (taps d apart), moved s at a time, fit in [-before, n+after)."""
    lo, hi = -before, n + after
    return sum(
        1 for start in range(lo, hi, s) if all(lo <= start + d * tap < hi for tap in range(k))
    )


def window_sizes(params: dict[str, object]) -> tuple[int, int]:
    size, kernel, stride, dil = (params[name] for name in ("size", "kernel", "stride", "dilation"))
    assert isinstance(size, list) and isinstance(kernel, list)
    assert isinstance(stride, list) and isinstance(dil, list)
    padding = params["padding"]
    out = []
    for axis in range(2):
        n, k, s, d = size[axis], kernel[axis], stride[axis], dil[axis]
        if padding == "same":  # TensorFlow's rule
            eff = d * (k - 1) + 1
            total = max((math.ceil(n / s) - 1) * s + eff - n, 0)
            before, after = total // 2, total - total // 2
        else:
            assert isinstance(padding, list)
            before = after = padding[axis]
        out.append(slide(n, k, s, before, after, d))
    return out[0], out[1]


@functools.cache
def weights(cin: int, cout: int, kh: int, kw: int, groups: int = 1) -> int:
    """Connections between channels of the same group, times the kernel's taps."""
    per_in, per_out = cin // groups, cout // groups
    connections = sum(
        1 for o, i in itertools.product(range(cout), range(cin)) if o // per_out == i // per_in
    )
    return connections * len(list(itertools.product(range(kh), range(kw))))


# --- questions, found by their settings -------------------------------------------------


def search(
    kind: str, difficulty: int, wanted: Callable[[Question], bool], limit: int = 20_000
) -> Question:
    for seed in range(limit):
        question = generate(kind, seed, difficulty)
        if wanted(question):
            return question
    raise AssertionError(f"no {kind} d{difficulty} question with the wanted settings")


def _p(q: Question, name: str) -> object:
    return q.params.get(name)


def _seed_os(q: Question) -> bool:
    return (_p(q, "size"), _p(q, "kernel"), _p(q, "stride")) == ([25, 25], [5, 5], [2, 2])


def _padded_with_rounding(q: Question) -> bool:
    size, kernel, stride, padding = (q.params[n] for n in ("size", "kernel", "stride", "padding"))
    assert isinstance(size, list) and isinstance(kernel, list)
    assert isinstance(stride, list) and isinstance(padding, list)
    n, k, s, p = size[0], kernel[0], stride[0], padding[0]
    answer = slide(n, k, s, p, p)
    unpadded = slide(n, k, s, 0, 0)
    return (n + 2 * p - k) % s != 0 and unpadded not in (0, answer, answer - 1)


def _rect(q: Question) -> bool:
    if q.params["padding"] == "same" or q.params["dilation"] != [1, 1]:
        return False
    oh, ow = window_sizes(q.params)
    return abs(oh - ow) >= 2


def _same(q: Question) -> bool:
    if q.params["padding"] != "same":
        return False
    size, stride = q.params["size"], q.params["stride"]
    assert isinstance(size, list) and isinstance(stride, list)
    return size[0] % stride[0] != 0 and size[1] % stride[1] != 0


QUESTIONS: dict[str, Callable[[], Question]] = {
    # The seed's question 1: 25×25, 5×5, stride 2, no padding.
    "os_seed": lambda: search("output_size", 1, _seed_os),
    "os_padded": lambda: search("output_size", 2, _padded_with_rounding),
    "os_rect": lambda: search("output_size", 3, _rect),
    "os_same": lambda: search("output_size", 3, _same),
    # The seed's question 2: 16 → 32 channels, 3×3.
    "pc_seed": lambda: search(
        "param_count",
        1,
        lambda q: (
            (_p(q, "in_channels"), _p(q, "out_channels"), _p(q, "kernel")) == (16, 32, [3, 3])
        ),
    ),
    "pc_grouped": lambda: search(
        "param_count",
        3,
        lambda q: _p(q, "bias") is True and _p(q, "groups") not in (1, _p(q, "in_channels")),
    ),
    "pc_nobias": lambda: search(
        "param_count", 2, lambda q: _p(q, "bias") is False and _p(q, "kernel") == [3, 3]
    ),
    # The seed's question 3: 32 → 1×1 to 16 → 3×3 to 64.
    "bn_seed": lambda: search(
        "bottleneck",
        1,
        lambda q: (
            (_p(q, "variant"), _p(q, "in_channels"), _p(q, "mid_channels"), _p(q, "out_channels"))
            == ("total", 32, 16, 64)
        ),
    ),
    "bn_macs": lambda: search("bottleneck", 3, lambda q: _p(q, "variant") == "macs"),
    "bn_why_b": lambda: search(
        "bottleneck", 1, lambda q: q.choices is not None and q.answer.value == 1
    ),
    # The seed's question 4: a 6×6 kernel's centre.
    "ok_center6": lambda: search(
        "odd_kernel", 1, lambda q: (_p(q, "variant"), _p(q, "kernel")) == ("center", [6, 6])
    ),
    "ok_split2": lambda: search(
        "odd_kernel",
        3,
        lambda q: (
            (_p(q, "variant"), _p(q, "kernel"), _p(q, "dilation")) == ("pad_split", [2, 2], [1, 1])
        ),
    ),
    "ok_side5": lambda: search(
        "odd_kernel", 2, lambda q: (_p(q, "variant"), _p(q, "kernel")) == ("pad_side", [5, 5])
    ),
    "ok_why_d": lambda: search(
        "odd_kernel", 1, lambda q: q.choices is not None and q.answer.value == 3
    ),
}


@functools.cache
def question(key: str) -> Question:
    return QUESTIONS[key]()


# --- replies computed from a question's params ------------------------------------------


def _size(q: Question) -> tuple[int, int]:
    return window_sizes(q.params)


def _ints(q: Question, *names: str) -> list[int]:
    values = [q.params[name] for name in names]
    assert all(isinstance(v, int) for v in values)
    return values  # type: ignore[return-value]


def _kernel(q: Question) -> int:
    kernel = q.params["kernel"]
    assert isinstance(kernel, list) and kernel[0] == kernel[1]
    return int(kernel[0])


def _unpadded(q: Question) -> tuple[int, int]:
    return window_sizes({**q.params, "padding": [0, 0]})


def _ceil_sizes(q: Question) -> tuple[int, int]:
    # Rounding up counts the partial window at the end as well: one more per axis.
    oh, ow = _size(q)
    return oh + 1, ow + 1


def _floor_same(q: Question) -> tuple[int, int]:
    size, stride = q.params["size"], q.params["stride"]
    assert isinstance(size, list) and isinstance(stride, list)
    return size[0] // stride[0], size[1] // stride[1]


def _grouped_total(q: Question, *, ignore_groups: bool = False) -> int:
    cin, cout, groups = _ints(q, "in_channels", "out_channels", "groups")
    k = _kernel(q)
    bias = cout if q.params["bias"] else 0
    return weights(cin, cout, k, k, 1 if ignore_groups else groups) + bias


def _kernel_as_k(q: Question) -> int:
    # k weights per channel pair instead of k×k, groups and bias counted right.
    cin, cout, groups = _ints(q, "in_channels", "out_channels", "groups")
    k = _kernel(q)
    return weights(cin, cout, k, 1, groups) + (cout if q.params["bias"] else 0)


def _bn_positions(q: Question) -> int:
    size = q.params["size"]
    assert isinstance(size, list)
    k = _kernel(q)
    # "padding keeps the size": stride 1 with (k - 1) / 2 zeros on each side.
    pad = (k - 1) // 2
    return slide(size[0], k, 1, pad, pad) * slide(size[1], k, 1, pad, pad)


def _bn_macs(q: Question, part: str) -> int:
    cin, mid, cout = _ints(q, "in_channels", "mid_channels", "out_channels")
    k = _kernel(q)
    first = weights(cin, mid, 1, 1) * _bn_positions(q)
    second = weights(mid, cout, k, k) * _bn_positions(q)
    return {"first": first, "second": second, "total": first + second}[part]


Reply = str | Callable[[Question], str]

# (question, reply, outcome, mistake name)
TABLE: list[tuple[str, Reply, str, str | None]] = [
    # --- the seed's 11×11, spelled every way people spell it
    ("os_seed", "11x11", "correct", None),
    ("os_seed", "11×11", "correct", None),
    ("os_seed", "11 x 11", "correct", None),
    ("os_seed", "11*11", "correct", None),
    ("os_seed", "(11, 11)", "correct", None),
    ("os_seed", "[11,11]", "correct", None),
    ("os_seed", "11,11", "correct", None),
    ("os_seed", "11 by 11", "correct", None),
    ("os_seed", "11", "correct", None),
    ("os_seed", "１１×１１", "correct", None),
    ("os_seed", "11X11 pixels", "correct", None),
    ("os_seed", "answer: 11x11", "correct", None),
    ("os_seed", "`11x11`", "correct", None),
    ("os_seed", "||11×11||", "correct", None),
    ("os_seed", "答えは11×11です", "correct", None),
    # --- the seed's 11×11, wrong
    ("os_seed", "10x10", "partial", "forgot_plus_one"),
    ("os_seed", "10", "partial", "forgot_plus_one"),
    ("os_seed", "12x12", "wrong", None),
    ("os_seed", "11x12", "wrong", None),
    ("os_seed", "21x21", "wrong", None),
    ("os_seed", "0", "wrong", None),
    # --- chat, not an attempt
    ("os_seed", "lol", "not_an_answer", None),
    ("os_seed", "what is stride?", "not_an_answer", None),
    ("os_seed", "11x11?", "not_an_answer", None),
    ("os_seed", "https://example.com/11x11", "not_an_answer", None),
    ("os_seed", "see www.example.com", "not_an_answer", None),
    ("os_seed", "", "not_an_answer", None),
    ("os_seed", "   ", "not_an_answer", None),
    ("os_seed", "11x11 " * 1_667, "not_an_answer", None),  # 10,002 characters
    ("os_seed", "1" * 10_000, "not_an_answer", None),
    ("os_seed", "🤔", "not_an_answer", None),
    ("os_seed", "👍 11x11 🎉", "not_an_answer", None),
    ("os_seed", "@everyone", "not_an_answer", None),
    ("os_seed", "<@123456789012345678>", "not_an_answer", None),
    ("os_seed", "I think it's about 11 by 11 but not sure", "not_an_answer", None),
    ("os_seed", "B", "not_an_answer", None),
    # --- padded, rounding involved
    ("os_padded", lambda q: "{}x{}".format(*_size(q)), "correct", None),
    ("os_padded", lambda q: "{}x{}".format(*_unpadded(q)), "partial", "forgot_padding"),
    ("os_padded", lambda q: "{}x{}".format(*_ceil_sizes(q)), "partial", "ceil_not_floor"),
    ("os_padded", lambda q: str(_size(q)[0] - 1), "partial", "forgot_plus_one"),
    # --- not square
    ("os_rect", lambda q: "{} × {}".format(*_size(q)), "correct", None),
    ("os_rect", lambda q: "({}, {})".format(*_size(q)), "correct", None),
    ("os_rect", lambda q: "{1}x{0}".format(*_size(q)), "wrong", "swapped_axes"),
    ("os_rect", lambda q: str(_size(q)[0]), "wrong", "wrong_shape"),
    # --- padding='same'
    ("os_same", lambda q: "{}x{}".format(*_size(q)), "correct", None),
    ("os_same", lambda q: "{}x{}".format(*_floor_same(q)), "partial", "floor_not_ceil"),
    # --- the seed's 4,640
    ("pc_seed", "4640", "correct", None),
    ("pc_seed", "4,640", "correct", None),
    ("pc_seed", "4 640", "correct", None),
    ("pc_seed", "4_640", "correct", None),
    ("pc_seed", "4.64k", "correct", None),
    ("pc_seed", "4.64K", "correct", None),
    ("pc_seed", "4640 params", "correct", None),
    ("pc_seed", "4640 parameters", "correct", None),
    ("pc_seed", "4640個", "correct", None),
    ("pc_seed", "４６４０", "correct", None),
    ("pc_seed", "４，６４０個", "correct", None),
    ("pc_seed", "答えは4640個です", "correct", None),
    ("pc_seed", "**4640**", "correct", None),
    ("pc_seed", "it's 4640", "correct", None),
    ("pc_seed", "4608", "partial", "forgot_bias"),  # 16×(3×3)×32, the article's trap
    ("pc_seed", "4,608", "partial", "forgot_bias"),
    ("pc_seed", str(16 * 3 * 32 + 32), "partial", "kernel_as_k"),
    ("pc_seed", str(3 * 3 * 32 + 32), "partial", "forgot_input_channels"),
    ("pc_seed", str(4608 + 16), "partial", "bias_per_input"),
    ("pc_seed", "4641", "wrong", None),
    ("pc_seed", "4.6k", "wrong", None),
    ("pc_seed", "64x64", "wrong", "wrong_shape"),
    ("pc_seed", "(16, 32)", "wrong", "wrong_shape"),
    ("pc_seed", "how many params?", "not_an_answer", None),
    ("pc_seed", "b", "not_an_answer", None),
    # --- groups and bias
    ("pc_grouped", lambda q: str(_grouped_total(q)), "correct", None),
    (
        "pc_grouped",
        lambda q: str(_grouped_total(q, ignore_groups=True)),
        "partial",
        "ignored_groups",
    ),
    ("pc_grouped", lambda q: str(_kernel_as_k(q)), "partial", "kernel_as_k"),
    ("pc_nobias", lambda q: f"{_grouped_total(q):,}", "correct", None),
    (
        "pc_nobias",
        lambda q: str(_grouped_total(q) + _ints(q, "out_channels")[0]),
        "partial",
        "bias_when_none",
    ),
    # --- the seed's bottleneck
    ("bn_seed", "9808", "correct", None),
    ("bn_seed", "9,808", "correct", None),
    ("bn_seed", "9.808k", "correct", None),
    ("bn_seed", "9280", "partial", "only_second_conv"),
    ("bn_seed", "528", "partial", "only_first_conv"),
    ("bn_seed", str(9808 - 16 - 64), "partial", "forgot_bias"),
    ("bn_seed", "18496", "wrong", "gave_direct"),
    ("bn_seed", "18,496", "wrong", "gave_direct"),
    ("bn_seed", "9808x9808", "wrong", "wrong_shape"),
    ("bn_macs", lambda q: str(_bn_macs(q, "total")), "correct", None),
    ("bn_macs", lambda q: str(_bn_macs(q, "second")), "partial", "only_second_conv"),
    ("bn_macs", lambda q: str(_bn_macs(q, "first")), "partial", "only_first_conv"),
    # --- multiple choice, right answer B
    ("bn_why_b", "B", "correct", None),
    ("bn_why_b", "b", "correct", None),
    ("bn_why_b", "(b)", "correct", None),
    ("bn_why_b", "b)", "correct", None),
    ("bn_why_b", "B.", "correct", None),
    ("bn_why_b", "2", "correct", None),
    ("bn_why_b", "(2)", "correct", None),
    ("bn_why_b", "Ｂ", "correct", None),
    ("bn_why_b", "answer: b", "correct", None),
    ("bn_why_b", "c", "wrong", "from_options"),
    ("bn_why_b", "1", "wrong", "from_options"),
    ("bn_why_b", "e", "not_an_answer", None),
    ("bn_why_b", "5", "not_an_answer", None),
    ("bn_why_b", "0", "not_an_answer", None),
    ("bn_why_b", "lol", "not_an_answer", None),
    ("bn_why_b", "why?", "not_an_answer", None),
    ("bn_why_b", "9808", "not_an_answer", None),
    ("ok_why_d", "d", "correct", None),
    ("ok_why_d", "4", "correct", None),
    ("ok_why_d", "a", "wrong", "from_options"),
    # --- the seed's even kernel
    ("ok_center6", "(3.5, 3.5)", "correct", None),
    ("ok_center6", "3.5, 3.5", "correct", None),
    ("ok_center6", "3.5", "correct", None),
    ("ok_center6", "7/2", "correct", None),
    ("ok_center6", "(７/２, ３.５)", "correct", None),
    ("ok_center6", "(2.5, 2.5)", "partial", "zero_based"),
    ("ok_center6", "(3, 3)", "wrong", None),
    ("ok_center6", "3.5?", "not_an_answer", None),
    # --- 'same' padding of an even kernel: (0, 1)
    ("ok_split2", "(0, 1)", "correct", None),
    ("ok_split2", "0,1", "correct", None),
    ("ok_split2", "(1, 0)", "partial", "extra_before"),
    ("ok_split2", "(1, 1)", "partial", "symmetric_even"),
    # One number for a (before, after) pair reads as "that much on each side".
    ("ok_split2", "1", "partial", "symmetric_even"),
    ("ok_split2", "2", "wrong", "wrong_shape"),
    ("ok_side5", "2", "correct", None),
    ("ok_side5", "4", "partial", "total_padding"),
    ("ok_side5", "2x2", "wrong", "wrong_shape"),
]


def _row_id(row: tuple[str, Reply, str, str | None]) -> str:
    key, reply, outcome, _ = row
    text = "<computed>" if callable(reply) else reply
    text = text if len(text) <= 24 else f"{text[:12]}…({len(text)} chars)"
    return f"{key}:{text!r}->{outcome}"


def test_the_table_is_big_enough() -> None:
    assert len(TABLE) >= 40
    outcomes = {outcome for _, _, outcome, _ in TABLE}
    assert outcomes == {"correct", "partial", "wrong", "not_an_answer"}


@pytest.mark.parametrize(
    ("key", "reply", "outcome", "mistake"), TABLE, ids=[_row_id(row) for row in TABLE]
)
def test_grading_table(key: str, reply: Reply, outcome: str, mistake: str | None) -> None:
    q = question(key)
    text = reply(q) if callable(reply) else reply
    result = grade(q, text)
    assert result.outcome == outcome, (text, result)
    if mistake == "from_options":
        # A wrong option is named after the misconception it states.
        parsed = read_reply(text, 4)
        assert isinstance(parsed, Choice)
        options = q.params["options"]
        assert isinstance(options, list)
        assert result.mistake == options[parsed.index] != "correct"
    else:
        assert result.mistake == mistake, (text, result)
    expected_score = {"correct": 1.0, "wrong": 0.0, "not_an_answer": 0.0}.get(outcome)
    if expected_score is None:
        assert 0.0 < result.score < 1.0
    else:
        assert result.score == expected_score
    assert result.feedback


def test_seed_questions_are_the_articles() -> None:
    # The independent truths behind the table: the article's own answers.
    assert window_sizes(question("os_seed").params) == (11, 11)
    assert weights(16, 32, 3, 3) + 32 == 4_640
    assert weights(32, 16, 1, 1) + 16 == 528
    assert weights(16, 64, 3, 3) + 64 == 9_280
    assert weights(32, 64, 3, 3) + 64 == 18_496
    assert question("ok_center6").params["kernel"] == [6, 6]
    assert sum(range(1, 7)) / 6 == 3.5


def test_wrong_choice_feedback_explains_the_misconception() -> None:
    q = question("bn_why_b")
    result = grade(q, "c")
    options = q.params["options"]
    assert isinstance(options, list)
    assert result.feedback == EN[f"bn.feedback.{options[2]}"]


# --- read_reply on its own --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4640", 4640),
        ("4,640", 4640),
        ("4 640", 4640),
        ("4'640", 4640),
        ("4.64k", 4640),
        ("1.5m", 1_500_000),
        ("1,234,567", 1_234_567),
        ("3.5", Fraction(7, 2)),
        ("7/2", Fraction(7, 2)),
        ("50%", Fraction(1, 2)),
        ("-3", -3),
        ("４６４０", 4640),
        ("=4640", 4640),
        ("4640.", 4640),
    ],
)
def test_read_reply_numbers(text: str, value: int | Fraction) -> None:
    assert read_reply(text) == Number(Fraction(value))


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        ("11x11", 11, 11),
        ("12 × 7", 12, 7),
        ("(3.5, 3.5)", Fraction(7, 2), Fraction(7, 2)),
        ("[0, 1]", 0, 1),
        ("11、11", 11, 11),
        ("（１１，１１）", 11, 11),
    ],
)
def test_read_reply_pairs(text: str, first: int | Fraction, second: int | Fraction) -> None:
    assert read_reply(text) == Pair(Fraction(first), Fraction(second))


def test_thousands_separator_or_pair_depends_on_what_is_expected() -> None:
    # "112,112" is 112112 to an accountant and 112×112 to a CNN: the question decides.
    assert read_reply("112,112") == Number(Fraction(112_112))
    assert read_reply("112,112", expect="number") == Number(Fraction(112_112))
    assert read_reply("112,112", expect="pair") == Pair(Fraction(112), Fraction(112))
    assert read_reply("4,640", expect="pair") == Pair(Fraction(4), Fraction(640))
    # Unambiguous spellings do not depend on it.
    assert read_reply("(112, 112)", expect="number") == Pair(Fraction(112), Fraction(112))
    assert read_reply("11,11", expect="number") == Pair(Fraction(11), Fraction(11))
    assert read_reply("4 640", expect="pair") == Number(Fraction(4640))


def test_112_comma_112_grades_by_the_question() -> None:
    wanted = search("output_size", 2, lambda q: window_sizes(q.params)[0] >= 100)
    oh, ow = window_sizes(wanted.params)
    assert oh == ow >= 100
    assert grade(wanted, f"{oh},{ow}").outcome == "correct"
    assert grade(wanted, f"{oh}").outcome == "correct"
    # … while on a count question "4,640" is four thousand six hundred and forty.
    assert grade(question("pc_seed"), "4,640").outcome == "correct"


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("A", 4, Choice(0, by_letter=True)),
        ("d", 4, Choice(3, by_letter=True)),
        ("(c)", 4, Choice(2, by_letter=True)),
        ("[c]", 4, Choice(2, by_letter=True)),
        ("Ｃ", 4, Choice(2, by_letter=True)),
        ("1", 4, Choice(0, by_letter=False)),
        ("４", 4, Choice(3, by_letter=False)),
        ("e", 4, None),
        ("0", 4, None),
        ("5", 4, None),
        ("ab", 4, None),
        ("10", 4, None),
        ("B", 0, None),  # letters are not numbers
    ],
)
def test_read_reply_choices(text: str, choices: int, expected: Choice | None) -> None:
    assert read_reply(text, choices) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "lol",
        "ok",
        "?",
        "what is stride 2?",
        "1/0",
        "1e5",
        "11x11x3",
        "x11",
        "https://x.io/4640",
        "<#123>",
        "<:emoji:123>",
        "@everyone",
        "🤔",
        "4640 " * 20,
        "a" * 10_000,
        "\x00",
        "NaN",
        "inf",
        "--5",
        "11 x",
        "x 11",
    ],
)
def test_read_reply_chat_is_not_an_attempt(text: str) -> None:
    assert read_reply(text) is None
    assert read_reply(text, 4) is None


@settings(max_examples=300, deadline=None)
@given(text=st.text(), choices=st.integers(0, 6))
def test_read_reply_never_raises(text: str, choices: int) -> None:
    result = read_reply(text, choices)
    assert result is None or isinstance(result, Number | Pair | Choice)
    if len(text) > answers.MAX_REPLY_CHARS:
        assert result is None


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="0123456789 ,._'x×*()[]kKm/%-+個：:=０１２ａｂABab", max_size=30),
    choices=st.integers(0, 4),
)
def test_read_reply_never_raises_on_answer_like_text(text: str, choices: int) -> None:
    result = read_reply(text, choices)
    if isinstance(result, Choice):
        assert choices and 0 <= result.index < choices
    elif result is not None:
        assert not choices


@settings(max_examples=200, deadline=None)
@given(value=st.integers(0, 10**9))
def test_grouped_and_plain_numbers_read_the_same(value: int) -> None:
    for text in (str(value), f"{value:,}", f"{value:_}", f"{value:,}".replace(",", " ")):
        assert read_reply(text) == Number(Fraction(value)), text
