"""Names are matched whole: a trailing newline (or any other stray character) is refused
everywhere a name is read, since such a name could be saved but never replayed or removed."""

from __future__ import annotations

import re

import pytest

from bot.engine import names
from bot.engine.codes import parse_versioned_code, versioned_code
from bot.engine.templates import TemplateError, load_template
from bot.present.cards import parse_quiz_args

TEMPLATE = """\
name: {name}
kind: {kind}
difficulty: 1
params:
  n: {{range: [16, 64]}}
prompt: "A {{n}} map and a 3 kernel."
answer: "n - 3 + 1"
answer_type: int
"""

STRAY = ["{good}\n", "{good}\r\n", " {good}", "{good} ", "{good}\t", "\n{good}", "{good}\x00"]

TABLE = [
    (names.TEMPLATE_NAME, ["maxpool-2x2", "a", "x" * 40], ["", "-a", "a-", "A", "x" * 41]),
    (names.KIND, ["pooling", "a1_b"], ["", "1a", "Pooling", "a-b", "a" * 33]),
    (names.PARAM, ["n", "k_2"], ["", "_n", "N", "a" * 21]),
    (names.MISTAKE, ["no-bias", "0_off"], ["", "-x", "X", "a" * 41]),
    (names.LANGUAGE_KEY, ["en", "ja", "pt-BR"], ["", "EN", "e", "en_US"]),
    (names.CHOICE_LETTER, ["A", "Z"], ["", "a", "AB"]),
]


@pytest.mark.parametrize(("pattern", "good", "bad"), TABLE)
def test_each_pattern_takes_whole_names_only(
    pattern: re.Pattern[str], good: list[str], bad: list[str]
) -> None:
    for name in good:
        assert pattern.fullmatch(name), name
        for stray in STRAY:
            assert pattern.fullmatch(stray.format(good=name)) is None, repr(stray)
    for name in bad:
        assert pattern.fullmatch(name) is None, name


def test_the_json_schema_spelling_refuses_a_trailing_newline_too() -> None:
    # JSON Schema (ECMAScript) reads "$" as the very end; Python's re.search with the same
    # text is the closest stand-in only once "\Z" replaces "$".
    ecma = names.TEMPLATE_NAME.pattern.replace("$", r"\Z")
    assert re.search(ecma, "abc") and not re.search(ecma, "abc\n")


@pytest.mark.parametrize(("name", "kind"), [('"abc\\n"', "custom"), ("abc", '"custom\\n"')])
def test_a_template_whose_name_or_kind_ends_in_a_newline_is_refused(name: str, kind: str) -> None:
    assert load_template(TEMPLATE.format(name="abc", kind="custom")).name == "abc"
    with pytest.raises(TemplateError) as refused:
        load_template(TEMPLATE.format(name=name, kind=kind))
    assert refused.value.field in {"name", "kind"}


def test_codes_name_whole_templates() -> None:
    code = versioned_code("maxpool-2x2", 1234, 3)
    assert parse_versioned_code(code) == ("maxpool-2x2", 1234, 3)
    assert parse_versioned_code(code.replace("maxpool-2x2", "maxpool-2x2-")) is None
    assert parse_versioned_code("T-abc\n-3kqv1") is None


def test_a_bare_word_with_a_newline_is_no_template_name() -> None:
    assert names.is_template_name("maxpool-2x2")
    assert not names.is_template_name("maxpool-2x2\n")
    assert parse_quiz_args(["maxpool-2x2"]).template == "maxpool-2x2"
