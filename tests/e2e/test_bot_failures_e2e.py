"""What members and operators see when things go wrong: a database that goes away,
direct messages, and slash-command registration through the real entry point."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from harness import Running, World, ask, is_question, running, seed_for, wait_for_right_verdict

from bot.storage.db import create_engine
from bot.storage.repository import Repository

pytestmark = pytest.mark.e2e


async def test_a_database_that_goes_away_gets_short_answers_and_no_crash(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    _, question = await ask(quizbot, world.alice, "!convquiz param_count 1")
    # The database server goes away: every query now fails at the driver.
    dead = create_engine("postgresql+asyncpg://nobody@127.0.0.1:9/gone")
    service = quizbot.bot.service
    alive = service.repository
    service.repository = Repository(dead)
    try:
        typed = await quizbot.say(world.bob, question.answer_text)
        await fake.wait_for_reaction(emoji="⚠️", message_id=int(typed["id"]), start=0)
        await quizbot.say(world.bob, "!leaderboard")
        reply = await fake.wait_for_message(lambda m: "database" in m.content)
        assert (
            reply.content == "The quiz database is unavailable right now; please try again shortly."
        )
    finally:
        service.repository = alive
        await dead.dispose()
    # Back up: the bot carries on where it was.
    again = await quizbot.say(world.carol, question.answer_text)
    await wait_for_right_verdict(fake, again)
    stats = await service.stats(world.guild.id, world.bob.id)
    assert stats.answered == 0  # the failed answer left nothing behind


@pytest.mark.parametrize("command", ["!leaderboard", "!stats", "!template list", "!convquiz"])
async def test_every_store_says_the_database_is_down_in_one_sentence(
    quizbot: Running, command: str
) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    service = quizbot.bot.service
    assert service.templates is not None
    alive, alive_templates = service.repository, service.templates.sessions
    dead = create_engine("postgresql+asyncpg://nobody@127.0.0.1:9/gone")
    service.repository = Repository(dead)
    service.templates.sessions = service.repository.sessions
    quizbot.bot._configs.clear()  # nothing cached: every store is asked
    try:
        await quizbot.say(world.alice, command)
        reply = await fake.wait_for_message()
        assert reply.content == (
            "The quiz database is unavailable right now; please try again shortly."
        ), reply.content
    finally:
        service.repository, service.templates.sessions = alive, alive_templates
        await dead.dispose()


async def test_a_start_the_database_refused_does_not_use_up_the_cooldown(world: World) -> None:
    fake = world.fake
    async with running(world, cooldown=600) as run:
        service = run.bot.service
        await run.bot.guild_config(world.guild.id)  # cached: the refusal comes from the start
        alive = service.repository
        dead = create_engine("postgresql+asyncpg://nobody@127.0.0.1:9/gone")
        service.repository = Repository(dead)
        try:
            await run.say(world.bob, "!convquiz output_size 1")
            refusal = await fake.wait_for_message(lambda m: "database" in m.content)
            assert "unavailable" in refusal.content
        finally:
            service.repository = alive
            await dead.dispose()
        seen = len(fake.sent_messages)
        await run.say(world.bob, "!convquiz output_size 1")
        posted = await fake.wait_for_message(is_question, start=seen)
        assert not any("Slow down" in m.content for m in fake.sent_messages[seen:])
        assert posted.channel_id == world.channel.id


async def test_direct_messages_get_a_clear_refusal(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    dm = fake.dm_channel(world.bob.id)
    await fake.send_message(dm.id, world.bob.id, "!convquiz")
    refusal = await fake.wait_for_message(lambda m: m.channel_id == dm.id)
    assert refusal.content == "Quizzes run in servers, not in direct messages."


async def test_convquiz_sync_registers_slash_commands_once_asked(
    world: World, tmp_path: Path
) -> None:
    fake = world.fake
    env = {
        "PATH": "/usr/bin:/bin",
        "DISCORD_TOKEN": "fake-token",
        "DATABASE_URL": world.db_url,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sync",
        "--guild",
        str(world.guild.id),
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()[-2000:]
    names = {c["name"] for c in fake.synced_commands(world.guild.id)}
    assert {"convquiz", "leaderboard", "stats", "help", "quizconfig", "template"} <= names
    assert f"to guild {world.guild.id}" in stdout.decode()
    assert fake.synced_commands(None) == []  # nothing global unless asked
    assert not fake.identifies  # registering commands needs no gateway session


async def test_events_delivered_twice_are_handled_once(world: World) -> None:
    fake = world.fake
    world.seeds.seeds.append(seed_for("odd_kernel", 1, lambda q: q.choices is not None))
    async with running(world, cooldown=600) as run:
        start = await run.say(world.bob, "!convquiz odd_kernel 1")
        await fake.deliver_again("MESSAGE_CREATE", start)  # a resumed session replays it
        await fake.wait_for_message(is_question)
        await asyncio.sleep(0.3)  # time for a second start, were it handled
        posted = [m for m in fake.sent_messages if is_question(m)]
        assert len(posted) == 1
        assert not any("Slow down" in m.content for m in fake.sent_messages)
        question = posted[0]
        click = await fake.click_button(question.id, question.custom_ids[0], world.carol.id)
        await fake.wait_for_interaction_response(interaction=click)
        await fake.deliver_again("INTERACTION_CREATE", click)
        await asyncio.sleep(0.3)
        assert fake.rejected == [], fake.rejected  # no second answer to the same interaction
        stats = await run.bot.service.stats(world.guild.id, world.carol.id)
        assert stats.answered == 1
        assert run.bot.replays.replays == 2
