"""Admin templates end to end: written, checked, saved, asked, answered and scored
through the loopback Discord, as a server admin and its members would."""

from __future__ import annotations

import re

import pytest
from fakediscord import Member, SentMessage
from harness import MANY_MESSAGES, Running, World, is_question, is_reveal, running, text_of

from bot.engine import bank
from bot.engine.codes import parse_versioned_code
from bot.engine.templates import (
    bundled_templates,
    load_template,
    load_templates,
)

pytestmark = pytest.mark.e2e

# What a new user writes after reading docs/templates.md: a max-pooling question.
MAXPOOL = """```yaml
name: maxpool-2x2
kind: pooling
difficulty: 1
params:
  n: {range: [8, 64], step: 2}
  c: {choice: [16, 32, 64]}
prompt: "A {n}×{n}×{c} feature map goes through 2×2 max pooling with stride 2. What is the output size (height × width)?"
answer: "pool_output_size(n, 2)"
answer_type: square
explanation: "Each 2×2 window becomes one pixel: {n} / 2 = {answer}; the {c} channels stay."
mistakes:
  - {name: kept-size, answer: "n", score: 0, feedback: "Stride 2 halves height and width."}
```"""


def brute_pool(n: int, k: int = 2, s: int = 2) -> int:
    """Count the window positions by sliding the window."""
    return sum(1 for _ in range(0, n - k + 1, s))


async def reply_to(run: Running, member: Member, text: str, **kwargs: object) -> SentMessage:
    await run.world.fake.send_message(run.world.channel.id, member.id, text, **kwargs)  # type: ignore[arg-type]
    return await run.world.fake.wait_for_message()


