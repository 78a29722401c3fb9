"""Open questions decoded from storage share what every question repeats (names, small
numbers), so thousands of them held by the service cost less; they are still equal to
the questions that were stored."""

from __future__ import annotations

import json

from bot.engine import bank
from bot.engine.question import question_from_dict, question_to_dict


def _stored_and_loaded(seed: int) -> tuple[bank.Question, bank.Question]:
    asked = bank.generate("param_count", seed, 1)
    return asked, question_from_dict(json.loads(json.dumps(question_to_dict(asked))))


def test_loaded_questions_share_names_and_numbers_and_equal_the_stored_ones() -> None:
    (asked_a, a), (asked_b, b) = _stored_and_loaded(1), _stored_and_loaded(2)
    assert a == asked_a and b == asked_b
    assert a.kind is b.kind and a.lang is b.lang
    shared_names = set(a.params) & set(b.params)
    assert shared_names
    for name in shared_names:
        (key_a,) = (k for k in a.params if k == name)
        (key_b,) = (k for k in b.params if k == name)
        assert key_a is key_b
    assert [m.name for m in a.mistakes] and all(
        ma.name is mb.name
        for ma, mb in zip(a.mistakes, b.mistakes, strict=False)
        if ma.name == mb.name
    )
    c = question_from_dict(json.loads(json.dumps(question_to_dict(asked_a))))
    assert c.answer.value is a.answer.value  # one Fraction for the same number
