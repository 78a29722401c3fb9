"""Hints end to end: the unmodified discord.py client against the loopback Discord.
The 💡 Hint button answers the presser alone with hint 1, then hint 2; the answer then
earns what README's Scoring section says; the reveal marks who took hints; ``!hint``
sends the hint by direct message, or says to use the button when DMs are closed."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fakediscord import FakeDiscord, SentMessage
from fakediscord.limits import RateLimits
from harness import Clock, Running, SeedQueue, World, ask, is_reveal, running, seed_for, text_of
from helpers import english_words, is_article_question_2

pytestmark = pytest.mark.e2e


def hint_button(posted: SentMessage) -> str:
    (custom_id,) = [c for c in posted.custom_ids if c.startswith("cq:hint:")]
    return custom_id


async def press(run: Running, posted: SentMessage, user_id: int, locale: str = "en-US") -> str:
    fake = run.world.fake
    interaction = await fake.click_button(posted.id, hint_button(posted), user_id, locale=locale)
    response = await fake.wait_for_interaction_response(interaction=interaction)
    assert response.type == 4 and response.ephemeral  # only the presser sees it
    return response.content


def stored(run: Running, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(run.world.db_url.removeprefix("sqlite+aiosqlite:///")) as db:
        return list(db.execute(query))


async def test_the_hint_button_gives_hint_one_then_two_and_the_answer_earns_less(
    quizbot: Running,
) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    world.seeds.seeds.append(seed_for("param_count", 1, is_article_question_2))
    posted, question = await ask(quizbot, world.alice, "!convquiz param_count 1")
    assert len(question.hints) == 2

    first = await press(quizbot, posted, world.bob.id)
    assert "Hint 1 of 2" in first and question.hints[0] in first
    # README, Scoring: after one hint at most ⌊base × 3/4⌋; base 10 at difficulty 1.
    assert "at most 7 points" in first
    second = await press(quizbot, posted, world.bob.id)
    assert "Hint 2 of 2" in second and "16 × 3 × 3 × 32 + 32 = 4,608 + 32" in second
    assert "at most 5 points" in second  # ⌊10 / 2⌋
    again = await press(quizbot, posted, world.bob.id)
    assert "every hint" in again and question.hints[0] in again and question.hints[1] in again
    # Nothing went to the channel: the hints were for Bob alone.
    assert not [m for m in fake.sent_messages if question.hints[1] in m.text and not m.ephemeral]

    for member in (world.bob, world.carol):
        said = await quizbot.say(member, "4640")
        await fake.wait_for_reaction(emoji="✅", message_id=int(said["id"]), start=0)
    assert stored(quizbot, "SELECT user_id, hints, points FROM answers ORDER BY id") == [
        # At once (the clock stands still), by hand: Bob 10 + 5 + 5 (first) = 20, capped
        # at 5 by two hints; Carol 10 + 5 = 15, no hint.
        (world.bob.id, 2, 5),
        (world.carol.id, 0, 15),
    ]
    assert "already answered" in await press(quizbot, posted, world.bob.id)

    await quizbot.advance(31)
    reveal = await fake.wait_for_message(is_reveal)
    shown = text_of(reveal)
    assert f"<@{world.bob.id}> ★ 💡💡 (+5)" in shown
    assert f"<@{world.carol.id}> (+15)" in shown
    assert "💡 a hint taken" in reveal.embeds[0]["footer"]["text"]
    # After the reveal: a short private "closed", and nothing stored.
    assert "closed" in await press(quizbot, posted, world.dave.id)
    assert stored(quizbot, f"SELECT * FROM hint_takings WHERE user_id = {world.dave.id}") == []
    # The events hold the hints: a rescore gives the same points.
    live = await quizbot.bot.service.repository.totals_snapshot()
    await quizbot.bot.service.repository.rescore()
    assert await quizbot.bot.service.repository.totals_snapshot() == live
    assert stored(quizbot, "SELECT points FROM answers ORDER BY id") == [(5,), (15,)]


async def test_a_hint_taken_before_a_restart_still_counts(world: World) -> None:
    fake = world.fake
    world.seeds.seeds.append(seed_for("param_count", 1, is_article_question_2))
    async with running(world) as first:
        posted, _ = await ask(first, world.alice, "!convquiz param_count 1")
        assert "Hint 1 of 2" in await press(first, posted, world.bob.id)
    # The process is gone and back; Bob answers now, right and first, at once.
    async with running(world) as second:
        said = await second.say(world.bob, "4640")
        await fake.wait_for_reaction(emoji="✅", message_id=int(said["id"]), start=0)
        # By hand: 10 + 5 + 5 (first) = 20, capped at ⌊10 × 3/4⌋ = 7 by the one hint.
        assert stored(second, "SELECT user_id, hints, points FROM answers") == [
            (world.bob.id, 1, 7)
        ]
        assert "already answered" in await press(second, posted, world.bob.id)


async def test_hint_by_direct_message_and_with_direct_messages_closed(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    posted, question = await ask(quizbot, world.alice, "!convquiz output_size 2")
    await quizbot.say(world.bob, "!hint")
    dm = await fake.wait_for_message(lambda m: m.channel_id == fake.dm_channel(world.bob.id).id)
    assert question.code in dm.content and question.hints[0] in dm.content
    assert "Hint 1 of 2" in dm.content
    await quizbot.say(world.bob, "!hint")
    dm = await fake.wait_for_message(lambda m: "Hint 2 of 2" in m.content)
    assert question.hints[1] in dm.content
    assert len(fake.dm_messages(world.bob.id)) == 2

    fake.close_dms(world.carol.id)
    await quizbot.say(world.carol, "!hint")
    told = await fake.wait_for_message(lambda m: m.channel_id == world.channel.id)
    assert f"<@{world.carol.id}>" in told.content and "💡 Hint button" in told.content
    assert told.allowed_mentions == {"parse": []}  # named, never pinged
    assert fake.dm_messages(world.carol.id) == []
    # The hint she could not read was not counted: the button gives her hint 1.
    assert stored(quizbot, f"SELECT * FROM hint_takings WHERE user_id = {world.carol.id}") == []
    assert "Hint 1 of 2" in await press(quizbot, posted, world.carol.id)


async def test_without_an_open_question_hint_says_so(quizbot: Running) -> None:
    world, fake = quizbot.world, quizbot.world.fake
    await quizbot.say(world.bob, "!hint")
    said = await fake.wait_for_message(lambda m: m.channel_id == world.channel.id)
    assert "No question is open" in said.content
    assert fake.dm_messages(world.bob.id) == []


# --- a Japanese server -------------------------------------------------------------------


@pytest.fixture
async def ja_run(tmp_path: Path, rate_limits: RateLimits) -> AsyncIterator[Running]:
    """A server whose language in Discord is Japanese; no bot setting."""
    async with FakeDiscord(rate_limits=rate_limits) as fake:
        guild = fake.add_guild("畳み込み勉強会", preferred_locale="ja")
        channel = fake.add_channel(guild.id, "クイズ")
        other = fake.add_channel(guild.id, "雑談")
        members = [fake.add_member(guild.id, name) for name in ("a", "b", "c", "d", "e")]
        world = World(
            fake,
            guild,
            channel,
            other,
            *members,
            db_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            clock=Clock(),
            seeds=SeedQueue(),
        )
        async with running(world) as run:
            yield run
        assert fake.contract_violations == [] and fake.server_errors == []
        assert fake.rate_limited == []


def assert_japanese(text: str) -> None:
    assert english_words(text, 4) == [], text


async def test_hints_in_a_japanese_server(ja_run: Running) -> None:
    world, fake = ja_run.world, ja_run.world.fake
    world.seeds.seeds.append(seed_for("param_count", 1, is_article_question_2))
    await ja_run.say(world.bob, "!convquiz param_count 1")
    posted = await fake.wait_for_message(lambda m: bool(m.embeds))
    labels = [c["label"] for row in posted.components for c in row["components"] if c.get("label")]
    assert "💡 ヒント" in labels
    first = await press(ja_run, posted, world.carol.id, locale="ja")
    assert "ヒント 1/2" in first and "前層のチャンネル数" in first and "最大 7 点" in first
    assert_japanese(first)
    await ja_run.say(world.dave, "!hint")
    dm = await fake.wait_for_message(lambda m: m.channel_id == fake.dm_channel(world.dave.id).id)
    assert "ヒント 1/2" in dm.content
    assert_japanese(dm.content)
    second = await press(ja_run, posted, world.carol.id, locale="ja")
    assert "16 × 3 × 3 × 32 + 32 = 4,608 + 32" in second
    assert_japanese(second)
    said = await ja_run.say(world.carol, "4640")
    await fake.wait_for_reaction(emoji="✅", message_id=int(said["id"]), start=0)
    await ja_run.advance(31)
    reveal = await fake.wait_for_message(
        lambda m: bool(m.embeds) and "の答え" in m.embeds[0]["title"]
    )
    shown = text_of(reveal)
    assert f"<@{world.carol.id}> ★ 💡💡" in shown
    assert_japanese(shown)
