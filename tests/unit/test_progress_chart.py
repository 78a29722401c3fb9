"""The progress chart, read back pixel by pixel."""

from __future__ import annotations

import io

from PIL import Image

from bot.engine.skills import SKILLS
from bot.present.pictures._canvas import MAX_PNG_BYTES
from bot.present.pictures._palette import FAMILY_COLOURS, POINTS_LINE
from bot.present.pictures.progress import render_progress_chart

RGB = tuple[int, int, int]


def _columns(png: bytes, colour: RGB) -> dict[int, int]:
    """For each x, the longest vertical run of ``colour`` (a bar's height in pixels)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    runs: dict[int, int] = {}
    for x in range(width):
        best = run = 0
        for y in range(height):
            run = run + 1 if pixels[x, y] == colour else 0
            best = max(best, run)
        if best:
            runs[x] = best
    return runs


def _bars(runs: dict[int, int]) -> list[int]:
    """Heights of the separate bars, left to right (adjacent columns are one bar); runs
    shorter than a bar of 12 % are the family's pictogram, drawn in its colour too."""
    bars: list[list[int]] = []
    previous = None
    for x in sorted(x for x, run in runs.items() if run >= 25):
        if previous is None or x != previous + 1:
            bars.append([])
        bars[-1].append(runs[x])
        previous = x
    return [max(bar) for bar in bars]


def test_bars_are_proportional_to_recall_and_grouped_by_family() -> None:
    recalls = [0.25 + 0.75 * (i % 4) / 3 for i in range(len(SKILLS))]
    png = render_progress_chart([(s.family, r) for s, r in zip(SKILLS, recalls, strict=True)])
    assert len(png) < MAX_PNG_BYTES
    full = _bars(_columns(png, FAMILY_COLOURS[0]))[3]  # output_size's 4th skill: recall 1.0
    for index, family in enumerate(("output_size", "param_count", "bottleneck", "odd_kernel")):
        expected = [r for s, r in zip(SKILLS, recalls, strict=True) if s.family == family]
        heights = _bars(_columns(png, FAMILY_COLOURS[index]))
        assert len(heights) == len(expected), family
        for height, recall in zip(heights, expected, strict=True):
            assert abs(height - recall * full) <= 2, (family, height, recall)
    assert _columns(png, POINTS_LINE)  # the mastery line


def test_a_skill_never_practised_has_no_bar() -> None:
    some = render_progress_chart([("output_size", 0.8), ("output_size", None)])
    assert len(_bars(_columns(some, FAMILY_COLOURS[0]))) == 1
    assert some == render_progress_chart([("output_size", 0.8), ("output_size", None)])
