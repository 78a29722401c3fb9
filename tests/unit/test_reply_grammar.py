"""Replies read the same way every time: one grammar of lead-in phrases in both
languages, option texts on choice questions, and every question's own answer text."""

from __future__ import annotations

import pytest

from bot.engine import bank
from bot.engine.replies import Choice, Number, read_reply

VALUE = "1,056"
LEAD_INS = [
    "", "the answer is ", "The answer is ", "answer: ", "answer = ", "my answer is ",
    "our final answer is ", "the result is ", "the result: ", "ans ", "ans: ", "it is ",
    "it's ", "its ", "that is ", "that's ", "= ", ": ", "I think ", "i think the answer is ",
    "maybe ", "probably it's ", "i guess, ", "the answer would be ", "the answer should be ",
    "答えは", "答え：", "こたえは", "回答：", "正解は", "たぶん", "多分答えは", "答えは ",
]  # fmt: skip
ENDINGS = ["", ".", "!", " params", "です", "。", "個"]
NOT_ANSWERS = [
    "the answer is not 1,056", "is the answer 1,056?", "I think so", "answer",
    "1,056 or 1,057", "the question is 1,056", "so the answer is 1,056 right",
]  # fmt: skip


@pytest.mark.parametrize("lead", LEAD_INS)
@pytest.mark.parametrize("ending", ENDINGS)
def test_every_lead_in_and_ending_reads_the_same_value(lead: str, ending: str) -> None:
    assert read_reply(f"{lead}{VALUE}{ending}") == Number(1056)


@pytest.mark.parametrize("text", NOT_ANSWERS)
def test_chat_around_a_number_is_not_an_attempt(text: str) -> None:
    assert read_reply(text) is None


OPTIONS = ("It cheaply reduces the channels.", "It widens the receptive field.", "Padding.")


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("B", 1),
        ("B: It widens the receptive field.", 1),
        ("b) it widens the receptive field", 1),
        ("(B) IT WIDENS THE RECEPTIVE FIELD!", 1),
        ("it cheaply reduces the channels", 0),
        ("  It   cheaply reduces the channels。", 0),
        ("Ｉｔ ｃｈｅａｐｌｙ ｒｅｄｕｃｅｓ ｔｈｅ ｃｈａｎｎｅｌｓ", 0),
        ("the answer is B", 1),
        ("padding", 2),
    ],
)
def test_an_options_own_text_is_that_option(text: str, index: int) -> None:
    reply = read_reply(text, OPTIONS)
    assert isinstance(reply, Choice) and reply.index == index


@pytest.mark.parametrize(
    "text", ["A: It widens the receptive field.", "It widens the field", "D", "channels"]
)
def test_a_letter_with_another_options_text_or_no_option_is_not_read(text: str) -> None:
    assert read_reply(text, OPTIONS) is None


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("kind", bank.KINDS)
@pytest.mark.parametrize("difficulty", bank.DIFFICULTIES)
def test_every_questions_own_answer_text_grades_correct(
    kind: str, difficulty: int, lang: str
) -> None:
    for seed in range(0, 150_000, 1_000):
        question = bank.generate(kind, seed, difficulty, lang)
        grade = bank.grade(question, question.answer_text)
        assert grade.outcome == "correct", (question.code, question.answer_text, grade)
        if question.choices:
            own = question.choices[int(question.answer.value)]  # type: ignore[arg-type]
            assert bank.grade(question, own).outcome == "correct", (question.code, own)
