"""Open questions are held packed (their storage JSON, compressed) and rebuilt when used:
loaded from the database they hold no ``Question``; rebuilt they equal the question
asked; a channel being answered is rebuilt once, not per answer; and the rebuilt ones
kept are bounded."""

from __future__ import annotations

import gc
import json

import pytest
from helpers import PARAM_REPLIES, Clock, param_question

from bot.engine import bank
from bot.engine.question import (
    REBUILT_KEPT,
    Question,
    pack,
    pack_stored,
    question_to_dict,
    unpack,
)
from bot.quiz.service import QuizService
from bot.storage.repository import Repository

CHANNEL, GUILD = 20, 10


async def _resumed_with_one_open(repository: Repository, clock: Clock) -> QuizService:
    await repository.open_question(
        guild_id=GUILD,
        channel_id=CHANNEL,
        question=param_question(),
        started_by=1,
        opened_at=clock(),
        time_limit=600,
    )
    service = QuizService(repository, clock=clock)
    unpack.cache_clear()
    await service.resume()
    return service


async def test_a_question_loaded_from_the_database_holds_no_question_until_used(
    repository: Repository,
) -> None:
    clock = Clock()
    service = await _resumed_with_one_open(repository, clock)
    held = service.open_in(CHANNEL)
    assert held is not None
    assert not any(isinstance(part, Question) for part in gc.get_referents(held))
    # Resuming rebuilt at most the answer writer's throwaway warm-up question, not this.
    at_start = unpack.cache_info().misses
    assert at_start <= 1
    clock.advance(1)
    outcome = await service.answer(CHANNEL, 2, PARAM_REPLIES[0])
    assert outcome is not None and outcome.status == "recorded"
    assert unpack.cache_info().misses == at_start + 1  # rebuilt on first use
    assert held.question == param_question()


async def test_answers_in_a_busy_channel_rebuild_its_question_once(
    repository: Repository,
) -> None:
    clock = Clock()
    service = await _resumed_with_one_open(repository, clock)
    at_start = unpack.cache_info().misses  # the writer's warm-up question
    grades = []
    for user in range(2, 32):
        clock.advance(1)
        outcome = await service.answer(CHANNEL, user, PARAM_REPLIES[user % 3])
        assert outcome is not None and outcome.grade is not None
        grades.append(outcome.grade)
    assert unpack.cache_info().misses == at_start + 1
    asked = param_question()
    assert grades == [bank.grade(asked, PARAM_REPLIES[user % 3]) for user in range(2, 32)]


async def test_a_revealed_question_equals_the_one_asked(repository: Repository) -> None:
    clock = Clock()
    service = await _resumed_with_one_open(repository, clock)
    clock.advance(601)
    (closed,) = await service.close_due()
    assert closed.open.question == param_question()


@pytest.mark.parametrize("kind", bank.KINDS)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_packed_from_the_question_or_its_stored_text_rebuilds_it(kind: str, lang: str) -> None:
    for seed in range(20):
        asked = bank.generate(kind, seed, 1 + seed % 3, lang=lang)
        stored_text = json.dumps(question_to_dict(asked))
        assert unpack(pack(asked)) == asked
        assert unpack(pack_stored(stored_text)) == asked
        assert len(pack(asked)) < len(stored_text.encode()) * 2 / 3  # compressed


def test_the_rebuilt_questions_kept_are_bounded() -> None:
    unpack.cache_clear()
    asked = [bank.generate("output_size", seed, 2) for seed in range(REBUILT_KEPT + 50)]
    packed = [pack(question) for question in asked]
    for one in packed:
        unpack(one)
    assert unpack.cache_info().currsize == REBUILT_KEPT
    assert unpack(packed[0]) == asked[0]  # long evicted: rebuilt again, the same
