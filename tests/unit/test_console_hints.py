"""``!hint`` in the terminal game, on a real SQLite file: the next hint each time, and
the answer after it earns what README's Scoring section says."""

from __future__ import annotations

from pathlib import Path

from helpers import Clock, param_question

from bot.console import run_console
from bot.quiz.service import QuizService
from bot.storage.db import create_engine, migrate
from bot.storage.repository import Repository


async def play(db: Path, lines: list[str]) -> str:
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await migrate(engine)
    output: list[str] = []
    queue = iter(lines)

    async def read_line() -> str:
        return next(queue, "")

    try:
        await run_console(
            QuizService(Repository(engine)), read_line=read_line, out=output.append, lang="en"
        )
    finally:
        await engine.dispose()
    return "\n".join(output)


async def test_hint_gives_the_next_hint_and_costs_points(tmp_path: Path) -> None:
    question = param_question()  # 3×3, 16 → 32 channels: 4,640
    text = await play(
        tmp_path / "c.db",
        ["!convquiz param_count 1", "!hint", "!hint", "!hint", "!quit"],
    )
    assert "Hint 1 of 2" in text and "at most 7 points" in text
    assert "Hint 2 of 2" in text and "at most 5 points" in text
    assert "every hint" in text
    # The article's question, replayed by its code: practice, so no points to lose.
    text = await play(tmp_path / "d.db", [f"!convquiz {question.code}", "!hint", "4640"])
    assert f"Hint 1 of 2: {question.hints[0]}" in text and "at most" not in text
    assert "you 💡" in text  # the reveal marks the hint


async def test_an_answer_after_a_hint_is_capped(tmp_path: Path) -> None:
    question = param_question()
    db = tmp_path / "e.db"
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await migrate(engine)
    repository = Repository(engine)
    clock = Clock()
    await repository.open_question(
        guild_id=0,
        channel_id=0,
        question=question,
        started_by=1,
        opened_at=clock(),
        time_limit=30,
    )
    output: list[str] = []
    lines = iter(["!hint", "4640"])

    async def read_line() -> str:
        return next(lines, "")

    try:
        await run_console(
            QuizService(repository, clock=clock), read_line=read_line, out=output.append, lang="en"
        )
    finally:
        await engine.dispose()
    text = "\n".join(output)
    # At once, first and right: 10 + 5 + 5 = 20 by hand; one hint caps it at ⌊10 × 3/4⌋.
    assert "(+7, session 7)" in text, text