async def test_an_admin_writes_previews_adds_and_plays_a_pooling_template(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    preview = await reply_to(quizbot, world.alice, f"!template preview {MAXPOOL}")
    text = text_of(preview)
    assert "Template maxpool-2x2 · pooling · difficulty 1" in text
    assert len(preview.embeds[0]["fields"]) == 5
    for n, answer in re.findall(
        r"A (\d+)×\d+×\d+ feature map.*?\*\*Answer:\*\* (\d+)×", text, re.S
    ):
        assert int(answer) == brute_pool(int(n))
    listed = await reply_to(quizbot, world.alice, "!template")
    assert "No templates yet" in text_of(listed)  # a preview saves nothing

    added = await reply_to(quizbot, world.alice, f"!template add {MAXPOOL}")
    assert "added v1" in text_of(added)

    await quizbot.say(world.bob, "!convquiz maxpool-2x2")
    posted = await fake.wait_for_message(is_question)
    assert "pooling" in posted.embeds[0]["title"]
    n = int(re.search(r"A (\d+)×", posted.embeds[0]["description"]).group(1))  # type: ignore[union-attr]
    side = brute_pool(n)
    right = await quizbot.say(world.bob, f"{side}x{side}")
    wrong = await quizbot.say(world.carol, f"{n}×{n}")
    await fake.wait_for_reaction(emoji="✅", message_id=int(right["id"]), start=0)
    await fake.wait_for_reaction(emoji="❌", message_id=int(wrong["id"]), start=0)
    await quizbot.advance(31)
    reveal = text_of(await fake.wait_for_message(is_reveal))
    assert f"The answer: **{side}×{side}**" in reveal and f"<@{world.bob.id}> ★" in reveal
    await quizbot.say(world.bob, "!leaderboard all pooling")
    board = text_of(await fake.wait_for_message(lambda m: "Leaderboard" in text_of(m)))
    assert f"1. <@{world.bob.id}>" in board

    # The question's code replays exactly, as practice.
    code = re.search(r"Code (\S+)", posted.embeds[0]["footer"]["text"]).group(1)  # type: ignore[union-attr]
    await quizbot.say(world.carol, f"!convquiz {code}")
    replay = await fake.wait_for_message(is_question)
    assert "practice" in replay.embeds[0]["title"]
    assert replay.embeds[0]["description"].startswith(posted.embeds[0]["description"][:60])


async def test_hostile_and_broken_templates_are_refused_and_nothing_is_saved(
    quizbot: Running,
) -> None:
    world = quizbot.world
    for body, reason in (
        (
            'name: x\nkind: k\ndifficulty: 1\nprompt: "{n.__class__}"\nanswer: "1"\nanswer_type: int',
            "prompt",
        ),
        (
            "name: bomb\nkind: k\ndifficulty: 1\nprompt: 'p'\nanswer: '9**9**9'\nanswer_type: int",
            "answer",
        ),
        ("a: &a [1,2]\nb: [*a, *a]", "anchors"),
        ("!!python/object/apply:os.system ['true']", "tag"),
    ):
        refusal = await reply_to(quizbot, world.alice, f"!template add ```yaml\n{body}\n```")
        assert refusal.content.startswith("Template refused:"), refusal.content
        assert reason in refusal.content.lower() and len(refusal.content) < 500
    listed = await reply_to(quizbot, world.alice, "!template")
    assert "No templates yet" in text_of(listed)


async def test_only_managers_or_the_editor_role_edit_templates(world: World) -> None:
    fake = world.fake
    # Created before the bot connects, so its GUILD_CREATE carries the role.
    editors = fake.add_role(world.guild.id, "Template editors", 0)
    editor = fake.add_member(world.guild.id, "frank", roles=[editors])
    async with running(world) as run:
        denied = await reply_to(run, world.bob, f"!template add {MAXPOOL}")
        assert "Manage Server" in denied.content
        before = await reply_to(run, editor, f"!template add {MAXPOOL}")
        assert "Manage Server" in before.content
        await reply_to(run, world.alice, f"!template editors <@&{editors.id}>")
        added = await reply_to(run, editor, f"!template add {MAXPOOL}")
        assert "added v1" in text_of(added)
        denied_role = await reply_to(run, editor, "!template editors")
        assert "Manage Server" in denied_role.content  # editors cannot appoint editors


async def test_remove_asks_for_confirmation_from_the_same_admin(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await reply_to(quizbot, world.alice, f"!template add {MAXPOOL}")
    question = await reply_to(quizbot, world.alice, "!template remove maxpool-2x2")
    assert "Remove the template" in question.content
    ids = question.custom_ids
    interaction = await fake.click_button(question.id, ids[0], world.bob.id)
    response = await fake.wait_for_interaction_response(interaction=interaction)
    assert "Only the admin who asked" in str(response.data.get("content"))
    await fake.click_button(question.id, ids[0], world.alice.id)
    await fake.wait_for_message(lambda m: "removed" in m.content)
    listed = await reply_to(quizbot, world.alice, "!template")
    assert "No templates yet" in text_of(listed)


# About templates, not Discord's limits: ten rounds in one channel post 22 messages.
@pytest.mark.parametrize("rate_limits", [MANY_MESSAGES], ids=["many-messages"])
async def test_ten_bundled_templates_import_export_and_play(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    bundled = bundled_templates()
    assert len(bundled) >= 10
    bundle = "---\n".join(t.to_yaml() for t in bundled).encode()
    broken = b"---\nname: Bad Name\n"
    summary = await reply_to(
        quizbot, world.alice, "!template import", files=[("course.yaml", bundle + broken)]
    )
    assert summary.content.count("✅") == len(bundled) and summary.content.count("❌") == 1

    exported = await reply_to(quizbot, world.alice, "!template export")
    (attachment,) = exported.attachments
    again = load_templates(attachment.data)
    assert [t.name for t in again if not isinstance(t, Exception)] == sorted(
        t.name for t in bundled
    )

    for template in sorted(bundled, key=lambda t: t.name)[:10]:
        await quizbot.say(world.bob, f"!convquiz {template.name}")
        posted = await fake.wait_for_message(is_question)
        code = re.search(r"Code (\S+)", posted.embeds[0]["footer"]["text"]).group(1)  # type: ignore[union-attr]
        parsed = parse_versioned_code(code)
        assert parsed is not None and parsed[0] == template.name and parsed[2] == 1
        seed = parsed[1]
        asked = load_template(template.to_yaml()).sample(seed)
        assert asked.prompt == posted.embeds[0]["description"].split("\n\n")[0]
        reply = asked.answer_text.split(":")[0] if asked.choices else asked.answer_text
        answered = await quizbot.say(world.carol, reply)
        await fake.wait_for_reaction(emoji="✅", message_id=int(answered["id"]), start=0)
        await quizbot.advance(31)
        await fake.wait_for_message(is_reveal)
    stats = await quizbot.bot.service.stats(world.guild.id, world.carol.id)
    assert stats.correct == 10
    assert bank.KINDS  # built-in families stay available beside the templates


async def test_a_full_server_is_told_the_limit_and_nothing_more_is_saved(quizbot: Running) -> None:
    world = quizbot.world
    store = quizbot.bot.service.templates
    assert store is not None
    one = load_template(MAXPOOL.strip("`").removeprefix("yaml\n"))
    clock = quizbot.bot.service.clock
    for i in range(100):  # straight to the store: the limit is the admin service's
        await store.save(
            world.guild.id,
            load_template(one.to_yaml().replace(one.name, f"t{i:03}", 1)),
            world.alice.id,
            clock(),
        )
    refused = await reply_to(quizbot, world.alice, f"!template add {MAXPOOL}")
    assert refused.content == (
        "Template refused: this server already has the most templates allowed (100)"
    )
    summary = await reply_to(quizbot, world.alice, f"!template import {MAXPOOL}")
    assert summary.content == "❌ #1 `maxpool-2x2`: the server has 100 templates"
    assert len(await store.all(world.guild.id)) == 100
