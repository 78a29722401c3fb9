"""Chat in a channel with no open question stops before discord.py parses it; commands,
answers and chat in a channel with a question are still parsed and handled."""

from __future__ import annotations

from harness import Running, is_question


async def _parsed(run: Running, texts: list[str]) -> int:
    """How many of ``texts`` (sent in other_channel) discord.py parsed: each parsed
    event passes the replay filter, which sits behind the quiet-chat test. A ``stop``
    afterwards, whose reply shows that everything before it was read, is not counted."""
    world = run.world
    before = len(run.bot.replays)
    for text in texts:
        await run.say(world.bob, text, world.other_channel)
    mark = len(world.fake.sent_messages)
    await run.say(world.alice, "!convquiz stop", world.other_channel)
    await world.fake.wait_for_message(lambda m: m.channel_id == world.other_channel.id, start=mark)
    return len(run.bot.replays) - before - 1


async def test_quiet_chat_is_not_parsed_but_commands_and_answers_are(quizbot: Running) -> None:
    world = quizbot.world
    # A guild's first message is parsed: its prefix is read from its settings then.
    assert await _parsed(quizbot, ["morning all"]) == 1
    assert await _parsed(quizbot, ["anyone here?", "lol", "<@1> hi", "!nothing"]) == 2
    # With a question open there, every message is a possible answer.
    await quizbot.say(world.alice, "!convquiz param_count 1", world.other_channel)
    await world.fake.wait_for_message(is_question)
    assert await _parsed(quizbot, ["anyone here?", "lol"]) == 2
