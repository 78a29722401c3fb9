"""Hostile templates, second round: no crash but a TemplateError, no board-cheating
questions, no YAML 1.1 surprises, and every error's position given once.

Each refusal runs under the shared tripwires and address-space cap
(``tests/template_harness.py``) and a tighter memory cap of its own (``tracemalloc`` peak); times are collected and printed by
``test_hardening_refusal_timings`` (``-s`` shows them), never asserted.
"""

from __future__ import annotations

import json
import re
import time
import tracemalloc
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from template_harness import guarded

from bot.engine.bank import grade
from bot.engine.templates import TemplateError, load_template, load_templates

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "bot" / "data" / "templates"
MEMORY_CAP = 64 * 2**20  # bytes a refusal may allocate at its peak
TIMINGS: dict[str, float] = {}


def refuse(name: str, monkeypatch: pytest.MonkeyPatch, text: str | bytes) -> TemplateError:
    """Load ``text`` expecting a TemplateError (any other exception fails the test)."""
    with guarded(monkeypatch) as calls:
        tracemalloc.start()
        start = time.perf_counter()
        try:
            result: object = load_template(text)
        except TemplateError as error:
            result = error
        finally:
            elapsed = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert calls == [], f"code ran: {calls}"
    assert isinstance(result, TemplateError), f"accepted: {result!r}"[:300]
    assert peak < MEMORY_CAP, f"peak {peak:,} bytes"
    TIMINGS[name] = elapsed
    message = str(result)
    assert message and len(message) < 500 and "\n" not in message, message
    assert message.count("(line ") <= 1, message  # a position is given once
    return result


def doc(
    *,
    answer: str = "n + k",
    prompt: str | dict[str, str] = "A {n} map and a {k} kernel.",
    params: str = "{n: {range: [16, 64]}, k: {choice: [3, 5]}}",
    extra: str = "",
    answer_type: str = "int",
) -> str:
    """A template with the given fields; strings are written as JSON (valid YAML)."""
    return (
        f"name: hardened\nkind: custom\ndifficulty: 1\nparams: {params}\n"
        f"prompt: {json.dumps(prompt)}\nanswer: {json.dumps(answer)}\n"
        f"answer_type: {answer_type}\n{extra}"
    )


def choice_doc(*, shuffle: str = "", answer: str = "A") -> str:
    return doc(
        answer=answer,
        answer_type="choice",
        extra=f"choices: ['{{n + k}}', '{{n - k}}']\n{shuffle}",
    )


# --- class 5: a TemplateError naming field and line, never another exception ---------------

