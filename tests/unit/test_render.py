"""Pictures: decode the PNGs and check what was drawn, by its palette colours.

Grids are read along scan lines: a "cell" is a maximal run of cell-fill colours
(input, padding, kernel tap, output, centre) between border lines. Expected sizes are
counted by brute force here, never taken from ``bot.engine.formulas``.
"""

from __future__ import annotations

import datetime
import io
import itertools
import subprocess
import sys
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image, ImageFont

from bot.engine.bank import KINDS, generate
from bot.engine.question import AnswerKey, Question
from bot.present import pictures as render
from bot.present.pictures import (
    CENTER,
    FAMILY_COLOURS,
    INPUT_CELL,
    KERNEL_CELL,
    KERNEL_LINE,
    MAX_PNG_BYTES,
    OUTPUT_CELL,
    PADDING_CELL,
    PALETTE,
    POINTS_LINE,
    WINDOW2,
    PictureCache,
    render_question,
    render_question_cached,
    render_stats_chart,
)

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]  # left, top, right, bottom (inclusive)
Segment = tuple[RGB, int, int]  # colour of its first pixel, first and last coordinate

FILLS = {INPUT_CELL, PADDING_CELL, KERNEL_CELL, OUTPUT_CELL, CENTER}


# --- helpers ----------------------------------------------------------------------------


def question(kind: str, params: dict[str, object], code: str = "T1-0v1") -> Question:
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


def conv(
    n: int | tuple[int, int], k: int, s: int = 1, p: int | str = 0, d: int = 1, code: str = "T1-0v1"
) -> Question:
    h, w = (n, n) if isinstance(n, int) else n
    padding: object = p if isinstance(p, str) else [p, p]
    return question(
        "output_size",
        {
            "size": [h, w],
            "kernel": [k, k],
            "stride": [s, s],
            "padding": padding,
            "dilation": [d, d],
        },
        code,
    )


class Picture:
    """A decoded PNG as RGB pixels."""

    def __init__(self, png: bytes | None) -> None:
        assert png is not None
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        image = Image.open(io.BytesIO(png))
        assert image.mode == "P"  # a palette image
        rgb = image.convert("RGB")
        self.width, self.height = rgb.size
        raw = rgb.tobytes()
        self.data: list[RGB] = list(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))

    def colours(self) -> set[RGB]:
        return set(self.data)


def decode(png: bytes | None) -> Picture:
    return Picture(png)


def pixel(image: Picture, x: int, y: int) -> RGB:
    return image.data[y * image.width + x]


def colours(image: Picture) -> set[RGB]:
    return image.colours()


def bbox(image: Picture, wanted: Iterable[RGB], region: Box | None = None) -> Box:
    targets = set(wanted)
    left, top, right, bottom = region or (0, 0, image.width - 1, image.height - 1)
    xs: list[int] = []
    ys: list[int] = []
    for y in range(top, bottom + 1):
        for x in range(left, right + 1):
            if pixel(image, x, y) in targets:
                xs.append(x)
                ys.append(y)
    assert xs, f"none of {targets} drawn"
    return min(xs), min(ys), max(xs), max(ys)


def segments(line: list[RGB], offset: int) -> list[Segment]:
    found: list[Segment] = []
    start: int | None = None
    for index, colour in enumerate([*line, (-1, -1, -1)]):
        inside = colour in FILLS
        if inside and start is None:
            start = index
        elif not inside and start is not None:
            found.append((line[start], offset + start, offset + index - 1))
            start = None
    return found


def row(image: Picture, y: int, x0: int, x1: int) -> list[Segment]:
    return segments([pixel(image, x, y) for x in range(x0, x1 + 1)], x0)


def column(image: Picture, x: int, y0: int, y1: int) -> list[Segment]:
    return segments([pixel(image, x, y) for y in range(y0, y1 + 1)], y0)


def brute_output(n: int, k: int, s: int, p: int, d: int) -> int:
    """Slide the window tap by tap: count the start positions whose every tap lies in the
    padded input."""
    padded = n + 2 * p
    return sum(
        1 for start in range(0, padded, s) if all(start + tap * d < padded for tap in range(k))
    )


