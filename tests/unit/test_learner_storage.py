"""The learner model's rows, written with the answers, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import fsrs
from helpers import PARAM_REPLIES, Clock, param_question
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.engine import bank
from bot.engine.learning import DESIRED_RETENTION, rating_for
from bot.engine.skills import SKILLS, question_of, skill_of
from bot.quiz.service import QuizService
from bot.storage.db import create_engine, downgrade, migrate
from bot.storage.learner_models import SkillCard, SkillMistake
from bot.storage.models import AnswerEvent
from bot.storage.repository import Repository

GUILD = 10


async def _ask(
    service: QuizService,
    clock: Clock,
    channel: int,
    question: bank.Question,
    answers: list[tuple[int, str, float]],
) -> None:
    """One question in ``channel``: each (user, reply, seconds after the last) in turn."""
    await service.repository.open_question(
        guild_id=GUILD,
        channel_id=channel,
        question=question,
        started_by=1,
        opened_at=clock(),
        time_limit=30,
    )
    await service.resume()
    opened_at = clock()
    for user, reply, after in answers:
        clock.advance(after)
        outcome = await service.answer(channel, user, reply)
        assert outcome is not None and outcome.status == "recorded", (reply, outcome)
    clock.now = opened_at + timedelta(seconds=31)
    await service.close_due()


async def _cards(repository: Repository) -> dict[tuple[int, str], SkillCard]:
    async with repository.sessions() as session:
        return {(c.user_id, c.skill): c for c in await session.scalars(select(SkillCard))}


async def _mistakes(repository: Repository) -> list[tuple[int, str, str, int, object, object]]:
    async with repository.sessions() as session:
        rows = await session.scalars(select(SkillMistake))
        return sorted(
            (m.user_id, m.skill, m.mistake, m.count, m.last_seen, m.last_right) for m in rows
        )


async def test_answers_review_the_card_of_their_skill_as_fsrs_would(
    repository: Repository,
) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    article = param_question()  # the seed article's question 2: 4,640; 4,608 forgets bias
    skill = skill_of(article)
    right, forgot_bias, wrong = PARAM_REPLIES
    # User 5: forgets the bias, then wrong, then right slowly, then right fast.
    plan = [(forgot_bias, 20.0), (wrong, 12.0), (right, 25.0), (right, 3.0)]
    library = fsrs.Scheduler(desired_retention=DESIRED_RETENTION, enable_fuzzing=False)
    theirs = None
    for day, (reply, seconds) in enumerate(plan):
        clock.now += timedelta(days=day)
        opened = clock()
        await _ask(service, clock, 100 + day, article, [(5, reply, seconds)])
        outcome = bank.grade(article, reply).outcome
        rating = rating_for(outcome, elapsed=seconds, time_limit=30)
        at = opened + timedelta(seconds=seconds)
        theirs, _ = library.review_card(theirs or fsrs.Card(due=at), rating, at)
    cards = await _cards(repository)
    assert set(cards) == {(5, skill)}
    ours = cards[(5, skill)]
    assert theirs is not None
    assert (ours.state, ours.step, ours.due, ours.last_review) == (
        int(theirs.state),
        theirs.step,
        theirs.due,
        theirs.last_review,
    )
    assert ours.stability == theirs.stability and ours.difficulty == theirs.difficulty
    assert (ours.reviews, ours.correct) == (4, 2)
    [(user, mistake_skill, name, count, _seen, last_right)] = await _mistakes(repository)
    assert (user, mistake_skill, name, count) == (5, skill, "forgot_bias", 1)
    assert last_right == ours.last_review  # answered right since: the last right answer


async def test_every_answer_records_its_skill_and_replays_do_not_review(
    repository: Repository,
) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    asked = [question_of(skill.name, 3) for skill in SKILLS[:6]]
    for channel, question in enumerate(asked):
        await _ask(service, clock, channel + 1, question, [(7, "1", 2.0)])
    # An unranked replay of the first: stored with its skill, but no review.
    replay = await service.repository.open_question(
        guild_id=GUILD,
        channel_id=99,
        question=asked[0],
        started_by=1,
        opened_at=clock(),
        time_limit=30,
        ranked=False,
    )
    await service.resume()
    clock.advance(2)
    await service.answer(99, 8, "1")
    async with repository.sessions() as session:
        events = list(await session.scalars(select(AnswerEvent).order_by(AnswerEvent.id)))
    assert [e.skill for e in events] == [skill_of(q) for q in asked] + [skill_of(asked[0])]
    assert events[-1].question_id == replay.id
    assert set(await _cards(repository)) == {(7, skill_of(q)) for q in asked}


async def test_rescore_rebuilds_the_learner_model_it_had_live(repository: Repository) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    draw = random.Random(4)
    article = param_question()
    replies = [*PARAM_REPLIES, "4,640"]
    for day in range(6):
        clock.now += timedelta(days=draw.choice([0, 1, 3]), hours=1)
        answers = [
            (user, draw.choice(replies), draw.uniform(0.5, 2.2))
            for user in draw.sample(range(20, 40), 12)
        ]
        await _ask(service, clock, 200 + day, article, answers)
        other = question_of(draw.choice(["output_size.basic", "odd_kernel.centre"]), day)
        await _ask(service, clock, 300 + day, other, [(21, "7", 1.0), (22, "3", 1.0)])
    live_cards = {key: _row(card) for key, card in (await _cards(repository)).items()}
    live_mistakes = await _mistakes(repository)
    assert len(live_cards) > 12 and live_mistakes
    await repository.rescore()
    assert {key: _row(card) for key, card in (await _cards(repository)).items()} == live_cards
    assert await _mistakes(repository) == live_mistakes


def _row(card: SkillCard) -> tuple[object, ...]:
    return (
        card.state,
        card.step,
        card.stability,
        card.difficulty,
        card.due,
        card.last_review,
        card.reviews,
        card.correct,
    )


async def test_the_migration_gives_existing_answers_their_skill_and_cards(
    database_url: str,
) -> None:
    """Answers stored before the learner model: the migration reads each question's code
    for its skill and builds the cards those answers would have built live."""
    engine: AsyncEngine = create_engine(database_url)
    try:
        await migrate(engine)
        repository = Repository(engine)
        clock = Clock()
        service = QuizService(repository, clock=clock)
        article = param_question()
        await _ask(service, clock, 1, article, [(5, "4608", 3.0), (6, "4640", 2.0)])
        await repository.close()
        live_cards = {key: _row(card) for key, card in (await _cards(repository)).items()}
        await downgrade(engine, "0006")
        async with engine.connect() as connection:
            columns = (await connection.execute(text("SELECT * FROM answers"))).keys()
        assert "skill" not in columns
        await migrate(engine)
        async with repository.sessions() as session:
            skills = [e.skill for e in await session.scalars(select(AnswerEvent))]
        assert skills == [skill_of(article)] * 2
        assert {key: _row(card) for key, card in (await _cards(repository)).items()} == live_cards
        await repository.close()
    finally:
        await engine.dispose()


async def test_two_hundred_answers_at_once_review_each_card_once(repository: Repository) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock)
    await service.repository.open_question(
        guild_id=GUILD,
        channel_id=5,
        question=param_question(),
        started_by=1,
        opened_at=clock(),
        time_limit=30,
    )
    await service.resume()
    clock.advance(4)
    await asyncio.gather(*(service.answer(5, user, PARAM_REPLIES[user % 3]) for user in range(200)))
    cards = await _cards(repository)
    assert len(cards) == 200 and all(card.reviews == 1 for card in cards.values())
    assert sum(card.correct for card in cards.values()) == len(range(0, 200, 3))


async def test_a_right_answer_after_a_hint_reviews_as_hard(repository: Repository) -> None:
    """Fast and right would be Easy; after a hint it is Hard (recalled, with help)."""
    clock = Clock()
    service = QuizService(repository, clock=clock)
    article = param_question()
    await service.repository.open_question(
        guild_id=GUILD,
        channel_id=8,
        question=article,
        started_by=1,
        opened_at=clock(),
        time_limit=30,
    )
    await service.resume()
    opened_at = clock()
    taken = await service.hints.take(8, 5, "en")
    assert taken.status == "hint"
    clock.advance(2)
    await service.answer(8, 5, "4640")
    await service.answer(8, 6, "4640")  # the same, fast, without a hint
    library = fsrs.Scheduler(desired_retention=DESIRED_RETENTION, enable_fuzzing=False)
    at = opened_at + timedelta(seconds=2)
    hard, _ = library.review_card(fsrs.Card(due=at), fsrs.Rating.Hard, at)
    easy, _ = library.review_card(fsrs.Card(due=at), fsrs.Rating.Easy, at)
    cards = await _cards(repository)
    assert (cards[(5, skill_of(article))].due, cards[(6, skill_of(article))].due) == (
        hard.due,
        easy.due,
    )
    assert hard.due != easy.due
