"""Games of several questions end to end: the unmodified discord.py client against the
loopback Discord, members playing ``!convquiz game`` the way a study server would."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from datetime import timedelta

import pytest
from fakediscord import Member, SentMessage
from harness import (
    MANY_MESSAGES,
    Running,
    World,
    code_of,
    is_question,
    is_reveal,
    running,
    text_of,
)
from helpers import english_words

from bot.engine import bank
from bot.engine.question import Question

# Every round posts a question and its reveal in one channel: under Discord's 5
# messages per 5 s these tests would only wait longer, so a channel may take 50.
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("rate_limits", [MANY_MESSAGES])]

STANDINGS_ROW = re.compile(r"(\d+)\. <@(\d+)> · (\d+) pts")


def is_final(message: SentMessage) -> bool:
    return bool(message.embeds) and message.embeds[0].get("title") in ("Game over", "ゲーム終了")


async def next_question(run: Running, start: int) -> tuple[SentMessage, Question]:
    posted = await run.world.fake.wait_for_message(is_question, start=start)
    return posted, bank.from_code(code_of(posted))


def title_of(message: SentMessage) -> str:
    return str(message.embeds[0]["title"])


async def answer(run: Running, member: Member, reply: str) -> None:
    """Say ``reply`` and wait until it is stored (its reaction comes after the commit)."""
    said = await run.say(member, reply)
    await run.world.fake.wait_for_reaction(message_id=int(said["id"]), start=0)


def wrong(question: Question) -> str:
    value = question.answer.value
    assert not isinstance(value, tuple)
    return str(int(value) * 7 + 3)  # no named mistake gives seven times the answer


def points_in(reveal: SentMessage) -> dict[int, int]:
    """Each answerer's points for this question, as the reveal's verdict fields say."""
    points: dict[int, int] = {}
    for field in reveal.embeds[0].get("fields", []):
        if field["name"].startswith("Game standings"):
            continue
        for user in re.findall(r"<@(\d+)>", field["value"]):
            points.setdefault(int(user), 0)  # a wrong answer is named without points
        for user, got in re.findall(r"<@(\d+)>(?: ★)? \(\+(\d+)\)", field["value"]):
            points[int(user)] = int(got)
    return points


def standings_in(reveal: SentMessage, round_: int, count: int) -> list[tuple[int, int]]:
    (field,) = [
        f
        for f in reveal.embeds[0]["fields"]
        if f["name"] == f"Game standings after question {round_} of {count}"
    ]
    return [(int(user), int(points)) for _, user, points in STANDINGS_ROW.findall(field["value"])]


def ranked(totals: dict[int, int]) -> list[tuple[int, int]]:
    """Most points first; on equal points, whoever answered first in the game (the
    order ``totals`` met them, as the tests answer in turn)."""
    return sorted(totals.items(), key=lambda item: -item[1])


# --- a whole game ----------------------------------------------------------------------


async def test_a_three_question_game_with_two_players(world: World, database_url: str) -> None:
    world = dataclasses.replace(world, db_url=database_url)  # SQLite file and PostgreSQL
    fake = world.fake
    async with running(world) as run:
        start = len(fake.sent_messages)
        await run.say(world.alice, "!convquiz game 3 param_count 1")
        posted, question = await next_question(run, start)
        totals: dict[int, int] = defaultdict(int)
        plays = [
            [(world.bob, True), (world.carol, False)],
            [(world.carol, True), (world.bob, False)],
            [(world.bob, True), (world.carol, True)],
        ]
        for round_, answers in enumerate(plays, start=1):
            assert title_of(posted).endswith(f" · game question {round_} of 3")
            for member, right in answers:
                await answer(run, member, question.answer_text if right else wrong(question))
            start = len(fake.sent_messages)
            await run.advance(31)
            reveal = await fake.wait_for_message(is_reveal, start=start)
            assert question.code in text_of(reveal)
            for user, got in points_in(reveal).items():
                totals[user] += got
            assert standings_in(reveal, round_, 3) == ranked(totals)
            if round_ < 3:
                await run.advance(5)  # the pause between questions
                posted, question = await next_question(run, start)
        final = await fake.wait_for_message(is_final, start=start)
        text = text_of(final)
        winner, points = ranked(totals)[0]
        assert totals[world.bob.id] != totals[world.carol.id]
        assert f"Winner: <@{winner}> with {points} pts!" in text
        assert "All 3 questions are asked" in text
        rows = STANDINGS_ROW.findall(final.embeds[0]["fields"][0]["value"])
        assert [(int(u), int(p)) for _, u, p in rows] == ranked(totals)
        assert "best: parameter count" in text  # the only family asked

        # One message per question and its reveal, then the one final message.
        game_messages = [m for m in fake.sent_messages if m.channel_id == world.channel.id]
        assert [is_question(m) for m in game_messages].count(True) == 3
        assert [is_reveal(m) for m in game_messages].count(True) == 3
        assert [is_final(m) for m in game_messages].count(True) == 1
        assert all(m.allowed_mentions == {"parse": []} for m in game_messages)

        await run.say(world.dave, "!leaderboard games")
        board = text_of(await fake.wait_for_message(lambda m: "game wins" in text_of(m)))
        assert f"1. <@{winner}> · 1 wins (1 games played)" in board
        await run.say(world.dave, "!leaderboard")
        ordinary = text_of(await fake.wait_for_message(lambda m: "Leaderboard · all" in text_of(m)))
        for user, total in totals.items():
            assert f"<@{user}> · {total} pts" in ordinary  # game points count as usual
        games = run.bot.service.games
        assert games is not None
        (row,), _, _ = await games.wins(world.guild.id)
        assert (row.user_id, row.wins) == (winner, 1)


async def test_a_game_nobody_answers_ends_after_two_questions(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    start = len(fake.sent_messages)
    await quizbot.say(world.bob, "!convquiz game 5 output_size")
    await next_question(quizbot, start)
    await quizbot.advance(31)
    first = await fake.wait_for_message(is_reveal, start=start)
    assert "No points yet." in text_of(first)
    start = len(fake.sent_messages)
    await quizbot.advance(5)
    await next_question(quizbot, start)
    await quizbot.advance(31)
    await fake.wait_for_message(is_reveal, start=start)
    final = text_of(await fake.wait_for_message(is_final, start=start))
    assert "Nobody answered two questions in a row" in final and "after question 2" in final
    assert "nobody won" in final
    assert quizbot.bot.service.games is not None
    assert quizbot.bot.service.games.running_in(world.channel.id) is None
    assert quizbot.bot.service.open_in(world.channel.id) is None
    asked = [m for m in fake.sent_messages if is_question(m)]
    assert len(asked) == 2


# --- stopping --------------------------------------------------------------------------


async def test_the_starter_stops_a_game_after_confirming(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    start = len(fake.sent_messages)
    await quizbot.say(world.bob, "!convquiz game 3 param_count")
    _, question = await next_question(quizbot, start)
    await answer(quizbot, world.carol, question.answer_text)
    await quizbot.say(world.bob, "!convquiz stop")
    ask = await fake.wait_for_message(lambda m: "Stop the game?" in m.content)
    assert "3 questions are left" in ask.content
    (button,) = ask.custom_ids
    assert quizbot.bot.service.open_in(world.channel.id) is not None  # nothing stopped yet

    refused = await fake.click_button(ask.id, button, world.carol.id)
    reply = await fake.wait_for_interaction_response(interaction=refused)
    assert reply.ephemeral and "Only the person who started the game" in reply.content
    assert quizbot.bot.service.open_in(world.channel.id) is not None

    start = len(fake.sent_messages)
    pressed = await fake.click_button(ask.id, button, world.bob.id)
    done = await fake.wait_for_interaction_response(interaction=pressed)
    assert done.type == 7  # the confirmation loses its button
    reveal = await fake.wait_for_message(is_reveal, start=start)
    assert "(stopped early)" in text_of(reveal)
    assert standings_in(reveal, 1, 3) == [(world.carol.id, points_in(reveal)[world.carol.id])]
    final = text_of(await fake.wait_for_message(is_final, start=start))
    assert "stopped after question 1" in final and f"Winner: <@{world.carol.id}>" in final
    # The button is gone from the confirmation; stopping again finds nothing to stop.
    assert ask.custom_ids == [] and ask.content == "Stopping the game."
    await quizbot.say(world.bob, "!convquiz stop")
    await fake.wait_for_message(lambda m: "No question is open" in m.content)
    assert sum(1 for m in fake.sent_messages if is_final(m)) == 1


async def test_a_game_stopped_in_its_pause_ends_with_one_final_message(
    quizbot: Running,
) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    start = len(fake.sent_messages)
    await quizbot.say(world.bob, "!convquiz game 3 param_count")
    _, question = await next_question(quizbot, start)
    await answer(quizbot, world.carol, question.answer_text)
    await quizbot.advance(31)
    await fake.wait_for_message(is_reveal, start=start)
    await quizbot.say(world.bob, "!convquiz stop")  # in the pause: two questions left
    ask = await fake.wait_for_message(lambda m: "2 questions are left" in m.content)
    start = len(fake.sent_messages)
    pressed = await fake.click_button(ask.id, ask.custom_ids[0], world.bob.id)
    await fake.wait_for_interaction_response(interaction=pressed)
    final = text_of(await fake.wait_for_message(is_final, start=start))
    assert "stopped after question 1" in final and f"Winner: <@{world.carol.id}>" in final
    await quizbot.advance(5)  # the pause would have ended: no second question comes
    await quizbot.say(world.bob, "!leaderboard games")
    await fake.wait_for_message(lambda m: "game wins" in text_of(m))
    assert sum(1 for m in fake.sent_messages if is_question(m)) == 1
    assert [m for m in fake.sent_messages[start:] if is_reveal(m)] == []


async def test_a_member_may_not_stop_someone_elses_game(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.bot.tree.sync()
    start = len(fake.sent_messages)
    started = await fake.invoke_slash(
        world.guild.id, world.channel.id, world.bob.id, "convquiz game", {"count": 1}
    )
    await fake.wait_for_interaction_response(interaction=started)
    await next_question(quizbot, start)
    stop = await fake.invoke_slash(
        world.guild.id, world.channel.id, world.carol.id, "convquiz stop", {}
    )
    refusal = await fake.wait_for_interaction_response(interaction=stop)
    assert refusal.ephemeral
    assert refusal.content == "Only the person who started the game or a moderator can stop it."
    await quizbot.say(world.carol, "!convquiz stop")
    said = await fake.wait_for_message(lambda m: "Only the person who started" in m.content)
    assert len(said.content) < 100 and "<@" not in said.content
    assert quizbot.bot.service.open_in(world.channel.id) is not None
    # A moderator may; with one question left there is nothing to confirm.
    start = len(fake.sent_messages)
    await quizbot.say(world.alice, "!convquiz stop")
    await fake.wait_for_message(is_reveal, start=start)
    await fake.wait_for_message(is_final, start=start)
    assert quizbot.bot.service.open_in(world.channel.id) is None


# --- durability ------------------------------------------------------------------------


async def test_a_game_survives_a_restart_and_a_gateway_drop(
    world: World, database_url: str
) -> None:
    world = dataclasses.replace(world, db_url=database_url)
    fake = world.fake
    totals: dict[int, int] = defaultdict(int)
    async with running(world) as first:
        start = len(fake.sent_messages)
        await first.say(world.alice, "!convquiz game 3 param_count 1")
        _, question = await next_question(first, start)
        await answer(first, world.bob, question.answer_text)
        start = len(fake.sent_messages)
        await first.advance(31)
        reveal = await fake.wait_for_message(is_reveal, start=start)
        totals.update(points_in(reveal))
        await first.advance(5)
        _, question = await next_question(first, start)
        await answer(first, world.bob, question.answer_text)
    # The process is gone with question 2 open; its deadline passes while it is down.
    world.clock.now += timedelta(seconds=45)
    start = len(fake.sent_messages)
    async with running(world) as second:
        reveal = await fake.wait_for_message(is_reveal, start=start)
        assert question.code in text_of(reveal)
        for user, got in points_in(reveal).items():
            totals[user] += got
        assert standings_in(reveal, 2, 3) == ranked(totals)
        await second.advance(5)
        _, question = await next_question(second, start)

        sessions = len(fake.identifies)
        await fake.drop_gateway(4000)
        await fake.identifies.wait(start=sessions, timeout=10)
        await fake.wait_for_sessions(1, timeout=10)
        await second.bot.wait_until_ready()
        await answer(second, world.carol, question.answer_text)
        again = await second.say(world.carol, question.answer_text)  # not counted twice
        start = len(fake.sent_messages)
        await second.advance(31)
        reveal = await fake.wait_for_message(is_reveal, start=start)
        for user, got in points_in(reveal).items():
            totals[user] += got
        assert standings_in(reveal, 3, 3) == ranked(totals)
        final = text_of(await fake.wait_for_message(is_final, start=start))
        assert f"Winner: <@{ranked(totals)[0][0]}>" in final
        assert not [r for r in fake.reactions if r[1] == int(again["id"])]
        carol = await second.bot.service.stats(world.guild.id, world.carol.id)
        bob = await second.bot.service.stats(world.guild.id, world.bob.id)
        assert (carol.answered, bob.answered) == (1, 2)
        assert (carol.points, bob.points) == (totals[world.carol.id], totals[world.bob.id])
    reveals = [m for m in fake.sent_messages if is_reveal(m)]
    assert len(reveals) == 3 and len({code_of_reveal(m) for m in reveals}) == 3
    assert sum(1 for m in fake.sent_messages if is_final(m)) == 1
    assert sum(1 for m in fake.sent_messages if is_question(m)) == 3


def code_of_reveal(message: SentMessage) -> str:
    return message.embeds[0]["title"].split()[1].rstrip(":")  # "Question CODE: the answer"


# --- in Japanese -----------------------------------------------------------------------


async def test_a_japanese_game_has_no_english_left(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.say(world.alice, "!quizconfig language ja")
    await fake.wait_for_message(lambda m: bool(m.embeds))
    start = len(fake.sent_messages)
    await quizbot.say(world.alice, "!convquiz game 2 output_size 1")
    posted = await fake.wait_for_message(is_question_ja, start=start)
    code = re.search(r"コード (\S+)", posted.embeds[0]["footer"]["text"])
    assert code is not None
    await answer(quizbot, world.bob, bank.from_code(code.group(1)).answer_text)
    await quizbot.say(world.carol, "!convquiz stop")  # not theirs to stop
    refusal = await fake.wait_for_message(lambda m: "ゲームを止められる" in m.content)
    await quizbot.advance(31)
    first = await fake.wait_for_message(is_reveal_ja, start=start)
    await quizbot.advance(5)
    await fake.wait_for_message(lambda m: m.id != first.id and is_question_ja(m), start=start)
    await quizbot.say(world.alice, "!convquiz stop")  # one question left: no confirmation
    final = await fake.wait_for_message(is_final, start=start)
    assert "優勝" in text_of(final) and "得意" in text_of(final)
    await quizbot.say(world.dave, "!leaderboard games")
    board = await fake.wait_for_message(lambda m: "優勝回数" in text_of(m))
    game_messages = [m for m in fake.sent_messages[start:] if m.channel_id == world.channel.id]
    assert refusal in game_messages and board in game_messages
    for message in game_messages:
        text = text_of(message)
        if is_question_ja(message) or is_reveal_ja(message):
            # The prompts and answers are the question bank's own Japanese (checked by
            # the i18n tests); the game's own words are what this test is about.
            text = "\n".join(game_words(message))
        assert english_words(text) == [], text


def is_question_ja(message: SentMessage) -> bool:
    return bool(message.embeds) and message.embeds[0].get("title", "").startswith("問題 ·")


def is_reveal_ja(message: SentMessage) -> bool:
    return bool(message.embeds) and "答え" in message.embeds[0].get("title", "")


def game_words(message: SentMessage) -> list[str]:
    """The title, field names and values and footer: where the game's texts are."""
    embed = message.embeds[0]
    words = [embed.get("title", ""), embed.get("footer", {}).get("text", "")]
    for field in embed.get("fields", []):
        words += [field["name"], field["value"]]
    return words


