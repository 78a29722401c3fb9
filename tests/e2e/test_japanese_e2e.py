"""A Japanese study server end to end: the unmodified discord.py client against the
loopback Discord, a guild whose preferred locale is Japanese, members answering the seed
article's questions the way they type in Japanese, and not one English sentence back.

Also: ``!quizconfig language en`` switches a server to English in one command, a member
whose Discord is in Japanese gets their own (ephemeral) replies in Japanese on an
English server, and slash commands are registered with Japanese descriptions.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from fakediscord import MANAGE_GUILD, FakeDiscord, Member, SentMessage
from fakediscord.limits import RateLimits
from harness import MANY_MESSAGES, Clock, Running, SeedQueue, World, running, text_of
from helpers import english_words

from bot.engine import bank
from bot.engine.question import Question

pytestmark = pytest.mark.e2e


@pytest.fixture
async def ja_world(tmp_path: Path, rate_limits: RateLimits) -> AsyncIterator[World]:
    """A new server whose owner set Japanese as its language in Discord; no bot setting."""
    async with FakeDiscord(rate_limits=rate_limits) as fake:
        guild = fake.add_guild("畳み込み勉強会", preferred_locale="ja")
        channel = fake.add_channel(guild.id, "クイズ")
        other = fake.add_channel(guild.id, "雑談")
        moderators = fake.add_role(guild.id, "モデレーター", MANAGE_GUILD)
        members = [fake.add_member(guild.id, name) for name in ("bob", "carol", "dave", "erin")]
        alice = fake.add_member(guild.id, "alice", roles=[moderators])
        yield World(
            fake,
            guild,
            channel,
            other,
            alice,
            *members,
            db_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            clock=Clock(),
            seeds=SeedQueue(),
        )
        assert fake.unknown_routes == [], "the bot used a route Discord does not have"
        assert fake.server_errors == []
        assert fake.contract_violations == [], "a request or answer breaks Discord's spec"
        assert fake.rate_limited == [], "the bot was answered 429 Too Many Requests"


def seed_for(kind: str, difficulty: int, predicate: Callable[[Question], bool]) -> int:
    for seed in range(20_000):
        if predicate(bank.generate(kind, seed, difficulty)):
            return seed
    raise AssertionError("no such question")


def is_ja_question(message: SentMessage) -> bool:
    return bool(message.embeds) and message.embeds[0].get("title", "").startswith("問題 ·")


def is_ja_reveal(message: SentMessage) -> bool:
    return bool(message.embeds) and "の答え" in message.embeds[0].get("title", "")


def ja_code_of(message: SentMessage) -> str:
    found = re.search(r"コード (\S+)", message.embeds[0]["footer"]["text"])
    assert found, message.embeds[0]["footer"]
    return found.group(1)


def assert_japanese(text: str) -> None:
    """No English sentence: no run of 4+ ASCII letters beyond code, mentions and names."""
    assert english_words(text, 4) == [], text
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text), text


async def ask_ja(run: Running, member: Member, command: str) -> tuple[SentMessage, Question]:
    await run.say(member, command)
    posted = await run.world.fake.wait_for_message(is_ja_question)
    question = bank.from_code(ja_code_of(posted), "ja")
    assert question.prompt in posted.embeds[0]["description"]
    assert_japanese(text_of(posted))
    return posted, question


async def reaction(run: Running, message: dict[str, Any], emoji: str) -> None:
    await run.world.fake.wait_for_reaction(emoji=emoji, message_id=int(message["id"]), start=0)


# About the Japanese texts, not Discord's limits: the round posts many messages in a row.
@pytest.mark.parametrize("rate_limits", [MANY_MESSAGES], ids=["many-messages"])
async def test_a_japanese_server_plays_a_whole_round_in_japanese(ja_world: World) -> None:
    world, fake = ja_world, ja_world.fake
    async with running(world) as run:
        # 1. The article's question 2: (25, 25, 16), 3×3 filters, 32 of them → 4640個.
        world.seeds.seeds.append(
            seed_for(
                "param_count",
                1,
                lambda q: (
                    q.params
                    == {
                        "in_channels": 16,
                        "out_channels": 32,
                        "kernel": [3, 3],
                        "bias": True,
                        "groups": 1,
                    }
                    and "(25, 25, 16)" in q.prompt
                ),
            )
        )
        posted, question = await ask_ja(run, world.alice, "!convquiz param_count 1")
        title = posted.embeds[0]["title"]
        assert title == "問題 · パラメータ数 · 難易度1"
        assert "(縦, 横, チャンネル)=(25, 25, 16)である中間層" in question.prompt
        assert "締め切り <t:" in posted.embeds[0]["description"]
        right = await run.say(world.bob, "4640個")
        partial = await run.say(world.carol, "４６０８")  # forgot the biases
        wrong = await run.say(world.dave, "答えは12です")
        chat = await run.say(world.erin, "バイアスって何？")
        for message, emoji in ((right, "✅"), (partial, "🟡"), (wrong, "❌")):
            await reaction(run, message, emoji)
        assert not [r for r in fake.reactions if r[1] == int(chat["id"])]

        await run.advance(31)
        reveal = await fake.wait_for_message(is_ja_reveal)
        text = text_of(reveal)
        assert_japanese(text)
        assert f"問題 {question.code} の答え" in text and "答え: **4,640**" in text
        assert (
            "(前層のチャンネル数)×(フィルターサイズ)×(後の層のチャンネル数)=16×(3×3)×32=4608"
            in text
        )
        assert "4608+32=4640個" in text
        assert re.search(rf"<@{world.bob.id}> ★（\+\d+点）", text)
        assert "回答 3件 · ★ 最初の正解" in text

        # 2. The article's question 1: 25×25, a 5×5 filter, stride 2 → 11×11, typed full-width.
        world.seeds.seeds.append(
            seed_for(
                "output_size",
                1,
                lambda q: (
                    q.params["size"] == [25, 25]
                    and q.params["kernel"] == [5, 5]
                    and q.params["stride"] == [2, 2]
                ),
            )
        )
        _, question = await ask_ja(run, world.alice, "!convquiz output_size 1")
        assert question.prompt.startswith("縦×横=25×25の画像に、サイズ=(5, 5)のフィルター")
        await reaction(run, await run.say(world.bob, "１１×１１"), "✅")
        await reaction(run, await run.say(world.carol, "10×10"), "🟡")  # forgot the +1
        await run.say(world.alice, "!convquiz stop")
        reveal = await fake.wait_for_message(is_ja_reveal)
        text = text_of(reveal)
        assert_japanese(text)
        assert "（途中で締め切り）" in text and "答え: **11×11**" in text
        assert "5, 7, 9, …と2個ずつ増えながらズレていきます。これが終点の25まで続く" in text

        # 3. A choice question (the article's question 4), answered with a full-width letter.
        world.seeds.seeds.append(seed_for("odd_kernel", 1, lambda q: q.choices is not None))
        posted, question = await ask_ja(run, world.alice, "!convquiz odd_kernel 1")
        assert isinstance(question.answer.value, int) and question.choices is not None
        assert "(4, 4)や(6, 6)なフィルターサイズ" in question.prompt
        letter = chr(ord("Ａ") + question.answer.value)
        await reaction(run, await run.say(world.carol, letter), "✅")
        # Buttons answer in the clicking member's own language.
        wrong = (question.answer.value + 1) % 4
        clicked = await fake.click_button(
            posted.id, posted.custom_ids[wrong], world.dave.id, locale="ja"
        )
        response = await fake.wait_for_interaction_response(interaction=clicked)
        assert response.ephemeral and "（+0点）" in response.content
        assert_japanese(response.content)
        clicked = await fake.click_button(
            posted.id, posted.custom_ids[wrong], world.erin.id, locale="en-US"
        )
        response = await fake.wait_for_interaction_response(interaction=clicked)
        assert response.ephemeral and "(+0)" in response.content
        assert english_words(response.content, 4)  # erin's Discord is in English
        await run.advance(31)
        reveal = text_of(await fake.wait_for_message(is_ja_reveal))
        assert_japanese(reveal)
        assert "偶数だと中心ピクセルがなくなるから" in reveal

        # 4. Boards, stats, help and refusals: all Japanese.
        checks: list[tuple[Member, str, Callable[[SentMessage], bool]]] = [
            (world.dave, "!leaderboard", lambda m: "ランキング · 累計" in text_of(m)),
            (world.dave, "!leaderboard week", lambda m: "ランキング · 今週" in text_of(m)),
            (world.carol, "!stats", lambda m: "の成績" in text_of(m)),
            (world.erin, "!help", lambda m: "遊び方" in text_of(m) or "ドリル" in text_of(m)),
            (world.alice, "!quizconfig", lambda m: "クイズ設定" in text_of(m)),
            (world.erin, "!convquiz stop", lambda m: "出題中の問題はありません" in m.content),
            (world.erin, "!convquiz 7", lambda m: "難易度は1、2、3のどれか" in m.content),
            (
                world.erin,
                "!convquiz replay XX1-00v9",
                lambda m: "問題のコードではありません" in m.content,
            ),
            (world.erin, "!quizconfig timelimit 60", lambda m: "サーバー管理" in m.content),
            (
                world.alice,
                "!quizconfig timelimit soon",
                lambda m: "読み取れませんでした" in m.content,
            ),
            (world.alice, "!quizconfig timelimit 5", lambda m: "制限時間は10〜600秒" in m.content),
            (world.alice, "!leaderboard sideways", lambda m: "期間は" in m.content),
        ]
        for member, command, found in checks:
            await run.say(member, command)
            reply = await fake.wait_for_message(found)
            assert_japanese(text_of(reply))
        stats = text_of(next(m for m in fake.sent_messages if "の成績" in text_of(m)))
        assert "バイアスの足し忘れ ×1" in stats and "パラメータ数" in stats
        board = text_of(next(m for m in fake.sent_messages if "ランキング · 累計" in text_of(m)))
        assert re.search(rf"\d\. <@{world.bob.id}> · \d+点（2/2問正解）", board)
        config = text_of(next(m for m in fake.sent_messages if "クイズ設定" in text_of(m)))
        assert "言語: 日本語（Discordのサーバー設定に合わせる）" in config

        # Every message the bot posted in this server was Japanese.
        for message in fake.sent_messages:
            if message.channel_id == world.channel.id and message.interaction_id is None:
                assert_japanese(text_of(message))

        # 5. One command switches the server to English; "auto" follows Discord again.
        await run.say(world.alice, "!quizconfig language en")
        shown = text_of(await fake.wait_for_message(lambda m: "Quiz settings" in text_of(m)))
        assert "Language: English" in shown
        await run.say(world.bob, "!convquiz output_size 1")
        english = await fake.wait_for_message(
            lambda m: bool(m.embeds) and m.embeds[0].get("title", "").startswith("Question ·")
        )
        assert english.embeds[0]["title"] == "Question · output size · difficulty 1"
        assert english.embeds[0]["description"].startswith("A ")
        await run.say(world.alice, "!convquiz stop")
        await fake.wait_for_message(
            lambda m: "the answer" in m.embeds[0].get("title", "") if m.embeds else False
        )
        await run.say(world.alice, "!quizconfig language auto")
        shown = text_of(
            await fake.wait_for_message(
                lambda m: "言語: 日本語（Discordのサーバー設定に合わせる）" in text_of(m)
            )
        )
        assert_japanese(shown)


async def test_a_first_right_answer_behind_wrong_ones_is_announced_in_japanese(
    ja_world: World,
) -> None:
    world, fake = ja_world, ja_world.fake
    async with running(world) as run:
        _, question = await ask_ja(run, world.alice, "!convquiz param_count 1")
        for member in (world.bob, world.carol):
            await run.say(member, "1")  # wrong: the first takes the channel's reaction turn
        right = await run.say(world.dave, question.answer_text)
        reply = await fake.wait_for_message(
            lambda m: str((m.message_reference or {}).get("message_id")) == right["id"]
        )
        assert reply.content == f"✅ <@{world.dave.id}> さんが一番乗りで正解しました。"
        assert_japanese(reply.content)


async def test_a_japanese_server_keeps_its_language_across_a_restart(ja_world: World) -> None:
    world, fake = ja_world, ja_world.fake
    async with running(world) as run:
        _, question = await ask_ja(run, world.alice, "!convquiz param_count 1")
        await reaction(run, await run.say(world.bob, question.answer_text + "個"), "✅")
    world.clock.now = world.clock.now.replace(minute=5)  # the deadline passes while down
    async with running(world):
        reveal = await fake.wait_for_message(is_ja_reveal, start=0)
    assert_japanese(text_of(reveal))
    assert question.code in text_of(reveal)


# --- slash commands ---------------------------------------------------------------------


def _localized(payload: dict[str, Any], where: str) -> list[str]:
    """Every description and choice name of a synced command, with its Japanese."""
    problems = []
    description = payload.get("description", "")
    japanese = (payload.get("description_localizations") or {}).get("ja")
    if not japanese or japanese == description:
        problems.append(f"{where}: no Japanese description")
    elif not 1 <= len(japanese) <= 100:
        problems.append(f"{where}: Japanese description longer than 100")
    else:
        assert_japanese(japanese)
    if payload.get("name_localizations"):
        problems.append(f"{where}: names must stay the same in every language")
    for option in payload.get("options") or []:
        problems += _localized(option, f"{where} {option['name']}")
    for choice in payload.get("choices") or []:
        name = (choice.get("name_localizations") or {}).get("ja")
        if not name or name == choice["name"] or len(name) > 100:
            problems.append(f"{where} choice {choice['value']}: no Japanese name")
    return problems


async def test_slash_commands_are_registered_with_japanese_descriptions(world: World) -> None:
    async with running(world) as run:
        await run.bot.tree.sync()
        synced = world.fake.synced_commands()
        assert {c["name"] for c in synced} >= {
            "convquiz",
            "leaderboard",
            "stats",
            "help",
            "quizconfig",
            "template",
        }
        problems = [p for command in synced for p in _localized(command, command["name"])]
        assert problems == []
        convquiz = world.fake.find_command("convquiz")
        assert convquiz is not None
        assert (
            convquiz["description_localizations"]["ja"]
            == "このチャンネルに畳み込み層の問題を出します"
        )
        start = next(o for o in convquiz["options"] if o["name"] == "start")
        kind = next(o for o in start["options"] if o["name"] == "kind")
        assert [c["name_localizations"]["ja"] for c in kind["choices"]] == [
            "出力サイズ",
            "パラメータ数",
            "1×1ボトルネック",
            "奇数カーネル",
        ]
        config = world.fake.find_command("quizconfig")
        assert config is not None
        assert "language" in {o["name"] for o in config["options"]}


async def test_a_japanese_member_on_an_english_server_gets_their_replies_in_japanese(
    world: World,
) -> None:
    fake = world.fake
    async with running(world) as run:
        await run.bot.tree.sync()

        async def slash(
            member: Member, name: str, options: dict[str, Any] | None = None, locale: str = "ja"
        ) -> Any:
            interaction = await fake.invoke_slash(
                world.guild.id, world.channel.id, member.id, name, options, locale=locale
            )
            return await fake.wait_for_interaction_response(interaction=interaction)

        helped = await slash(world.bob, "help")
        assert helped.ephemeral
        embed = helped.data["embeds"][0]
        assert embed["title"] == "convquiz：畳み込み層の計算ドリル"
        assert_japanese(embed["title"] + embed["description"])
        assert (
            "Kinds:"
            in (await slash(world.bob, "help", locale="en-US")).data["embeds"][0]["description"]
        )

        nothing = await slash(world.bob, "convquiz stop")
        assert nothing.ephemeral and nothing.content == "このチャンネルで出題中の問題はありません。"
        # A check that fails before the command runs (Manage Server) is answered by the tree.
        denied = await slash(world.bob, "quizconfig timelimit", {"seconds": 60})
        assert denied.ephemeral and denied.content == "それには「サーバー管理」の権限が必要です。"
        # A refusal from inside the command.
        refused = await slash(world.alice, "quizconfig timelimit", {"seconds": 5})
        assert refused.ephemeral and "制限時間は10〜600秒です" in refused.content

        # What the whole channel sees stays in the server's language.
        started = await slash(world.bob, "convquiz start", {"kind": "output_size"})
        assert not started.ephemeral
        assert started.data["embeds"][0]["title"].startswith("Question · output size")
        busy = await slash(world.carol, "convquiz start", {"kind": "param_count"})
        assert busy.ephemeral and "出題中です" in busy.content
