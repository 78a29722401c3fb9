"""What hints look like: the reveal's 💡 marks and legend, a template preview's hints,
and every hint reply in both languages (Japanese with no English left)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import english_words

from bot.engine import bank
from bot.engine.question import pack
from bot.engine.templates import load_template
from bot.present.cards import close_card
from bot.present.hints import hint_text
from bot.present.template_cards import preview_card
from bot.quiz.hints import HintOutcome, hints_in
from bot.records import AnswerSummary, ClosedQuestion, OpenQuestion

OPENED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _open(lang: str = "en") -> OpenQuestion:
    question = bank.generate("output_size", 7, 1, lang)
    return OpenQuestion(
        1, 10, 20, 30, pack(question), 100, OPENED, OPENED + timedelta(seconds=30), True, "open"
    )


def _name(user_id: int) -> str:
    return f"<@{user_id}>"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_reveal_marks_each_hint_taken(lang: str) -> None:
    answers = (
        AnswerSummary(1, "correct", None, points=5, first_correct=True, hints=2),
        AnswerSummary(2, "correct", None, points=15, first_correct=False),
        AnswerSummary(3, "wrong", None, points=0, first_correct=False, hints=1),
    )
    card = close_card(ClosedQuestion(_open(lang), "closed", OPENED, answers), _name, lang)
    text = card.as_text()
    assert "<@1> ★ 💡💡" in text and "<@3> 💡" in text
    assert "<@2> 💡" not in text and "<@2> ★" not in text
    assert card.footer.endswith("💡 a hint taken" if lang == "en" else "💡 ヒントを1つ見た")
    plain = close_card(ClosedQuestion(_open(lang), "closed", OPENED, answers[1:2]), _name, lang)
    assert "💡" not in plain.as_text()  # no hints, no legend


def test_a_template_preview_shows_its_hints() -> None:
    template = load_template(
        "name: halves\nkind: pooling\ndifficulty: 1\nparams:\n  n: {range: [8, 64], step: 2}\n"
        'prompt: "Half of {n}?"\nanswer: "n // 2"\nanswer_type: int\n'
        'hints: ["Divide by two.", "{n} / 2"]\n'
    )
    card = preview_card(template, "en")
    for (_code, value), question in zip(card.fields, template.preview(5), strict=True):
        assert value.endswith(f"💡 Hints: Divide by two. · {question.params['n']} / 2")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_hint_reply_reads_in_the_readers_language(lang: str) -> None:
    opened = _open()  # asked in English; the reader may be Japanese
    hints = hints_in(opened.question, lang)
    assert hints == bank.generate("output_size", 7, 1, lang).hints
    outcomes = [
        HintOutcome("hint", opened, hints[:1], 2, 7),
        HintOutcome("hint", opened, hints, 2, None),
        HintOutcome("all_taken", opened, hints, 2),
        HintOutcome("none", opened),
        HintOutcome("answered", opened),
        HintOutcome("closed"),
    ]
    replies = [hint_text(outcome, lang) for outcome in outcomes]
    assert hints[0] in replies[0] and "7" in replies[0]
    assert hints[1] in replies[1] and hints[0] in replies[2] and hints[1] in replies[2]
    assert len(set(replies)) == len(replies)
    if lang == "ja":
        for reply in replies:
            assert english_words(reply) == [], reply