HEX_HUGE = "0x" + "f" * 3_990  # 4,800 decimal digits: past Python's 4,300 for printing
CRASHES: list[tuple[str, str, str]] = [
    ("surrogate-prompt", doc(prompt="\ud800 {n} {k}"), "prompt: contains U+D800, half of a"),
    (
        "surrogate-pair-escapes",
        doc(prompt="\ud83d\ude00 {n} {k}"),  # JSON's way of writing an emoji: not YAML's
        "prompt: contains U+D83D",
    ),
    ("surrogate-key", doc() + '"\\udc00": 1\n', "contains U+DC00"),
    (
        "surrogate-feedback",
        doc(extra='mistakes: [{name: x, answer: n, score: 0, feedback: "\\udfff"}]\n'),
        "mistakes[0].feedback: contains U+DFFF",
    ),
    (
        "hex-past-digit-limit",
        doc(params="{n: {range: [0, " + HEX_HUGE + "]}, k: {choice: [3]}}"),
        "params.n.range[1]: must be from -1,000,000,000 to 1,000,000,000, got a number of about",
    ),
    ("hex-answer", doc().replace('answer: "n + k"', "answer: " + HEX_HUGE), "answer: a number"),
    ("hex-difficulty", doc().replace("difficulty: 1", "difficulty: " + HEX_HUGE), "difficulty:"),
    ("hex-name", doc().replace("name: hardened", "name: " + HEX_HUGE), "name: must be text"),
    (
        "binary-past-digit-limit",
        doc(params="{n: {choice: [0b" + "1" * 15_000 + "]}, k: {choice: [3]}}"),
        "params.n.choice[0]: a number written with 15,002 characters is too long",
    ),
    (
        "sexagesimal-past-digit-limit",
        doc(params="{n: {range: [0, " + "59:" * 3_000 + "59]}, k: {choice: [3]}}"),
        "params.n.range[1]: 59:59:59",
    ),
    (
        "octal-past-digit-limit",
        doc(params="{n: {range: [0, 0" + "7" * 4_500 + "]}, k: {choice: [3]}}"),
        "params.n.range[1]: 0777",
    ),
    (
        "decimal-score",
        doc(extra="mistakes: [{name: x, answer: n, score: " + "9" * 400 + ", feedback: f}]\n"),
        "mistakes[0].score: must be from 0 to 1, got a number of about 400 digits",
    ),
    (
        "hex-score",
        doc(extra=f"mistakes: [{{name: x, answer: n, score: {HEX_HUGE}, feedback: f}}]\n"),
        "mistakes[0].score: must be from 0 to 1, got a number of about",
    ),
    (
        "huge-relative",
        doc(answer_type="float", extra="tolerance: {relative: " + "9" * 400 + "}\n"),
        "tolerance.relative: a number of about 400 digits is too wide: at most 0.05",
    ),
    (
        "huge-absolute",
        doc(answer_type="float", extra="tolerance: {absolute: " + "9" * 400 + "}\n"),
        "tolerance.absolute: must be from 0 to 1e+09, got a number of about 400 digits",
    ),
    (
        "float-overflow-score",
        doc(extra="mistakes: [{name: x, answer: n, score: 1.0e+400, feedback: f}]\n"),
        "mistakes[0].score: must be a finite number",
    ),
    ("value-tag-scalar", doc() + "explanation: =\n", "explanation: cannot be read"),
]


@pytest.mark.parametrize(("name", "text", "expected"), CRASHES, ids=[c[0] for c in CRASHES])
def test_unreadable_values_are_refused_at_their_field(
    monkeypatch: pytest.MonkeyPatch, name: str, text: str, expected: str
) -> None:
    error = refuse(name, monkeypatch, text)
    assert expected in str(error), str(error)
    assert error.line is not None and f"(line {error.line})" in str(error)


def _bundled_texts() -> list[str]:
    return [path.read_text("utf-8") for path in sorted(TEMPLATE_DIR.glob("*.yaml"))]


_NASTY_VALUES = [
    HEX_HUGE,
    "0b" + "1" * 5000,
    "9" * 5000,
    "1:30",
    "59:" * 50 + "1",
    "010",
    "09",
    "yes",
    "Off",
    '"\\ud800"',
    '"\\ud83d\\ude00"',
    ".nan",
    "-.inf",
    "1.0e+400",
    "1e-3",
    "=",
    "~",
    "''",
    "[]",
    "{}",
    "[[[[[]]]]]",
    "{a: 1}",
    "-1",
    "0",
    "2024-01-01",
    '"{n * 0}"',
    '"9**9**9"',
    '"{k.__class__}"',
    '"\\0"',
    "&a x",
    "*a",
    "!!python/name:os.system x",
]


@st.composite
def mutated_templates(draw: st.DrawFn) -> str:
    """A bundled template with a few lines changed: a value replaced, a line dropped,
    doubled or cut short, or text inserted."""
    lines = draw(st.sampled_from(_bundled_texts())).splitlines()
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        action = draw(st.sampled_from(["value", "value", "drop", "double", "cut", "insert"]))
        if action == "value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[index] = f"{key}: {draw(st.sampled_from(_NASTY_VALUES))}"
        elif action == "drop":
            del lines[index]
        elif action == "double":
            lines.insert(index, line)
        elif action == "cut":
            lines[index] = line[: draw(st.integers(0, len(line)))]
        else:
            at = draw(st.integers(0, len(line)))
            piece = draw(st.sampled_from([*_NASTY_VALUES, ": ", "- ", "  ", "#", "{", "'"]))
            lines[index] = line[:at] + piece + line[at:]
        if not lines:
            lines = ["name: x"]
    return "\n".join(lines) + "\n"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_templates())
