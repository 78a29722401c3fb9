"""English and Japanese: the gettext catalogs, questions asked in Japanese, answers typed
in Japanese forms, and the words the bot adds around them.

The Japanese texts follow the seed article (/work/shared/seed/000_429a1159aee01f01.txt):
its worked formulas are checked word for word where the article gives them.
"""

from __future__ import annotations

import ast
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from helpers import english_words

from bot.console import console_language, run_console
from bot.engine import bank
from bot.engine.question import Question, pack
from bot.i18n import texts
from bot.i18n.texts import LANGUAGES, catalog, language_for_locale, language_named, placeholders, t
from bot.present.cards import (
    board_card,
    close_card,
    config_card,
    feedback_in,
    help_card,
    mistake_label,
    question_card,
    stats_card,
)
from bot.quiz.service import QuizService
from bot.records import (
    AnswerSummary,
    Board,
    BoardRow,
    ClosedQuestion,
    GuildConfig,
    KindStats,
    OpenQuestion,
    UserStats,
)
from bot.storage.db import create_engine, migrate
from bot.storage.repository import Repository

BOT = Path(texts.__file__).resolve().parents[1]
EN, JA = catalog("en"), catalog("ja")

# --- the catalogs ------------------------------------------------------------------------


def test_the_catalogs_are_gettext_files_read_with_babel() -> None:
    for lang in LANGUAGES:
        path = texts.LOCALE_DIR / lang / "LC_MESSAGES" / "convquiz.po"
        with path.open("rb") as file:
            parsed = read_po(file)
        assert str(parsed.locale) == lang
        assert {m.id for m in parsed if m.id} == set(catalog(lang))
    # No compiled catalogs: the .po files are read as they are, no build step.
    assert not list((texts.LOCALE_DIR).rglob("*.mo"))


def test_every_key_is_in_both_catalogs_with_the_same_placeholders() -> None:
    assert len(EN) >= 300
    assert set(EN) == set(JA)
    for key, english in EN.items():
        assert placeholders(JA[key]) == placeholders(english), key
        # Both render with the same parameters without error.
        values = dict.fromkeys(placeholders(english), 7)
        assert t(key, "en", **values) and t(key, "ja", **values)
    assert texts.check() == []


def test_entries_with_placeholders_are_marked_python_brace_format() -> None:
    for lang in LANGUAGES:
        source = (texts.LOCALE_DIR / lang / "LC_MESSAGES" / "convquiz.po").read_text("utf-8")
        for block in filter(str.strip, source.split("\n\n")[1:]):
            key = re.search(r'^msgid "(.+)"$', block, re.M)
            assert key, block
            flagged = "#, python-brace-format" in block
            assert flagged == bool(placeholders(EN[key.group(1)])), (lang, key.group(1))


# Japanese entries that may read exactly like the English ones: nothing to translate.
SAME_IN_BOTH = {
    "os.explain.axis",  # a formula: "{axis}: ⌊(n + 2·p − k) / s⌋ + 1 = …"
    "tpl.import.failed",  # "❌ #{index}: {detail}"
}


def test_every_japanese_entry_is_translated() -> None:
    for key, english in EN.items():
        japanese = JA[key]
        words = re.sub(r"\{[^}]*\}", "", english)  # placeholder names are no words
        assert japanese.strip(), key
        if japanese == english:
            assert key in SAME_IN_BOTH or not re.search(r"[A-Za-z]{2,}", words), key
        else:
            assert key not in SAME_IN_BOTH, f"{key} is translated now: drop it from the list"
        # Japanese sentences are Japanese: every entry with words has kana or kanji.
        if re.search(r"[A-Za-z]{4,}", words) and key not in SAME_IN_BOTH:
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", japanese), key


def test_numbers_and_symbols_are_kept_as_they_are() -> None:
    for key, english in EN.items():
        if key.startswith(("os.", "pc.", "bn.", "ok.", "mistake.")):
            for number in re.findall(r"\d+(?:[.,]\d+)*", english):
                assert number in JA[key], (key, number)
        if ".explain" in key:  # worked answers: the same arithmetic, sign for sign
            for symbol in re.findall(r"[⌊⌋⌈⌉①②·×−→=+/]", english):
                assert symbol in JA[key], (key, symbol)


