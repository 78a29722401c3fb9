"""Private practice over the learner model, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from helpers import Clock
from sqlalchemy import select

from bot.engine.learning import recall
from bot.engine.question import Question, format_number
from bot.engine.skills import SKILLS, UnknownSkill, skill_of
from bot.quiz.practice import PRACTICE_SECONDS, NotAllowed, practice_channel
from bot.quiz.service import QuizService
from bot.storage.learner_models import SkillCard
from bot.storage.models import UserTotal
from bot.storage.repository import Repository

USER, GUILD = 42, 7
CATALOGUE = [skill.name for skill in SKILLS]


def _service(repository: Repository) -> tuple[QuizService, Clock]:
    clock = Clock()
    return QuizService(repository, clock=clock, rng=random.Random(3)), clock


def right_reply(question: Question) -> str:
    value = question.answer.value
    if question.answer.type == "choice":
        assert isinstance(value, int)
        return chr(ord("A") + value)
    if isinstance(value, tuple):
        return " x ".join(format_number(v) for v in value)
    return format_number(value)  # type: ignore[arg-type]


def wrong_reply(question: Question) -> str:
    if question.answer.type == "choice":
        return "B" if question.answer.value == 0 else "A"
    return "99999"


async def test_a_new_learner_meets_the_skills_in_order(repository: Repository) -> None:
    service, clock = _service(repository)
    met = []
    for _ in range(3):
        opened = await service.practice.start(user_id=USER, guild_id=GUILD, topic=None, lang="en")
        assert opened.practice and not opened.ranked
        assert opened.channel_id == practice_channel(USER)
        met.append(skill_of(opened.question))
        clock.advance(20)
        outcome = await service.practice.answer(USER, right_reply(opened.question))
        assert outcome is not None and outcome.status == "recorded"
        assert outcome.grade is not None and outcome.grade.outcome == "correct"
        assert service.practice.open_for(USER) is None  # one attempt, then done
    assert met == CATALOGUE[:3]
    # Never ranked: no totals, no points; but each answer reviewed its skill's card.
    async with repository.sessions() as session:
        assert list(await session.scalars(select(UserTotal))) == []
        cards = {c.skill: c for c in await session.scalars(select(SkillCard))}
    assert set(cards) == set(CATALOGUE[:3]) and all(c.reviews == 1 for c in cards.values())


async def test_a_skill_due_again_comes_back_before_new_ones(repository: Repository) -> None:
    service, clock = _service(repository)
    first = await service.practice.start(user_id=USER, guild_id=None, topic=None, lang="en")
    clock.advance(5)
    await service.practice.answer(USER, "123456789")  # wrong: Again, due in minutes
    assert skill_of(first.question) == CATALOGUE[0]
    clock.advance(15 * 60)  # past FSRS's relearning step
    again = await service.practice.start(user_id=USER, guild_id=None, topic=None, lang="en")
    assert skill_of(again.question) == CATALOGUE[0]
    assert again.question.code != first.question.code  # a fresh variant, not the same card


async def test_the_misconception_of_last_time_is_named_when_right(repository: Repository) -> None:
    service, clock = _service(repository)
    named: Question | None = None
    while named is None:  # a question of the skill with a named (partly right) mistake
        opened = await service.practice.start(
            user_id=USER, guild_id=GUILD, topic="param_count.basic", lang="en"
        )
        partial = [m for m in opened.question.mistakes if 0 < m.score < 1]
        if partial:
            named = opened.question
        else:
            await service.close_quietly(opened)
    mistake = partial[0]
    clock.advance(4)
    outcome = await service.practice.answer(USER, format_number(mistake.value))  # type: ignore[arg-type]
    assert outcome is not None and outcome.grade is not None
    assert (outcome.grade.outcome, outcome.grade.mistake) == ("partial", mistake.name)
    assert outcome.remembered is None
    clock.advance(3600)
    again = await service.practice.start(
        user_id=USER, guild_id=GUILD, topic="param_count.basic", lang="en"
    )
    clock.advance(4)
    outcome = await service.practice.answer(USER, right_reply(again.question))
    assert outcome is not None and outcome.remembered == mistake.name
    # Corrected: the next right answer names nothing.
    clock.advance(3600)
    third = await service.practice.start(
        user_id=USER, guild_id=GUILD, topic="param_count.basic", lang="en"
    )
    outcome = await service.practice.answer(USER, right_reply(third.question))
    assert outcome is not None and outcome.remembered is None


async def test_practice_does_not_hold_the_channel_and_next_replaces_it(
    repository: Repository,
) -> None:
    service, clock = _service(repository)
    first = await service.practice.start(user_id=USER, guild_id=GUILD, topic=None, lang="en")
    # A channel question opens beside it: practice lives in the user's own channel.
    channel = await service.start(guild_id=GUILD, channel_id=555, user_id=USER)
    assert service.open_in(555) == channel
    second = await service.practice.start(
        user_id=USER, guild_id=GUILD, topic="odd_kernel", lang="en"
    )
    assert second.id != first.id and service.practice.open_for(USER) == second
    assert skill_of(second.question).startswith("odd_kernel.")
    clock.advance(PRACTICE_SECONDS + 1)
    # Closed at its deadline without a reveal; the channel's question is revealed.
    closed = await service.close_due()
    assert [c.open.id for c in closed] == [channel.id]
    assert service.practice.open_for(USER) is None


@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_an_unknown_topic_lists_the_skills(repository: Repository, lang: str) -> None:
    service, _ = _service(repository)
    with pytest.raises(UnknownSkill) as refused:
        await service.practice.start(user_id=USER, guild_id=GUILD, topic="conv.magic", lang=lang)
    assert all(name in refused.value.said_in(lang) for name in CATALOGUE)


async def test_progress_shows_recall_due_and_mistakes(repository: Repository) -> None:
    service, clock = _service(repository)
    opened = await service.practice.start(user_id=USER, guild_id=GUILD, topic=None, lang="en")
    clock.advance(3)
    await service.practice.answer(USER, right_reply(opened.question))
    clock.advance(3600)
    rows = await service.practice.progress(USER)
    assert [row.skill for row in rows] == CATALOGUE
    practised = rows[0]
    cards = await repository.learner_cards(USER)
    assert practised.recall == recall(cards[CATALOGUE[0]], clock())
    assert practised.recent == 1 and practised.recent_right == 1
    assert practised.due_in == max(cards[CATALOGUE[0]].due - clock(), timedelta(0))
    assert all(row.recall is None for row in rows[1:])


async def test_the_server_struggles_with_ranked_answers_only(repository: Repository) -> None:
    service, clock = _service(repository)
    for round_ in range(2):
        opened = await service.start(guild_id=GUILD, channel_id=9, user_id=1, kind="odd_kernel")
        for user in range(10, 14):
            clock.advance(1)
            reply = right_reply(opened.question) if user == 10 else wrong_reply(opened.question)
            await service.answer(9, user, reply)
        await service.close_quietly(opened)
        clock.advance(60 * round_)
    practice = await service.practice.start(
        user_id=20, guild_id=GUILD, topic="odd_kernel", lang="en"
    )
    private = await service.practice.answer(20, wrong_reply(practice.question))
    assert private is not None and private.status == "recorded"
    with pytest.raises(NotAllowed):
        await service.practice.server_struggles(GUILD, is_moderator=False)
    struggles = await service.practice.server_struggles(GUILD, is_moderator=True)
    assert sum(s.answered for s in struggles) == 8  # the practice answer is private
    assert all(s.players == 4 for s in struggles)
    codes = await service.practice.review_codes(11)
    assert codes and all(code.startswith("OK") for code in codes)