def test_mutated_templates_load_or_raise_template_error_only(text: str) -> None:
    refused: TemplateError | None = None
    try:
        load_template(text)
    except TemplateError as error:
        refused = error
    if refused is not None:
        message = str(refused)
        assert message and "\n" not in message
        assert refused.line is not None and message.count("(line ") == 1, message


# --- class 8: questions that cheat the boards ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "tolerance", "expected"),
    [
        ("relative-1", "{relative: 1}", "tolerance.relative: 1 is too wide: at most 0.05"),
        ("relative-half", "{relative: 0.5}", "tolerance.relative: 0.5 is too wide"),
        ("relative-just-over", "{relative: 0.051}", "0.051 is too wide"),
        ("relative-over-one", "{relative: 20}", "tolerance.relative: 20 is too wide"),
        (
            "absolute-10-9",
            "{absolute: 1000000000}",
            "tolerance.absolute: 1e+09 is more than 5% of the answer in",
        ),
        ("absolute-half-answer", "{absolute: 20}", "tolerance.absolute: 20 is more than 5%"),
    ],
)
def test_wide_tolerances_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, tolerance: str, expected: str
) -> None:
    text = doc(answer="n / 2 + k", answer_type="float", extra=f"tolerance: {tolerance}\n")
    assert expected in str(refuse(name, monkeypatch, text))


def test_the_widest_tolerances_allowed_load() -> None:
    relative = doc(answer="n / 2 + k", answer_type="float", extra="tolerance: {relative: 0.05}\n")
    question = load_template(relative).sample(0)
    exact = question.answer.value
    assert isinstance(exact, Fraction)
    assert grade(question, f"{float(exact) * 1.049:.4f}").outcome == "correct"
    assert grade(question, f"{float(exact) * 1.06:.4f}").outcome == "wrong"


def test_the_suggested_absolute_tolerance_loads() -> None:
    text = doc(answer="n / 2 + k", answer_type="float", extra="tolerance: {absolute: 5}\n")
    with pytest.raises(TemplateError) as refused:
        load_template(text)
    found = re.search(r"use at most ([0-9.e+-]+)", str(refused.value))
    assert found, str(refused.value)
    suggested = float(found.group(1))
    assert 0 < suggested < 5
    load_template(text.replace("{absolute: 5}", f"{{absolute: {suggested}}}"))


def test_a_reply_of_zero_is_never_right_for_a_non_zero_answer() -> None:
    # answer n / 4: n = 1 or 2 gives 0.25 or 0.5, within an absolute 0.5 of 0; those few
    # questions are allowed, but 0 must still grade wrong there.
    template = load_template(
        doc(
            answer="n / 4",
            prompt="{n} over four, with {k}?",
            params="{n: {range: [1, 1000]}, k: {choice: [1, 2]}}",
            answer_type="float",
            extra="tolerance: {absolute: 0.5}\n",
        )
    )
    small = []
    for seed in range(20_000):
        question = template.sample(seed)
        if isinstance(question.params["n"], int) and question.params["n"] <= 2:
            small.append(question)
            if len(small) == 3:
                break
    assert small, "no question with a small answer drawn"
    for question in small:
        assert grade(question, question.answer_text).outcome == "correct"
        assert grade(question, "0").outcome == "wrong"


