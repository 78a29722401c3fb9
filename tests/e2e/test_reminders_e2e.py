"""Practice reminders through the loopback Discord: one direct message a day at the
member's local time, once with two bots on one PostgreSQL database, and switched off
(and said so) when the member's direct messages are closed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from harness import Running, World, running

from bot.engine.skills import SKILLS
from bot.quiz.reminders import MIN_DUE

pytestmark = pytest.mark.e2e

# 18:30 in Tokyo (UTC+9) is 09:30 UTC.
EVENING = datetime(2026, 12, 1, 9, 31, tzinfo=UTC)
MORNING = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


async def turn_on(run: Running, member_id: int) -> None:
    world = run.world
    member = next(m for m in (world.bob, world.carol, world.dave) if m.id == member_id)
    await run.say(member, "!practice remind on 18:30 Asia/Tokyo")
    await world.fake.wait_for_message(lambda m: "Practice reminders on" in m.content)


async def miss_skills(run: Running, user_id: int) -> None:
    """The member gets three skills wrong in practice, in the morning: due again soon."""
    practice = run.bot.service.practice
    for skill in SKILLS[:MIN_DUE]:
        await practice.start(user_id=user_id, guild_id=None, topic=skill.name, lang="en")
        opened = practice.open_for(user_id)
        assert opened is not None
        await practice.answer(user_id, "A" if opened.question.choices else "99999")


async def test_one_reminder_a_day_by_direct_message(world: World) -> None:
    world.clock.now = MORNING
    async with running(world) as run:
        await turn_on(run, world.bob.id)
        await miss_skills(run, world.bob.id)
        await run.send_reminders()
        assert world.fake.dm_messages(world.bob.id) == []  # 10:00 in Tokyo: not yet
        await run.move_to(EVENING)
        await run.send_reminders()
        await run.send_reminders()
        (reminder,) = world.fake.dm_messages(world.bob.id)
        assert "3 of your skills are due" in reminder and f"`{SKILLS[0].name}`" in reminder
    # A restart the same evening: nothing more.
    async with running(world) as run:
        await run.send_reminders()
        assert len(world.fake.dm_messages(world.bob.id)) == 1
        assert world.fake.rate_limited == []


async def test_two_bots_on_one_postgres_database_send_once(world: World, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share PostgreSQL; SQLite is the one-process deployment")
    shared = dataclasses.replace(world, db_url=database_url)
    shared.clock.now = MORNING
    async with running(shared) as first, running(shared) as second:
        await turn_on(first, world.carol.id)
        await miss_skills(first, world.carol.id)
        await first.move_to(EVENING)
        await second.move_to(EVENING)
        await first.send_reminders()
        await second.send_reminders()
        assert len(world.fake.dm_messages(world.carol.id)) == 1


async def test_closed_dms_switch_it_off_and_the_member_hears_why(world: World) -> None:
    world.clock.now = MORNING
    world.fake.close_dms(world.dave.id)
    async with running(world) as run:
        await turn_on(run, world.dave.id)
        await miss_skills(run, world.dave.id)
        await run.move_to(EVENING)
        await run.send_reminders()
        setting = await run.bot.service.reminders.setting(world.dave.id)  # type: ignore[union-attr]
        assert setting is not None and not setting.enabled
        await run.say(world.dave, "!stats")
        told = await world.fake.wait_for_message(lambda m: "could not reach you" in m.content)
        assert told.channel_id == world.channel.id and "@" not in told.content
        await run.say(world.dave, "!stats")
        await world.fake.wait_for_message(
            lambda m: bool(m.embeds) and m.embeds[0].get("title", "").startswith("Stats for")
        )
        told_twice = [m for m in world.fake.sent_messages if "could not reach you" in m.content]
        assert len(told_twice) == 1
