"""Private practice, /progress and review through the loopback Discord."""

from __future__ import annotations

import io
import sqlite3
from datetime import timedelta
from typing import Any

import pytest
from harness import Running, text_of
from helpers import english_words
from PIL import Image

from bot.engine.question import Question, format_number
from bot.engine.skills import SKILLS, question_of, skill_of

pytestmark = pytest.mark.e2e

FIELD = "cq:pform:reply"
SKILL = "param_count.basic"


def right(question: Question) -> str:
    value = question.answer.value
    if question.answer.type == "choice":
        assert isinstance(value, int)
        return chr(ord("A") + value)
    if isinstance(value, tuple):
        return " x ".join(format_number(v) for v in value)
    return format_number(value)  # type: ignore[arg-type]


def seed_with_named_mistake(skill: str) -> tuple[int, Any]:
    for seed in range(1, 500):
        question = question_of(skill, seed)
        partial = [m for m in question.mistakes if 0 < m.score < 1]
        if partial:
            return seed, partial[0]
    raise AssertionError("no question with a named mistake")


def stored(run: Running) -> list[tuple[int, str, str, int]]:
    path = run.world.db_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as db:
        return list(db.execute("SELECT user_id, skill, outcome, points FROM answers ORDER BY id"))


def buttons(response: Any) -> list[str]:
    return [
        c["custom_id"]
        for row in (response.data or {}).get("components", [])
        for c in row.get("components", [])
    ]


async def slash(
    run: Running,
    user_id: int,
    name: str,
    options: dict[str, Any] | None = None,
    locale: str = "en-US",
) -> Any:
    fake = run.world.fake
    interaction = await fake.invoke_slash(
        run.world.guild.id, run.world.channel.id, user_id, name, options or {}, locale=locale
    )
    return await fake.wait_for_interaction_response(interaction=interaction)


async def press(
    run: Running, response: Any, prefix: str, user_id: int, locale: str = "en-US"
) -> Any:
    """Press the button whose custom id starts with ``prefix`` on an interaction reply."""
    fake = run.world.fake
    custom_id = next(c for c in buttons(response) if c.startswith(prefix))
    message = response.message
    assert message is not None, "the reply made no message"
    interaction = await fake.click_button(int(message["id"]), custom_id, user_id, locale=locale)
    return await fake.wait_for_interaction_response(interaction=interaction)


async def answer_by_form(run: Running, question_reply: Any, user_id: int, text: str) -> Any:
    form = await press(run, question_reply, "cq:pa:", user_id)
    assert form.type == 9
    interaction = await run.world.fake.submit_modal(form, {FIELD: text})
    verdict = await run.world.fake.wait_for_interaction_response(interaction=interaction)
    assert verdict.type == 4 and verdict.ephemeral
    return verdict


async def test_practice_by_form_names_the_mistake_remembered(quizbot: Running) -> None:
    world = quizbot.world
    await quizbot.bot.tree.sync()
    bob = world.bob.id
    seed, mistake = seed_with_named_mistake(SKILL)
    world.seeds.seeds += [seed, seed + 1000, seed + 2000]

    shown = await slash(quizbot, bob, "practice", {"topic": SKILL})
    assert shown.ephemeral and shown.type == 4
    asked = question_of(SKILL, seed)
    embed = shown.data["embeds"][0]
    assert f"`{SKILL}`" in embed["title"] and asked.prompt in embed["description"]
    assert shown.attachments, "the layer's picture"
    verdict = await answer_by_form(quizbot, shown, bob, format_number(mistake.value))
    assert mistake.feedback in verdict.content and asked.answer_text in verdict.content

    world.clock.now += timedelta(hours=2)
    second = await press(quizbot, verdict, "cq:pn:", bob)  # Next
    again = question_of(SKILL, seed + 1000)
    assert again.prompt in second.data["embeds"][0]["description"]
    verdict = await answer_by_form(quizbot, second, bob, right(again))
    assert "Correct" in verdict.content and "Last time:" in verdict.content

    third = await press(quizbot, verdict, "cq:pn:", bob)
    verdict = await answer_by_form(quizbot, third, bob, right(question_of(SKILL, seed + 2000)))
    assert "Last time:" not in verdict.content  # corrected: said once
    # Never ranked: no points, no board; but every answer has its skill.
    assert [(u, s, p) for u, s, _o, p in stored(quizbot)] == [(bob, SKILL, 0)] * 3
    board = await slash(quizbot, bob, "leaderboard")
    assert f"<@{bob}>" not in text_of_response(board)


def text_of_response(response: Any) -> str:
    parts = [response.content]
    for embed in (response.data or {}).get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


async def test_a_form_after_next_or_the_deadline_records_nothing(quizbot: Running) -> None:
    world = quizbot.world
    await quizbot.bot.tree.sync()
    carol = world.carol.id
    first = await slash(quizbot, carol, "practice", {"topic": "output_size"})
    form = await press(quizbot, first, "cq:pa:", carol)
    await press(quizbot, first, "cq:pn:", carol)  # Next before answering: the first closes
    interaction = await world.fake.submit_modal(form, {FIELD: "7"})
    late = await world.fake.wait_for_interaction_response(interaction=interaction)
    assert "closed" in late.content and stored(quizbot) == []


async def test_an_unknown_topic_lists_the_skills(quizbot: Running) -> None:
    await quizbot.bot.tree.sync()
    refused = await slash(quizbot, quizbot.world.bob.id, "practice", {"topic": "magic"})
    assert refused.ephemeral
    assert all(f"`{skill.name}`" in refused.content for skill in SKILLS)


