"""Hostile templates whose text misleads or breaks once rendered, refused as a class.

Mentions, links, direction controls and lengths are checked on the rendered text of each
checked variant, against where Discord shows it (``bot/engine/message_limits.py``); the
export of every accepted template must load back the same.

Loads run in the hostile harness (``tests/template_harness.py``: tripwires, a memory cap,
recorded times printed by ``test_rendered_timings`` with ``pytest -s``).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from template_harness import LANGS, doc, print_timings, refused, timed_load, warm

from bot.engine.templates import TemplateError, load_template
from bot.i18n.texts import t


@pytest.fixture(autouse=True, scope="module")
def _warm() -> None:
    warm()


# --- class 7: text that misleads once rendered ---------------------------------------------

RENDERED_BAD = [
    ("mention-after-rendering", doc(prompt="<@{1}23> {n} {k}"), "mentions such as '<@1'"),
    (
        "masked-link",
        doc(prompt="[Official hint](https://example.com/{n}) {k}"),
        "masked links such as '[Official hint](https:'",
    ),
    ("plain-link", doc(prompt="see https://example.com {n} {k}"), "links such as 'https://"),
    ("invite-link", doc(prompt="join discord.gg/abc {n} {k}"), "links such as 'discord.gg/abc'"),
    (
        "long-options-cut",
        doc(
            prompt="x" * 1_490 + "{n}{k}",
            answer="H",
            answer_type="choice",
            extra="choices: " + json.dumps([f"{i}" + "y" * 295 + "{n}" for i in range(8)]) + "\n",
        ),
        "the last options would be cut off",
    ),
    (
        "feedback-too-long",
        doc(
            answer="A",
            answer_type="choice",
            extra='choices: ["' + "a" * 290 + '{n}", "{k}"]\nmistakes: [{name: m, answer: B, '
            'score: 0.5, feedback: "' + "{answer}" * 30 + '"}]\n',
        ),
        "a reply holds",
    ),
    (
        "export-too-long",
        doc(
            prompt=dict.fromkeys(LANGS, "'" * 1_490 + "{n}{k}"),
            extra="explanation: " + json.dumps(dict.fromkeys(LANGS, "'" * 1_000)) + "\n",
        ),
        "exported, the template is",
    ),
]
BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)]
RENDERED_BAD += [
    (f"bidi-U+{ord(c):04X}", doc(prompt=f"{{n}} {c}{{k}}"), f"U+{ord(c):04X}") for c in BIDI
]


@pytest.mark.parametrize(
    ("case", "text", "expected"), RENDERED_BAD, ids=[c[0] for c in RENDERED_BAD]
)
def test_text_that_misleads_or_breaks_once_rendered_is_refused(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    text: str,
    expected: str,
) -> None:
    message = refused(request, monkeypatch, text)
    assert expected in message, message


def test_long_words_are_accepted_quickly(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 1,490-letter word in six languages' prompts and explanations: the text scans are
    # linear (a scheme pattern without a lookbehind was quadratic here); the time is
    # printed with the others.
    word = "x" * 1_490
    text = doc(
        prompt=dict.fromkeys(LANGS, word + " {n} {k}"),
        extra="explanation: " + json.dumps(dict.fromkeys(LANGS, word)) + "\n",
    )
    result = timed_load(request, monkeypatch, text)
    assert not isinstance(result, TemplateError), result


def test_links_follow_the_guild_setting_but_masked_links_never_pass() -> None:
    plain = doc(prompt="see https://example.com and discord.gg/abc {n} {k}")
    assert load_template(plain, allow_links=True).name == "budget"
    with pytest.raises(TemplateError, match="masked links"):
        load_template(doc(prompt="[hint](https://example.com) {n} {k}"), allow_links=True)


def test_new_refusals_are_said_in_japanese_too() -> None:
    with pytest.raises(TemplateError) as caught:
        load_template(doc(prompt="see https://x.io {n} {k}"))
    error = caught.value
    said = error.said_in("ja")
    assert said != str(error)
    assert said.startswith("prompt: ") and "'https://x.io'" in said
    assert t("tpl.text.link", "ja", found="'https://x.io'") in said
    assert "行目" in said


_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp"), blacklist_characters="{}@<#[]"
    ),
    max_size=60,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    en=_TEXT,
    ja=_TEXT,
    low=st.integers(-50, 50),
    width=st.integers(0, 300),
    explanation=st.one_of(st.none(), _TEXT),
)
def test_every_accepted_template_exports_and_reloads_the_same(
    en: str, ja: str, low: int, width: int, explanation: str | None
) -> None:
    prompt = {"en": en + " {n}", "ja": ja + " {n}"}
    extra = (
        f"explanation: {json.dumps(explanation, ensure_ascii=False)}\n"
        if explanation is not None
        else ""
    )
    text = doc(
        params=f"{{n: {{range: [{low}, {low + width}]}}}}",
        prompt=prompt,
        answer="n * 2",
        extra=extra,
    )
    try:
        template = load_template(text)
    except TemplateError:
        return  # refused texts are the other tests' business
    again = load_template(template.to_yaml())
    assert again == template
    assert again.digest == template.digest


def test_rendered_timings() -> None:
    """Print the load times collected above (pytest -s shows them)."""
    print_timings(__name__, "rendered-text loads")
