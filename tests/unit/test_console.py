"""The terminal game, driven line by line as a player would type, on a real SQLite file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bot.console import run_console
from bot.engine import bank
from bot.quiz.service import QuizService
from bot.storage.db import create_engine, migrate
from bot.storage.repository import Repository


def brute_force_output(n: int, k: int, s: int, p: int) -> int:
    """Count window positions by sliding the window over the padded input."""
    return sum(1 for start in range(0, n + 2 * p - k + 1, s))


async def play(db: Path, lines: list[str]) -> list[str]:
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await migrate(engine)
    output: list[str] = []
    queue = iter(lines)

    async def read_line() -> str:
        return next(queue, "")

    try:
        await run_console(QuizService(Repository(engine)), read_line=read_line, out=output.append)
    finally:
        await engine.dispose()
    return output


async def test_a_round_is_asked_answered_revealed_and_kept_across_runs(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    first = await play(db, ["!convquiz output_size 1"])
    question = next(line for line in first if "Code OS1-" in line)
    code = re.search(r"Code (\S+)", question).group(1)  # type: ignore[union-attr]
    asked = bank.from_code(code)
    n, k, s = asked.params["size"][0], asked.params["kernel"][0], asked.params["stride"][0]  # type: ignore[index]
    side = brute_force_output(n, k, s, 0)

    # A new run on the same file: the question asked before is still open.
    second = await play(db, [f"{side}x{side}", "!leaderboard", "!stats", "!quit"])
    text = "\n".join(second)
    assert "✅ Correct!" in text
    assert f"The answer: {side}×{side}" in text
    assert re.search(r"1\. you · (\d+) pts \(1/1 correct\)", text)

    third = await play(db, ["!leaderboard", "!quit"])
    assert any(re.search(r"1\. you · \d+ pts \(1/1 correct\)", line) for line in third)


async def test_chat_and_bad_commands_get_a_clear_line_and_cost_nothing(tmp_path: Path) -> None:
    output = await play(
        tmp_path / "c.db",
        [
            "!convquiz param_count 1",
            "what is a stride?",
            "!convquiz banana",
            "!convquiz 7",
            "!convquiz XX9-ZZZv1",
            "!frobnicate",
            "!convquiz",
            "!convquiz stop",
            "!stats",
            "!quit",
        ],
    )
    text = "\n".join(output)
    assert "That does not read as an answer." in text
    assert "no question kind or template named 'banana'" in text
    assert "Difficulty must be 1, 2 or 3" in text
    assert "Unknown command !frobnicate" in text
    assert "A question is already open here" in text
    assert "(stopped early)" in text
    assert "No answers yet." in text
    assert "Traceback" not in text


def test_the_main_command_without_a_token_plays_in_the_terminal(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DISCORD_TOKEN": "",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/main.db",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input="!help\n!quit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no DISCORD_TOKEN set" in result.stdout
    assert "!convquiz [kind] [1-3]" in result.stdout


def test_a_bad_setting_stops_with_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "mysql://nope", "DISCORD_TOKEN": ""}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("convquiz: DATABASE_URL")
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_stops_with_one_line(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DISCORD_TOKEN": "",
        "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:9/none",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "database" in result.stderr
    assert "Traceback" not in result.stderr


async def test_practice_and_progress_in_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "practice.db"
    first = await play(db, ["!practice output_size.basic", "!practice magic", "!quit"])
    text = "\n".join(first)
    assert "Practice: `output_size.basic`" in text
    assert "There is no skill `magic`" in text
    # An unknown skill is refused with the list; the first question stays open.
    question = next(line for line in first if "not ranked" in line)
    asked = bank.from_code(re.search(r"· (OS1-\S+)", question).group(1))  # type: ignore[union-attr]
    n, k, s = asked.params["size"][0], asked.params["kernel"][0], asked.params["stride"][0]  # type: ignore[index]
    side = brute_force_output(n, k, s, 0)
    second = await play(db, [f"{side}x{side}", "!progress", "!stats", "!quit"])
    text = "\n".join(second)
    assert "✅" not in text and "Correct" in text  # a private verdict, no points line
    assert "1 of 19 skills practised" in text
    assert "No answers yet." in text  # practice is never ranked


async def test_a_hint_during_practice_is_the_practice_questions(tmp_path: Path) -> None:
    output = await play(tmp_path / "hint.db", ["!practice param_count.basic", "!hint", "!quit"])
    text = "\n".join(output)
    assert "💡 Hint 1 of 2: Parameters" in text
    assert "closed" not in text


def test_the_help_lists_games_in_a_server_and_not_in_the_terminal() -> None:
    from bot.present.cards import help_card

    assert "!convquiz game" in help_card("!", "en").body
    assert "!quizconfig daily" in help_card("!", "en").body
    terminal = help_card("!", "en", server=False).body
    assert "game" not in terminal and "!practice" in terminal
