"""Hints on real databases: taken and stored at once (a restart keeps them), copied onto
the answer event in the writer's transaction, capping the points as README's Scoring
section says, and reproduced by ``rescore``."""

from __future__ import annotations

import asyncio

from helpers import Clock, param_question
from sqlalchemy import select, update

from bot.quiz.hints import HintOutcome
from bot.quiz.service import QuizService
from bot.storage.models import AnswerEvent, HintTaking
from bot.storage.repository import Repository

GUILD, CHANNEL = 10, 20
BOB, CAROL, DAVE = 1, 2, 3


async def open_article_question(repository: Repository, clock: Clock) -> QuizService:
    await repository.open_question(
        guild_id=GUILD,
        channel_id=CHANNEL,
        question=param_question(),
        started_by=DAVE,
        opened_at=clock(),
        time_limit=30,
    )
    service = QuizService(repository, clock=clock)
    await service.resume()
    return service


async def events(repository: Repository) -> dict[int, tuple[int, int]]:
    async with repository.sessions() as session:
        rows = await session.execute(
            select(AnswerEvent.user_id, AnswerEvent.hints, AnswerEvent.points)
        )
        return {user: (hints, points) for user, hints, points in rows}


async def test_hints_cap_the_answer_survive_a_restart_and_rescore(repository: Repository) -> None:
    clock = Clock()
    service = await open_article_question(repository, clock)
    first = await service.hints.take(CHANNEL, BOB, "en")
    assert first.status == "hint" and len(first.shown) == 1 and first.total == 2
    assert first.cap == 7  # ⌊10 × 3/4⌋
    second = await service.hints.take(CHANNEL, BOB, "en")
    assert second.status == "hint" and second.shown == service.open_in(CHANNEL).question.hints  # type: ignore[union-attr]
    assert second.cap == 5  # ⌊10 / 2⌋
    again = await service.hints.take(CHANNEL, BOB, "en")
    assert again.status == "all_taken" and len(again.shown) == 2
    assert (await service.hints.take(CHANNEL, CAROL, "en")).status == "hint"

    # A restart: a new service over the same database, before anyone answers.
    service = QuizService(repository, clock=clock)
    assert await service.resume() == []
    clock.advance(2)
    bob = await service.answer(CHANNEL, BOB, "4640")
    clock.advance(2)
    carol = await service.answer(CHANNEL, CAROL, "4640")
    clock.advance(2)
    dave = await service.answer(CHANNEL, DAVE, "4640")
    # By hand, base 10, 30 s: Bob at 2 s, first: 10 + 5 × 28/30 (4.67 → 5) + 5 = 20,
    # capped at 5 (two hints). Carol at 4 s: 10 + 5 × 26/30 (4.33 → 4) = 14, capped at 7
    # (one hint). Dave at 6 s, no hint: 10 + 5 × 24/30 = 14.
    assert [o.recorded.points.total for o in (bob, carol, dave) if o and o.recorded] == [5, 7, 14]
    assert (await service.hints.take(CHANNEL, BOB, "en")).status == "answered"
    assert await events(repository) == {BOB: (2, 5), CAROL: (1, 7), DAVE: (0, 14)}

    clock.advance(31)
    (closed,) = await service.close_due()
    assert {a.user_id: a.hints for a in closed.answers} == {BOB: 2, CAROL: 1, DAVE: 0}

    live = await repository.totals_snapshot()
    async with repository.sessions.begin() as session:
        await session.execute(update(AnswerEvent).values(points=0))
    await repository.rescore()
    assert await events(repository) == {BOB: (2, 5), CAROL: (1, 7), DAVE: (0, 14)}
    assert await repository.totals_snapshot() == live


async def test_no_hint_once_closed_or_for_another_question(repository: Repository) -> None:
    clock = Clock()
    service = await open_article_question(repository, clock)
    question = service.open_in(CHANNEL)
    assert question is not None
    assert (await service.hints.take(CHANNEL, BOB, "en", question.id + 1)).status == "closed"
    assert (await service.hints.take(CHANNEL + 1, BOB, "en")).status == "closed"
    clock.advance(30)
    assert (await service.hints.take(CHANNEL, BOB, "en", question.id)).status == "closed"
    async with repository.sessions() as session:
        assert list(await session.scalars(select(HintTaking))) == []


async def test_a_hint_not_delivered_is_given_back(repository: Repository) -> None:
    clock = Clock()
    service = await open_article_question(repository, clock)
    taken = await service.hints.take(CHANNEL, BOB, "en")
    assert await service.hints.give_back(taken, BOB)
    assert not await service.hints.give_back(taken, BOB)  # once
    taken = await service.hints.take(CHANNEL, BOB, "en")
    assert len(taken.shown) == 1  # the first hint again, not the second
    await service.answer(CHANNEL, BOB, "4608")
    assert not await service.hints.give_back(taken, BOB)  # the answer counted it
    # Partly right at once: 0.5 × 10 = 5, speed 5 × 0.5 × 30/30 = 2.5 → 3; 8, capped at
    # ⌊10 × 3/4⌋ = 7 by the one hint.
    assert await events(repository) == {BOB: (1, 7)}


async def test_hints_are_a_members_data(repository: Repository) -> None:
    clock = Clock()
    service = await open_article_question(repository, clock)
    await service.hints.take(CHANNEL, BOB, "en")
    await service.hints.take(CHANNEL, CAROL, "en")
    exported = await repository.privacy_export(BOB)
    assert [row["hints"] for row in exported["hints_taken"]] == [1]
    await repository.privacy_delete(BOB)
    async with repository.sessions() as session:
        assert [row.user_id for row in await session.scalars(select(HintTaking))] == [CAROL]


async def test_privacy_counts_the_hints_taken(repository: Repository) -> None:
    clock = Clock()
    service = await open_article_question(repository, clock)
    await service.hints.take(CHANNEL, BOB, "en")
    await service.hints.take(CHANNEL, BOB, "en")  # the same row, counted twice
    assert (await repository.privacy_counts(BOB)).hints_taken == 1
    assert (await repository.privacy_delete(BOB)).hints_taken == 1
    assert (await repository.privacy_counts(BOB)).total == 0


async def test_a_hint_racing_the_answer_is_counted_on_it_or_refused(
    repository: Repository,
) -> None:
    """Hints and the answer of the same players, all at once: a hint is either on the
    answer event (taken before it was stored) or refused (after), never lost between."""
    clock = Clock()
    service = await open_article_question(repository, clock)
    players = range(100, 120)

    async def play(user: int) -> tuple[HintOutcome, HintOutcome]:
        answer = asyncio.ensure_future(service.answer(CHANNEL, user, "4640"))
        first = asyncio.ensure_future(service.hints.take(CHANNEL, user, "en"))
        if user % 2:  # a second hint racing the answer: before or after it, as it falls
            for _ in range(user % 7):
                await asyncio.sleep(0)
            second = await service.hints.take(CHANNEL, user, "en")
        else:  # once the answer is stored: refused
            await answer
            second = await service.hints.take(CHANNEL, user, "en")
            assert second.status == "answered"
        await answer
        return await first, second

    played = dict(zip(players, await asyncio.gather(*(play(u) for u in players)), strict=True))
    stored = await events(repository)
    async with repository.sessions() as session:
        kept = {row.user_id: row.hints for row in await session.scalars(select(HintTaking))}
    for user, outcomes in played.items():
        taken = [o for o in outcomes if o.status == "hint"]
        hints, _points = stored[user]
        assert hints == len(taken) == kept.get(user, 0), (user, outcomes)
