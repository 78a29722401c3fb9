"""Pictures never hold up the bot: drawn off the event loop under a time bound, failures
give no picture, and absurd params cost no more to draw than ordinary ones."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image

import bot.discord.pictures
from bot.discord.pictures import picture_for, stats_chart_for
from bot.engine.question import AnswerKey, Question
from bot.present.pictures import MAX_PNG_BYTES, render_question


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


# --- absurd params ----------------------------------------------------------------------

HUGE = 400_000_000
ABSURD: list[tuple[str, dict[str, object]]] = [
    ("output_size", {"size": [5, 5], "kernel": [2000, 2000], "padding": [HUGE, HUGE]}),
    ("output_size", {"size": [10**9, 10**9], "kernel": [3, 3], "stride": [10**9, 10**9]}),
    (
        "output_size",
        {"size": [3, 10**9], "kernel": [7, 2000], "dilation": [10**8, 3], "padding": [10**9, 2]},
    ),
    (
        "output_size",
        {
            "size": [10**9, 3],
            "kernel": [2000, 2000],
            "stride": [10**9, 1],
            "dilation": [1000, 1000],
            "padding": "same",
        },
    ),
    (
        "output_size",
        {"size": [2, 2], "kernel": [1, 1], "stride": [10**9, 10**9], "padding": [HUGE, 1]},
    ),
    (
        "param_count",
        {
            "in_channels": 10**9,
            "out_channels": 10**9,
            "kernel": [2000, 10**9],
            "groups": 1,
            "bias": True,
        },
    ),
    (
        "bottleneck",
        {
            "variant": "macs",
            "in_channels": 10**9,
            "mid_channels": 10**9,
            "out_channels": 10**9,
            "kernel": [2000, 2000],
            "size": [10**9, 10**9],
        },
    ),
    ("odd_kernel", {"variant": "center", "kernel": [2001, 10**9]}),
    ("odd_kernel", {"variant": "center", "kernel": [2001, 5]}),
]
TOO_WIDE: list[tuple[str, dict[str, object]]] = [
    ("odd_kernel", {"variant": "pad_side", "kernel": [2001, 2001]}),
    ("odd_kernel", {"variant": "pad_split", "kernel": [5, 5], "dilation": [10**8, 10**8]}),
]

# Run in a child process with its address space capped, so a drawing that builds lists
# as long as its params fails with MemoryError instead of taking the machine down, and
# with every drawing primitive counted, so a loop as long as its params shows. The CPU
# cap is no timing assertion (these take well under a second): it only turns a loop of
# billions, which would never finish, into a failure.
_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB
resource.setrlimit(resource.RLIMIT_CPU, (120, 120))
from fractions import Fraction
from pathlib import Path
from bot.engine.question import AnswerKey, Question
from bot.present import pictures
counted = [0]
for name in ("rect", "line", "dot", "polygon", "text"):
    def counting(self, *args, _draw=getattr(pictures._Canvas, name), **kwargs):
        counted[0] += 1
        return _draw(self, *args, **kwargs)
    setattr(pictures._Canvas, name, counting)
results = []
for kind, params in json.loads(sys.stdin.read()):
    q = Question(kind=kind, code="X1-0v1", seed=0, difficulty=1, params=params,
                 answer=AnswerKey("int", Fraction(0)), answer_text="0", prompt="",
                 explanation="", choices=None)
    for reveal in (False, True):
        counted[0] = 0
        png = pictures.render_question(q, reveal)
        results.append([None if png is None else png.hex(), counted[0]])
print(json.dumps(results))
"""


def render_bounded(cases: list[tuple[str, dict[str, object]]]) -> list[tuple[bytes | None, int]]:
    """``render_question`` of each case, unrevealed then revealed, in a memory-capped child:
    (the PNG, how many drawing primitives it took)."""
    child = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert child.returncode == 0, child.stderr[-3000:]
    return [
        (None if png is None else bytes.fromhex(png), count)
        for png, count in json.loads(child.stdout)
    ]


def test_absurd_params_draw_a_bounded_picture() -> None:
    results = render_bounded(ABSURD)
    assert len(results) == 2 * len(ABSURD)
    for (kind, params), (png, count) in zip(
        [case for case in ABSURD for _ in (0, 1)], results, strict=True
    ):
        assert png is not None, (kind, params)
        image = Image.open(io.BytesIO(png))
        image.load()
        assert image.format == "PNG" and image.width > 50 and image.height > 50
        assert len(png) < MAX_PNG_BYTES
        # The largest generated question takes under a thousand primitives.
        assert count < 20_000, (kind, params, count)


def test_absurd_padding_windows_are_not_drawn() -> None:
    assert [png for png, _ in render_bounded(TOO_WIDE)] == [None] * (2 * len(TOO_WIDE))


def test_absurd_numbers_are_still_written_on_the_picture() -> None:
    # The clamped drawing is of the real question: clamping does not change its labels,
    # so a different absurd padding gives a different picture.
    (first, _), _, (second, _), _ = render_bounded(
        [
            ("output_size", {"size": [5, 5], "kernel": [3, 3], "padding": [HUGE, HUGE]}),
            ("output_size", {"size": [5, 5], "kernel": [3, 3], "padding": [HUGE + 1, HUGE + 1]}),
        ]
    )
    assert first is not None and second is not None and first != second
