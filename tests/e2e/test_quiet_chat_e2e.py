"""Chat in a channel with no open question stops before discord.py parses it; commands,
answers and chat in a channel with a question are still parsed and handled."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord.ext import commands
from harness import Running, ask, is_question


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


async def test_a_typed_answer_is_acknowledged_without_a_parsed_message(
    quizbot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = quizbot.world
    built: list[int] = []
    init = discord.Message.__init__

    def counting(self: discord.Message, **fields: Any) -> None:
        built.append(int(fields["data"]["id"]))
        init(self, **fields)

    monkeypatch.setattr(discord.Message, "__init__", counting)
    _, question = await ask(quizbot, world.alice, "!convquiz param_count 1")
    command_parsed = len(built)
    answered = await quizbot.say(world.bob, question.answer_text)
    await world.fake.wait_for_reaction(emoji="✅", message_id=int(answered["id"]))
    assert command_parsed > 0  # the command was parsed: the count sees discord.py's work
    assert int(answered["id"]) not in built


async def test_a_cog_that_listens_for_messages_sees_the_quiet_chat_too(quizbot: Running) -> None:
    assert await _parsed(quizbot, ["morning all"]) == 1  # the guild's prefix now cached
    heard: list[str] = []

    class Listener(commands.Cog):
        @commands.Cog.listener()
        async def on_message(self, message: discord.Message) -> None:
            heard.append(message.content)

    await quizbot.bot.add_cog(Listener())
    await _parsed(quizbot, ["anyone here?"])  # counts the bot's own reply now, too
    assert "anyone here?" in heard
    await quizbot.bot.remove_cog("Listener")
    assert await _parsed(quizbot, ["lol"]) == 0
    assert "lol" not in heard
