"""Games of several questions: the policy (bot.quiz.games) over the real store, on a
SQLite file and on PostgreSQL."""

from __future__ import annotations

import random
import re
from collections import defaultdict

import pytest
from helpers import Clock
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.engine import bank
from bot.quiz.games import BadCount, Games, standings_of
from bot.quiz.service import NotAllowed
from bot.records import (
    ChannelBusy,
    ClosedQuestion,
    GameAnswer,
    GamePlay,
    GuildConfig,
    OpenQuestion,
)
from bot.storage.game_models import GamePlayer, GameQuestion, GameRow
from bot.wiring import Services, build

GUILD, CHANNEL = 10 << 22, 77
ALICE, BOB, CAROL = 1, 2, 3  # alice starts the games


def wiring(engine: AsyncEngine, clock: Clock) -> tuple[Services, Games]:
    services = build(engine, clock=clock, rng=random.Random(11))
    assert services.quiz.games is not None
    return services, services.quiz.games


async def start(games: Games, count: int | None = 3, **config: object) -> OpenQuestion:
    _, opened = await games.start(
        guild_id=GUILD,
        channel_id=CHANNEL,
        user_id=ALICE,
        count=count,
        kind="param_count",
        difficulty=1,
        template=None,
        config=GuildConfig(GUILD, **config),  # type: ignore[arg-type]
        lang="en",
        is_moderator=False,
    )
    return opened


def wrong_reply(opened: OpenQuestion) -> str:
    value = opened.question.answer.value
    assert not isinstance(value, tuple)
    return str(int(value) * 7 + 3)  # no named mistake gives seven times the answer


async def close(services: Services, clock: Clock) -> ClosedQuestion:
    clock.advance(31)
    (closed,) = await services.quiz.close_due()
    return closed


async def rows(engine: AsyncEngine, model: type) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(model)) or 0)


# --- standings, from a hand-made game --------------------------------------------------


def test_standings_rank_by_points_then_correct_then_who_got_there_first() -> None:
    # Round 1 output size, round 2 parameters, round 3 output size.
    play = GamePlay(
        kinds=((1, "output_size"), (2, "param_count"), (3, "output_size")),
        answers=(
            GameAnswer(1, "output_size", BOB, "correct", 20, event_id=1),
            GameAnswer(1, "output_size", CAROL, "partial", 10, event_id=2),
            GameAnswer(2, "param_count", CAROL, "correct", 10, event_id=3),
            GameAnswer(2, "param_count", BOB, "wrong", 0, event_id=4),
            GameAnswer(3, "output_size", ALICE, "wrong", 0, event_id=5),
        ),
    )
    bob, carol, alice = standings_of(play)
    # Bob and Carol both have 20 points and one correct answer; Bob had his first.
    assert (bob.user_id, bob.place, bob.points, bob.correct, bob.answered) == (BOB, 1, 20, 1, 2)
    assert (carol.user_id, carol.place, carol.points, carol.correct) == (CAROL, 2, 20, 1)
    assert (alice.user_id, alice.place, alice.points) == (ALICE, 3, 0)
    # Per question asked: Bob 10 a question on output size, 0 on parameters.
    assert (bob.best_kind, bob.worst_kind) == ("output_size", "param_count")
    # Carol: 5 a question on output size, 10 on parameters.
    assert (carol.best_kind, carol.worst_kind) == ("param_count", "output_size")
    assert (alice.best_kind, alice.worst_kind) == (None, None)  # no point, no best


# --- a whole game through the service and the store ------------------------------------