# --- settings --------------------------------------------------------------------------


async def test_game_settings_and_their_bounds(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    for command, expected in (
        ("!quizconfig gamemax 0", "the longest game must be 1 to 20 questions"),
        ("!quizconfig gamemax 21", "the longest game must be 1 to 20 questions"),
        ("!quizconfig gamepause 61", "the pause must be 0 to 60 seconds"),
        ("!quizconfig gamepause -1", "the pause must be 0 to 60 seconds"),
        ("!quizconfig gamestarters nobody", "say anyone or moderators"),
    ):
        await quizbot.say(world.alice, command)
        reply = await fake.wait_for_message(lambda m, e=expected: e in m.content)  # type: ignore[misc]
        assert len(reply.content) < 120
    await quizbot.say(world.bob, "!quizconfig gamemax 5")
    await fake.wait_for_message(lambda m: "Manage Server" in m.content)
    config = await quizbot.bot.guild_config(world.guild.id)
    assert (config.game_max_count, config.game_pause, config.game_moderators_only) == (
        None,
        None,
        False,
    )
    await quizbot.say(world.alice, "!quizconfig gamemax 3")
    shown = text_of(await fake.wait_for_message(lambda m: "Longest game: 3" in text_of(m)))
    assert "Pause between game questions: 5 s" in shown
    await quizbot.say(world.alice, "!quizconfig gamepause 0")
    await fake.wait_for_message(lambda m: "Pause between game questions: 0 s" in text_of(m))
    await quizbot.say(world.bob, "!convquiz game 4")
    await fake.wait_for_message(lambda m: m.content == "A game has 1 to 3 questions here, not 4.")
    await quizbot.say(world.alice, "!quizconfig gamestarters moderators")
    await fake.wait_for_message(lambda m: "Who can start games: moderators only" in text_of(m))
    await quizbot.say(world.bob, "!convquiz game 2")
    await fake.wait_for_message(lambda m: "Only moderators can start a game" in m.content)
    assert quizbot.bot.service.open_in(world.channel.id) is None
    games = quizbot.bot.service.games
    assert games is not None and await games.store.running() == []

    # One game or question per channel, either way round.
    start = len(fake.sent_messages)
    await quizbot.say(world.bob, "!convquiz output_size")
    await next_question(quizbot, start)
    await quizbot.say(world.alice, "!convquiz game 2")
    await fake.wait_for_message(lambda m: "A question is already open here" in m.content)
    assert await games.store.running() == []
    await quizbot.say(world.alice, "!convquiz other", world.other_channel)  # no such kind
    await fake.wait_for_message(lambda m: "no question kind or template named 'other'" in m.content)
    start = len(fake.sent_messages)
    await quizbot.say(world.alice, "!convquiz game 2 output_size", world.other_channel)
    await next_question(quizbot, start)
    await quizbot.say(world.bob, "!convquiz", world.other_channel)
    await fake.wait_for_message(lambda m: m.content.startswith("A game is running in this"))
    start = len(fake.sent_messages)
    await quizbot.advance(31)
    await fake.wait_for_message(is_reveal, start=start)
    # No pause: the second question follows its reveal at once, with no clock moved.
    second = await fake.wait_for_message(is_question, start=start)
    assert second.channel_id == world.other_channel.id
    await quizbot.say(world.alice, "!convquiz stop", world.other_channel)
    await fake.wait_for_message(is_final, start=start)
    assert games.running_in(world.other_channel.id) is None