async def test_practice_in_direct_messages_by_typing(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    dm = fake.dm_channel(world.dave.id)
    world.seeds.seeds.append(77)
    await fake.send_message(dm.id, world.dave.id, "!practice odd_kernel.centre")
    posted = await fake.wait_for_message(lambda m: m.channel_id == dm.id and bool(m.embeds))
    question = question_of("odd_kernel.centre", 77)
    assert question.prompt in text_of(posted)
    await fake.send_message(dm.id, world.dave.id, "!hint")
    hinted = await fake.wait_for_message(lambda m: m.channel_id == dm.id and "Hint 1" in m.content)
    assert question.hints[0] in hinted.content
    await fake.send_message(dm.id, world.dave.id, "what is this?")  # chat: not an attempt
    await fake.send_message(dm.id, world.dave.id, right(question))
    verdict = await fake.wait_for_message(
        lambda m: m.channel_id == dm.id and "Correct" in m.content
    )
    assert verdict.channel_id == dm.id
    assert [(u, s, o) for u, s, o, _p in stored(quizbot)] == [
        (world.dave.id, "odd_kernel.centre", "correct")
    ]


async def test_practice_in_a_server_by_prefix_is_a_private_button(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    # Quizzes only in #quiz; practice is private, so #general may have it too.
    await quizbot.say(world.alice, "!quizconfig channel add")
    await fake.wait_for_message(lambda m: "Quiz settings" in text_of(m))
    await quizbot.say(world.erin, "!practice", world.other_channel)
    public = await fake.wait_for_message(lambda m: "only you will see" in m.content)
    assert public.channel_id == world.other_channel.id and not public.embeds
    (start,) = public.custom_ids
    interaction = await fake.click_button(public.id, start, world.erin.id)
    shown = await fake.wait_for_interaction_response(interaction=interaction)
    assert (
        shown.ephemeral
        and skill_of(quizbot.bot.service.practice.open_for(world.erin.id).question)
        == SKILLS[0].name
    )  # type: ignore[union-attr]


async def test_progress_with_its_picture_and_the_servers_for_moderators(
    quizbot: Running,
) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.bot.tree.sync()
    bob = world.bob.id
    empty = await slash(quizbot, bob, "progress show")
    assert "/practice" in text_of_response(empty) and not empty.attachments
    shown = await slash(quizbot, bob, "practice")
    question = quizbot.bot.service.practice.open_for(bob).question  # type: ignore[union-attr]
    await answer_by_form(quizbot, shown, bob, right(question))
    progress = await slash(quizbot, bob, "progress show")
    text = text_of_response(progress)
    assert "1 of 19 skills practised" in text and "recent 1/1" in text
    (attachment,) = progress.attachments
    assert Image.open(io.BytesIO(attachment.data)).format == "PNG"
    # The server's view: moderators only.
    await quizbot.say(world.bob, "!progress server")
    await fake.wait_for_message(lambda m: "Only moderators" in m.content)
    await quizbot.say(world.alice, "!progress server")
    await fake.wait_for_message(lambda m: "hardest" in text_of(m))


async def test_review_replays_the_last_wrong_question_privately(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.bot.tree.sync()
    carol = world.carol.id
    nothing = await slash(quizbot, carol, "convquiz review")
    assert "Nothing to review" in nothing.content
    shown = await slash(quizbot, carol, "practice", {"topic": "param_count"})
    missed = quizbot.bot.service.practice.open_for(carol).question  # type: ignore[union-attr]
    await answer_by_form(quizbot, shown, carol, "1")
    again = await slash(quizbot, carol, "convquiz review")
    assert again.ephemeral and missed.prompt in again.data["embeds"][0]["description"]
    assert fake.rate_limited == []


async def test_practice_in_japanese_has_no_english_left(quizbot: Running) -> None:
    world = quizbot.world
    await quizbot.bot.tree.sync()
    seed, mistake = seed_with_named_mistake(SKILL)
    world.seeds.seeds.append(seed)
    shown = await slash(quizbot, world.bob.id, "practice", {"topic": SKILL}, locale="ja")
    embed = shown.data["embeds"][0]
    assert question_of(SKILL, seed, "ja").prompt in embed["description"]
    assert english_words(embed["description"] + embed.get("footer", {}).get("text", "")) == []
    form = await press(quizbot, shown, "cq:pa:", world.bob.id, locale="ja")
    interaction = await world.fake.submit_modal(form, {FIELD: format_number(mistake.value)})
    verdict = await world.fake.wait_for_interaction_response(interaction=interaction)
    assert verdict.content and english_words(verdict.content) == []


async def test_a_hint_in_practice_is_private_and_kept_on_the_answer(quizbot: Running) -> None:
    world = quizbot.world
    await quizbot.bot.tree.sync()
    erin = world.erin.id
    world.seeds.seeds.append(5)
    shown = await slash(quizbot, erin, "practice", {"topic": SKILL})
    question = question_of(SKILL, 5)
    first = await press(quizbot, shown, "cq:ph:", erin)
    assert first.ephemeral and question.hints[0] in first.content
    second = await press(quizbot, shown, "cq:ph:", erin)
    assert question.hints[1] in second.content
    await answer_by_form(quizbot, shown, erin, right(question))
    path = quizbot.world.db_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT hints, points FROM answers").fetchall() == [(2, 0)]