def _keys_in_code() -> set[str]:
    """Every catalog key the code names as a string literal (f-string keys aside)."""
    prefixes = tuple(sorted({key.split(".")[0] + "." for key in EN}))
    found: set[str] = set()
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith(prefixes)
                and re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", node.value)
            ):
                found.add(node.value)
    return found


def test_every_key_the_code_names_exists() -> None:
    named = _keys_in_code()
    assert len(named) > 200
    assert sorted(named - set(EN)) == []


def test_missing_keys_and_languages_fall_back_to_english() -> None:
    assert t("grade.correct", "fr") == t("grade.correct", "en") == "Correct!"
    assert t("grade.correct", "ja") == "正解！"
    with pytest.raises(KeyError):
        t("no.such.key", "ja")


@pytest.mark.parametrize(
    ("locale", "lang"),
    [
        ("ja", "ja"),
        ("ja-JP", "ja"),
        ("ja_JP.UTF-8", "ja"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("fr", "en"),
        ("zh-CN", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_locales_map_to_our_languages(locale: str | None, lang: str) -> None:
    assert language_for_locale(locale) == lang


def test_language_names_people_type() -> None:
    for word, code in (
        ("ja", "ja"),
        ("Japanese", "ja"),
        ("日本語", "ja"),
        ("EN", "en"),
        ("english", "en"),
        ("英語", "en"),
        ("klingon", None),
    ):
        assert language_named(word) == code


# --- the translators' tool ---------------------------------------------------------------


def test_the_check_command_passes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.i18n.texts", "check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "catalogs agree" in done.stdout


@pytest.fixture
def scratch_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the catalogs that ``update`` may rewrite."""
    folder = tmp_path / "locale"
    shutil.copytree(texts.LOCALE_DIR, folder)
    monkeypatch.setattr(texts, "LOCALE_DIR", folder)
    texts.catalog.cache_clear()
    texts._loaded.clear()
    yield folder
    texts.catalog.cache_clear()
    texts._loaded.clear()


def test_update_is_a_no_op_on_the_committed_catalogs(scratch_catalogs: Path) -> None:
    before = (scratch_catalogs / "ja" / "LC_MESSAGES" / "convquiz.po").read_bytes()
    assert texts.update("ja") == ([], [])
    assert (scratch_catalogs / "ja" / "LC_MESSAGES" / "convquiz.po").read_bytes() == before


def test_a_new_english_key_is_flagged_until_translated(scratch_catalogs: Path) -> None:
    english = scratch_catalogs / "en" / "LC_MESSAGES" / "convquiz.po"
    english.write_text(
        english.read_text("utf-8")
        + '\n#, python-brace-format\nmsgid "reply.new"\nmsgstr "Hello {name}"\n',
        "utf-8",
    )
    added, dropped = texts.update("ja")
    assert (added, dropped) == (["reply.new"], [])
    assert texts.check() == ["ja: reply.new is not translated"]
    japanese = scratch_catalogs / "ja" / "LC_MESSAGES" / "convquiz.po"
    assert "#. Hello {name}" in japanese.read_text("utf-8")  # the English, for the translator
    assert t("reply.new", "ja", name="x") == "Hello x"  # untranslated: English meanwhile
    japanese.write_text(
        japanese.read_text("utf-8").replace(
            'msgid "reply.new"\nmsgstr ""', 'msgid "reply.new"\nmsgstr "こんにちは {nom}"'
        ),
        "utf-8",
    )
    problems = texts.check()
    assert len(problems) == 1 and "placeholders ['nom']" in problems[0]


# --- questions in Japanese ---------------------------------------------------------------


def _texts_of(question: Question) -> list[str]:
    return [
        question.prompt,
        question.explanation,
        *(question.choices or ()),
        *(m.feedback for m in question.mistakes),
    ]


@pytest.mark.parametrize("kind", bank.KINDS)
@pytest.mark.parametrize("difficulty", bank.DIFFICULTIES)
def test_japanese_questions_hold_no_english(kind: str, difficulty: int) -> None:
    for seed in range(300):
        ja = bank.generate(kind, seed, difficulty, "ja")
        en = bank.generate(kind, seed, difficulty, "en")
        # The same question: only the words differ.
        assert (ja.code, ja.params, ja.answer) == (en.code, en.params, en.answer)
        assert ja.choices or ja.answer_text == en.answer_text
        assert [(m.name, m.value, m.score) for m in ja.mistakes] == [
            (m.name, m.value, m.score) for m in en.mistakes
        ]
        assert ja.lang == "ja" and ja.prompt != en.prompt and ja.explanation != en.explanation
        for text in _texts_of(ja):
            assert english_words(text) == [], (ja.code, text)
        for a, b in zip(ja.choices or (), en.choices or (), strict=True):
            assert a != b


def seed_for(kind: str, difficulty: int, **params: object) -> int:
    for seed in range(20_000):
        question = bank.generate(kind, seed, difficulty)
        if all(question.params.get(k) == v for k, v in params.items()):
            return seed
    raise AssertionError(f"no {kind} question with {params}")


def test_the_articles_worked_answers_in_its_own_words() -> None:
    q1 = bank.generate(
        "output_size",
        seed_for("output_size", 1, size=[25, 25], kernel=[5, 5], stride=[2, 2]),
        1,
        "ja",
    )
    assert q1.prompt.startswith("縦×横=25×25の画像に、サイズ=(5, 5)のフィルターを1つかけます。")
    assert (
        "ストライド=(2, 2)でパディングはしない時、出力画像の縦横は何×何になるでしょう。"
        in q1.prompt
    )
    assert "フィルタの右端の座標を考えると、5, 7, 9, …と2個ずつ増えながらズレていきます。" in (
        q1.explanation
    )
    assert "これが終点の25まで続くので答えは11×11です。" in q1.explanation

    q2 = bank.generate(
        "param_count",
        seed_for("param_count", 1, in_channels=16, out_channels=32, kernel=[3, 3]),
        1,
        "ja",
    )
    assert "(前層のチャンネル数)×(フィルターサイズ)×(後の層のチャンネル数)=16×(3×3)×32=4608" in (
        q2.explanation
    )
    assert "4608+32=4640個" in q2.explanation
    assert "使われるパラメータの数はいくつでしょう" in q2.prompt

    q3 = bank.generate(
        "bottleneck",
        seed_for(
            "bottleneck", 1, variant="total", in_channels=32, mid_channels=16, out_channels=64
        ),
        1,
        "ja",
    )
    assert "最初の畳み込み層:32×1×1×16+16=528" in q3.explanation
    assert "次の畳み込み層:16×3×3×64+64=9,280" in q3.explanation

    q4 = bank.generate("odd_kernel", seed_for("odd_kernel", 1, variant="why"), 1, "ja")
    assert q4.choices is not None and isinstance(q4.answer.value, int)
    assert q4.choices[q4.answer.value].startswith("偶数だと中心ピクセルがなくなるから")
    assert q4.explanation.startswith("偶数だと中心ピクセルがなくなるからです。")


@pytest.mark.parametrize(
    ("kind", "params", "reply"),
    [
        ("output_size", {"size": [25, 25], "kernel": [5, 5], "stride": [2, 2]}, "１１×１１"),
        ("output_size", {"size": [25, 25], "kernel": [5, 5], "stride": [2, 2]}, "答えは11×11です"),
        ("output_size", {"size": [25, 25], "kernel": [5, 5], "stride": [2, 2]}, "１１ｘ１１"),
        ("param_count", {"in_channels": 16, "out_channels": 32, "kernel": [3, 3]}, "4640個"),
        ("param_count", {"in_channels": 16, "out_channels": 32, "kernel": [3, 3]}, "４６４０"),
        (
            "param_count",
            {"in_channels": 16, "out_channels": 32, "kernel": [3, 3]},
            "答えは４，６４０個です。",
        ),
        ("odd_kernel", {"variant": "center", "kernel": [4, 4]}, "（２．５，２．５）"),
        ("odd_kernel", {"variant": "center", "kernel": [4, 4]}, "(2.5、2.5)"),
    ],
)
def test_answers_typed_in_japanese_forms_are_right(
    kind: str, params: dict[str, object], reply: str
) -> None:
    question = bank.generate(kind, seed_for(kind, 1, **params), 1, "ja")
    graded = bank.grade(question, reply)
    assert graded.outcome == "correct" and graded.feedback == "正解！", reply


def test_a_full_width_letter_answers_a_choice_question() -> None:
    question = bank.generate("bottleneck", seed_for("bottleneck", 1, variant="why"), 1, "ja")
    assert isinstance(question.answer.value, int)
    right = chr(ord("Ａ") + question.answer.value)
    assert bank.grade(question, right).outcome == "correct"
    wrong = bank.grade(question, chr(ord("Ａ") + (question.answer.value + 1) % 4))
    assert wrong.outcome == "wrong" and not english_words(wrong.feedback)


def test_japanese_mistakes_give_japanese_feedback() -> None:
    question = bank.generate(
        "param_count",
        seed_for("param_count", 1, in_channels=16, out_channels=32, kernel=[3, 3]),
        1,
        "ja",
    )
    graded = bank.grade(question, "4608個")
    assert graded.outcome == "partial" and graded.mistake == "forgot_bias"
    assert graded.feedback == "バイアスを忘れています。後の層のチャンネルごとに1つあります。"
    shape = bank.grade(question, "4×4")
    assert shape.feedback == "残念、不正解です。数を1つだけ答えてください。"


def test_feedback_in_the_readers_language() -> None:
    seed = seed_for("param_count", 1, in_channels=16, out_channels=32, kernel=[3, 3])
    ja, en = (bank.generate("param_count", seed, 1, lang) for lang in ("ja", "en"))
    for reply in ("4640", "4608", "12", "4x4"):
        assert feedback_in(ja, bank.grade(ja, reply), "en") == bank.grade(en, reply).feedback
        assert feedback_in(en, bank.grade(en, reply), "ja") == bank.grade(ja, reply).feedback


def test_every_mistake_and_kind_has_a_label_in_both_languages() -> None:
    names = {"wrong_shape"}
    for kind in bank.KINDS:
        for difficulty in bank.DIFFICULTIES:
            for seed in range(200):
                names |= {m.name for m in bank.generate(kind, seed, difficulty).mistakes}
    assert len(names) > 25
    for name in names:
        assert mistake_label(name, "en") != name, name
        assert not english_words(mistake_label(name, "ja"), 3), name
    assert mistake_label("kept-size", "ja") == "kept-size"  # a template's own name
    assert [t(f"kind.{k}", "ja") for k in bank.KINDS] == [
        "出力サイズ",
        "パラメータ数",
        "1×1ボトルネック",
        "奇数カーネル",
    ]


# --- the words around questions ----------------------------------------------------------


def _open(question: Question) -> OpenQuestion:
    opened = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    return OpenQuestion(
        1, 10, 20, 30, pack(question), 100, opened, opened + timedelta(seconds=30), True, "open"
    )


def test_every_card_in_japanese_holds_no_english() -> None:
    question = bank.generate(
        "param_count",
        seed_for("param_count", 1, in_channels=16, out_channels=32, kernel=[3, 3]),
        1,
        "ja",
    )
    opened = _open(question)
    closed = ClosedQuestion(
        opened,
        "stopped",
        opened.deadline,
        (
            AnswerSummary(200, "correct", None, 35, True),
            AnswerSummary(201, "partial", "forgot_bias", 12, False),
        ),
    )
    board = Board(
        (BoardRow(1, 200, 35, 1, 1), BoardRow(2, 201, 12, 1, 0)), BoardRow(2, 201, 12, 1, 0), 2
    )
    stats = UserStats(
        201,
        12,
        3,
        1,
        0,
        2,
        2,
        (KindStats("param_count", 3, 1, 12),),
        (("forgot_bias", 2), ("wrong_shape", 1)),
    )
    mention = "<@{}>".format
    cards = [
        question_card(opened, "ja"),
        close_card(closed, mention, "ja"),
        board_card(board, mention, scope="week", kind="param_count", lang="ja", global_board=True),
        stats_card(stats, mention, "ja"),
        config_card(GuildConfig(10, allowed_channels=(20,), starter_role_id=5), 30, "ja"),
        config_card(GuildConfig(10, language="ja", pictures=False), 30, "ja"),
        help_card("!", "ja"),
    ]
    for card in cards:
        assert card.lang == "ja"
        assert english_words(card.as_text(), 4) == [], card.as_text()
    assert "バイアスの足し忘れ ×2" in cards[3].as_text()
    assert "言語: 日本語（Discordのサーバー設定に合わせる）" in cards[4].as_text()
    assert "図: オフ" in cards[5].as_text() and "言語: 日本語" in cards[5].as_text()
    assert "<@200> ★（+35点）" in cards[1].as_text() and "（途中で締め切り）" in cards[1].title


def test_the_english_config_card_names_the_language() -> None:
    text = config_card(GuildConfig(10), 30, "en").as_text()
    assert "Language: English (the server's language in Discord)" in text
    assert "Language: Japanese" in config_card(GuildConfig(10, language="ja"), 30, "en").as_text()


def test_refusals_can_be_said_again_in_another_language() -> None:
    with pytest.raises(bank.QuizError) as caught:
        bank.from_code("XX1-00v9", "en")
    assert "is not a question code" in str(caught.value)
    assert "は問題のコードではありません" in caught.value.said_in("ja")
    with pytest.raises(bank.QuizError) as caught:
        bank.generate("output_size", 1, 7, "ja")
    assert str(caught.value) == "難易度は1、2、3のどれかです（7 は使えません）。"


# --- the terminal ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"CONVQUIZ_LANGUAGE": "ja"}, "ja"),
        ({"CONVQUIZ_LANGUAGE": "日本語"}, "ja"),
        ({"CONVQUIZ_LANGUAGE": "en", "LANG": "ja_JP.UTF-8"}, "en"),
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LC_ALL": "C.UTF-8", "LANG": "ja_JP.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_terminal_follows_its_setting_or_the_system_locale(
    environ: dict[str, str], lang: str
) -> None:
    assert console_language(environ) == lang


async def test_a_terminal_round_in_japanese(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/console.db")
    await migrate(engine)
    output: list[str] = []
    seeds = iter([seed_for("param_count", 1, in_channels=16, out_channels=32, kernel=[3, 3])])

    class Seeds(random.Random):
        def randrange(self, *args: int, **kwargs: int) -> int:  # type: ignore[override]
            return next(seeds, 0)

    lines = iter(
        [
            "!convquiz param_count 1",
            "4640個",
            "!convquiz 7",
            "!frobnicate",
            "!leaderboard",
            "!stats",
            "!help",
            "what?",
            "!quit",
        ]
    )

    async def read_line() -> str:
        return next(lines, "")

    try:
        service = QuizService(Repository(engine), rng=Seeds())
        await run_console(service, read_line=read_line, out=output.append, lang="ja")
    finally:
        await engine.dispose()
    text = "\n".join(output)
    assert "✅ 正解！（+" in text and "答え: 4,640" in text
    assert "4608+32=4640個" in text and "1. あなた · " in text
    assert (
        "難易度は1、2、3のどれかです" in text and "!frobnicate というコマンドはありません" in text
    )
    # Commands (!help) and the DISCORD_TOKEN variable are names, typed as they are.
    assert english_words(re.sub(r"!\w+|DISCORD_TOKEN", " ", text), 4) == [], text


def test_every_key_the_code_builds_exists() -> None:
    """Keys put together at run time (f"tpl.mix.{mix}"), family by family."""
    from typing import get_args, get_type_hints

    from bot.storage.template_store import MIXES, SavedTemplate

    built = [f"lang.{code}" for code in (*LANGUAGES, "auto")]
    built += [f"tpl.mix.{mix}" for mix in MIXES]
    changes = get_args(get_type_hints(SavedTemplate)["change"])
    assert changes
    built += [f"tpl.{what}.{change}" for what in ("change", "state") for change in changes]
    built += [f"choice.difficulty.{level}" for level in bank.DIFFICULTIES]
    built += [f"choice.action.{action}" for action in ("add", "remove", "clear")]
    built += [f"card.config.{state}" for state in ("on", "off")]
    built += [f"axis.{axis}" for axis in ("size", "height", "width")]
    built += [f"kind.{kind}" for kind in bank.KINDS]
    assert [key for key in built if key not in EN] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_bots_po_reader_reads_each_catalog_as_babel_does(lang: str) -> None:
    with texts.catalog_path(lang).open("rb") as file:
        by_babel = read_po(file, domain=texts.DOMAIN)
    expected = {
        m.id: m.string
        for m in by_babel
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string
    }
    assert dict(catalog(lang)) == expected


def test_the_po_reader_undoes_escapes_joins_lines_and_refuses_what_ours_never_use() -> None:
    po = '#. comment\nmsgid "a"\nmsgstr ""\n"say \\"hi\\"\\n"\n"\\\\ and \\\\d"\n\n#~ msgid "old"\n'
    assert texts.read_texts(po) == {"a": 'say "hi"\n\\ and \\d'}
    with pytest.raises(ValueError, match="line 1"):
        texts.read_texts('msgctxt "x"\nmsgid "a"\nmsgstr "b"\n')