@pytest.mark.parametrize(
    ("name", "prompt", "expected"),
    [
        ("times-zero", "A {n} map and a {k * 0} kernel.", "params.k: changing k alone"),
        ("integer-divided-away", "A {n // 100} map and a {k} kernel.", "params.n: changing n"),
        ("compared-away", "A {n > 0} map and a {k} kernel.", "params.n: changing n alone"),
        (
            "hidden-in-one-language",
            {"en": "A {n} map and a {k} kernel.", "ja": "{n}の入力と{k * 0}のカーネル"},
            "prompt.ja: changing k alone",
        ),
    ],
)
def test_a_parameter_the_answer_needs_must_be_shown(
    monkeypatch: pytest.MonkeyPatch, name: str, prompt: str | dict[str, str], expected: str
) -> None:
    message = str(refuse(name, monkeypatch, doc(prompt=prompt)))
    assert expected in message, message
    assert "but not the" in message and "cannot be answered" in message


def test_a_parameter_the_answer_ignores_may_be_shown_any_way() -> None:
    text = doc(
        prompt="A {n} map, a {k} kernel, {d * 0} extra.",
        params="{n: {range: [16, 64]}, k: {choice: [3, 5]}, d: {range: [1, 9]}}",
    )
    assert load_template(text).sample(0).params["d"] in range(1, 10)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("times-zero", doc(answer="n * 0 + 4"), "answer: is 4 in all"),
        ("one-value-each", doc(params="{n: {choice: [16]}, k: {choice: [3]}}"), "is 19 in all"),
        ("always-one", doc(answer="conv_output_size(n, n)"), "answer: is 1 in all"),
        ("choice-unshuffled", choice_doc(), "is option A in all"),
    ],
)
def test_an_answer_that_never_varies_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, text: str, expected: str
) -> None:
    message = str(refuse(name, monkeypatch, text))
    assert expected in message and "guessed" in message, message


def test_a_choice_answer_varies_by_shuffling() -> None:
    template = load_template(choice_doc(shuffle="shuffle: true\n"))
    assert len({template.sample(seed).answer.value for seed in range(20)}) == 2


# --- class 9: YAML 1.1 surprises ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "sexagesimal",
            doc(params="{n: {choice: [1:30, 16]}, k: {choice: [3, 5]}}"),
            "params.n.choice[0]: 1:30 is read by YAML 1.1 as a base-60 number (1:30 is 90): "
            'write "1:30" in quotes',
        ),
        (
            "sexagesimal-float",
            doc(answer_type="float", answer="n / 3", extra="tolerance: {absolute: 1:30.5}\n"),
            "tolerance.absolute: 1:30.5 is read by YAML 1.1 as a base-60 number",
        ),
        (
            "octal",
            doc(params="{n: {choice: [03, 16]}, k: {choice: [3, 5]}}"),
            "params.n.choice[0]: 03: leading zeros are not allowed (YAML 1.1 reads them as "
            "octal); write 3",
        ),
        ("leading-zero-text", doc().replace("difficulty: 1", "difficulty: 09"), "write 9"),
        ("negative-octal", doc(params="{n: {range: [-010, 16]}, k: {choice: [3]}}"), "write -10"),
        ("yes", choice_doc(shuffle="shuffle: yes\n"), "shuffle: yes is read by YAML 1.1 as"),
        ("on", choice_doc(shuffle="shuffle: on\n"), "write true or false"),
        ("upper-off", choice_doc(shuffle="shuffle: OFF\n"), 'or "OFF" in quotes for text'),
        (
            "exponent-as-text",
            doc(answer_type="float", answer="n / 3", extra="tolerance: {absolute: 1e-3}\n"),
            "tolerance.absolute: must be a number, got the text '1e-3' (YAML 1.1 reads 1e-3 as",
        ),
    ],
)
def test_yaml_11_surprises_are_refused_with_what_to_write(
    monkeypatch: pytest.MonkeyPatch, name: str, text: str, expected: str
) -> None:
    error = refuse(name, monkeypatch, text)
    assert expected in str(error), str(error)
    assert error.line is not None