async def test_a_three_question_game_counts_each_round_once_and_survives_a_restart(
    engine: AsyncEngine,
) -> None:
    clock = Clock()
    services, games = wiring(engine, clock)
    service = services.quiz
    points: dict[int, int] = defaultdict(int)

    first = await start(games)
    await service.answer(CHANNEL, BOB, first.question.answer_text)
    await service.answer(CHANNEL, CAROL, wrong_reply(first))
    closed = await close(services, clock)
    for answer in closed.answers:
        points[answer.user_id] += answer.points
    over = await games.on_close(closed)
    assert over is not None and over.round == 1 and over.ended is None
    assert [(s.user_id, s.points) for s in over.standings] == [(BOB, points[BOB]), (CAROL, 0)]
    assert points[BOB] > 0
    assert await games.on_close(closed) is None  # a second reveal counts nothing
    # A single question waits for the game; the next comes after the pause (5 s).
    with pytest.raises(NotAllowed) as busy:
        await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=CAROL)
    assert busy.value.key == "games.busy" and service.open_in(CHANNEL) is None
    clock.advance(4)
    assert games.due() == []
    clock.advance(1)
    (game,) = games.due()
    second = await games.next_question(game)
    assert isinstance(second, OpenQuestion) and second.ranked

    await service.answer(CHANNEL, CAROL, second.question.answer_text)
    closed = await close(services, clock)
    for answer in closed.answers:
        points[answer.user_id] += answer.points
    over = await games.on_close(closed)
    assert over is not None and over.round == 2
    assert {s.user_id: s.points for s in over.standings} == dict(points)
    clock.advance(5)
    third = await games.next_question(games.due()[0])
    assert isinstance(third, OpenQuestion)

    # The process stops with the third question open; another takes over the database.
    await service.close()
    restarted, again = wiring(engine, clock)
    assert await restarted.quiz.resume() == []
    assert await again.resume() == []
    resumed = again.running_in(CHANNEL)
    assert resumed is not None and resumed.rounds_done == 2
    assert resumed.current_question_id == third.id
    await restarted.quiz.answer(CHANNEL, BOB, third.question.answer_text)
    closed = await close(restarted, clock)
    for answer in closed.answers:
        points[answer.user_id] += answer.points
    over = await again.on_close(closed)
    assert over is not None and over.ended is not None and over.ended.reason == "finished"
    winner = max(points, key=lambda user: points[user])
    assert over.ended.winner_id == winner and again.running_in(CHANNEL) is None
    # The old process ending the same game again changes nothing.
    assert await games.on_close(closed) is None

    stored = await again.store.get(over.game.id)
    assert stored is not None and (stored.status, stored.winner_id) == ("finished", winner)
    assert await rows(engine, GameQuestion) == 3 and await rows(engine, GamePlayer) == 2
    board, me, players = await again.wins(GUILD, user_id=winner)
    assert [(r.user_id, r.wins, r.played) for r in board] == [(winner, 1, 1)]
    assert me is not None and me.rank == 1 and players == 1
    # Game questions count on the ordinary boards.
    ordinary = await restarted.quiz.leaderboard(GUILD)
    assert {r.user_id: r.points for r in ordinary.rows} == dict(points)

    # /privacy: the winner's game rows are counted, exported and deleted with the rest.
    repository = restarted.repository
    assert (await repository.privacy_counts(winner)).games == 2  # the win, the result
    exported = await repository.privacy_export(winner)
    assert [row["points"] for row in exported["game_results"]] == [points[winner]]
    await repository.privacy_delete(winner)
    assert (await repository.privacy_counts(winner)).total == 0
    assert await again.wins(GUILD) == ((), None, 0)
    await restarted.quiz.close()


async def test_two_unanswered_questions_in_a_row_end_the_game(engine: AsyncEngine) -> None:
    clock = Clock()
    services, games = wiring(engine, clock)
    first = await start(games, count=5)
    await services.quiz.answer(CHANNEL, BOB, wrong_reply(first))
    over = await games.on_close(await close(services, clock))
    assert over is not None and over.game.idle_rounds == 0  # answered, if wrongly
    clock.advance(5)
    await games.next_question(games.due()[0])
    over = await games.on_close(await close(services, clock))
    assert over is not None and over.ended is None and over.game.idle_rounds == 1
    clock.advance(5)
    await games.next_question(games.due()[0])
    over = await games.on_close(await close(services, clock))
    assert over is not None and over.ended is not None
    assert (over.ended.reason, over.ended.winner_id, over.round) == ("idle", None, 3)
    await services.quiz.close()


async def test_only_the_starter_or_a_moderator_stops_a_game(engine: AsyncEngine) -> None:
    clock = Clock()
    services, games = wiring(engine, clock)
    await start(games)
    with pytest.raises(NotAllowed) as denied:
        games.may_stop(CHANNEL, BOB, is_moderator=False)
    assert denied.value.key == "games.stop_denied"
    request = games.may_stop(CHANNEL, ALICE, is_moderator=False)
    assert request is not None and request.left == 3 and request.needs_confirmation
    closed = await games.stop(CHANNEL, BOB, is_moderator=True)
    assert isinstance(closed, ClosedQuestion) and closed.status == "stopped"
    over = await games.on_close(closed)
    assert over is not None and over.ended is not None and over.ended.reason == "stopped"
    assert await games.store.running() == []
    await services.quiz.close()


async def test_bad_starts_leave_nothing_stored(engine: AsyncEngine) -> None:
    clock = Clock()
    services, games = wiring(engine, clock)
    for count in (0, 21, -3):
        with pytest.raises(BadCount):
            await start(games, count=count)
    with pytest.raises(BadCount) as too_long:
        await start(games, count=8, game_max_count=7)
    assert "1 to 7" in str(too_long.value)
    with pytest.raises(NotAllowed) as moderators:
        await start(games, game_moderators_only=True)
    assert moderators.value.key == "games.moderators_only"
    # A template that does not exist: the game row made for it is gone again.
    with pytest.raises(bank.QuizError) as unknown:
        await games.start(
            guild_id=GUILD,
            channel_id=CHANNEL,
            user_id=ALICE,
            count=3,
            kind=None,
            difficulty=None,
            template="no-such-template",
            config=GuildConfig(GUILD),
            lang="en",
            is_moderator=True,
        )
    assert "no-such-template" in str(unknown.value)
    assert await rows(engine, GameRow) == 0
    # A question is open: no game either.
    await services.quiz.start(guild_id=GUILD, channel_id=CHANNEL, user_id=BOB)
    with pytest.raises(ChannelBusy):
        await start(games)
    assert await rows(engine, GameRow) == 0
    await services.quiz.close()


