"""Pictures never hold up the bot: drawn off the event loop under a time bound, failures
give no picture, and absurd params cost no more to draw than ordinary ones."""

from __future__ import annotations

import datetime
import io
import threading
from fractions import Fraction

import pytest
from PIL import Image

import bot.discord.pictures
from bot.discord.pictures import picture_for, stats_chart_for
from bot.engine.question import AnswerKey, Question
from bot.present.pictures import render_question


def question(kind: str, params: dict[str, object], code: str = "B1-0v1") -> Question:
    return Question(
        kind=kind,
        code=code,
        seed=0,
        difficulty=1,
        params=params,
        answer=AnswerKey("int", Fraction(0)),
        answer_text="0",
        prompt="",
        explanation="",
        choices=None,
    )


# --- the async helper -------------------------------------------------------------------


async def test_the_helper_draws_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []

    def draw(q: Question, reveal: bool) -> bytes:
        threads.append(threading.get_ident())
        return b"png" if reveal else b"plain"

    monkeypatch.setattr(bot.discord.pictures, "render_question_cached", draw)
    q = question("output_size", {"size": [8, 8], "kernel": [3, 3]})
    assert await picture_for(q, reveal=True) == b"png"
    assert await picture_for(q, reveal=False) == b"plain"
    assert len(threads) == 2 and threading.get_ident() not in threads


async def test_a_drawing_that_raises_gives_none_and_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> bytes:
        raise ZeroDivisionError("bad params")

    monkeypatch.setattr(bot.discord.pictures, "render_question_cached", broken)
    monkeypatch.setattr(bot.discord.pictures, "render_stats_chart", broken)
    q = question("output_size", {"size": [8, 8], "kernel": [3, 3]})
    assert await picture_for(q, reveal=False) is None
    assert await stats_chart_for({}, [], end=datetime.date(2026, 1, 1)) is None
    failures = [r for r in caplog.records if r.name == "bot.discord.pictures" and r.exc_info]
    assert len(failures) == 2
    assert "B1-0v1" in failures[0].getMessage()


async def test_a_drawing_that_runs_over_is_abandoned(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def stuck(*args: object, **kwargs: object) -> bytes:
        release.wait(30)
        return b"too late"

    monkeypatch.setattr(bot.discord.pictures, "render_question_cached", stuck)
    monkeypatch.setattr(bot.discord.pictures, "PICTURE_TIMEOUT", 0.05)
    try:
        assert await picture_for(question("output_size", {}), reveal=True) is None
    finally:
        release.set()  # let the abandoned thread finish


async def test_the_real_drawings_come_through() -> None:
    q = question("output_size", {"size": [8, 8], "kernel": [3, 3]}, code="B1-1v1")
    png = await picture_for(q, reveal=True)
    assert png == render_question(q, reveal=True) and png is not None
    chart = await stats_chart_for({"output_size": (1, 2)}, [(datetime.date(2026, 1, 1), 5)])
    assert chart is not None and Image.open(io.BytesIO(chart)).format == "PNG"