def test_quoted_forms_are_text_and_export_loads_back() -> None:
    text = doc(
        answer="A",
        answer_type="choice",
        prompt="At 1:30, yes or no: {n} and {k}?",
        extra="choices: ['{n + k}', '09', '1:30', 'yes', 'off', '010']\nshuffle: true\n",
    )
    template = load_template(text)
    assert template.choices is not None
    assert template.choices[1:] == ("09", "1:30", "yes", "off", "010")
    assert load_template(template.to_yaml()) == template


# --- class 10: each position given once, and advice that fits ------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (doc() + "answer: k\n", "answer: duplicate key (line 8)"),
        ("name: x\n<<: {kind: y}\n", "merge keys (<<) are not allowed (line 2)"),
        ("name: x\n? [a, b]\n: 1\n", "document: key must be a plain name"),
        ("name: x\nprompt: 'a\x07'\n", "not valid YAML: unacceptable character #x0007"),
    ],
)
def test_yaml_stage_errors_give_their_line_once(text: str, expected: str) -> None:
    with pytest.raises(TemplateError) as refused:
        load_template(text)
    message = str(refused.value)
    assert expected in message and message.count("(line ") == 1, message
    assert message.endswith(f"(line {refused.value.line})")
    assert "not valid YAML" not in message or "unacceptable" in expected


def test_yaml_stage_lines_count_from_the_import() -> None:
    second = "name: b\nkind: x\nkind: y\n"
    results = load_templates(doc() + "---\n" + second)
    error = results[1]
    assert isinstance(error, TemplateError)
    assert str(error) == f"kind: duplicate key (line {doc().count(chr(10)) + 4})"


@pytest.mark.parametrize(
    "where",
    ["# \ud800 a comment\n", "name: hard\ud800\n", "prompt: what \udfff {n} {k}\n"],
    ids=["comment", "plain-key-value", "plain-prompt"],
)
def test_raw_surrogates_anywhere_are_refused_in_every_document(where: str) -> None:
    """Discord's JSON may carry a lone surrogate (``"\\ud800"``) anywhere in a message:
    in one template or in the second document of an import it is refused with its
    line, never an encoding error from a digest, the cache or the store."""
    with pytest.raises(TemplateError, match=r"unacceptable character #xd[89a-f]"):
        load_template(doc() + where)
    good, bad = load_templates(doc() + "---\n" + doc().replace("hardened", "second") + where)
    assert not isinstance(good, TemplateError)
    assert isinstance(bad, TemplateError) and bad.line is not None
    assert bad.line > doc().count("\n") + 1


def test_a_tolerance_too_tight_is_widened_not_added_again() -> None:
    text = doc(answer="n / 7", answer_type="float", extra="tolerance: {relative: 0.00001}\n")
    with pytest.raises(TemplateError) as refused:
        load_template(text)
    message = str(refused.value)
    assert "add tolerance" not in message, message
    found = re.search(r"widen the tolerance to \{relative: ([0-9.e-]+)\}", message)
    assert found, message
    load_template(text.replace("0.00001", found.group(1)))


def test_an_answer_shown_as_zero_is_not_met_with_a_tolerance() -> None:
    text = doc(answer="k / 30000", answer_type="float", extra="tolerance: {relative: 0.05}\n")
    with pytest.raises(TemplateError) as refused:
        load_template(text)
    message = str(refused.value)
    assert "round the answer in the formula" in message, message
    assert "tolerance: {" not in message


@pytest.fixture(scope="module", autouse=True)
def _report_timings() -> Iterator[None]:
    """Print the refusal times collected by this module (pytest -s shows them)."""
    yield
    if TIMINGS:
        slowest = sorted(TIMINGS.items(), key=lambda item: item[1], reverse=True)
        print(f"\n{len(TIMINGS)} hardening refusals; slowest:")
        for name, seconds in slowest[:5]:
            print(f"  {seconds * 1000:8.2f} ms  {name}")
