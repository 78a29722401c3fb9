"""Admin-written question templates: the good ones load, sample and grade correctly."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from bot.engine.bank import grade
from bot.engine.codes import parse_template_code, template_code
from bot.engine.question import AnswerKey, Question
from bot.engine.templates import (
    BUNDLED,
    LIMITS,
    Template,
    TemplateError,
    bundled_templates,
    json_schema,
    load_template,
    load_templates,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = ROOT / "bot" / "data" / "templates"

ISSUE_EXAMPLE = """\
name: stride2-valid                # unique per guild: lowercase letters, digits, dashes
kind: output_size                  # a built-in family or a new label; used by stats and boards
difficulty: 2                      # 1..3
params:                            # integer parameters; a range is inclusive, step optional
  n: {range: [16, 128], step: 4}
  k: {choice: [3, 5, 7]}
  s: {choice: [1, 2]}
constraints:                       # every draw must satisfy all of them
  - "(n - k) % s == 0"
prompt: "A {n}×{n} feature map goes through a {k}×{k} conv, stride {s}, no padding. Output size?"
answer: "conv_output_size(n, k, s, 0)"
answer_type: square                # int | square | pair | float | choice
tolerance: {relative: 0.0}         # for float answers
explanation: "⌊({n} − {k}) / {s}⌋ + 1 = {conv_output_size(n, k, s, 0)}"
mistakes:                          # optional: named wrong answers worth partial credit
  - {name: forgot-plus-one, answer: "(n - k) // s", score: 0.5, feedback: "Count the first position too: +1."}
"""

BASE = """\
name: t
kind: custom
difficulty: 1
params:
  n: {range: [16, 64]}
  k: {choice: [3, 5]}
