"""convquiz end to end: the unmodified discord.py client against the loopback Discord,
on a real SQLite file, driven the way server members would use it."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from fakediscord import Member
from harness import (
    POST_ROUTE,
    Running,
    World,
    ask,
    assert_picture,
    bot_env,
    code_of,
    is_question,
    is_reveal,
    running,
    seed_for,
    text_of,
)
from helpers import is_article_question_2
from PIL import Image

import bot.discord.pictures
from bot.engine import bank

pytestmark = pytest.mark.e2e

# --- a full round ------------------------------------------------------------------------


async def test_a_full_round_scores_and_ranks_everyone(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    # The article's question 2: a 3×3 conv from 16 to 32 channels has 4,640 parameters.
    world.seeds.seeds.append(seed_for("param_count", 1, is_article_question_2))
    posted, question = await ask(quizbot, world.alice, "!convquiz param_count 1")
    assert question.answer.value == 4640
    assert question.prompt in text_of(posted)
    assert posted.allowed_mentions == {"parse": []}

    right = await quizbot.say(world.bob, "4640")
    partial = await quizbot.say(world.carol, "4,608")  # forgot the biases
    wrong = await quizbot.say(world.dave, "12")
    chat = await quizbot.say(world.erin, "lol what is a bias?")
    for message, emoji in ((right, "✅"), (partial, "🟡"), (wrong, "❌")):
        await fake.wait_for_reaction(emoji=emoji, message_id=int(message["id"]), start=0)
    assert not [r for r in fake.reactions if r[1] == int(chat["id"])]

    await quizbot.advance(31)
    reveal = await fake.wait_for_message(is_reveal)
    assert_picture(reveal, question, reveal=True)
    text = text_of(reveal)
    assert "The answer: **4,640**" in text
    assert "||" in reveal.embeds[0]["description"]  # the worked answer is a spoiler
    assert "16×(3×3)×32 = 4608" in text
    bob_points = int(re.search(rf"<@{world.bob.id}> ★ \(\+(\d+)\)", text).group(1))  # type: ignore[union-attr]
    carol_points = int(re.search(rf"<@{world.carol.id}> \(\+(\d+)\)", text).group(1))  # type: ignore[union-attr]
    assert bob_points > carol_points > 0
    # Wrong answerers are named too (most get no reaction in a busy channel); chat is not.
    assert f"Not right: <@{world.dave.id}>" in text.replace("\n", " ")
    assert f"<@{world.dave.id}> (+" not in text and f"<@{world.erin.id}>" not in text

    await quizbot.say(world.dave, "!leaderboard")
    board = text_of(await fake.wait_for_message(lambda m: "Leaderboard" in text_of(m)))
    rows = re.findall(r"(\d+)\. <@(\d+)> · (\d+) pts", board)
    assert [(int(u), int(p)) for _, u, p in rows] == [
        (world.bob.id, bob_points),
        (world.carol.id, carol_points),
        (world.dave.id, 0),
    ]
    assert "You: #3 of 3 · 0 pts" in board

    await quizbot.say(world.carol, "!stats")
    card = await fake.wait_for_message(lambda m: "Stats for" in text_of(m))
    (chart,) = card.attachments
    assert Image.open(io.BytesIO(chart.data)).format == "PNG"
    stats = text_of(card)
    assert "forgot the biases ×1" in stats and f"Points: {carol_points} (#2)" in stats


async def test_a_busy_channel_points_at_its_open_question(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    _, question = await ask(quizbot, world.alice, "!convquiz")
    await quizbot.say(world.bob, "!convquiz")
    busy = await fake.wait_for_message(lambda m: "already open" in m.content)
    assert question.code in busy.content
    assert sum(1 for m in fake.sent_messages if is_question(m)) == 1


async def test_a_fast_second_start_is_cooled_down(world: World) -> None:
    async with running(world, cooldown=60) as run:
        await ask(run, world.bob, "!convquiz")
        await run.say(world.bob, "!convquiz", world.other_channel)
        refusal = await world.fake.wait_for_message(lambda m: "Slow down" in m.content)
        assert refusal.channel_id == world.other_channel.id


# --- buttons and slash commands ----------------------------------------------------------


async def test_choice_questions_take_button_answers_once_each(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    world.seeds.seeds.append(seed_for("odd_kernel", 1, lambda q: q.choices is not None))
    posted, question = await ask(quizbot, world.alice, "!convquiz odd_kernel 1")
    custom_ids = [c for c in posted.custom_ids if c.startswith("cq:answer:")]  # not 💡 Hint
    assert len(custom_ids) == 4
    right = question.answer.value
    assert isinstance(right, int)
    wrong = (right + 1) % 4

    async def click(member: Member, index: int) -> str:
        interaction = await fake.click_button(posted.id, custom_ids[index], member.id)
        response = await fake.wait_for_interaction_response(interaction=interaction)
        assert response.ephemeral
        return str(response.data.get("content"))

    assert "Correct!" in await click(world.bob, right)
    assert "(+0)" in await click(world.carol, wrong)
    assert "already answered" in await click(world.bob, wrong)
    await quizbot.advance(31)
    reveal = text_of(await fake.wait_for_message(is_reveal))
    assert f"<@{world.bob.id}> ★" in reveal
    assert f"Not right: <@{world.carol.id}>" in reveal.replace("\n", " ")


async def test_slash_commands_start_a_question_and_show_the_board(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.bot.tree.sync()
    assert fake.find_command("convquiz") is not None
    interaction = await fake.invoke_slash(
        world.guild.id,
        world.channel.id,
        world.bob.id,
        "convquiz start",
        {"kind": "output_size", "difficulty": "2"},
    )
    response = await fake.wait_for_interaction_response(interaction=interaction)
    embed = response.data["embeds"][0]
    assert embed["title"] == "Question · output size · difficulty 2"
    assert quizbot.bot.service.open_in(world.channel.id) is not None

    interaction = await fake.invoke_slash(
        world.guild.id, world.channel.id, world.bob.id, "leaderboard", {"scope": "week"}
    )
    response = await fake.wait_for_interaction_response(interaction=interaction)
    assert "Leaderboard · this week" in response.data["embeds"][0]["title"]


# --- settings and permissions ------------------------------------------------------------


async def test_only_managers_change_settings(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.say(world.bob, "!quizconfig timelimit 60")
    denied = await fake.wait_for_message(lambda m: "Manage Server" in m.content)
    assert denied.channel_id == world.channel.id
    await quizbot.say(world.alice, "!quizconfig timelimit 60")
    shown = text_of(await fake.wait_for_message(lambda m: "Quiz settings" in text_of(m)))
    assert "Time limit: 60 s" in shown
    await quizbot.say(world.alice, "!quizconfig channel add")
    await fake.wait_for_message(lambda m: f"<#{world.channel.id}>" in text_of(m))
    await quizbot.say(world.bob, "!convquiz", world.other_channel)
    await fake.wait_for_message(lambda m: "not enabled in this channel" in m.content)
    await ask(quizbot, world.bob, "!convquiz")
    opened = quizbot.bot.service.open_in(world.channel.id)
    assert opened is not None and opened.time_limit == 60


async def test_bad_arguments_get_one_short_answer(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    for command, expected in (
        ("!convquiz banana", "no question kind or template named 'banana'"),
        ("!convquiz replay XX1-00v9", "is not a question code"),
        ("!quizconfig timelimit soon", "I could not read that"),
        ("!convquiz stop", "No question is open"),
        ("!leaderboard sideways", "scope must be week, all or global"),
    ):
        await quizbot.say(world.alice, command)
        reply = await fake.wait_for_message(lambda m, e=expected: e in m.content)  # type: ignore[misc]
        assert len(reply.content) < 300 and "Traceback" not in reply.content


async def test_nothing_the_bot_sends_can_ping(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.say(world.bob, "@everyone !convquiz")  # not a command: ignored
    await ask(quizbot, world.bob, "!convquiz param_count")
    await quizbot.say(world.carol, "@everyone")
    await quizbot.advance(31)
    await fake.wait_for_message(is_reveal)
    await quizbot.say(world.bob, "!leaderboard")
    await fake.wait_for_message(lambda m: "Leaderboard" in text_of(m))
    assert fake.sent_messages
    for message in fake.sent_messages:
        assert message.allowed_mentions == {"parse": []}, message.text


# --- durability ----------------------------------------------------------------------------


async def test_a_restart_keeps_the_open_question_and_its_answers(world: World) -> None:
    fake = world.fake
    world.seeds.seeds.append(seed_for("param_count", 1, lambda q: True))
    async with running(world) as first:
        _, question = await ask(first, world.alice, "!convquiz param_count 1")
        answered = await first.say(world.bob, question.answer_text)
        await fake.wait_for_reaction(emoji="✅", message_id=int(answered["id"]), start=0)
    # The process is gone; time passes beyond the deadline while it is down.
    world.clock.now += timedelta(seconds=45)
    async with running(world):
        reveal = text_of(await fake.wait_for_message(is_reveal, start=0))
    assert question.code in reveal and f"<@{world.bob.id}> ★" in reveal


async def test_a_gateway_drop_mid_question_scores_nothing_twice(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    _, question = await ask(quizbot, world.alice, "!convquiz param_count 1")
    before = await quizbot.say(world.bob, question.answer_text)
    await fake.wait_for_reaction(message_id=int(before["id"]), start=0)
    sessions = len(fake.identifies)
    await fake.drop_gateway(4000)
    await fake.identifies.wait(start=sessions, timeout=10)  # a fresh IDENTIFY
    await fake.wait_for_sessions(1, timeout=10)
    await quizbot.bot.wait_until_ready()
    again = await quizbot.say(world.bob, question.answer_text)  # a second try: not counted
    after = await quizbot.say(world.carol, question.answer_text)
    await fake.wait_for_reaction(message_id=int(after["id"]), start=0)
    await quizbot.advance(31)
    reveal = text_of(await fake.wait_for_message(is_reveal))
    assert reveal.count(f"<@{world.bob.id}>") == 1 and f"<@{world.carol.id}>" in reveal
    assert not [r for r in fake.reactions if r[1] == int(again["id"])]
    stats = await quizbot.bot.service.stats(world.guild.id, world.bob.id)
    assert stats.answered == 1


# --- rate discipline ---------------------------------------------------------------------


async def test_a_busy_channel_gets_prompt_reactions_and_the_rest_in_the_reveal(
    quizbot: Running,
) -> None:
    """50 answers at once under Discord's reaction limit (1 per 0.25 s per channel): a
    reaction only while it can come within a second, none after the reveal, and every
    answerer named in the reveal with their verdict; at most one REST call per answer."""
    world, fake = quizbot.world, quizbot.world.fake
    players = [fake.add_member(world.guild.id, f"player{i}") for i in range(50)]
    _, question = await ask(quizbot, world.alice, "!convquiz output_size 1")
    posts_before = fake.rest_calls[POST_ROUTE]
    calls_before = sum(fake.rest_calls.values())
    replies = [question.answer_text, "1x1", "lol"]  # right, wrong, chat
    verdicts = {0: "✅", 1: "❌"}
    sent = [await quizbot.say(p, replies[i % 3]) for i, p in enumerate(players)]
    await fake.wait_for_reaction(message_id=int(sent[0]["id"]), start=0)
    await asyncio.sleep(1.5)  # past the reaction horizon: later reactions would be a backlog
    await quizbot.advance(31)
    reveal = await fake.wait_for_message(is_reveal)
    reveal_at = max(r.at for r in fake.rate_log if r.route == POST_ROUTE)
    reacted = {message: emoji for _, message, emoji in fake.reactions}
    graded = [i for i in range(50) if i % 3 != 2]
    # A handful within the horizon (4 a second), not one per answer, and none after.
    assert 1 <= len(reacted) <= 8
    assert all(r.at < reveal_at for r in fake.rate_log if r.route.startswith("PUT "))
    for i, message in enumerate(sent):
        if int(message["id"]) in reacted:
            assert reacted[int(message["id"])] == verdicts[i % 3]  # the stored verdict
    names = text_of(reveal).replace("\n", " ")
    right_field = names.split("Correct:")[1].split("Not right:")[0]
    wrong_field = names.split("Not right:")[1]
    for i in graded:
        field = right_field if i % 3 == 0 else wrong_field
        mention = f"<@{players[i].id}>"
        assert mention in field or "more" in field, f"answerer {i} is not in the reveal"
    assert not any(f"<@{players[i].id}>" in names for i in range(2, 50, 3))  # chat
    assert fake.rest_calls[POST_ROUTE] - posts_before == 1  # the reveal
    assert sum(fake.rest_calls.values()) - calls_before == len(reacted) + 1
    assert fake.max_channel_posts(world.channel.id) <= 5


async def test_a_first_right_answer_behind_wrong_ones_is_announced_by_a_reply(
    quizbot: Running,
) -> None:
    """A busy channel's first right answer, whose reaction would wait behind the wrong
    answers' (1 per 0.25 s), is announced at once by a reply that pings and notifies no
    one; later right answers get no reply."""
    world, fake = quizbot.world, quizbot.world.fake
    players = [fake.add_member(world.guild.id, f"player{i}") for i in range(4)]
    _, question = await ask(quizbot, world.alice, "!convquiz output_size 1")
    posts_before = fake.rest_calls[POST_ROUTE]
    for player in players[:3]:
        await quizbot.say(player, "1x1")
    right = await quizbot.say(players[3], question.answer_text)
    await quizbot.say(world.bob, question.answer_text)  # right too, but not first
    reply = await fake.wait_for_message(
        lambda m: (m.message_reference or {}).get("message_id") == right["id"]
    )
    assert reply.content == f"✅ <@{players[3].id}> is first with the right answer."
    assert reply.allowed_mentions == {"parse": [], "replied_user": False}
    assert reply.flags & 4096  # SUPPRESS_NOTIFICATIONS: a busy channel is not pinged
    assert reply.channel_id == world.channel.id
    await quizbot.advance(31)
    reveal = text_of(await fake.wait_for_message(is_reveal))
    assert f"<@{players[3].id}> ★" in reveal
    assert fake.rest_calls[POST_ROUTE] - posts_before == 2  # the reply and the reveal
    assert not [r for r in fake.reactions if r[1] == int(right["id"])]


# --- the real entry point ------------------------------------------------------------------


async def test_convquiz_run_plays_a_round_in_a_subprocess(world: World, tmp_path: Path) -> None:
    fake = world.fake
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=bot_env(fake, world.db_url),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        await fake.wait_for_sessions(1, timeout=30)
        started = asyncio.get_running_loop().time()
        await fake.send_message(world.channel.id, world.bob.id, "!convquiz param_count 1")
        posted = await fake.wait_for_message(is_question, timeout=15)
        elapsed = asyncio.get_running_loop().time() - started
        print(f"\n!convquiz to question posted, separate process: {elapsed * 1000:.1f} ms")
        question = bank.from_code(code_of(posted))
        answered = await fake.send_message(world.channel.id, world.carol.id, question.answer_text)
        await fake.wait_for_reaction(emoji="✅", message_id=int(answered["id"]), timeout=15)
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]


async def test_a_rejected_token_stops_with_one_line(world: World, tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=bot_env(world.fake, world.db_url, "wrong"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    lines = [line for line in stderr.decode().splitlines() if line.startswith("convquiz:")]
    assert lines == ["convquiz: Discord rejected DISCORD_TOKEN (check it in the developer portal)"]
    assert b"Traceback" not in stderr


async def test_a_server_can_switch_pictures_off(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.say(world.alice, "!quizconfig pictures off")
    await fake.wait_for_message(lambda m: "Pictures: off" in text_of(m))
    await quizbot.say(world.bob, "!convquiz output_size 1")
    posted = await fake.wait_for_message(is_question)
    assert posted.attachments == [] and "image" not in posted.embeds[0]


async def test_a_failed_drawing_still_posts_the_question_reveal_and_stats(
    quizbot: Running, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    drawn: list[str] = []

    def broken(*args: object, **kwargs: object) -> bytes:
        drawn.append(threading.current_thread().name)
        raise RuntimeError("the drawing broke")

    monkeypatch.setattr(bot.discord.pictures, "render_question_cached", broken)
    monkeypatch.setattr(bot.discord.pictures, "render_stats_chart", broken)
    await quizbot.say(world.bob, "!convquiz output_size 1")
    posted = await fake.wait_for_message(is_question)
    assert posted.attachments == [] and "image" not in posted.embeds[0]
    question = bank.from_code(code_of(posted))
    answer = await quizbot.say(world.bob, question.answer_text)
    await fake.wait_for_reaction(emoji="✅", message_id=int(answer["id"]), start=0)
    await quizbot.advance(31)
    reveal = await fake.wait_for_message(is_reveal)  # post_reveal, at the deadline
    assert reveal.attachments == [] and "image" not in reveal.embeds[0]

    await quizbot.say(world.carol, "!convquiz output_size 1")
    await fake.wait_for_message(is_question)
    await quizbot.say(world.alice, "!convquiz stop")
    stopped = await fake.wait_for_message(is_reveal)  # the cog's _stop
    assert stopped.attachments == [] and "image" not in stopped.embeds[0]

    await quizbot.say(world.bob, "!stats")
    card = await fake.wait_for_message(lambda m: "Stats for" in text_of(m))
    assert card.attachments == [] and "image" not in card.embeds[0]
    # Every picture was tried, each in a worker thread, and each failure was logged.
    assert len(drawn) == 5
    assert threading.main_thread().name not in drawn
    failures = [r for r in caplog.records if r.name == "bot.discord.pictures" and r.exc_info]
    assert len(failures) == 5
