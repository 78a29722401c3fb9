"""Every built-in question's two hints: the formula with names, then its numbers up to
the last step, whose arithmetic (read back by a little evaluator of its own, not the
engine's formulas) comes to the question's answer; and template hints checked like
template explanations."""

from __future__ import annotations

import ast
import dataclasses
import math
import operator
import re
from fractions import Fraction

import pytest
from helpers import english_words

from bot.engine import bank
from bot.engine.question import Question
from bot.engine.templates import LIMITS, TemplateError, json_schema, load_template

SEEDS = range(400)

_SYMBOLS = str.maketrans({"×": "*", "·": "*", "−": "-", "⌊": "floor(", "⌋": ")"})
_CEIL = str.maketrans({"⌈": "ceil(", "⌉": ")"})
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


def _value(node: ast.expr) -> Fraction:
    if isinstance(node, ast.Expression):
        return _value(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return Fraction(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_value(node.left), _value(node.right))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _value(node.left) / _value(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
        inner = _value(node.args[0])
        return Fraction({"floor": math.floor, "ceil": math.ceil}[node.func.id](inner))
    raise AssertionError(f"not plain arithmetic: {ast.dump(node)}")


def evaluate(arithmetic: str) -> Fraction:
    """A hint's last step as written (4,608 + 32, ⌊53 / 2⌋ + 1, ⌈57 / 2⌉), exactly."""
    plain = re.sub(r"(?<=\d),(?=\d{3})", "", arithmetic).translate(_SYMBOLS).translate(_CEIL)
    return _value(ast.parse(plain.strip(), mode="eval"))


def last_steps(hint: str) -> list[Fraction]:
    """The arithmetic after the last '=' of each line, evaluated."""
    lines = hint.splitlines()
    assert all("=" in line for line in lines), hint
    return [evaluate(line.rsplit("=", 1)[1]) for line in lines]


def assert_hints_lead_to_the_answer(question: Question) -> None:
    _formula, numbers = question.hints
    value = question.answer.value
    if question.answer.type == "choice":
        # No arithmetic: two wrong options are ruled out, never the right one.
        letters = re.findall(r"\b[A-D]\b", numbers)
        assert len(set(letters)) == 2, numbers
        assert chr(ord("A") + value) not in letters  # type: ignore[operator]
        assert all(ord(letter) - ord("A") < len(question.choices or ()) for letter in letters)
        return
    steps = last_steps(numbers)
    if isinstance(value, tuple):
        expected = [value[0]] if value[0] == value[1] else [value[0], value[1]]
        assert steps[-len(expected) :] == expected, (question.code, numbers)
    else:
        assert steps[-1] == value, (question.code, numbers)
    # The last step is still a step to take: arithmetic, not the answer written out.
    assert re.search(r"[×·−+/⌊⌈]", numbers.splitlines()[-1].rsplit("=", 1)[1]), numbers


@pytest.mark.parametrize("kind", bank.KINDS)
@pytest.mark.parametrize("difficulty", bank.DIFFICULTIES)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_question_has_two_hints_that_lead_to_its_answer(
    kind: str, difficulty: int, lang: str
) -> None:
    for seed in SEEDS:
        question = bank.generate(kind, seed, difficulty, lang)
        assert len(question.hints) == 2, question.code
        assert all(hint.strip() for hint in question.hints), question.code
        assert question.hints[0] != question.hints[1]
        assert_hints_lead_to_the_answer(question)
        if lang == "ja":
            for hint in question.hints:
                assert english_words(hint) == [], (question.code, hint)


def test_the_first_hint_names_and_the_second_has_the_numbers() -> None:
    # The seed article's question 2: 3×3, 16 → 32 channels, with biases: 4,640.
    question = next(
        q
        for q in (bank.generate("param_count", seed, 1) for seed in range(5_000))
        if (q.params["in_channels"], q.params["out_channels"], q.params["kernel"])
        == (16, 32, [3, 3])
    )
    formula, numbers = question.hints
    assert "input channels" in formula and not re.search(r"\d{2}", formula)
    assert numbers == "16 × 3 × 3 × 32 + 32 = 4,608 + 32"
    ja = bank.generate("param_count", question.seed, 1, "ja")
    assert "前層のチャンネル数" in ja.hints[0] and ja.hints[1] == numbers


def test_hints_survive_storage_as_asked() -> None:
    from bot.engine.question import question_from_dict, question_to_dict

    question = bank.generate("output_size", 7, 2, "ja")
    assert question_from_dict(question_to_dict(question)).hints == question.hints
    stored = question_to_dict(question)
    del stored["hints"]  # a question stored before hints existed
    assert question_from_dict(stored).hints == ()


# --- template hints -------------------------------------------------------------------

TEMPLATE = """
name: maxpool-2x2
kind: pooling
difficulty: 1
params:
  n: {range: [8, 64], step: 2}
prompt: "A {n}×{n} feature map goes through 2×2 max pooling with stride 2. Output size?"
answer: "pool_output_size(n, 2)"
answer_type: square
explanation: "Each 2×2 window becomes one pixel: {n} / 2 = {answer}."
HINTS
"""


def with_hints(hints: str) -> str:
    return TEMPLATE.replace("HINTS", hints)


def test_a_template_gives_its_hints_in_each_language() -> None:
    template = load_template(
        with_hints(
            'hints:\n  - "Each 2×2 window becomes one pixel."\n'
            '  - {en: "{n} / 2", ja: "{n} / 2 を計算します"}'
        )
    )
    question = template.sample(3)
    n = question.params["n"]
    assert question.hints == ("Each 2×2 window becomes one pixel.", f"{n} / 2")
    assert template.sample(3, "ja").hints[1] == f"{n} / 2 を計算します"
    assert "hints" in template.to_yaml()
    assert load_template(template.to_yaml()) == template
    # Without hints the template is what it was: the same digest as before hints existed.
    assert "hints" not in load_template(with_hints("")).to_yaml()


@pytest.mark.parametrize(
    ("hints", "refusal"),
    [
        ('hints: ["It is {answer}"]', "give the answer away"),
        ('hints: ["ask <@123>"]', "mentions"),
        ('hints: ["12\u202e3"]', "direction control"),
        ('hints: ["see https://example.com"]', "link"),
        ('hints: ["{m}"]', "m"),
        (f'hints: ["{"a" * (LIMITS.hint_chars + 1)}"]', "limit is 500"),
        ('hints: ["a", "b", "c", "d"]', "limit is 3"),
        ('hints: "just one"', "list"),
    ],
)
def test_template_hints_are_checked_like_explanations(hints: str, refusal: str) -> None:
    with pytest.raises(TemplateError) as refused:
        load_template(with_hints(hints))
    assert refused.value.field.startswith("hints"), refused.value
    assert refusal in str(refused.value)


def test_a_rendered_hint_must_fit_its_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.engine.templates import _variants

    # A short limit stands in for Discord's: the check is on the text as rendered.
    monkeypatch.setattr(_variants, "LIMITS", dataclasses.replace(LIMITS, hint_rendered_chars=12))
    assert load_template(with_hints('hints: ["half of {n}"]'))
    with pytest.raises(TemplateError) as refused:
        load_template(with_hints('hints: ["half of {n * 1000}"]'))
    assert "hints[0]" in str(refused.value) and "the limit is 12" in str(refused.value)


def test_a_hint_that_becomes_a_mention_once_rendered_is_refused() -> None:
    with pytest.raises(TemplateError) as refused:
        load_template(with_hints('hints: ["<@{1}23> {n}"]'))
    assert "hints[0]" in str(refused.value) and "mentions" in str(refused.value)


def test_the_json_schema_states_hints() -> None:
    hints = json_schema()["properties"]["hints"]  # type: ignore[index]
    assert hints["type"] == "array" and hints["maxItems"] == LIMITS.hints
