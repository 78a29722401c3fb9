"""The Answer button of a numeric question: a form with one field, a private verdict
through the interaction, graded and stored exactly like a typed reply."""

from __future__ import annotations

import sqlite3

import pytest
from harness import REACTION_ROUTE, Running, ask, is_reveal, seed_for, text_of
from helpers import is_article_question_2

from bot.discord.exts.quiz._modal import ANSWER_MAX_LENGTH

pytestmark = pytest.mark.e2e

FIELD = "cq:form:reply"


async def open_form(run: Running, posted_id: int, custom_id: str, user_id: int):  # type: ignore[no-untyped-def]
    fake = run.world.fake
    interaction = await fake.click_button(posted_id, custom_id, user_id)
    return await fake.wait_for_interaction_response(interaction=interaction)


async def submit(run: Running, form, text: str) -> str:  # type: ignore[no-untyped-def]
    fake = run.world.fake
    interaction = await fake.submit_modal(form, {FIELD: text})
    response = await fake.wait_for_interaction_response(interaction=interaction)
    assert response.type == 4 and response.ephemeral  # a private message, not the channel
    return str(response.data.get("content"))


def stored_replies(run: Running) -> dict[int, str]:
    path = run.world.db_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT user_id, reply FROM answers"))


async def test_the_form_grades_privately_and_counts_like_a_typed_answer(
    quizbot: Running,
) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    world.seeds.seeds.append(seed_for("param_count", 1, is_article_question_2))
    posted, question = await ask(quizbot, world.alice, "!convquiz param_count 1")
    assert question.answer.value == 4640 and question.choices is None
    # One Answer button (beside the 💡 Hint button), no choice buttons.
    button, hint = posted.custom_ids
    assert button.startswith("cq:typed:") and hint.startswith("cq:hint:")
    reactions_before = fake.rest_calls[REACTION_ROUTE]

    form = await open_form(quizbot, posted.id, button, world.bob.id)
    assert form.type == 9  # the modal
    (row,) = form.data["components"]
    assert row["components"][0]["max_length"] == ANSWER_MAX_LENGTH
    assert "Correct" in await submit(quizbot, form, "4,640")

    form = await open_form(quizbot, posted.id, button, world.carol.id)
    verdict = await submit(quizbot, form, "4608")  # the article's named mistake: no biases
    assert "bias" in verdict.lower() and "(+" in verdict
    # Unreadable: said so, nothing recorded, the player may try again.
    form = await open_form(quizbot, posted.id, button, world.dave.id)
    assert "could not read" in await submit(quizbot, form, "no idea, sorry")
    assert world.dave.id not in stored_replies(quizbot)
    form = await open_form(quizbot, posted.id, button, world.dave.id)
    assert "Correct" not in await submit(quizbot, form, "12")
    # One attempt each, as typed: Bob's second answer (typed or by the form) is refused.
    form = await open_form(quizbot, posted.id, button, world.bob.id)
    assert "already answered" in await submit(quizbot, form, "4640")
    await quizbot.say(world.bob, "4640")

    assert stored_replies(quizbot) == {
        world.bob.id: "4,640",
        world.carol.id: "4608",
        world.dave.id: "12",
    }
    assert fake.rest_calls[REACTION_ROUTE] == reactions_before  # verdicts went privately

    await quizbot.advance(31)
    reveal = text_of(await fake.wait_for_message(is_reveal)).replace("\n", " ")
    assert f"<@{world.bob.id}> ★" in reveal
    assert f"Not right: <@{world.dave.id}>" in reveal
    # After the close: the button and a form opened before it both say so.
    late = await open_form(quizbot, posted.id, button, world.erin.id)
    assert "closed" in str(late.data.get("content"))
    assert world.erin.id not in stored_replies(quizbot)


async def test_a_form_submitted_after_the_close_records_nothing(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    posted, question = await ask(quizbot, world.alice, "!convquiz output_size 1")
    button, _hint = posted.custom_ids
    form = await open_form(quizbot, posted.id, button, world.bob.id)
    await quizbot.advance(31)
    await fake.wait_for_message(is_reveal)
    assert "closed" in await submit(quizbot, form, question.answer_text)
    assert stored_replies(quizbot) == {}


async def test_forms_open_at_once_are_each_answered(quizbot: Running) -> None:
    """Several people have the form open for the same question before any of them sends
    it (the busy channel's usual case): each answer is graded and stored."""
    world = quizbot.world
    world.seeds.seeds.append(seed_for("param_count", 1, is_article_question_2))
    posted, _question = await ask(quizbot, world.alice, "!convquiz param_count 1")
    button = next(c for c in posted.custom_ids if c.startswith("cq:typed:"))
    members = (world.bob, world.carol, world.dave, world.erin)
    forms = [await open_form(quizbot, posted.id, button, member.id) for member in members]
    verdicts = [await submit(quizbot, form, "4640") for form in reversed(forms)]
    assert all("Correct" in verdict for verdict in verdicts)
    assert stored_replies(quizbot) == {member.id: "4640" for member in members}