async def test_a_restart_in_the_pause_or_before_counting_goes_on_from_the_database(
    engine: AsyncEngine,
) -> None:
    clock = Clock()
    services, games = wiring(engine, clock)
    first = await start(games, count=4)
    await services.quiz.answer(CHANNEL, BOB, first.question.answer_text)
    await games.on_close(await close(services, clock))  # round 1 counted; pausing
    await services.quiz.close()

    # Restarted in the pause: the next question is due when the pause ends.
    services, games = wiring(engine, clock)
    await services.quiz.resume()
    assert await games.resume() == [] and games.due() == []
    clock.advance(5)
    (game,) = games.due()
    second = await games.next_question(game)
    assert isinstance(second, OpenQuestion)
    # The process dies between closing question 2 and counting it.
    closed = await close(services, clock)
    assert closed.open.id == second.id
    await services.quiz.close()

    services, games = wiring(engine, clock)
    assert await services.quiz.resume() == []  # nothing open: the close was stored
    (settled,) = await games.resume()
    assert settled.round == 2 and settled.ended is None
    assert settled.game.idle_rounds == 1  # nobody answered question 2
    (bob,) = settled.standings
    assert bob.user_id == BOB and bob.points > 0
    # Stopped in the pause: the game ends at once, after the two questions asked.
    ended = await games.stop(CHANNEL, ALICE, is_moderator=False)
    assert not isinstance(ended, ClosedQuestion) and ended is not None
    assert (ended.reason, ended.game.rounds_done, ended.winner_id) == ("stopped", 2, BOB)
    assert await games.stop(CHANNEL, ALICE, is_moderator=False) is None
    await services.quiz.close()


async def test_only_the_guilds_shard_owner_resumes_its_game(engine: AsyncEngine) -> None:
    clock = Clock()
    services, games = wiring(engine, clock)
    await start(games)
    await services.quiz.close()
    owner = (GUILD >> 22) % 2  # Discord's shard of the guild, of two

    def process(shard: int) -> Games:
        built = build(engine, clock=clock, owns_guild=lambda g: (g >> 22) % 2 == shard)
        assert built.quiz.games is not None
        return built.quiz.games

    other, owning = process(1 - owner), process(owner)
    await other.resume()
    await owning.resume()
    assert other.running_in(CHANNEL) is None
    resumed = owning.running_in(CHANNEL)
    assert resumed is not None and resumed.guild_id == GUILD


# --- the cards -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_crowded_games_cards_fit_discord_and_count_everyone(lang: str) -> None:
    from datetime import UTC, datetime

    from bot.engine import message_limits
    from bot.present.game_cards import final_card, standings_field
    from bot.quiz.games import GameEnd, RoundOver
    from bot.records import Game, Standing

    players = 300
    standings = tuple(
        Standing(place, 10_000_000_000_000_000 + place, 1000 - place, 3, 4, "output_size")
        for place in range(1, players + 1)
    )
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    game = Game(
        id=1,
        guild_id=GUILD,
        channel_id=CHANNEL,
        started_by=ALICE,
        count=5,
        kind=None,
        difficulty=None,
        template_name=None,
        lang=lang,
        status="finished",
        rounds_done=5,
        idle_rounds=0,
        current_question_id=None,
        next_at=None,
        started_at=moment,
        ended_at=moment,
        winner_id=standings[0].user_id,
    )
    card = final_card(GameEnd(game, "finished", standings, game.winner_id), str, lang)
    ((_, value),) = card.fields
    reveal_name, reveal_value = standings_field(RoundOver(game, 5, standings), str, lang)
    for text in (value, reveal_value):
        assert len(text) <= message_limits.FIELD_VALUE_CHARS
        shown = len(text.splitlines()) - 1  # the last line: "and N more"
        more = re.search(r"\d+", text.splitlines()[-1])
        assert more is not None and shown + int(more.group()) == players
        assert text.splitlines()[0].startswith(f"1. {standings[0].user_id} ·")
    assert "5" in reveal_name and str(standings[0].points) in card.body


async def test_a_question_that_takes_the_channel_in_the_pause_delays_the_game(
    engine: AsyncEngine,
) -> None:
    clock = Clock()
    services, games = wiring(engine, clock)
    service = services.quiz
    first = await start(games)
    await games.on_close(await close(services, clock))
    # The question of the day opens in the game's channel during the pause.
    other = await service.repository.open_question(
        guild_id=GUILD,
        channel_id=CHANNEL,
        question=first.question,
        started_by=0,
        opened_at=clock(),
        time_limit=60,
    )
    service.track(other)
    clock.advance(5)
    (game,) = games.due()
    assert await games.next_question(game) is None  # waits; the game goes on
    assert games.running_in(CHANNEL) is not None and games.due() == []
    clock.advance(60)
    (closed,) = await service.close_due()
    assert closed.open.id == other.id and await games.on_close(closed) is None
    clock.advance(5)
    (game,) = games.due()
    second = await games.next_question(game)
    assert isinstance(second, OpenQuestion) and second.id != other.id
    await service.close()
