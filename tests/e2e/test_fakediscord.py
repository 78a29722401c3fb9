"""The loopback Discord fake, driven by the unmodified discord.py client.

A small bot defined here (prefix commands, a view, slash commands, a modal) logs into
the fake; each test drives it the way a user would and checks what reached "Discord".
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import discord
import pytest
from discord import ui
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route
from fakediscord import (
    FLAG_EPHEMERAL,
    MANAGE_GUILD,
    Channel,
    FakeDiscord,
    Guild,
    Member,
    Role,
    SentMessage,
    User,
    WaitTimeout,
    run_client,
    snowflake_time,
)
from fakediscord.contract import contract, unserved

pytestmark = pytest.mark.e2e

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


class AnswerModal(ui.Modal, title="Your answer"):
    answer: ui.Label[AnswerModal] = ui.Label(
        text="Answer", component=ui.TextInput(custom_id="answer", max_length=10)
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.answer.component, ui.TextInput)
        await interaction.response.send_message(f"got {self.answer.component.value}")


class QuizView(ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)

    @ui.button(label="A", custom_id="quiz:a")
    async def choose_a(self, interaction: discord.Interaction, _: ui.Button[QuizView]) -> None:
        name = interaction.user.display_name
        await interaction.response.send_message(f"{name} chose A", ephemeral=True)

    @ui.button(label="Reveal", custom_id="quiz:reveal")
    async def reveal(self, interaction: discord.Interaction, _: ui.Button[QuizView]) -> None:
        # UPDATE_MESSAGE (callback type 7): edits the message carrying the button.
        await interaction.response.edit_message(content="Answer: 4", view=None)

    @ui.select(custom_id="quiz:pick", options=[discord.SelectOption(label=x) for x in "123"])
    async def pick(self, interaction: discord.Interaction, select: ui.Select[QuizView]) -> None:
        await interaction.response.send_message(f"picked {select.values[0]}")


class ProbeBot(commands.Bot):
    """The minimal bot under test; records what its gateway connection delivered."""

    def __init__(self, intents: discord.Intents) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned_or("!"),
            intents=intents,
            guild_ready_timeout=0.05,  # the default waits 2 s after the last GUILD_CREATE
        )
        self.seen: asyncio.Queue[discord.Message] = asyncio.Queue()
        self.socket_events: list[str] = []
        self.add_commands()

    async def on_message(self, message: discord.Message) -> None:
        await self.seen.put(message)
        await self.process_commands(message)

    async def on_socket_event_type(self, event_type: str) -> None:
        self.socket_events.append(event_type)

    def add_commands(self) -> None:
        @self.command()
        async def ping(ctx: commands.Context[commands.Bot]) -> None:
            await ctx.send("pong")

        @self.command()
        async def quiz(ctx: commands.Context[commands.Bot]) -> None:
            await ctx.send("Q1: 2 + 2 = ?", view=QuizView())

        @self.command()
        async def react(ctx: commands.Context[commands.Bot]) -> None:
            await ctx.message.add_reaction("✅")

        @self.command()
        async def chart(ctx: commands.Context[commands.Bot]) -> None:
            await ctx.send("chart", file=discord.File(io.BytesIO(PNG_BYTES), "chart.png"))

        @self.command()
        async def shout(ctx: commands.Context[commands.Bot]) -> None:
            try:
                await ctx.send("A" * 2001)
            except discord.HTTPException as error:
                await ctx.send(f"refused {error.status} {error.code}")

        @self.tree.command(name="score", description="Show a member's score")
        async def score(
            interaction: discord.Interaction, user: discord.Member, bonus: int = 0
        ) -> None:
            await interaction.response.send_message(f"{user.display_name}: {10 + bonus}")

        @self.tree.command(name="slow", description="Think first, answer later")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done thinking")

        @self.tree.command(name="count", description="Answer, then edit the answer")
        async def count(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("1")
            await interaction.edit_original_response(content="2")

        @self.tree.command(name="answer", description="Answer in a form")
        async def answer(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(AnswerModal())


def intents(*, message_content: bool = True, guild_messages: bool = True) -> discord.Intents:
    value = discord.Intents.default()
    value.message_content = message_content
    value.guild_messages = guild_messages
    return value


@dataclass
class World:
    fake: FakeDiscord
    guild: Guild
    channel: Channel
    moderator: Role
    alice: Member
    bob: Member


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with FakeDiscord() as fake:
        guild = fake.add_guild("Conv Club", preferred_locale="de")
        channel = fake.add_channel(guild.id, "general")
        moderator = fake.add_role(guild.id, "Moderator", MANAGE_GUILD)
        alice = fake.add_member(guild.id, "alice", roles=[moderator])
        bob = fake.add_member(guild.id, "bob")
        yield World(fake, guild, channel, moderator, alice, bob)
        assert fake.server_errors == []
        assert fake.contract_violations == [], "a request or answer breaks Discord's spec"
        assert fake.rate_limited == [], "the bot was answered 429 Too Many Requests"


@pytest.fixture
async def bot(world: World) -> AsyncIterator[ProbeBot]:
    async with run_client(world.fake, ProbeBot(intents())) as client:
        yield client


def is_pong(message: SentMessage) -> bool:
    return message.content == "pong"


async def test_login_and_ready(world: World) -> None:
    fake = world.fake
    real_base, real_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    began = time.perf_counter()
    async with run_client(fake, ProbeBot(intents())) as client:
        assert time.perf_counter() - began < 2.0
        assert fake.api_base == Route.BASE
        assert client.user is not None and client.user.id == fake.bot_user.id
        assert client.application_id == fake.application_id
        guild = client.get_guild(world.guild.id)
        assert guild is not None and guild.name == "Conv Club"
        assert str(guild.preferred_locale) == "de"
        assert guild.get_channel(world.channel.id) is not None
        assert guild.member_count == 3  # bot, alice, bob
        # Without the members intent Discord sends only the bot's own member.
        assert [m.id for m in guild.members] == [fake.bot_user.id]
        assert guild.get_role(world.moderator.id) is not None
        assert guild.default_role.id == guild.id
        assert fake.identifies[0].intents == intents().value
        assert fake.identifies[0].shard is None
        assert fake.rest_calls["GET /users/@me"] == 1
        assert fake.rest_calls["GET /oauth2/applications/@me"] == 1
    # Closing the client restores discord.py's real endpoints.
    assert (real_base, real_gateway) == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    assert abs(snowflake_time(world.guild.id).timestamp() - time.time()) < 60


async def test_ping_round_trip(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    await fake.send_message(world.channel.id, world.alice.id, "!ping")
    reply = await fake.wait_for_message(is_pong)
    assert reply.channel_id == world.channel.id
    assert reply.source == "channel"
    assert reply.message["author"]["id"] == str(fake.bot_user.id)
    assert fake.rest_calls["POST /channels/{channel_id}/messages"] == 1
    assert fake.unknown_routes == []
    # Discord echoes the bot's own message back; the bot saw "!ping" and then "pong".
    assert (await bot.seen.get()).content == "!ping"
    echoed = await asyncio.wait_for(bot.seen.get(), 2)
    assert echoed.id == reply.id and echoed.author.id == fake.bot_user.id


async def test_zlib_stream_gateway() -> None:
    async with FakeDiscord(compress=True) as fake:
        guild = fake.add_guild("Zipped")
        channel = fake.add_channel(guild.id, "general")
        alice = fake.add_member(guild.id, "alice")
        async with run_client(fake, ProbeBot(intents())):
            await fake.send_message(channel.id, alice.id, "!ping")
            await fake.wait_for_message(is_pong)
        assert fake.contract_violations == []
        assert fake.rate_limited == []


async def test_message_content_intent_honoured(world: World) -> None:
    fake = world.fake
    async with run_client(fake, ProbeBot(intents(message_content=False))) as client:
        assert client.user is not None
        await fake.send_message(world.channel.id, world.alice.id, "!ping")
        blind = await asyncio.wait_for(client.seen.get(), 2)
        assert blind.content == ""  # no intent: Discord blanks other people's messages
        # ... unless the bot is mentioned, which also makes the mention prefix work.
        await fake.send_message(world.channel.id, world.alice.id, f"<@{client.user.id}> ping")
        mentioned = await asyncio.wait_for(client.seen.get(), 2)
        assert mentioned.content == f"<@{client.user.id}> ping"
        reply = await fake.wait_for_message()
        assert reply.content == "pong"
        # ... and the bot always sees its own messages.
        own = await asyncio.wait_for(client.seen.get(), 2)
        assert own.content == "pong"
        assert len(fake.sent_messages) == 1  # "!ping" was never seen, so never answered


async def test_guild_messages_intent_honoured(world: World) -> None:
    fake = world.fake
    async with run_client(fake, ProbeBot(intents(guild_messages=False))) as client:
        await client.tree.sync()
        await fake.send_message(world.channel.id, world.alice.id, "!ping")
        # Interactions need no intent, so one arriving proves the message was skipped.
        await fake.invoke_slash(
            world.guild.id, world.channel.id, world.alice.id, "score", {"user": world.bob.id}
        )
        await fake.wait_for_interaction_response()
        assert "INTERACTION_CREATE" in client.socket_events
        assert "MESSAGE_CREATE" not in client.socket_events
        assert client.seen.empty()


async def test_button_click_and_update(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    await fake.send_message(world.channel.id, world.alice.id, "!quiz")
    question = await fake.wait_for_message(lambda m: m.content.startswith("Q1"))
    assert question.custom_ids == ["quiz:a", "quiz:reveal", "quiz:pick"]

    click = await fake.click_button(question.id, "quiz:a", world.bob.id)
    assert click["type"] == 3 and click["data"] == {"custom_id": "quiz:a", "component_type": 2}
    assert click["member"]["permissions"] == str(world.guild.permissions_for(world.bob.id))
    assert not int(click["member"]["permissions"]) & MANAGE_GUILD
    assert click["locale"] == "en-US" and click["guild_locale"] == "de"
    response = await fake.wait_for_interaction_response(interaction=click)
    assert response.type == 4 and response.ephemeral
    assert response.content == "bob chose A"
    reply = await fake.wait_for_message()
    assert reply.source == "interaction" and reply.flags & FLAG_EPHEMERAL

    choice = await fake.select(question.id, "quiz:pick", world.alice.id, ["2"])
    assert (await fake.wait_for_interaction_response(interaction=choice)).content == "picked 2"

    await fake.click_button(question.id, "quiz:reveal", world.alice.id)
    edit = await fake.wait_for_edit()
    assert edit.message_id == question.id and edit.source == "interaction"
    assert question.content == "Answer: 4" and question.components == []
    with pytest.raises(ValueError, match="no component"):
        await fake.click_button(question.id, "quiz:a", world.bob.id)  # the view is gone
    assert fake.rest_calls["POST /interactions/{interaction_id}/{interaction_token}/callback"] == 3


async def test_slash_command_sync_and_invoke(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    synced = await bot.tree.sync()
    assert sorted(c.name for c in synced) == ["answer", "count", "score", "slow"]
    ids = {c["name"]: c["id"] for c in fake.synced_commands()}
    assert {c.name: str(c.id) for c in synced} == ids
    await bot.tree.sync()  # Discord keeps ids when names stay the same
    assert {c["name"]: c["id"] for c in fake.synced_commands()} == ids
    assert fake.rest_calls["PUT /applications/{application_id}/commands"] == 2

    call = await fake.invoke_slash(
        world.guild.id,
        world.channel.id,
        world.alice.id,
        "score",
        {"user": world.bob.id, "bonus": 5},
    )
    assert call["data"]["id"] == ids["score"]
    assert int(call["member"]["permissions"]) & MANAGE_GUILD  # alice is a moderator
    assert not int(call["app_permissions"]) & MANAGE_GUILD  # the bot only has @everyone
    assert call["data"]["options"] == [
        {"name": "user", "type": 6, "value": str(world.bob.id)},
        {"name": "bonus", "type": 4, "value": 5},
    ]
    reply = await fake.wait_for_message()
    assert reply.content == "bob: 15" and reply.message["type"] == 20
    assert reply.interaction_id == int(call["id"])


async def test_guild_command_needs_guild_id(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    target = discord.Object(world.guild.id)
    bot.tree.copy_global_to(guild=target)
    await bot.tree.sync(guild=target)
    assert fake.rest_calls["PUT /applications/{application_id}/guilds/{guild_id}/commands"] == 1
    call = await fake.invoke_slash(
        world.guild.id, world.channel.id, world.bob.id, "score", {"user": world.alice.id}
    )
    assert call["data"]["guild_id"] == str(world.guild.id)
    assert (await fake.wait_for_message()).content == "alice: 10"


async def test_deferred_reply_edits_and_modal(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    await bot.tree.sync()
    call = await fake.invoke_slash(world.guild.id, world.channel.id, world.alice.id, "slow")
    reply = await fake.wait_for_message()
    assert reply.content == "done thinking"
    deferral = fake.interaction_responses[-1]
    assert deferral.type == 5 and deferral.interaction_id == int(call["id"])
    # The first follow-up after a deferral fills the "thinking" message in place.
    assert deferral.message is not None and int(deferral.message["id"]) == reply.id
    assert not reply.flags & (1 << 7)

    await fake.invoke_slash(world.guild.id, world.channel.id, world.alice.id, "count")
    edit = await fake.wait_for_edit()
    assert (edit.source, edit.message["content"]) == ("webhook", "2")
    assert (
        fake.rest_calls["PATCH /webhooks/{application_id}/{interaction_token}/messages/@original"]
        == 1
    )

    await fake.invoke_slash(world.guild.id, world.channel.id, world.alice.id, "answer")
    opened = await fake.wait_for_interaction_response()
    assert opened.type == 9 and opened.data is not None and opened.data["title"] == "Your answer"
    with pytest.raises(ValueError, match="takes 0-10 characters"):
        await fake.submit_modal(opened, {"answer": "far too long"})
    await fake.submit_modal(opened, {"answer": "42"})
    assert (await fake.wait_for_message()).content == "got 42"


async def test_late_interaction_response_is_refused(world: World) -> None:
    fake = world.fake
    fake.interaction_deadline = 0.05
    client = ProbeBot(intents())

    @client.tree.command(name="sleepy", description="Answers too late")
    async def sleepy(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.1)  # e.g. slow work before responding or deferring
        try:
            await interaction.response.send_message("too late")
        except discord.NotFound as error:
            await interaction.channel.send(f"lost {error.code}")  # type: ignore[union-attr]

    async with run_client(fake, client):
        await client.tree.sync()
        await fake.invoke_slash(world.guild.id, world.channel.id, world.alice.id, "sleepy")
        assert (await fake.wait_for_message()).content == "lost 10062"
        assert fake.interaction_responses == []
        assert fake.rejected[0].errors[0].startswith("answered after")


async def test_reaction_recorded(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    command = await fake.send_message(world.channel.id, world.alice.id, "!react")
    reaction = await fake.wait_for_reaction(emoji="✅")
    assert reaction == (world.channel.id, int(command["id"]), "✅")
    assert fake.messages[int(command["id"])]["reactions"][0]["me"] is True
    assert (
        fake.rest_calls["PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"]
        == 1
    )


def reaction_counts(fake: FakeDiscord, message_id: int) -> list[tuple[str, int, bool]]:
    return [
        (r["emoji"]["name"], r["count"], r["me"]) for r in fake.messages[message_id]["reactions"]
    ]


async def test_reactions_counted_per_message_and_user(world: World, bot: ProbeBot) -> None:
    fake, ch = world.fake, world.channel.id
    first = int((await fake.send_message(ch, world.alice.id, "first"))["id"])
    second = int((await fake.send_message(ch, world.bob.id, "second"))["id"])
    await fake.add_reaction(ch, first, world.alice.id, "👍")
    await fake.add_reaction(ch, first, world.bob.id, "👍")
    await fake.add_reaction(ch, first, world.bob.id, "❌")
    await fake.add_reaction(ch, second, world.alice.id, "👍")
    await fake.add_reaction(ch, first, world.alice.id, "👍")  # again: no change
    channel = bot.get_channel(ch)
    assert isinstance(channel, discord.TextChannel) and bot.user is not None
    await channel.get_partial_message(first).add_reaction("✅")
    await channel.get_partial_message(second).add_reaction("👍")
    await channel.get_partial_message(second).add_reaction("✅")
    await channel.get_partial_message(second).remove_reaction("👍", bot.user)
    await channel.get_partial_message(first).remove_reaction("❌", bot.user)  # never added

    assert reaction_counts(fake, first) == [("👍", 2, False), ("❌", 1, False), ("✅", 1, True)]
    assert reaction_counts(fake, second) == [("👍", 1, False), ("✅", 1, True)]
    assert list(fake.reactions) == [(ch, first, "✅"), (ch, second, "👍"), (ch, second, "✅")]
    assert fake.removed_reactions == [(ch, second, "👍")]

    await channel.get_partial_message(second).remove_reaction("✅", bot.user)
    assert reaction_counts(fake, second) == [("👍", 1, False)]
    await channel.get_partial_message(second).add_reaction("✅")
    assert reaction_counts(fake, second) == [("👍", 1, False), ("✅", 1, True)]
    assert fake.removed_reactions == [(ch, second, "👍"), (ch, second, "✅")]


async def test_attachment_bytes_recorded(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    await fake.send_message(world.channel.id, world.alice.id, "!chart")
    sent = await fake.wait_for_message(lambda m: m.content == "chart")
    [attachment] = sent.attachments
    assert (attachment.filename, attachment.size, attachment.data) == (
        "chart.png",
        len(PNG_BYTES),
        PNG_BYTES,
    )
    assert attachment.content_type == "image/png"
    assert sent.message["attachments"][0]["size"] == len(PNG_BYTES)


async def test_discord_limits_enforced(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    await fake.send_message(world.channel.id, world.alice.id, "!shout")
    assert (await fake.wait_for_message()).content == "refused 400 50035"
    assert fake.rejected[0].errors == ["content: longer than 2000 (2001)"]


async def test_unknown_route_is_404_and_recorded(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.NotFound):
        await channel.create_invite()
    assert fake.unknown_routes == [f"POST /api/v10/channels/{world.channel.id}/invites"]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{fake.api_base}/users/@me") as anonymous:
            assert anonymous.status == 401
        headers = {"Authorization": f"Bot {fake.token}"}
        async with session.get(f"{fake.api_base}/users/@me", headers=headers) as me:
            # Exactly this: with "; charset=utf-8" discord.py would not parse the JSON.
            assert me.headers["Content-Type"] == "application/json"


async def test_raw_interaction_callback(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    # Never synced and unknown to the bot's tree: discord.py leaves it unanswered.
    call = await fake.invoke_slash(world.guild.id, world.channel.id, world.bob.id, "nothing")
    url = f"{fake.api_base}/interactions/{call['id']}/{call['token']}/callback"
    body = {"type": 4, "data": {"content": "by hand"}}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=body) as first:
            assert first.status == 204  # no ?with_response: Discord answers 204
        async with session.post(url, json=body) as second:
            assert second.status == 400
            assert (await second.json())["code"] == 40060  # already acknowledged
    assert [r.content for r in fake.interaction_responses] == ["by hand"]


async def test_gateway_drop_reconnects(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    assert await fake.drop_gateway(4000) == 1
    # discord.py tries RESUME; the fake refuses it, so the client identifies anew.
    again = await fake.wait_for_identify()
    await fake.wait_for_sessions(1)
    assert fake.resume_attempts == 1
    assert again.session_id != fake.identifies[0].session_id
    assert fake.gateway_connections == 3  # first, the RESUME attempt, the new IDENTIFY
    await fake.send_message(world.channel.id, world.alice.id, "!ping")
    await fake.wait_for_message(is_pong)
    assert bot.get_guild(world.guild.id) is not None


async def test_bot_authors_are_ignored(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    other_bot = fake.add_member(world.guild.id, "otherbot", is_bot=True)
    await fake.send_message(world.channel.id, other_bot.id, "!ping")
    start = len(fake.sent_messages)
    await fake.send_message(world.channel.id, world.alice.id, "!ping")
    await fake.wait_for_message(is_pong)
    # Events are handled in order, so the bot's "!ping" was handled (ignored) first.
    assert [m.content for m in fake.sent_messages[start:]] == ["pong"]
    assert fake.rest_calls["POST /channels/{channel_id}/messages"] == 1


async def test_auto_sharded_bot_routes_guilds_by_shard() -> None:
    async with FakeDiscord(recommended_shards=2) as fake:
        # Shard = (guild_id >> 22) % shards: ids one millisecond apart land on both shards.
        base = fake.snowflakes.next()
        first = fake.add_guild("first", guild_id=base)
        second = fake.add_guild("second", guild_id=base + (1 << 22))
        channels = [fake.add_channel(g.id, "general") for g in (first, second)]
        alice = fake.add_member(first.id, "alice")
        fake.add_member(second.id, "alice", user_id=alice.id)
        client = commands.AutoShardedBot(
            command_prefix="!", intents=intents(), guild_ready_timeout=0.05
        )

        @client.command()
        async def ping(ctx: commands.Context[commands.Bot]) -> None:
            await ctx.send(f"pong from shard {ctx.guild.shard_id if ctx.guild else None}")

        async with run_client(fake, client):
            assert fake.rest_calls["GET /gateway/bot"] == 1
            assert sorted(i.shard for i in fake.identifies if i.shard) == [(0, 2), (1, 2)]
            for guild, channel in zip((first, second), channels, strict=True):
                shard = (guild.id >> 22) % 2
                assert client.get_guild(guild.id).shard_id == shard  # type: ignore[union-attr]
                await fake.send_message(channel.id, alice.id, "!ping")
                reply = await fake.wait_for_message()
                assert reply.content == f"pong from shard {shard}"
        assert fake.contract_violations == []
        assert fake.rate_limited == []


async def test_privileged_intent_refused() -> None:
    async with FakeDiscord(privileged_intents=0) as fake:
        fake.add_guild("Strict")
        with pytest.raises(discord.PrivilegedIntentsRequired):
            async with run_client(fake, ProbeBot(intents(message_content=True))):
                pass
        assert fake.contract_violations == []
        assert fake.rate_limited == []


async def test_wait_timeout_is_readable(world: World) -> None:
    with pytest.raises(WaitTimeout, match=r"no matching bot message within 0\.05s"):
        await world.fake.wait_for_message(timeout=0.05)


# A bot in another process finds the fake through the same environment variables the
# real entry point reads.
SUBPROCESS_BOT = """
import asyncio, os
import discord, yarl
from discord.ext import commands

discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
intents = discord.Intents.default()
intents.message_content = True
bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)

@bot.command()
async def ping(ctx):
    await ctx.send("pong from another process")

bot.run(os.environ["DISCORD_TOKEN"], log_handler=None)
"""


async def test_bot_in_another_process(world: World, tmp_path: Path) -> None:
    fake = world.fake
    env = {
        **os.environ,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "DISCORD_TOKEN": fake.token,
    }
    log = tmp_path / "bot.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SUBPROCESS_BOT, env=env, stdout=sink, stderr=sink
        )
    try:
        await fake.wait_for_sessions(1, timeout=15)
        await fake.send_message(world.channel.id, world.alice.id, "!ping")
        reply = await fake.wait_for_message()
        assert reply.content == "pong from another process"
    except WaitTimeout as error:
        raise AssertionError(f"{error}\nbot output:\n{log.read_text()}") from None
    finally:
        process.terminate()
        await process.wait()


# ---- Discord's OpenAPI spec as the contract -------------------------------------------


async def test_every_route_the_fake_serves_is_in_the_spec(world: World) -> None:
    assert world.fake.served_routes()
    assert unserved(world.fake.served_routes()) == []
    assert unserved([("GET", "/channels/{channel_id}/hats")]) == ["GET /channels/{channel_id}/hats"]


async def test_a_body_the_spec_refuses_is_recorded_and_refused(world: World) -> None:
    fake = world.fake
    headers = {"Authorization": f"Bot {fake.token}"}
    url = f"{fake.api_base}/channels/{world.channel.id}/messages"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"content": 5}, headers=headers) as response,
    ):
        assert response.status == 400
        assert (await response.json())["code"] == 50035
    [violation] = fake.contract_violations
    assert violation.startswith("POST /channels/{channel_id}/messages: request /content: 5 is")
    assert fake.rejected[-1].payload == {"content": 5}
    assert fake.sent_messages == []
    fake.contract_violations.clear()


async def test_multipart_payload_json_is_held_to_the_spec(world: World) -> None:
    fake = world.fake
    form = aiohttp.FormData()
    form.add_field("payload_json", '{"content": "hi", "tts": "yes"}')
    form.add_field("files[0]", b"x", filename="x.txt")
    url = f"{fake.api_base}/channels/{world.channel.id}/messages"
    headers = {"Authorization": f"Bot {fake.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=form, headers=headers) as response,
    ):
        assert response.status == 400
    assert [v.split(": ")[1] for v in fake.contract_violations] == ["request /tts"]
    fake.contract_violations.clear()


async def test_a_route_the_spec_lacks_is_recorded(world: World) -> None:
    fake = world.fake
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as session:
        url = f"{fake.api_base}/channels/{world.channel.id}/hats"
        async with session.get(url, headers=headers) as response:
            assert response.status == 404
    assert fake.unknown_routes == [f"GET /api/v10/channels/{world.channel.id}/hats"]
    assert fake.contract_violations == [f"GET /channels/{world.channel.id}/hats: not in the spec"]
    fake.contract_violations.clear()


async def test_an_answer_missing_a_required_field_is_a_violation() -> None:
    spec = contract()
    op = spec.operation("GET", "/users/{user_id}")
    assert op is not None
    user = User(1, "alice").payload()
    assert spec.check_response(op, 200, user) == []
    del user["flags"]
    assert spec.check_response(op, 200, user) == [
        "GET /users/{user_id}: response 200 /: 'flags' is a required property"
    ]
    assert spec.check_response(op, 302, None) == [
        "GET /users/{user_id}: response 302: status not in the spec"
    ]


async def test_a_normal_round_records_no_violations(world: World, bot: ProbeBot) -> None:
    fake = world.fake
    await fake.send_message(world.channel.id, world.alice.id, "!ping")
    await fake.wait_for_message(is_pong)
    assert sum(fake.rest_calls.values()) >= 3  # login, application, the reply
    assert fake.contract_violations == []
