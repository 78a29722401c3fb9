"""``/privacy`` end to end: the unmodified discord.py client against the loopback
Discord. A member sees what is stored about them, exports it, and deletes it after
confirming; the board no longer shows them."""

from __future__ import annotations

import json

import pytest
from fakediscord.model import InteractionResponse
from harness import Running, ask, is_reveal, seed_for

pytestmark = pytest.mark.e2e


async def _board_text(quizbot: Running, user_id: int) -> str:
    world, fake = quizbot.world, quizbot.world.fake
    call = await fake.invoke_slash(world.guild.id, world.channel.id, user_id, "leaderboard")
    response = await fake.wait_for_interaction_response(interaction=call)
    return json.dumps(response.data)


async def test_a_member_sees_exports_and_deletes_their_data(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    world.seeds.seeds.append(seed_for("param_count", 1, lambda q: True))
    _, question = await ask(quizbot, world.alice, "!convquiz param_count 1")
    right = f"{question.answer.value}"
    for member in (world.bob, world.carol):
        said = await quizbot.say(member, right)
        await fake.wait_for_reaction(emoji="✅", message_id=int(said["id"]), start=0)
    await quizbot.advance(31)
    await fake.wait_for_message(is_reveal)
    await quizbot.bot.tree.sync()
    bob = world.bob.id
    assert f"<@{bob}>" in await _board_text(quizbot, world.alice.id)

    async def slash(name: str) -> InteractionResponse:
        call = await fake.invoke_slash(world.guild.id, world.channel.id, bob, name)
        return await fake.wait_for_interaction_response(interaction=call)

    shown = await slash("privacy show")
    assert shown.ephemeral
    assert "Your answers (1)" in shown.content
    assert "1 per server" in shown.content

    exported = await slash("privacy export")
    assert exported.ephemeral
    (attachment,) = exported.attachments
    document = json.loads(attachment.data)
    assert attachment.filename.endswith(".json") and document["user_id"] == bob
    assert [a["reply"] for a in document["answers"]] == [right]

    asked = await slash("privacy delete")
    assert asked.ephemeral and "Delete your 1 answers" in asked.content
    assert (await quizbot.bot.service.privacy.show(bob)).answers == 1  # nothing yet
    assert asked.message is not None
    message_id = int(asked.message["id"])
    click = await fake.click_button(message_id, "cq:privacy:yes", bob)
    done = await fake.wait_for_interaction_response(interaction=click)
    assert "Deleted: 1 answers" in done.content

    assert (await quizbot.bot.service.privacy.show(bob)).total == 0
    board = await _board_text(quizbot, world.alice.id)
    assert f"<@{bob}>" not in board and f"<@{world.carol.id}>" in board
    live = await quizbot.bot.service.repository.totals_snapshot()
    await quizbot.bot.service.repository.rescore()
    assert await quizbot.bot.service.repository.totals_snapshot() == live


async def test_only_the_asker_can_press_the_delete_button(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.bot.tree.sync()
    call = await fake.invoke_slash(world.guild.id, world.channel.id, world.bob.id, "privacy delete")
    asked = await fake.wait_for_interaction_response(interaction=call)
    assert asked.message is not None
    click = await fake.click_button(int(asked.message["id"]), "cq:privacy:yes", world.carol.id)
    refused = await fake.wait_for_interaction_response(interaction=click)
    assert refused.ephemeral and "Only you" in refused.content
