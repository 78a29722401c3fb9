"""Skills: every built-in question has exactly one, read off what the question says."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.engine import bank
from bot.engine.skills import SKILLS, UnknownSkill, question_of, skill_named, skill_of
from bot.i18n.texts import t

SEEDS = range(300)
NAMES = [skill.name for skill in SKILLS]


def _seen() -> dict[tuple[str, int], Counter[str]]:
    return {
        (kind, difficulty): Counter(
            skill_of(bank.generate(kind, seed, difficulty)) for seed in SEEDS
        )
        for kind in bank.KINDS
        for difficulty in bank.DIFFICULTIES
    }


SEEN = _seen()


@pytest.mark.parametrize(("kind", "difficulty"), sorted(SEEN))
def test_every_question_lands_in_a_skill_of_its_family_and_difficulty(
    kind: str, difficulty: int
) -> None:
    for name in SEEN[kind, difficulty]:
        skill = skill_named(name)
        assert skill.family == kind
        assert difficulty in skill.difficulties, (name, difficulty)


def test_every_skill_of_the_catalogue_is_generated_where_it_says() -> None:
    for skill in SKILLS:
        for difficulty in skill.difficulties:
            assert SEEN[skill.family, difficulty][skill.name] > 0, (skill.name, difficulty)
    assert len(set(NAMES)) == len(NAMES)


# What the English prompt of each skill's questions must (and must not) say: a reading of
# the question's words, independent of the parameters the classifier looks at.
SAYS: dict[str, tuple[str, str | None]] = {
    "output_size.basic": (r"stride 1 and no padding", r"\(height × width\) feature"),
    "output_size.stride": (r"stride [2-9] and no padding", None),
    "output_size.padding": (r"^A (\d+)×\1 feature map .* zero padding [1-9]", r"dilation"),
    "output_size.non_square": (r"\(height × width\)", r"dilation|'same'"),
    "output_size.same_valid": (r"padding='same'", r"dilation"),
    "output_size.dilation": (r"dilation [2-9]", None),
    "param_count.basic": (r"\b(\d+)×\1\b", r"no bias|groups|depthwise"),
    "param_count.no_bias": (r"(\d+)×\1 kernel and no bias", r"groups|depthwise"),
    "param_count.rect_kernel": (r"(\d+)×(?!\1\b)\d+ kernel", r"groups|depthwise"),
    "param_count.groups": (r"groups=\d+", r"depthwise"),
    "param_count.depthwise": (r"depthwise", None),
    "bottleneck.params": (r"parameters do the two convolutions have together", None),
    "bottleneck.why_1x1": (r"Why", None),
    "bottleneck.savings": (r"save", None),
    "bottleneck.macs": (r"multipl", None),
    "odd_kernel.why_odd": (r"[Ww]hy|odd", None),
    "odd_kernel.centre": (r"cent(re|er)", None),
    "odd_kernel.same_padding": (r"on each side keep the size", None),
    "odd_kernel.same_split": (r"padding='same'.* before and after", None),
}


def test_the_catalogue_has_a_reading_for_every_skill() -> None:
    assert set(SAYS) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_skill_targeted_question_is_of_that_skill(name: str) -> None:
    must, must_not = SAYS[name]
    for seed in range(40):
        question = question_of(name, seed)
        assert skill_of(question) == name
        assert re.search(must, question.prompt, re.IGNORECASE), (name, question.prompt)
        if must_not is not None:
            assert not re.search(must_not, question.prompt), (name, question.prompt)
        # The code alone names the question, and so its skill.
        replayed = bank.from_code(question.code)
        assert replayed == question and skill_of(replayed) == name
    assert question_of(name, 7) == question_of(name, 7)
    assert len({question_of(name, seed).code for seed in range(40)}) > 20


def test_a_japanese_question_has_the_same_skill_and_code() -> None:
    for name in NAMES:
        english, japanese = question_of(name, 3), question_of(name, 3, "ja")
        assert japanese.code == english.code and skill_of(japanese) == name
        assert japanese.prompt != english.prompt


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_unknown_skill_lists_the_catalogue(lang: str) -> None:
    with pytest.raises(UnknownSkill) as refused:
        question_of("output_size.bogus", 1, lang)
    text = refused.value.said_in(lang)
    assert "output_size.bogus" in text and all(f"`{name}`" in text for name in NAMES)
    assert "@" not in text


def test_every_skill_is_described_in_english_and_japanese() -> None:
    for skill in SKILLS:
        english, japanese = skill.description("en"), skill.description("ja")
        assert english and japanese and english != japanese
        assert english == t(f"skill.{skill.name}")