class Grid:
    """The input grid of an output-size picture, found by its colours."""

    def __init__(self, image: Picture) -> None:
        self.image = image
        self.box = bbox(image, {INPUT_CELL, PADDING_CELL})
        left, top, right, bottom = self.box
        self.rows = column(image, left + 2, top, bottom)
        last = self.rows[-1]
        self.last_row = row(image, (last[1] + last[2]) // 2, left, right)
        self.pitch = self.last_row[1][1] - self.last_row[0][1]

    def region(self) -> Box:
        left, top, right, bottom = self.box
        return left - 2, top - 2, right + 2, bottom + 2


# --- output size ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "k", "s", "p"),
    [(7, 3, 2, 1), (7, 3, 1, 0), (8, 5, 1, 2), (9, 3, 3, 0), (12, 5, 2, 2), (16, 7, 1, 3)],
)
def test_small_input_is_drawn_cell_by_cell_with_its_padding_ring(
    n: int, k: int, s: int, p: int
) -> None:
    image = decode(render_question(conv(n, k, s, p), reveal=True))
    grid = Grid(image)
    assert len(grid.rows) == n + 2 * p
    kinds = [colour for colour, _, _ in grid.last_row if colour != KERNEL_CELL]
    assert len(grid.last_row) == n + 2 * p
    if p:
        # The last p rows are all padding; the one above them holds p + n + p cells.
        above = grid.rows[-p - 1]
        cells = row(image, (above[1] + above[2]) // 2, grid.box[0], grid.box[2])
        assert [c for c, _, _ in cells] == [PADDING_CELL] * p + [INPUT_CELL] * n + [
            PADDING_CELL
        ] * p
        assert set(kinds) == {PADDING_CELL}
        assert PADDING_CELL in colours(image)
    else:
        assert kinds == [INPUT_CELL] * n
        assert PADDING_CELL not in colours(image)


@pytest.mark.parametrize(
    ("n", "k", "s", "p"),
    [(7, 3, 2, 1), (7, 3, 1, 0), (8, 5, 1, 2), (9, 3, 3, 0), (12, 5, 2, 2), (16, 2, 3, 0)],
)
def test_revealed_output_grid_has_the_brute_force_size(n: int, k: int, s: int, p: int) -> None:
    image = decode(render_question(conv(n, k, s, p), reveal=True))
    expected = brute_output(n, k, s, p, 1)
    left, top, right, bottom = bbox(image, {OUTPUT_CELL})
    rows = column(image, right - 2, top, bottom)
    assert len(rows) == expected
    last = rows[-1]
    across = row(image, (last[1] + last[2]) // 2, left, right)
    assert [c for c, _, _ in across].count(OUTPUT_CELL) == expected


def test_unrevealed_output_does_not_show_the_answer() -> None:
    counts = []
    for n, k, s, p in ((7, 3, 2, 1), (11, 3, 1, 1), (15, 3, 1, 1)):
        q = conv(n, k, s, p)
        hidden = decode(render_question(q))
        assert render_question(q) != render_question(q, reveal=True)
        left, top, right, bottom = bbox(hidden, {OUTPUT_CELL})
        rows = column(hidden, right - 2, top, bottom)
        last = rows[-1]
        across = row(hidden, (last[1] + last[2]) // 2, left, right)
        counts.append((len(rows), [c for c, _, _ in across].count(OUTPUT_CELL)))
        assert brute_output(n, k, s, p, 1) not in counts[-1]
    # The placeholder is the same whatever the answer (4, 11 and 15 here).
    assert counts == [(3, 3)] * 3


@pytest.mark.parametrize(("k", "s", "p"), [(3, 2, 1), (3, 1, 0), (5, 3, 2), (2, 2, 0)])
def test_kernel_window_at_two_positions_one_stride_apart(k: int, s: int, p: int) -> None:
    image = decode(render_question(conv(9, k, s, p)))
    grid = Grid(image)
    first_row = grid.rows[0]
    taps = [
        seg
        for seg in row(image, first_row[1] + 1, grid.box[0], grid.box[2])
        if seg[0] == KERNEL_CELL
    ]
    assert len(taps) == k
    starts = [start for _, start, _ in taps]
    assert all(abs(b - a - grid.pitch) <= 1 for a, b in itertools.pairwise(starts))
    first = bbox(image, {KERNEL_LINE}, grid.region())
    second = bbox(image, {WINDOW2}, grid.region())
    assert second[0] - first[0] == s * grid.pitch
    # Each frame straddles the border lines; the second is drawn over the first.
    assert second[2] - second[0] == k * grid.pitch + 2
    if s != k:
        assert first[2] - first[0] == k * grid.pitch + 2
    assert second[1] == first[1]


@pytest.mark.parametrize(("k", "d", "p"), [(3, 2, 2), (3, 3, 1), (5, 2, 0)])
def test_dilated_taps_are_spread_out(k: int, d: int, p: int) -> None:
    image = decode(render_question(conv(14, k, 1, p, d)))
    grid = Grid(image)
    cells = row(image, grid.rows[0][1] + 1, grid.box[0], grid.box[2])
    taps = [index for index, (colour, _, _) in enumerate(cells) if colour == KERNEL_CELL]
    assert len(taps) == k
    # d − 1 untouched cells between taps: padding on the first row if padded, else input.
    assert [b - a for a, b in itertools.pairwise(taps)] == [d] * (k - 1)
    gap = cells[taps[0] + 1][0]
    assert gap == (PADDING_CELL if p else INPUT_CELL)
    frame = bbox(image, {KERNEL_LINE}, grid.region())
    assert frame[2] - frame[0] == (d * (k - 1) + 1) * grid.pitch + 2


def test_no_dilation_means_contiguous_taps() -> None:
    image = decode(render_question(conv(9, 3, 1, 0, 1)))
    grid = Grid(image)
    cells = row(image, grid.rows[0][1] + 1, grid.box[0], grid.box[2])
    assert [c for c, _, _ in cells[:3]] == [KERNEL_CELL] * 3


@pytest.mark.parametrize("reveal", [False, True])
def test_large_input_is_schematic(reveal: bool) -> None:
    png = render_question(conv(224, 7, 2, 3), reveal)
    image = decode(png)
    assert image.width <= 820 and image.height <= 560
    grid = Grid(image)
    assert len(grid.rows) < 32
    assert len(grid.last_row) < 32
    # A break: one stretch far longer than a cell, on each axis.
    assert max(end - start for _, start, end in grid.last_row) > 3 * grid.pitch
    assert max(end - start for _, start, end in grid.rows) > 3 * grid.pitch
    assert grid.pitch >= 10
    left, top, right, bottom = grid.box
    assert abs((right - left) - (bottom - top)) <= 1  # square input, square drawing


def test_sizes_either_side_of_the_threshold() -> None:
    assert len(Grid(decode(render_question(conv(16, 3)))).last_row) == 16
    assert len(Grid(decode(render_question(conv(30, 3)))).last_row) < 16


@pytest.mark.parametrize(
    ("size", "wide"), [((40, 150), True), ((150, 40), False), ((12, 16), True), ((20, 16), False)]
)
def test_non_square_inputs_are_drawn_non_square(size: tuple[int, int], wide: bool) -> None:
    for reveal in (False, True):
        image = decode(render_question(conv(size, 3, 2, 1), reveal))
        left, top, right, bottom = Grid(image).box
        assert ((right - left) > (bottom - top)) is wide
    image = decode(render_question(conv(size, 3, 2, 1), reveal=True))
    left, top, right, bottom = bbox(image, {OUTPUT_CELL})
    assert ((right - left) > (bottom - top)) is wide


def test_same_padding_draws_tensorflows_split() -> None:
    # 16 at stride 2 with k = 4: output 8, total padding 14 + 4 − 16 = 2, one each side;
    # 15: total 3, one before and two after.
    for n, before, after in ((16, 1, 1), (15, 1, 2)):
        image = decode(render_question(conv(n, 4, 2, "same"), reveal=True))
        grid = Grid(image)
        above = grid.rows[-after - 1]
        cells = row(image, (above[1] + above[2]) // 2, grid.box[0], grid.box[2])
        assert [c for c, _, _ in cells] == (
            [PADDING_CELL] * before + [INPUT_CELL] * n + [PADDING_CELL] * after
        )
        assert len(grid.rows) == before + n + after


# --- other kinds ------------------------------------------------------------------------


def test_param_count_draws_a_filter_stack_and_a_bias_vector() -> None:
    with_bias = {"in_channels": 16, "out_channels": 32, "kernel": [3, 3], "bias": True, "groups": 1}
    image = decode(render_question(question("param_count", with_bias)))
    left, _, right, bottom = bbox(image, {KERNEL_CELL})
    cells = row(image, bottom - 3, left, right)
    assert len(cells) == 3  # the 3×3 front face
    assert render.BIAS_CELL in colours(image)
    no_bias = decode(render_question(question("param_count", {**with_bias, "bias": False})))
    assert render.BIAS_CELL not in colours(no_bias)


def test_bottleneck_draws_two_paths() -> None:
    params = {
        "variant": "total",
        "in_channels": 32,
        "mid_channels": 16,
        "out_channels": 64,
        "kernel": [3, 3],
        "bias": True,
        "size": [100, 100],
    }
    image = decode(render_question(question("bottleneck", params)))
    # Two inputs, one middle, two outputs.
    for colour, count in ((INPUT_CELL, 2), (render.MID_CELL, 1), (OUTPUT_CELL, 2)):
        ys = [
            y
            for y in range(image.height)
            if any(pixel(image, x, y) == colour for x in range(image.width))
        ]
        # Boxes (a front, a top and a side face) separated by more than 3 pixels.
        boxes = 1 + sum(1 for a, b in itertools.pairwise(ys) if b - a > 3)
        assert boxes == count, colour


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_kernel_centre_only_when_revealed(k: int) -> None:
    q = question("odd_kernel", {"variant": "center", "kernel": [k, k]})
    assert CENTER not in colours(decode(render_question(q)))
    image = decode(render_question(q, reveal=True))
    grid = bbox(image, {KERNEL_CELL})
    mark = bbox(image, {CENTER})
    assert abs((grid[0] + grid[2]) - (mark[0] + mark[2])) <= 2
    assert abs((grid[1] + grid[3]) - (mark[1] + mark[3])) <= 2
    cx, cy = (grid[0] + grid[2]) // 2, (grid[1] + grid[3]) // 2
    assert pixel(image, cx, cy) == CENTER


@pytest.mark.parametrize(
    ("variant", "k", "d"),
    [("pad_side", 7, 1), ("pad_split", 4, 1), ("pad_split", 3, 2), ("pad_split", 2, 1)],
)
def test_same_padding_ring_only_when_revealed(variant: str, k: int, d: int) -> None:
    q = question("odd_kernel", {"variant": variant, "kernel": [k, k], "dilation": [d, d]})
    hidden = decode(render_question(q))
    assert PADDING_CELL not in colours(hidden) and CENTER not in colours(hidden)
    image = decode(render_question(q, reveal=True))
    extent = d * (k - 1) + 1
    before, after = (extent - 1) // 2, (extent - 1) - (extent - 1) // 2
    left, top, right, bottom = bbox(image, {INPUT_CELL, PADDING_CELL})
    rows = column(image, left + 2, top, bottom)
    assert len(rows) == before + 5 + after
    last_input = rows[before + 4]
    cells = row(image, (last_input[1] + last_input[2]) // 2, left, right)
    assert [c for c, _, _ in cells] == [PADDING_CELL] * before + [INPUT_CELL] * 5 + [
        PADDING_CELL
    ] * after
    assert CENTER in colours(image)


@pytest.mark.parametrize("kind", ["bottleneck", "odd_kernel"])
def test_choice_questions_have_no_picture(kind: str) -> None:
    seen = 0
    for seed in range(40):
        q = generate(kind, seed, 1)
        if q.params.get("variant") == "why":
            seen += 1
            assert render_question(q) is None
            assert render_question(q, reveal=True) is None
    assert seen


def test_unknown_kinds_and_unusable_params_give_none() -> None:
    assert render_question(question("pooling", {"size": [8, 8]})) is None
    assert render_question(question("output_size", {"size": "big", "kernel": [3, 3]})) is None
    assert render_question(question("output_size", {"size": [2, 2], "kernel": [5, 5]})) is None


# --- every generated question -----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_every_generated_question_renders_small_and_deterministically(
    kind: str, difficulty: int
) -> None:
    palette = set(PALETTE)
    for seed in range(0, 2400, 150):
        q = generate(kind, seed, difficulty)
        for reveal in (False, True):
            png = render_question(q, reveal)
            if q.params.get("variant") == "why":
                assert png is None
                continue
            assert png is not None
            assert len(png) < MAX_PNG_BYTES
            assert png == render_question(q, reveal)
            image = Image.open(io.BytesIO(png))
            assert image.format == "PNG" and image.mode == "P"
            assert image.width <= 900 and image.height <= 600
            used = image.convert("RGB").getcolors(maxcolors=256)
            assert used is not None
            assert {colour for _, colour in used} <= palette
        if q.params.get("variant") != "why":
            assert render_question(q) != render_question(q, reveal=True)


# --- cache ------------------------------------------------------------------------------


def test_cache_renders_each_question_once_and_stays_bounded() -> None:
    cache = PictureCache(maxsize=2)
    a, b, c = (generate("output_size", seed, 1) for seed in (1, 2, 3))
    first = cache.get(a)
    assert cache.get(a) is first
    assert cache.hits == 1 and cache.misses == 1
    revealed = cache.get(a, reveal=True)
    assert revealed != first
    cache.get(b)
    cache.get(c)
    assert len(cache) == 2
    assert cache.get(a) == first  # evicted, rendered again: the same bytes
    assert render_question_cached(a) == first
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError, match="maxsize"):
        PictureCache(maxsize=0)


def test_cache_tells_apart_questions_sharing_a_code() -> None:
    cache = PictureCache()
    assert cache.get(conv(7, 3, code="X")) != cache.get(conv(9, 3, code="X"))


# --- stats chart ------------------------------------------------------------------------


def bar_height(image: Picture, colour: RGB) -> int:
    """The tallest vertical stretch of ``colour``."""
    best = 0
    for x in range(image.width):
        run = 0
        for y in range(image.height):
            run = run + 1 if pixel(image, x, y) == colour else 0
            best = max(best, run)
    return best


def test_stats_chart_bars_are_proportional_to_accuracy() -> None:
    start = datetime.date(2025, 3, 1)
    days = [(start + datetime.timedelta(days=i), 10 * (i % 4)) for i in range(30)]
    accuracy = {
        "output_size": (7, 10),
        "param_count": (3, 9),
        "bottleneck": (0, 0),
        "odd_kernel": (5, 5),
    }
    png = render_stats_chart(accuracy, days)
    assert len(png) < MAX_PNG_BYTES
    assert png == render_stats_chart(dict(reversed(accuracy.items())), list(reversed(days)))
    image = decode(png)
    full = bar_height(image, FAMILY_COLOURS[3])
    assert full > 100
    assert abs(bar_height(image, FAMILY_COLOURS[0]) - 0.7 * full) <= 2
    assert abs(bar_height(image, FAMILY_COLOURS[1]) - full / 3) <= 2
    assert bar_height(image, FAMILY_COLOURS[2]) < 20  # nothing answered: an icon, no bar
    assert POINTS_LINE in colours(image)


def test_stats_chart_covers_the_last_30_days_only() -> None:
    end = datetime.date(2025, 3, 31)
    recent = [(end - datetime.timedelta(days=i), 5) for i in range(30)]
    old = [(end - datetime.timedelta(days=45), 500)]
    accuracy = {"output_size": (1, 2)}
    assert render_stats_chart(accuracy, recent + old) == render_stats_chart(accuracy, recent)
    assert render_stats_chart(accuracy, recent, end=end) == render_stats_chart(accuracy, recent)
    empty = decode(render_stats_chart({}, []))
    assert empty.width > 100


# --- environment and purity -------------------------------------------------------------


def test_default_font_has_the_glyphs_we_use() -> None:
    font = ImageFont.load_default(size=13)
    missing = bytes(font.getmask("\ue000"))
    for char in "0123456789?+=,.()%/-s=d":
        assert bytes(font.getmask(char)) != missing, char
    # "×" and "−" are not in the font: they are drawn as strokes.
    assert render.text_width("3×3") > render.text_width("33")


def test_rendering_is_domain_side() -> None:
    code = (
        "import sys, bot.present.pictures; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('discord', 'sqlalchemy')]; "
        "sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], check=False, cwd=root).returncode == 0