prompt: "A {n} map and a {k} kernel."
answer: "n - k + 1"
answer_type: int
"""


def by_name(name: str) -> Template:
    return next(t for t in bundled_templates() if t.name == name)


def template_with(**changes: str) -> str:
    """BASE with some top-level fields replaced (values are raw YAML)."""
    lines = BASE.splitlines()
    out: list[str] = []
    skip = False
    for line in lines:
        key = line.split(":", 1)[0]
        if not line.startswith(" "):
            skip = False
        if skip:
            continue
        if not line.startswith(" ") and key in changes:
            out.append(f"{key}: {changes.pop(key)}")
            skip = True
            continue
        out.append(line)
    out += [f"{key}: {value}" for key, value in changes.items()]
    return "\n".join(out) + "\n"


def refusal(text: str | bytes) -> str:
    with pytest.raises(TemplateError) as info:
        load_template(text)
    return str(info.value)


def seeds_with(template: Template, want: dict[str, int], limit: int = 20_000) -> Iterator[int]:
    for seed in range(limit):
        question = template.sample(seed)
        if all(question.params[key] == value for key, value in want.items()):
            yield seed


# --- the bundled templates ---------------------------------------------------------------


def test_at_least_ten_bundled_templates_load() -> None:
    files = sorted(TEMPLATE_DIR.glob("*.yaml"))
    templates = bundled_templates()
    assert len(files) >= 10
    assert len(templates) == len(files)
    assert [t.name for t in templates] == [path.stem for path in files]
    assert templates == BUNDLED
    assert len({t.name for t in templates}) == len(templates)
    kinds = {t.kind for t in templates}
    assert {"output_size", "param_count", "bottleneck", "odd_kernel", "pooling"} <= kinds
    types = {t.answer_type for t in templates}
    assert types == {"int", "square", "pair", "float", "choice"}


def test_the_issue_example_loads_as_written() -> None:
    template = load_template(ISSUE_EXAMPLE)
    assert template.name == "stride2-valid"
    assert template.params[0].range == (16, 128) and template.params[0].step == 4
    assert load_template((TEMPLATE_DIR / "stride2-valid.yaml").read_text()) == template


@pytest.mark.parametrize("template", bundled_templates(), ids=lambda t: t.name)
def test_bundled_samples_are_deterministic_and_grade(template: Template) -> None:
    codes = set()
    prompts = set()
    for seed in range(40):
        question = template.sample(seed)
        assert question == template.sample(seed)
        assert question.kind == template.kind
        assert question.difficulty == template.difficulty
        assert question.code == template_code(template.name, seed)
        assert parse_template_code(question.code) == (template.name, seed)
        assert question.params["_template"] == {
            "name": template.name,
            "version": 1,
            "digest": template.digest,
        }
        for param in template.params:
            assert param.holds(question.params[param.name])  # type: ignore[arg-type]
        assert "{" not in question.prompt and "}" not in question.prompt
        # A choice's answer text is "B: option"; players answer with the letter.
        reply = _reply_for(question, question.answer.value)
        if question.answer.type != "choice":
            assert reply == question.answer_text
        result = grade(question, reply)
        assert result.outcome == "correct", (question.code, question.answer_text)
        for mistake in question.mistakes:
            assert mistake.value != question.answer.value
            text = _reply_for(question, mistake.value)
            got = grade(question, text)
            assert got.mistake == mistake.name, (question.code, text, got)
            assert got.score == mistake.score
        codes.add(question.code)
        prompts.add(question.prompt + repr(question.choices))
    assert len(codes) == 40
    assert len(prompts) > 1  # the seed matters


def _reply_for(question: Question, value: object) -> str:
    key = question.answer
    if key.type == "choice":
        assert isinstance(value, int)
        return chr(ord("A") + value)
    return _format(AnswerKey(key.type, value, display=key.display))  # type: ignore[arg-type]


def _format(key: AnswerKey) -> str:
    from bot.engine.question import format_answer

    return format_answer(key)


def test_sampling_is_stable_across_runs() -> None:
    # Codes are stored and shared: the draw for a seed must never change silently.
    template = by_name("seed-q1-output-size")
    question = template.sample(0)
    again = load_template((TEMPLATE_DIR / "seed-q1-output-size.yaml").read_text()).sample(0)
    assert question == again
    assert template.digest == again.params["_template"]["digest"]  # type: ignore[index]
    assert re.fullmatch(r"[0-9a-f]{16}", template.digest)


def test_preview_gives_the_first_seeds() -> None:
    template = by_name("max-pool-output")
    preview = template.preview(4)
    assert [q.seed for q in preview] == [0, 1, 2, 3]
    assert preview == [template.sample(seed) for seed in range(4)]
    with pytest.raises(TemplateError):
        template.preview(0)


def test_bad_seeds_are_refused() -> None:
    template = by_name("max-pool-output")
    for seed in (-1, 36**5, True, "3"):
        with pytest.raises(TemplateError, match="seed"):
            template.sample(seed)  # type: ignore[arg-type]


# --- independent truths ------------------------------------------------------------------


def windows(n: int, k: int, s: int, p: int = 0, d: int = 1) -> int:
    """Count the positions of a (dilated) window sliding over a padded line, one by one."""
    padded = n + 2 * p
    extent = d * (k - 1) + 1
    return sum(1 for start in range(0, padded, s) if start + extent <= padded)


def same_windows(n: int, k: int, s: int) -> int:
    """TensorFlow 'same': pad so that windows start at 0, s, 2s, ... while they start
    inside the input; count them by walking."""
    count, start = 0, 0
    while start < n:
        count += 1
        start += s
    return count


def test_seed_question_one_gives_eleven_by_eleven() -> None:
    template = by_name("seed-q1-output-size")
    draft = template.draft({"n": 25, "k": 5, "s": 2})
    assert draft.answer.value == (11, 11)
    assert windows(25, 5, 2) == 11
    seed = next(seeds_with(template, {"n": 25, "k": 5, "s": 2}))
    question = template.sample(seed)
    assert question.answer_text == "11×11"
    assert grade(question, "11×11").outcome == "correct"
    assert grade(question, "11").outcome == "correct"
    assert grade(question, "10×10").mistake == "forgot-plus-one"
    assert grade(question, "21").mistake == "ignored-stride"


def test_seed_question_one_in_japanese() -> None:
    template = by_name("seed-q1-output-size")
    seed = next(seeds_with(template, {"n": 25, "k": 5, "s": 2}))
    en, ja = template.sample(seed, "en"), template.sample(seed, "ja")
    assert ja.prompt.startswith("縦×横=25×25の画像に、サイズ=(5, 5)のフィルター")
    assert "ストライド=(2, 2)" in ja.prompt
    assert en.prompt.startswith("A 25×25 image goes through one 5×5 filter with stride 2")
    assert (ja.answer, ja.params, ja.code) == (en.answer, en.params, en.code)
    assert ja.lang == "ja" and "答えは11×11です" in ja.explanation
    assert {m.name: m.feedback for m in ja.mistakes}["forgot-plus-one"].startswith("+1を")
    # A language without its own text falls back to English.
    assert template.sample(seed, "fr").prompt == en.prompt


@pytest.mark.parametrize(
    ("name", "truth"),
    [
        ("seed-q1-output-size", lambda p: (windows(p["n"], p["k"], p["s"]),) * 2),
        ("stride2-valid", lambda p: (windows(p["n"], p["k"], p["s"]),) * 2),
        ("max-pool-output", lambda p: (windows(p["n"], p["k"], p["s"]),) * 2),
        (
            "dilated-conv-output",
            lambda p: (windows(p["n"], p["k"], p["s"], p["p"], p["d"]),) * 2,
        ),
        (
            "same-padding-output",
            lambda p: (same_windows(p["h"], p["k"], p["s"]), same_windows(p["w"], p["k"], p["s"])),
        ),
        ("receptive-field-stacked", lambda p: (receptive_field(p["layers"], p["k"]),) * 2),
        ("seed-q2-param-count", lambda p: count_params(p["cin"], p["cout"], p["k"])),
        ("depthwise-params", lambda p: count_params(p["c"], p["c"], p["k"], groups=p["c"])),
        (
            "grouped-conv-params",
            lambda p: count_params(p["cin"], p["cout"], p["k"], groups=p["g"]),
        ),
        (
            "bottleneck-params",
            lambda p: (
                count_params(p["cin"], p["cin"] // p["r"], 1)
                + count_params(p["cin"] // p["r"], p["cout"], p["k"])
            ),
        ),
        ("macs-1x1", lambda p: count_macs(p["cin"], p["cout"], p["n"])),
        ("even-kernel-centre", lambda p: (centre(p["k"]),) * 2),
        ("kernel-centre-float", lambda p: centre(p["k"])),
        ("same-padding-split", lambda p: tf_same_split(p["k"], p["d"])),
    ],
)
def test_answers_match_independent_truths(name: str, truth: Any) -> None:
    template = by_name(name)
    for seed in range(60):
        question = template.sample(seed)
        expected = truth(question.params)
        value = question.answer.value
        if isinstance(expected, tuple):
            assert value == tuple(Fraction(x) for x in expected), (question.code, question.params)
        else:
            assert value == Fraction(expected), (question.code, question.params)


def receptive_field(layers: int, k: int) -> int:
    """Input positions one output pixel depends on, by expanding sets layer by layer."""
    seen = {0}
    for _ in range(layers):
        seen = {x + offset for x in seen for offset in range(k)}
    return len(seen)


def count_params(cin: int, cout: int, k: int, groups: int = 1) -> int:
    weights = 0
    for out_channel in range(cout):
        group = out_channel // (cout // groups)
        per_group = cin // groups
        inputs = range(group * per_group, (group + 1) * per_group)
        weights += sum(k * k for _ in inputs)
    return weights + cout


def count_macs(cin: int, cout: int, n: int) -> int:
    return sum(cin * cout for _row in range(n) for _col in range(n))


def centre(k: int) -> Fraction:
    pixels = list(range(1, k + 1))
    return Fraction(sum(pixels), len(pixels))


def tf_same_split(k: int, d: int) -> tuple[int, int]:
    total = d * (k - 1)
    return total // 2, total - total // 2


def test_seed_numbers_for_questions_two_to_four() -> None:
    assert (
        by_name("seed-q2-param-count")
        .draft({"size": 25, "cin": 16, "cout": 32, "k": 3})
        .answer.value
        == 4640
    )
    bottleneck = by_name("bottleneck-params").draft({"cin": 32, "r": 2, "cout": 64, "k": 3})
    assert bottleneck.answer.value == 9808
    assert "528" in bottleneck.explanation and "9,280" in bottleneck.explanation
    assert "18,496" in bottleneck.explanation
    centre_draft = by_name("even-kernel-centre").draft({"k": 6})
    assert centre_draft.answer == AnswerKey(
        "pair", (Fraction(7, 2), Fraction(7, 2)), display="tuple"
    )
    why = by_name("seed-q3-why-1x1").sample(3)
    assert why.choices is not None and len(why.choices) == 4
    right = why.choices[why.answer.value]  # type: ignore[index]
    assert "reduce the number of channels" in right
    assert grade(why, "ABCD"[why.answer.value]).outcome == "correct"  # type: ignore[index]


def test_float_answer_and_tolerance() -> None:
    template = by_name("kernel-centre-float")
    seed = next(seeds_with(template, {"k": 8}))
    question = template.sample(seed)
    assert question.answer_text == "4.5"
    assert grade(question, "4.5").outcome == "correct"
    assert grade(question, "9/2").outcome == "correct"
    assert grade(question, "4.505").outcome == "correct"  # absolute 0.01
    assert grade(question, "4.52").outcome == "wrong"
    assert grade(question, "4").mistake == "half-k"


def test_pair_answer_with_tuple_display() -> None:
    template = by_name("even-kernel-centre")
    seed = next(seeds_with(template, {"k": 6}))
    question = template.sample(seed)
    assert question.answer_text == "(3.5, 3.5)"
    assert grade(question, "(3.5, 3.5)").outcome == "correct"
    assert grade(question, "(2.5, 2.5)").mistake == "zero-based"


def test_pair_answer_in_height_width_order() -> None:
    template = by_name("same-padding-output")
    for seed in range(20):
        question = template.sample(seed)
        h, w = question.params["h"], question.params["w"]
        s = question.params["s"]
        assert isinstance(h, int) and isinstance(w, int) and isinstance(s, int)
        assert question.answer_text == f"{math.ceil(h / s)}×{math.ceil(w / s)}"
        if math.ceil(h / s) != math.ceil(w / s):
            swapped = f"{math.ceil(w / s)}×{math.ceil(h / s)}"
            assert grade(question, swapped).mistake == "swapped-axes"


def test_choice_shuffle_follows_the_letters() -> None:
    template = by_name("pooling-choice")
    positions = set()
    for seed in range(30):
        question = template.sample(seed)
        n, c = question.params["n"], question.params["c"]
        assert isinstance(n, int) and isinstance(c, int)
        assert question.choices is not None
        index = question.answer.value
        assert isinstance(index, int)
        positions.add(index)
        # independent: a 2×2/2 pooling over n pixels leaves n/2 windows per axis
        assert question.choices[index] == f"{windows(n, 2, 2)}×{windows(n, 2, 2)}×{c}"
        assert question.answer_text == f"{'ABCD'[index]}: {question.choices[index]}"
        kept = next(i for i, text in enumerate(question.choices) if text == f"{n}×{n}×{c}")
        assert grade(question, "ABCD"[kept]).mistake == "kept-size"
    assert len(positions) > 1  # shuffled


def test_mistakes_equal_to_the_answer_are_left_out() -> None:
    template = by_name("seed-q1-output-size")
    seed = next(seeds_with(template, {"s": 1}))
    question = template.sample(seed)
    # With stride 1, "ignored the stride" is the right answer and must not cost anything.
    assert "ignored-stride" not in {m.name for m in question.mistakes}
    assert grade(question, question.answer_text).outcome == "correct"


def test_draft_checks_its_values() -> None:
    template = by_name("seed-q1-output-size")
    with pytest.raises(TemplateError, match=r"params\.k: 4 is not one of"):
        template.draft({"n": 25, "k": 4, "s": 2})
    with pytest.raises(TemplateError, match=r"constraints\[0\]: does not hold when n=24, k=5"):
        template.draft({"n": 24, "k": 5, "s": 2})
    with pytest.raises(TemplateError, match="'z' is not a parameter"):
        template.draft({"n": 25, "k": 5, "s": 2, "z": 1})
    with pytest.raises(TemplateError, match=r"params\.s: needs a whole number"):
        template.draft({"n": 25, "k": 5})


# --- export ------------------------------------------------------------------------------


@pytest.mark.parametrize("template", bundled_templates(), ids=lambda t: t.name)
def test_to_yaml_round_trips(template: Template) -> None:
    text = template.to_yaml()
    again = load_template(text)
    assert again == template
    assert hash(again) == hash(template)
    assert again.digest == template.digest
    assert again.sample(17, "ja") == template.sample(17, "ja")
    assert again.to_yaml() == text
    json.dumps(template.to_data(), ensure_ascii=False)  # JSON-ready too


def test_templates_are_immutable_and_versioned() -> None:
    template = by_name("macs-1x1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        template.name = "other"  # type: ignore[misc]
    v3 = template.with_version(3)
    assert v3.version == 3 and v3.ref == ("macs-1x1", 3, template.digest)
    assert v3.sample(5).params["_template"]["version"] == 3  # type: ignore[index]
    assert v3.sample(5).answer == template.sample(5).answer  # same content, same questions
    assert template.version == 1
    with pytest.raises(TemplateError):
        template.with_version(0)


def test_editing_a_template_changes_its_digest() -> None:
    a = load_template(BASE)
    b = load_template(BASE.replace("[16, 64]", "[16, 65]"))
    assert a.digest != b.digest
    assert load_template(BASE + "# a comment\n").digest == a.digest


def test_template_codes() -> None:
    assert template_code("stride2-valid", 0) == "T-stride2-valid-0"
    assert template_code("x", 36**5 - 1) == "T-x-ZZZZZ"
    assert parse_template_code("t-stride2-valid-k9zx") == ("stride2-valid", int("K9ZX", 36))
    for bad in ("OS1-K9ZXv1", "T-", "T-x-!!", "stride2-valid-K9", "T-x-ZZZZZZ"):
        assert parse_template_code(bad) is None


# --- per-language texts ------------------------------------------------------------------


def test_single_string_serves_every_language() -> None:
    template = load_template(BASE)
    assert template.languages == ("en",)
    assert template.sample(3, "ja").prompt == template.sample(3, "en").prompt


def test_per_language_prompt_explanation_and_feedback() -> None:
    text = template_with(
        prompt='{en: "Map {n}, kernel {k}.", ja: "マップ{n}、カーネル{k}。"}',
        explanation='{en: "It is {answer}.", ja: "答えは{answer}です。"}',
        mistakes='[{name: plus, answer: "n - k", score: 0.5, '
        'feedback: {en: "Add one.", ja: "1を足す。"}}]',
    )
    template = load_template(text)
    assert template.languages == ("en", "ja")
    en, ja = template.sample(9, "en"), template.sample(9, "ja")
    n, k = en.params["n"], en.params["k"]
    assert en.prompt == f"Map {n}, kernel {k}." and ja.prompt == f"マップ{n}、カーネル{k}。"
    assert ja.explanation == f"答えは{ja.answer_text}です。"
    assert ja.mistakes[0].feedback == "1を足す。" and en.mistakes[0].feedback == "Add one."
    assert load_template(template.to_yaml()) == template


def test_every_language_must_show_every_parameter() -> None:
    text = template_with(prompt='{en: "Map {n}, kernel {k}.", ja: "マップ{n}。"}')
    assert refusal(text) == "prompt.ja: does not show parameter k (ja text) (line 7)"


def test_per_language_text_needs_english() -> None:
    text = template_with(prompt='{ja: "マップ{n}、カーネル{k}。"}')
    assert refusal(text).startswith("prompt: needs an 'en' text")


# --- one error per rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            template_with(params="{n: {range: [16, 64]}, k: {range: [5, 3]}}"),
            "params.k.range: max (3) is below min (5) (line 4)",
        ),
        (
            template_with(answer='"n - stride"'),
            "answer: name 'stride' is not a parameter (the parameters are: k, n) (line 8)",
        ),
        (
            template_with(constraints='["n < 0"]'),
            "constraints[0]: holds for 0 of 98 possible values (line 10)",
        ),
        (
            template_with(params="{n: {choice: [16]}, k: {choice: [3]}}", answer='"n // (k - 3)"'),
            "answer: division by zero when n=16, k=3 (line 6)",
        ),
        (
            template_with(promt='"x"'),
            "promt: unknown field (did you mean 'prompt'?) (line 10)",
        ),
        (BASE.replace("answer_type: int\n", ""), "answer_type: is required (line 1)"),
        (template_with(difficulty="4"), "difficulty: must be from 1 to 3, got 4 (line 3)"),
        (
            template_with(difficulty="hard"),
            "difficulty: must be a whole number, got the text 'hard'",
        ),
        (template_with(name="Stride_2"), "name: 'Stride_2' is not valid"),
        (template_with(answer_type="integer"), "answer_type: must be one of int, square, pair"),
        (
            template_with(params="{n: {range: [0, 1000000]}, k: {choice: [3]}}"),
            "params.n.range: holds 1,000,001 values; the limit is 100,000 (line 4)",
        ),
        (
            template_with(params="{n: {choice: [3], step: 2}, k: {choice: [3]}}"),
            "params.n.step: only goes with range (line 4)",
        ),
        (
            template_with(params="{n: {range: [1, 2], choice: [3]}, k: {choice: [3]}}"),
            "params.n: needs exactly one of range: [min, max] or choice: [...] (line 4)",
        ),
        (
            template_with(params="{n: {range: [16, 64]}, k: {choice: [3]}, d: {choice: [1]}}"),
            "params.d: is never shown: put {d} (or a formula using it) in the prompt or the "
            "choices (line 4)",
        ),
        (
            template_with(params="{n: {range: [16, 64]}, max: {choice: [3]}}"),
            "params.max: 'max' is a reserved word; choose another name (line 4)",
        ),
        (
            template_with(prompt='"A {n} map and a {m} kernel {k}."'),
            "prompt: placeholder {m}: name 'm' is not a parameter (the parameters are: k, n) "
            "(line 7)",
        ),
        (
            template_with(prompt='"A {n} map, {k} kernel: {answer}"'),
            "prompt: {answer} would give the answer away here (line 7)",
        ),
        (
            template_with(prompt='"A {n} map, {k} kernel}"'),
            "prompt: single '}' at character 22; write '}}' for a literal brace (line 7)",
        ),
        (
            template_with(prompt='"A {n} map, {k kernel"'),
            "prompt: '{' at character 12 is never closed; write '{{' for a literal brace (line 7)",
        ),
        (
            template_with(constraints='["n + k"]'),
            "not True/False (write a comparison) when n=",
        ),
        (
            template_with(constraints='["n == 17 and k == 5"]'),
            "constraints: hold together for ",
        ),
        (
            template_with(answer='"n / k"'),
            "answer: gives ",
        ),
        (
            template_with(answer_type="square", answer='"k - 3"'),
            "answer: gives 0, but a size is at least 1 when n=",
        ),
        (
            template_with(answer_type="pair", answer='"n"'),
            "answer: gives ",
        ),
        (
            template_with(answer='"conv_params(n, k, 3, groups=2)"'),
            "answer: conv_params: groups (2) must divide both in_channels",
        ),
        (
            template_with(answer='"conv_output_size(n, k, 2, 0, 1, 9)"'),
            "answer: conv_output_size: too many positional arguments (column 1) (line 8)",
        ),
        (
            template_with(
                answer_type="float",
                answer='"n / 3"',
                params="{n: {choice: [16]}, k: {choice: [3]}}",
            ),
            "answer: 16/3 is shown as 5.3333, which the tolerance would mark wrong; add "
            "tolerance: {relative: 0.001} (or an absolute one) when n=16, k=3 (line 6)",
        ),
        (
            template_with(choices='["a", "b"]'),
            "choices: only goes with answer_type: choice (line 10)",
        ),
        (
            template_with(answer_type="choice", answer='"A"'),
            "choices: is required with answer_type: choice (line 9)",
        ),
        (
            template_with(answer_type="choice", answer='"C"', choices='["{n}", "{k}"]'),
            "answer: option C does not exist: there are 2 choices (line 8)",
        ),
        (
            template_with(answer_type="choice", answer='"A"', choices='["{n % 2}", "{k % 2}"]'),
            "both read",
        ),
        (
            template_with(answer_type="choice", answer='"n"', choices='["{n}", "{k}"]'),
            "but the options are numbered 0 to 1 when n=",
        ),
        (
            template_with(
                answer_type="choice",
                answer='"A"',
                choices='["{n}", "{k}"]',
                tolerance="{relative: 0.1}",
            ),
            "tolerance: does not go with answer_type: choice (line 11)",
        ),
        (
            template_with(answer_type="pair", answer='"(n, k)"', tolerance="{absolute: 1}"),
            "tolerance.absolute: only goes with single-number answers; use relative (line 10)",
        ),
        (
            template_with(mistakes='[{name: x, answer: "n", score: 1, feedback: "f"}]'),
            "mistakes[0].score: must be below 1: a mistake cannot earn full credit (line 10)",
        ),
        (
            template_with(mistakes='[{name: x, answer: "n - k + 1", score: 0.5, feedback: f}]'),
            "mistakes[0].answer: equals the right answer in all 98 checked questions (line 10)",
        ),
        (
            template_with(
                mistakes='[{name: x, answer: "n / 3", score: 0.5, feedback: f}]',
                params="{n: {choice: [16]}, k: {choice: [3]}}",
            ),
            "mistakes[0].answer: is never usable in the 1 checked question; for example it "
            "gives 16/3, not a whole number (use answer_type: float for fractions) when n=16, k=3 "
            "(line 8)",
        ),
        (
            template_with(
                mistakes='[{name: x, answer: "n", score: 0.5, feedback: f}, '
                '{name: x, answer: "k", score: 0.5, feedback: f}]'
            ),
            "mistakes[1].name: 'x' is used twice (line 10)",
        ),
        (
            template_with(mistakes='[{name: x, answer: "(n, k)", score: 0.5, feedback: f}]'),
            "mistakes[0].answer: gives the pair (",
        ),
        (
            template_with(mistakes='[{name: x, answer: "n", score: 0.5}]'),
            "mistakes[0].feedback: is required (line 10)",
        ),
        (template_with(display="tuple"), "display: only goes with answer_type: pair (line 10)"),
        (
            BASE + "answer: n\n",
            "answer: duplicate key (line 10)",
        ),
        (
            "- 1\n- 2\n",
            "a template must be a mapping of fields (name:, kind:, prompt:, ...), got a list (line 1)",
        ),
        ("", "the document is empty (line 1)"),
        (
            BASE + "---\n" + BASE,
            "found more than one document; import several templates with load_templates",
        ),
    ],
)
def test_error_messages_name_the_field(text: str, message: str) -> None:
    error = refusal(text)
    assert message in error, error
    assert len(error) < 400 and error.count("\n") == 0


def test_error_parts_are_kept_apart() -> None:
    with pytest.raises(TemplateError) as info:
        load_template(template_with(params="{n: {range: [16, 64]}, k: {range: [5, 3]}}"))
    error = info.value
    assert isinstance(error, ValueError)
    assert (error.field, error.detail, error.line, error.name) == (
        "params.k.range",
        "max (3) is below min (5)",
        4,
        None,
    )
    with pytest.raises(TemplateError) as info:
        load_template(template_with(answer='"n // (k - k)"'))
    assert info.value.name == "t" and info.value.field == "answer"


def test_line_numbers_point_into_block_yaml() -> None:
    text = """\
