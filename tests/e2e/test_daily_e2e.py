"""The question of the day end to end: the unmodified discord.py client against the
loopback Discord, a real database and a clock the test moves.

Times are written out by hand: Tokyo is UTC+9 all year (07:30 there is 22:30 UTC the
day before); New York is UTC-5 until its clocks go forward at 02:00 on Sunday
8 March 2026, UTC-4 after.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest
from fakediscord import SEND_MESSAGES, SentMessage
from harness import (
    MANY_MESSAGES,
    Running,
    World,
    is_question,
    is_reveal,
    running,
    text_of,
)
from helpers import english_words, right_reply

from bot.engine import bank
from bot.engine.daily import DailySetting
from bot.quiz.daily import DailyQuestions

pytestmark = pytest.mark.e2e

TOKYO_0730 = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 07:30 on 26 November in Tokyo


def daily_of(run: Running) -> DailyQuestions:
    assert run.bot.service.daily is not None
    return run.bot.service.daily


def is_daily(message: SentMessage) -> bool:
    title = message.embeds[0].get("title", "") if message.embeds else ""
    return "question of the day" in title or "今日の一問" in title


def daily_posts(world: World) -> list[SentMessage]:
    return [m for m in world.fake.sent_messages if is_daily(m)]


def question_of(message: SentMessage) -> bank.Question:
    footer = message.embeds[0]["footer"]["text"]
    match = re.search(r"(?:Code|コード) ?[:：]? ?(\S+)", footer)
    assert match, footer
    return bank.from_code(match.group(1))


async def daily_at(run: Running, moment: datetime) -> SentMessage:
    """Move the clock to ``moment`` and wait for the question of the day posted after."""
    start = len(run.world.fake.sent_messages)
    await run.move_to(moment)
    return await run.world.fake.wait_for_message(is_daily, start=start)


async def configure(run: Running, command: str) -> SentMessage:
    await run.say(run.world.alice, command)
    return await run.world.fake.wait_for_message(
        lambda m: "Question of the day" in text_of(m) or "今日の一問" in text_of(m)
    )


async def test_posted_once_at_the_local_time_and_ranked(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    card = await configure(quizbot, f"!quizconfig daily <#{world.channel.id}> 07:30 asia/tokyo")
    shown = text_of(card)
    assert "07:30 (Asia/Tokyo)" in shown and f"<#{world.channel.id}>" in shown
    assert f"<t:{int(TOKYO_0730.timestamp())}:F>" in shown  # the next start, for every reader
    assert "+5 for a correct answer" in shown

    await quizbot.move_to(TOKYO_0730 - timedelta(minutes=1))
    await quizbot.look_for_daily()
    assert daily_posts(world) == []
    await quizbot.move_to(TOKYO_0730)
    posted = await fake.wait_for_message(is_daily)
    assert posted.channel_id == world.channel.id and is_question(posted)
    assert posted.allowed_mentions == {"parse": []}
    assert "Closes" in text_of(posted)  # an hour's deadline, shown like any question's

    question = question_of(posted)
    await quizbot.say(world.bob, right_reply(question))
    await quizbot.move_to(TOKYO_0730 + timedelta(minutes=59))
    await quizbot.look_for_daily()
    assert len(daily_posts(world)) == 1  # once
    await quizbot.move_to(TOKYO_0730 + timedelta(hours=1))
    reveal = await fake.wait_for_message(is_reveal)
    points = re.search(rf"<@{world.bob.id}> ★ \(\+(\d+)\)", text_of(reveal))
    assert points is not None  # ranked: Bob's points are on the reveal

    await quizbot.say(world.bob, "!stats")
    stats = text_of(await fake.wait_for_message(lambda m: "Stats for" in text_of(m)))
    assert "Daily streak (days): 1 now, best 1" in stats
    assert f"Points: {points.group(1)}" in stats


@pytest.mark.parametrize("rate_limits", [MANY_MESSAGES])  # two days in one channel
async def test_new_york_across_the_spring_change(world: World) -> None:
    saturday = datetime(2026, 3, 7, 12, 30, tzinfo=UTC)  # 07:30 EST
    sunday = datetime(2026, 3, 8, 11, 30, tzinfo=UTC)  # 07:30 EDT
    world.clock.now = saturday - timedelta(hours=1)
    async with running(world) as run:
        await configure(run, f"!quizconfig daily <#{world.channel.id}> 7:30 America/New_York")
        await daily_at(run, saturday)
        await run.move_to(sunday - timedelta(minutes=1))
        await world.fake.wait_for_message(is_reveal)  # Saturday's closed at 08:30
        await run.look_for_daily()
        assert len(daily_posts(world)) == 1
        await daily_at(run, sunday)
        await run.move_to(sunday + timedelta(hours=1, minutes=1))  # EST's 07:30 would be now
        await run.look_for_daily()
        assert len(daily_posts(world)) == 2


async def test_down_at_the_time_posts_when_back_within_the_window(world: World) -> None:
    world.clock.now = TOKYO_0730 - timedelta(minutes=10)
    async with running(world) as run:
        await configure(run, f"!quizconfig daily <#{world.channel.id}> 07:30 Asia/Tokyo")
    world.clock.now = TOKYO_0730 + timedelta(minutes=20)  # down over 07:30
    async with running(world) as run:
        assert run.bot.daily is not None and run.bot.daily.is_running
        await world.fake.wait_for_message(is_daily)
    assert not run.bot.daily.is_running  # the orderly stop stopped it
    world.clock.now = TOKYO_0730 + timedelta(minutes=40)  # restarted again
    async with running(world) as run:
        await run.look_for_daily()
        await run.say(world.bob, "!convquiz")  # the channel still has the day's question
        await world.fake.wait_for_message(lambda m: "already open" in m.content)
    assert len(daily_posts(world)) == 1


@pytest.mark.parametrize("rate_limits", [MANY_MESSAGES])  # a second day in one channel
async def test_back_after_the_window_skips_the_day(world: World) -> None:
    world.clock.now = TOKYO_0730 - timedelta(minutes=10)
    async with running(world) as run:
        await configure(run, f"!quizconfig daily <#{world.channel.id}> 07:30 Asia/Tokyo")
    world.clock.now = TOKYO_0730 + timedelta(hours=1)  # back as the window closed
    async with running(world) as run:
        await run.look_for_daily()
        assert daily_posts(world) == []
        await daily_at(run, TOKYO_0730 + timedelta(days=1))  # the next day comes as usual
        posts = await daily_of(run).store.posts(world.guild.id)
    assert [day.isoformat() for day, _status in posts] == ["2026-11-27"]  # the 26th: none


async def test_two_bots_on_one_postgres_database_post_once(world: World, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share PostgreSQL; SQLite is the one-process deployment")
    shared = dataclasses.replace(world, db_url=database_url)
    shared.clock.now = TOKYO_0730 - timedelta(minutes=5)
    async with running(shared) as first, running(shared) as second:
        await daily_of(first).turn_on(world.guild.id, world.channel.id, "07:30", "Asia/Tokyo")
        await first.move_to(TOKYO_0730)
        await second.move_to(TOKYO_0730)
        await world.fake.wait_for_message(is_daily)
        await first.look_for_daily()
        await second.look_for_daily()
        assert len(daily_posts(world)) == 1


async def test_a_busy_channel_gets_the_day_once_its_question_closes(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await configure(quizbot, f"!quizconfig daily <#{world.channel.id}> 07:30 Asia/Tokyo")
    await quizbot.move_to(TOKYO_0730 - timedelta(seconds=10))
    await quizbot.say(world.bob, "!convquiz")
    await fake.wait_for_message(is_question)
    await quizbot.move_to(TOKYO_0730)
    await quizbot.look_for_daily()
    assert daily_posts(world) == []  # waits: one question at a time in a channel
    await quizbot.advance(25)  # Bob's question closes 20 s after 07:30
    await fake.wait_for_message(is_reveal)
    posted = await fake.wait_for_message(is_daily)
    assert posted.channel_id == world.channel.id


async def test_bad_input_is_refused_in_one_sentence_and_changes_nothing(world: World) -> None:
    # A channel where the bot's messages are denied, set before it connects.
    world.fake.set_overwrite(
        world.other_channel.id, world.fake.bot_user.id, deny=SEND_MESSAGES, member=True
    )
    async with running(world) as run:
        fake, quiz = world.fake, world.channel
        refusals = {
            "!quizconfig daily 7.30 Asia/Tokyo": "“7.30” is not a time: write HH:MM",
            f"!quizconfig daily <#{quiz.id}> 07:30 Asia/Osaka": "“Asia/Osaka” is not a time zone",
            f"!quizconfig daily <#{world.other_channel.id}> 07:30": "I cannot post questions in",
            f"!quizconfig daily <#{quiz.id}>": "Write a channel and a local time",
            "!quizconfig dailywindow 1000": "stays open 5 to 720 minutes",
            "!quizconfig dailyramp monthly": "The difficulty is one of `fixed`, `weekly`.",
        }
        for command, expected in refusals.items():
            await run.say(world.alice, command)
            reply = await fake.wait_for_message()
            assert expected in reply.content, (command, reply.content)
            assert "\n" not in reply.content and not reply.embeds
            assert reply.allowed_mentions == {"parse": []}
        await run.say(world.bob, f"!quizconfig daily <#{quiz.id}> 07:30 Asia/Tokyo")
        denied = await fake.wait_for_message()
        assert "Manage Server" in denied.content or "permission" in denied.content.lower()
        assert await daily_of(run).setting(world.guild.id) == DailySetting(world.guild.id)


async def test_a_post_that_discord_refuses_is_logged_and_the_bot_goes_on(
    quizbot: Running, caplog: pytest.LogCaptureFixture
) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await configure(quizbot, f"!quizconfig daily <#{world.other_channel.id}> 07:30 Asia/Tokyo")
    # Revoked afterwards, without the bot being told: only the post itself finds out.
    fake.set_overwrite(world.other_channel.id, world.guild.id, deny=SEND_MESSAGES)
    await quizbot.move_to(TOKYO_0730)
    await quizbot.look_for_daily()
    assert daily_posts(world) == []
    assert "cannot post the question of the day" in caplog.text
    posts = await daily_of(quizbot).store.posts(world.guild.id)
    assert [status for _, status in posts] == ["failed"]  # claimed: never posted twice
    assert quizbot.bot.service.open_in(world.other_channel.id) is None
    await quizbot.say(world.bob, "!convquiz")  # the bot goes on
    await fake.wait_for_message(is_question)


@pytest.mark.parametrize("rate_limits", [MANY_MESSAGES])  # five days in one channel
async def test_the_daily_streak_in_stats_over_three_days(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await configure(quizbot, f"!quizconfig daily <#{world.channel.id}> 07:30 Asia/Tokyo")
    for day in range(3):
        posted = await daily_at(quizbot, TOKYO_0730 + timedelta(days=day))
        answer = await quizbot.say(world.carol, right_reply(question_of(posted)))
        await fake.wait_for_reaction(emoji="✅", message_id=int(answer["id"]), start=0)
        await quizbot.move_to(TOKYO_0730 + timedelta(days=day, hours=1))
        await fake.wait_for_message(is_reveal)
    await quizbot.say(world.carol, "!stats")
    stats = text_of(await fake.wait_for_message(lambda m: "Stats for" in text_of(m)))
    assert "Daily streak (days): 3 now, best 3" in stats
    await quizbot.move_to(TOKYO_0730 + timedelta(days=4, hours=2))  # the 29th was missed
    await quizbot.say(world.carol, "!stats")
    stats = text_of(await fake.wait_for_message(lambda m: "Stats for" in text_of(m)))
    assert "Daily streak (days): 0 now, best 3" in stats


async def test_japanese_server(world: World) -> None:
    world.guild.preferred_locale = "ja"
    world.clock.now = TOKYO_0730 - timedelta(minutes=10)
    async with running(world) as run:
        fake = world.fake
        card = await configure(
            run, f"!quizconfig daily <#{world.channel.id}> ０７：３０ Asia/Tokyo"
        )
        shown = text_of(card)
        assert "今日の一問" in shown and "07:30（Asia/Tokyo）" in shown
        await run.say(world.alice, "!quizconfig daily 7時半")
        refusal = await fake.wait_for_message()
        assert "「7時半」は時刻として読めません" in refusal.content
        await run.say(world.alice, f"!quizconfig daily <#{world.channel.id}> 07:30 東京")
        zone = await fake.wait_for_message()
        assert "タイムゾーン" in zone.content
        await run.move_to(TOKYO_0730)
        posted = await fake.wait_for_message(is_daily)
        assert "今日の一問" in posted.embeds[0]["title"]
        for text in (shown, refusal.content, zone.content, posted.embeds[0]["title"]):
            assert english_words(text, 3) == [], text  # HH:MM's two letters aside


async def test_the_slash_command_sets_it_and_a_japanese_member_reads_refusals(
    quizbot: Running,
) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.bot.tree.sync()
    options = {"channel": world.other_channel.id, "time": "21:05", "zone": "Europe/London"}
    interaction = await fake.invoke_slash(
        world.guild.id, world.channel.id, world.alice.id, "quizconfig daily", options
    )
    response = await fake.wait_for_interaction_response(interaction=interaction)
    assert "21:05 (Europe/London)" in text_of_embed(response.data["embeds"][0])
    setting = await daily_of(quizbot).setting(world.guild.id)
    assert (setting.channel_id, setting.zone) == (world.other_channel.id, "Europe/London")

    bad = {"channel": world.channel.id, "time": "25:00"}
    interaction = await fake.invoke_slash(
        world.guild.id, world.channel.id, world.alice.id, "quizconfig daily", bad, locale="ja"
    )
    refusal = await fake.wait_for_interaction_response(interaction=interaction)
    assert "「25:00」は時刻として読めません" in refusal.data["content"]
    assert await daily_of(quizbot).setting(world.guild.id) == setting  # unchanged

    interaction = await fake.invoke_slash(
        world.guild.id, world.channel.id, world.alice.id, "quizconfig daily", {"time": "off"}
    )
    off = await fake.wait_for_interaction_response(interaction=interaction)
    assert "Channel: off" in text_of_embed(off.data["embeds"][0])
    assert not (await daily_of(quizbot).setting(world.guild.id)).on


def text_of_embed(embed: dict) -> str:  # type: ignore[type-arg]
    fields = [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join([embed.get("title", ""), embed.get("description", ""), *fields])