name: lines
kind: custom
difficulty: 1
params:
  n:
    range: [4, 40]
  k:
    choice: [3, 5]
prompt: >-
  A {n} map
  and a {k} kernel.
answer: conv_output_size(n, k)
answer_type: square
mistakes:
  - name: ok
    answer: n - k
    score: 0.5
    feedback: fine
  - name: bad
    answer: n.real
    score: 0.5
    feedback: fine
"""
    assert refusal(text) == (
        "mistakes[1].answer: attribute access ('.real') is not allowed (column 1) (line 20)"
    )
    assert "(line 12)" in refusal(
        text.replace("n.real", "n - k - 1").replace(
            "conv_output_size(n, k)", "conv_output_size(n, k, 0)"
        )
    )
    assert "(line 6)" in refusal(text.replace("[4, 40]", "[40, 4]"))


# --- several templates at once ------------------------------------------------------------


def test_load_templates_accepts_and_refuses_each_document() -> None:
    good = template_with(name="good-one")
    bad = template_with(name="bad-one", answer='"n // 0"')
    other = template_with(name="good-two")
    text = "# an import\n" + good + "---\n" + bad + "--- # third\n" + other + "---\n" + good
    results = load_templates(text)
    assert [type(r).__name__ for r in results] == [
        "Template",
        "TemplateError",
        "Template",
        "TemplateError",
    ]
    error = results[1]
    assert isinstance(error, TemplateError)
    first_bad_line = text.splitlines().index('answer: "n // 0"') + 1
    assert str(error).startswith("answer: division by zero when n=")
    assert str(error).endswith(f", k=3 (line {first_bad_line})") or str(error).endswith(
        f", k=5 (line {first_bad_line})"
    )
    assert error.name == "bad-one"
    assert "'good-one' is already used by template 1 of this import" in str(results[3])
    assert load_templates(text.encode()) == results
    assert load_templates("# nothing here\n---\n") == []


def test_load_templates_limits_the_import() -> None:
    text = "---\n".join(template_with(name=f"t{i}") for i in range(LIMITS.import_documents + 1))
    with pytest.raises(TemplateError, match="the limit is 50"):
        load_templates(text)


def test_json_schema_file_is_current() -> None:
    on_disk = json.loads((ROOT / "bot" / "data" / "template.schema.json").read_text())
    assert on_disk == json_schema()


# --- the published JSON Schema agrees with the loader ---------------------------------------


def schema_errors(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """A small JSON Schema (2020-12) checker for the keywords the template schema uses."""
    errors: list[str] = []
    kinds = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
    }
    if "type" in schema:
        wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(kinds[kind](value) for kind in wanted):
            return [f"{path}: not {wanted}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: not in enum")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: does not match {schema['pattern']}")
        if len(value) > schema.get("maxLength", math.inf):
            errors.append(f"{path}: too long")
    if kinds["number"](value):
        if value < schema.get("minimum", -math.inf) or value > schema.get("maximum", math.inf):
            errors.append(f"{path}: out of range")
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            errors.append(f"{path}: too large")
    if isinstance(value, list):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", math.inf):
            errors.append(f"{path}: wrong length")
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(value):
            sub = prefix[i] if i < len(prefix) else schema.get("items")
            if sub is not None:
                errors += schema_errors(item, sub, f"{path}[{i}]")
    if isinstance(value, dict):
        if (
            not schema.get("minProperties", 0)
            <= len(value)
            <= schema.get("maxProperties", math.inf)
        ):
            errors.append(f"{path}: wrong number of properties")
        errors += [
            f"{path}.{key}: required" for key in schema.get("required", []) if key not in value
        ]
        properties = schema.get("properties", {})
        for key, item in value.items():
            if "propertyNames" in schema:
                errors += schema_errors(key, schema["propertyNames"], f"{path}.{key}(name)")
            if key in properties:
                errors += schema_errors(item, properties[key], f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}.{key}: not allowed")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += schema_errors(item, schema["additionalProperties"], f"{path}.{key}")
        for key, sub in schema.get("dependentSchemas", {}).items():
            if key in value:
                errors += schema_errors(value, sub, path)
    if "oneOf" in schema:
        passing = sum(not schema_errors(value, sub, path) for sub in schema["oneOf"])
        if passing != 1:
            errors.append(f"{path}: matches {passing} of oneOf")
    if "anyOf" in schema and all(schema_errors(value, sub, path) for sub in schema["anyOf"]):
        errors.append(f"{path}: matches none of anyOf")
    for sub in schema.get("allOf", []):
        errors += schema_errors(value, sub, path)
    if "not" in schema and not schema_errors(value, schema["not"], path):
        errors.append(f"{path}: matches a 'not'")
    if "if" in schema:
        branch = "then" if not schema_errors(value, schema["if"], path) else "else"
        if branch in schema:
            errors += schema_errors(value, schema[branch], path)
    return errors


def test_bundled_templates_satisfy_the_published_schema() -> None:
    import yaml

    schema = json.loads((ROOT / "bot" / "data" / "template.schema.json").read_text())
    for path in sorted(TEMPLATE_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        assert schema_errors(data, schema) == [], path.name
    for template in bundled_templates():
        assert schema_errors(template.to_data(), schema) == [], template.name


@pytest.mark.parametrize(
    "change",
    [
        {"promt": "x"},
        {"difficulty": 4},
        {"name": "Bad_Name"},
        {"answer_type": "integer"},
        {"params": {"n": {"choice": [3], "step": 2}, "k": {"choice": [3]}}},
        {"params": {"n": {"range": [1, 2], "choice": [3]}, "k": {"choice": [3]}}},
        {"params": {"max": {"choice": [3]}}},
        {"display": "tuple"},
        {"choices": ["a", "b"]},
        {"answer_type": "choice", "tolerance": {"relative": 0.1}, "choices": ["a", "b"]},
        {"answer_type": "pair", "tolerance": {"absolute": 1}},
        {"mistakes": [{"name": "x", "answer": "n", "score": 1, "feedback": "f"}]},
        {"prompt": {"ja": "x"}},
    ],
)
def test_schema_and_loader_refuse_the_same_shapes(change: dict[str, Any]) -> None:
    import yaml

    schema = json.loads((ROOT / "bot" / "data" / "template.schema.json").read_text())
    data = yaml.safe_load(BASE)
    assert schema_errors(data, schema) == []
    data.update(change)
    assert schema_errors(data, schema), change
    with pytest.raises(TemplateError):
        load_template(yaml.safe_dump(data, allow_unicode=True))


def test_windows_line_endings_and_a_byte_order_mark_are_fine() -> None:
    template = load_template(BASE)
    assert load_template(BASE.replace("\n", "\r\n")) == template
    assert load_template(b"\xef\xbb\xbf" + BASE.encode()) == template


def test_only_text_is_a_template() -> None:
    for value in (None, 42, ["name: x"]):
        with pytest.raises(TemplateError, match="a template is YAML text"):
            load_template(value)  # type: ignore[arg-type]


def test_the_domain_layer_imports_no_front_end() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bot.engine.templates as t; t.bundled_templates(); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('discord', 'sqlalchemy')]; "
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_choice_answer_given_by_a_formula() -> None:
    text = template_with(
        answer_type="choice",
        prompt='"Is a {n}-pixel map with a {k}-pixel kernel over 40 pixels wide?"',
        choices='["yes", "no"]',
        answer='"0 if n > 40 else 1"',
        mistakes='[{name: flipped, answer: "1 if n > 40 else 0", score: 0, feedback: "Look again."}]',
    )
    template = load_template(text)
    for seed in range(30):
        question = template.sample(seed)
        n = question.params["n"]
        assert isinstance(n, int)
        assert question.answer_text == ("A: yes" if n > 40 else "B: no")
        assert grade(question, "A" if n > 40 else "B").outcome == "correct"
        assert grade(question, "B" if n > 40 else "A").mistake == "flipped"
