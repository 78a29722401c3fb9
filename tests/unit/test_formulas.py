"""bot.engine.formulas against the seed article's worked answers and brute-force oracles.

The oracles never use the closed forms under test: window counts come from sliding a
window over an explicit index range, parameter counts from enumerating the weight
tensor's elements, multiply-accumulates from running the loops of a convolution.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import formulas as F

EXAMPLES = settings(max_examples=200, deadline=None)


# --- oracles ----------------------------------------------------------------------------


def slide(n: int, k: int, s: int, before: int, after: int, d: int = 1) -> list[int]:
    """Start indices of every window that fits: a k-tap window with taps d apart, moved
    s at a time over the padded index range [-before, n + after)."""
    lo, hi = -before, n + after
    starts = []
    for start in range(lo, hi, s):
        taps = [start + d * tap for tap in range(k)]
        if all(lo <= tap < hi for tap in taps):
            starts.append(start)
    return starts


def tf_same_split(n: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TensorFlow's 'same' padding, written from its documented rule."""
    eff = len(range(0, d * (k - 1) + 1))  # first tap to last tap inclusive
    total = max((math.ceil(n / s) - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


def slide_2d(
    size: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    pad: tuple[tuple[int, int], tuple[int, int]],
    dilation: tuple[int, int] = (1, 1),
) -> tuple[int, int]:
    """Slide a 2-D window over the padded plane; the output shape is the number of
    distinct rows and columns among the window positions that fit."""
    (top, bottom), (left, right) = pad
    rows = range(-top, size[0] + bottom, stride[0])
    cols = range(-left, size[1] + right, stride[1])
    fits = set()
    for r, c in itertools.product(rows, cols):
        taps = itertools.product(range(kernel[0]), range(kernel[1]))
        if all(
            -top <= r + dilation[0] * i < size[0] + bottom
            and -left <= c + dilation[1] * j < size[1] + right
            for i, j in taps
        ):
            fits.add((r, c))
    return len({r for r, _ in fits}), len({c for _, c in fits})


def count_weights(cin: int, cout: int, kh: int, kw: int, groups: int = 1) -> int:
    """Elements of the weight tensor (out, in/groups, kh, kw), one by one."""
    return sum(
        1 for _ in itertools.product(range(cout), range(cin // groups), range(kh), range(kw))
    )


def nested_weights(cin: int, cout: int, kh: int, kw: int) -> int:
    """The same count from a nested-list tensor, counting its leaves."""
    tensor = [[[[0.0] * kw for _ in range(kh)] for _ in range(cin)] for _ in range(cout)]

    def leaves(node: object) -> int:
        return sum(leaves(child) for child in node) if isinstance(node, list) else 1

    return leaves(tensor)


def run_conv_macs(h: int, w: int, cin: int, cout: int, k: int, s: int, p: int, groups: int) -> int:
    """Run the loops of a grouped convolution over a padded h×w input, counting every
    multiply-accumulate it performs (padding pixels are multiplied too)."""
    per_group_in, per_group_out = cin // groups, cout // groups
    macs = 0
    for _row, _col in itertools.product(slide(h, k, s, p, p), slide(w, k, s, p, p)):
        for out_channel in range(cout):
            group = out_channel // per_group_out
            for in_channel in range(group * per_group_in, (group + 1) * per_group_in):
                for _i, _j in itertools.product(range(k), range(k)):
                    assert 0 <= in_channel < cin
                    macs += 1
    return macs


def pytorch_pool(n: int, k: int, s: int, p: int, ceil_mode: bool) -> int:
    """Pooling windows, simulated: full windows over the padded input; with ceil_mode one
    more, partial, window if the full ones leave the tail uncovered, unless it would
    start in the right padding (PyTorch drops that one)."""
    starts = slide(n, k, s, p, p)
    if not starts:
        return 0
    covered_to = starts[-1] + k  # exclusive
    if ceil_mode and covered_to < n + p:
        extra = starts[-1] + s
        if extra < n:  # starts inside the input (or the left padding)
            starts.append(extra)
    return len(starts)


# --- the seed article's worked answers --------------------------------------------------


def test_seed_q1_output_size_is_11x11() -> None:
    # 25×25 image, 5×5 filter, stride 2, no padding → 11×11.
    assert F.conv_output_size(25, 5, stride=2) == 11
    assert F.conv_output_size((25, 25), (5, 5), stride=(2, 2)) == (11, 11)
    assert F.conv_output_size(25, 5, stride=2, padding="valid") == 11
    assert F.conv_output_size(25, 5, 2, 0) == 11
    # The article's reasoning: the filter's right edge sits at 5, 7, 9, … up to 25.
    assert len(range(5, 26, 2)) == 11


def test_seed_q2_param_count_is_4640() -> None:
    # (25, 25, 16) → 32 filters of 3×3: 16×(3×3)×32 = 4,608 weights + 32 biases.
    assert F.conv_params(16, 32, 3, bias=False) == 4_608
    assert F.conv_params(16, 32, 3) == 4_640
    assert F.conv_params(16, 32, (3, 3)) == 4_640
    # "Zero padding keeps the size": 'same' at stride 1 keeps 25×25.
    assert F.conv_output_size(25, 3, 1, "same") == 25
    assert F.same_padding(3) == (1, 1)
    assert F.conv_output_size(25, 3, 1, 1) == 25


def test_seed_q3_bottleneck_costs() -> None:
    # (100, 100, 32) → (100, 100, 64): direct 3×3 vs 1×1 down to 16 then 3×3.
    assert F.conv_params(32, 64, 3) == 18_496
    assert F.conv_params(32, 16, 1) == 528
    assert F.conv_params(16, 64, 3) == 9_280
    assert F.bottleneck_params(32, 16, 64, 3) == 9_808
    # The article: a 1×1 costs a ninth of a 3×3 with the same channels.
    assert F.conv_macs(32, 64, 3, 100) == 9 * F.conv_macs(32, 64, 1, 100)


def test_seed_q4_even_kernel_centre_falls_between_pixels() -> None:
    assert F.kernel_center(6) == 3.5
    assert F.kernel_center((6, 6)) == (3.5, 3.5)
    assert F.kernel_center(3) == 2
    # An odd kernel has a centre pixel and a symmetric 'same' padding; an even one not.
    for k in range(1, 12):
        centre = F.kernel_center(k)
        before, after = F.same_padding(k)
        assert (centre == int(centre)) == (k % 2 == 1)
        assert (before == after) == (k % 2 == 1)


def test_worked_examples_from_the_framework_docs() -> None:
    # Standard textbook cases (Dumoulin & Visin, "A guide to convolution arithmetic").
    assert F.conv_output_size(5, 3, 2, 1) == 3  # 5×5, 3×3, s=2, p=1
    assert F.conv_output_size(7, 3, 1, 0, dilation=2) == 3  # dilated: 5-pixel extent
    assert F.effective_kernel(3, 2) == (5, 5)
    assert F.conv_output_size(224, 7, 2, 3) == 112  # ResNet stem
    assert F.pool_output_size(112, 3, 2, 1) == 56  # ResNet max-pool
    assert F.conv_params(32, 32, 3, groups=32) == 32 * 9 + 32  # depthwise


# --- properties against brute force -----------------------------------------------------

sizes = st.integers(1, 40)
kernels = st.integers(1, 9)
strides = st.integers(1, 5)
paddings = st.integers(0, 4)
dilations = st.integers(1, 3)


@EXAMPLES
@given(n=sizes, k=kernels, s=strides, p=paddings, d=dilations)
def test_output_size_explicit_padding_matches_sliding(
    n: int, k: int, s: int, p: int, d: int
) -> None:
    expected = len(slide(n, k, s, p, p, d))
    if expected == 0:
        with pytest.raises(ValueError, match="kernel"):
            F.conv_output_size(n, k, s, p, d)
    else:
        assert F.conv_output_size(n, k, s, p, d) == expected
        assert F.conv_output_size((n, n), (k, k), (s, s), (p, p), (d, d)) == (expected, expected)


@EXAMPLES
@given(n=sizes, k=kernels, s=strides, d=dilations)
def test_output_size_same_matches_tensorflow_rule(n: int, k: int, s: int, d: int) -> None:
    before, after = tf_same_split(n, k, s, d)
    expected = len(slide(n, k, s, before, after, d))
    assert expected >= 1
    assert F.conv_output_size(n, k, s, "same", d) == expected


@EXAMPLES
@given(n=sizes, k=kernels, s=strides, d=dilations)
def test_valid_is_no_padding(n: int, k: int, s: int, d: int) -> None:
    expected = len(slide(n, k, s, 0, 0, d))
    if expected == 0:
        with pytest.raises(ValueError, match="kernel"):
            F.conv_output_size(n, k, s, "valid", d)
    else:
        assert F.conv_output_size(n, k, s, "valid", d) == expected


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(1, 14),
    w=st.integers(1, 14),
    kh=st.integers(1, 5),
    kw=st.integers(1, 5),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    ph=st.integers(0, 2),
    pw=st.integers(0, 2),
    dh=st.integers(1, 2),
    dw=st.integers(1, 2),
)
def test_output_size_2d_matches_sliding(
    h: int, w: int, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, dh: int, dw: int
) -> None:
    expected = slide_2d((h, w), (kh, kw), (sh, sw), ((ph, ph), (pw, pw)), (dh, dw))
    if 0 in expected:
        with pytest.raises(ValueError, match="kernel"):
            F.conv_output_size((h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    else:
        assert F.conv_output_size((h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw)) == expected
    # 'same' in 2-D, each axis padded by TensorFlow's rule.
    same_pad = (tf_same_split(h, kh, sh, dh), tf_same_split(w, kw, sw, dw))
    same = slide_2d((h, w), (kh, kw), (sh, sw), same_pad, (dh, dw))
    assert F.conv_output_size((h, w), (kh, kw), (sh, sw), "same", (dh, dw)) == same


@EXAMPLES
@given(
    cin=st.integers(1, 12),
    cout=st.integers(1, 12),
    kh=st.integers(1, 5),
    kw=st.integers(1, 5),
    bias=st.booleans(),
)
def test_conv_params_counts_the_weight_tensor(
    cin: int, cout: int, kh: int, kw: int, bias: bool
) -> None:
    weights = count_weights(cin, cout, kh, kw)
    assert weights == nested_weights(cin, cout, kh, kw)
    biases = len([0.0] * cout) if bias else 0
    assert F.conv_params(cin, cout, (kh, kw), bias=bias) == weights + biases
    if kh == kw:
        assert F.conv_params(cin, cout, kh, bias=bias) == weights + biases


@EXAMPLES
@given(
    groups=st.integers(1, 6),
    cin_per=st.integers(1, 5),
    cout_per=st.integers(1, 5),
    k=st.integers(1, 4),
    bias=st.booleans(),
)
def test_conv_params_grouped(groups: int, cin_per: int, cout_per: int, k: int, bias: bool) -> None:
    cin, cout = groups * cin_per, groups * cout_per
    # Connect each output channel to the input channels of its own group only.
    connections = sum(
        1 for o, i in itertools.product(range(cout), range(cin)) if o // cout_per == i // cin_per
    )
    taps = len(list(itertools.product(range(k), range(k))))
    expected = connections * taps + (cout if bias else 0)
    assert F.conv_params(cin, cout, k, bias=bias, groups=groups) == expected
    assert count_weights(cin, cout, k, k, groups) == connections * taps


@EXAMPLES
@given(
    cin=st.integers(1, 8),
    mid=st.integers(1, 8),
    cout=st.integers(1, 8),
    k=st.integers(1, 4),
    bias=st.booleans(),
)
def test_bottleneck_is_two_enumerated_convolutions(
    cin: int, mid: int, cout: int, k: int, bias: bool
) -> None:
    first = count_weights(cin, mid, 1, 1) + (mid if bias else 0)
    second = count_weights(mid, cout, k, k) + (cout if bias else 0)
    assert F.bottleneck_params(cin, mid, cout, k, bias) == first + second


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    groups=st.integers(1, 3),
    cin_per=st.integers(1, 3),
    cout_per=st.integers(1, 3),
    k=st.integers(1, 3),
    s=st.integers(1, 3),
    p=st.integers(0, 1),
)
def test_conv_macs_match_running_the_convolution(
    h: int, w: int, groups: int, cin_per: int, cout_per: int, k: int, s: int, p: int
) -> None:
    cin, cout = groups * cin_per, groups * cout_per
    rows, cols = len(slide(h, k, s, p, p)), len(slide(w, k, s, p, p))
    if rows == 0 or cols == 0:
        return
    expected = run_conv_macs(h, w, cin, cout, k, s, p, groups)
    assert F.conv_macs(cin, cout, k, (rows, cols), groups) == expected
    if rows == cols:
        assert F.conv_macs(cin, cout, k, rows, groups) == expected


@EXAMPLES
@given(kh=st.integers(1, 30), kw=st.integers(1, 30))
def test_kernel_center_is_the_mean_pixel_index(kh: int, kw: int) -> None:
    mean_h = Fraction(sum(range(1, kh + 1)), len(range(1, kh + 1)))
    mean_w = Fraction(sum(range(1, kw + 1)), len(range(1, kw + 1)))
    assert F.kernel_center(kh) == mean_h
    assert F.kernel_center((kh, kw)) == (mean_h, mean_w)


@EXAMPLES
@given(n=st.integers(1, 40), k=st.integers(1, 9), d=st.integers(1, 3))
def test_same_padding_keeps_the_size(n: int, k: int, d: int) -> None:
    before, after = F.same_padding(k, d)
    assert 0 <= before <= after <= before + 1
    assert len(slide(n, k, 1, before, after, d)) == n
    # One pixel less of padding and the size shrinks: it is the least that keeps it.
    if after:
        assert len(slide(n, k, 1, before, after - 1, d)) == n - 1
    # The split is TensorFlow's.
    assert (before, after) == tf_same_split(n, k, 1, d)


@EXAMPLES
@given(kh=st.integers(1, 9), kw=st.integers(1, 9), dh=st.integers(1, 3), dw=st.integers(1, 3))
def test_same_padding_pair(kh: int, kw: int, dh: int, dw: int) -> None:
    rows, cols = F.same_padding((kh, kw), (dh, dw))
    assert rows == tf_same_split(20, kh, 1, dh)
    assert cols == tf_same_split(20, kw, 1, dw)
    assert len(slide(20, kh, 1, *rows, dh)) == 20
    assert len(slide(20, kw, 1, *cols, dw)) == 20


@EXAMPLES
@given(
    n=st.integers(1, 40),
    k=st.integers(1, 6),
    s=st.one_of(st.none(), st.integers(1, 4)),
    p=st.integers(0, 3),
    ceil_mode=st.booleans(),
)
def test_pool_output_size_matches_pytorch(
    n: int, k: int, s: int | None, p: int, ceil_mode: bool
) -> None:
    stride = k if s is None else s
    if 2 * p > k:
        with pytest.raises(ValueError, match="padding"):
            F.pool_output_size(n, k, s, p, ceil_mode)
        return
    expected = pytorch_pool(n, k, stride, p, ceil_mode)
    if expected == 0:
        with pytest.raises(ValueError, match="kernel"):
            F.pool_output_size(n, k, s, p, ceil_mode)
        return
    assert F.pool_output_size(n, k, s, p, ceil_mode) == expected
    assert F.pool_output_size((n, n), k, s, p, ceil_mode) == (expected, expected)


def test_pool_ceil_mode_known_cases() -> None:
    # PyTorch documents these: MaxPool2d(2, ceil_mode=True) on 5 → 3, floor → 2.
    assert F.pool_output_size(5, 2) == 2
    assert F.pool_output_size(5, 2, ceil_mode=True) == 3
    # A last window that would start in the right padding is dropped: n=4, k=2, s=2, p=1
    # gives starts -1, 1, 3 (in input coordinates); a 4th would start at 5, past the end.
    assert F.pool_output_size(4, 2, 2, 1, ceil_mode=True) == 3
    assert F.pool_output_size(4, 2, 2, 1) == 3


# --- refusals ---------------------------------------------------------------------------

BAD_INTS = [0, -1, -7, True, False, 2.0, 3.5, "3", None]
BAD_PAIRS = [(3, 3, 3), (3,), (), (3, 0), (0, 3), (3, True), (2.0, 2), [3, 3, 1]]


@pytest.mark.parametrize("bad", BAD_INTS + BAD_PAIRS)
def test_conv_output_size_rejects_bad_size(bad: object) -> None:
    with pytest.raises(ValueError, match="size"):
        F.conv_output_size(bad, 3)  # type: ignore[call-overload]


@pytest.mark.parametrize("bad", BAD_INTS + BAD_PAIRS)
def test_conv_output_size_rejects_bad_kernel(bad: object) -> None:
    with pytest.raises(ValueError, match="kernel"):
        F.conv_output_size(25, bad)  # type: ignore[call-overload]


@pytest.mark.parametrize("bad", BAD_INTS + BAD_PAIRS)
def test_conv_output_size_rejects_bad_stride(bad: object) -> None:
    with pytest.raises(ValueError, match="stride"):
        F.conv_output_size(25, 3, bad)  # type: ignore[call-overload]


@pytest.mark.parametrize("bad", BAD_INTS + BAD_PAIRS)
def test_conv_output_size_rejects_bad_dilation(bad: object) -> None:
    with pytest.raises(ValueError, match="dilation"):
        F.conv_output_size(25, 3, 1, 0, bad)  # type: ignore[call-overload]


@pytest.mark.parametrize("bad", [-1, True, 1.0, (1, 1, 1), (1, -1), "SAME", "full", "", "1"])
def test_conv_output_size_rejects_bad_padding(bad: object) -> None:
    with pytest.raises(ValueError, match="padding"):
        F.conv_output_size(25, 3, 1, bad)  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation"),
    [
        (4, 5, 1, 0, 1),
        (1, 2, 1, 0, 1),
        (4, 3, 1, 0, 2),  # dilated extent 5 > 4
        ((25, 4), 5, 1, 0, 1),  # too large on the width only
        ((4, 25), (5, 3), 1, 0, 1),
    ],
)
def test_conv_output_size_kernel_larger_than_input(
    size: object, kernel: object, stride: int, padding: int, dilation: int
) -> None:
    with pytest.raises(ValueError, match="kernel"):
        F.conv_output_size(size, kernel, stride, padding, dilation)  # type: ignore[call-overload]


def test_conv_output_size_padding_rescues_a_large_kernel() -> None:
    # 4 + 2·1 = 6 ≥ 5: one window fits once padded.
    assert F.conv_output_size(4, 5, 1, 1) == 2


def test_int_size_with_a_rectangular_result_asks_for_a_pair() -> None:
    with pytest.raises(ValueError, match="size"):
        F.conv_output_size(25, (3, 5))


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0, 32, 3), "in_channels"),
        ((-16, 32, 3), "in_channels"),
        ((True, 32, 3), "in_channels"),
        ((16.0, 32, 3), "in_channels"),
        ((16, 0, 3), "out_channels"),
        ((16, 32.5, 3), "out_channels"),
        ((16, False, 3), "out_channels"),
        ((16, 32, 0), "kernel"),
        ((16, 32, (3, 3, 3)), "kernel"),
        ((16, 32, (3, -3)), "kernel"),
        ((16, 32, 3.0), "kernel"),
        ((16, 32, True), "kernel"),
    ],
)
def test_conv_params_rejects_bad_arguments(args: tuple[object, ...], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        F.conv_params(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cin", "cout", "groups"),
    [(16, 32, 3), (15, 30, 2), (16, 30, 4), (8, 8, 16), (8, 8, 0), (8, 8, -2), (8, 8, True)],
)
def test_conv_params_rejects_bad_groups(cin: int, cout: int, groups: int) -> None:
    with pytest.raises(ValueError, match="groups"):
        F.conv_params(cin, cout, 3, groups=groups)


@pytest.mark.parametrize("bias", [1, 0, "yes", None])
def test_conv_params_rejects_non_bool_bias(bias: object) -> None:
    with pytest.raises(ValueError, match="bias"):
        F.conv_params(16, 32, 3, bias=bias)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0, 16, 64, 3), "in_channels"),
        ((32, 0, 64, 3), "channels"),
        ((32, 16, -64, 3), "out_channels"),
        ((32, 16, 64, 0), "kernel"),
        ((32, 16.0, 64, 3), "channels"),
    ],
)
def test_bottleneck_rejects_bad_arguments(args: tuple[object, ...], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        F.bottleneck_params(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((16, 32, 3, 0), "output_size"),
        ((16, 32, 3, (11, 11, 1)), "output_size"),
        ((16, 32, 3, True), "output_size"),
        ((16, 32, 3, 2.5), "output_size"),
        ((16, 32, 0, 11), "kernel"),
        ((0, 32, 3, 11), "in_channels"),
        ((16, 32, 3, 11, 3), "groups"),
    ],
)
def test_conv_macs_rejects_bad_arguments(args: tuple[object, ...], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        F.conv_macs(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", BAD_INTS + BAD_PAIRS)
def test_kernel_center_rejects_bad_kernel(bad: object) -> None:
    with pytest.raises(ValueError, match="kernel"):
        F.kernel_center(bad)  # type: ignore[call-overload]


@pytest.mark.parametrize("bad", BAD_INTS + BAD_PAIRS)
def test_same_padding_rejects_bad_kernel(bad: object) -> None:
    with pytest.raises(ValueError, match="kernel"):
        F.same_padding(bad)  # type: ignore[call-overload]


@pytest.mark.parametrize("bad", BAD_INTS + BAD_PAIRS)
def test_same_padding_rejects_bad_dilation(bad: object) -> None:
    with pytest.raises(ValueError, match="dilation"):
        F.same_padding((3, 3), bad)  # type: ignore[arg-type]


def test_same_padding_int_kernel_with_uneven_dilation_is_refused() -> None:
    # One (before, after) cannot describe two different axes.
    with pytest.raises(ValueError, match="dilation"):
        F.same_padding(3, (1, 2))  # type: ignore[call-overload]
    assert F.same_padding(3, (2, 2)) == (2, 2)


@pytest.mark.parametrize("bad", BAD_INTS + BAD_PAIRS)
def test_effective_kernel_rejects_bad_values(bad: object) -> None:
    with pytest.raises(ValueError, match="kernel"):
        F.effective_kernel(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dilation"):
        F.effective_kernel(3, bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0, 2), "size"),
        ((8, 0), "kernel"),
        ((8, 2, 0), "stride"),
        ((8, 2, 2.0), "stride"),
        ((8, 2, 2, -1), "padding"),
        ((8, 2, 2, 2), "padding"),  # more than half the kernel
        ((8, 3, 1, (1, 1, 1)), "padding"),
        ((2, 5), "kernel"),  # window larger than the input
    ],
)
def test_pool_output_size_rejects_bad_arguments(args: tuple[object, ...], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        F.pool_output_size(*args)  # type: ignore[call-overload]


@EXAMPLES
@given(
    n=st.integers(-5, 40),
    k=st.integers(-2, 12),
    s=st.integers(-1, 5),
    p=st.integers(-1, 5),
    d=st.integers(-1, 3),
)
def test_never_a_silent_zero_or_negative(n: int, k: int, s: int, p: int, d: int) -> None:
    # Whatever the arguments: a positive size or a ValueError, never 0 or below.
    try:
        out = F.conv_output_size(n, k, s, p, d)
    except ValueError:
        return
    assert out >= 1
    assert min(n, k, s, d) >= 1 and p >= 0


# --- exact at any size ------------------------------------------------------------------
#
# Above 2**53 a float cannot hold every whole number, so a formula computed in floats
# gives wrong sizes there. These oracles stay in exact arithmetic and never use the
# closed forms under test: a ceiling or floor is taken of a ``Fraction``, and an output
# size is checked by what it means (the last window fits, one more would not).

HUGE = 10**30
huge = st.one_of(
    st.integers(1, HUGE),
    st.integers(2**53 - 8, 2**53 + 8),
    st.integers(10**9 - 1_000, 10**9 + 1_000).map(lambda n: n * n + 1),
)
moderate = st.integers(1, 10**6)


def fits(n: int, eff: int, s: int, before: int, after: int, windows: int) -> bool:
    """Whether exactly ``windows`` windows of extent ``eff``, moved ``s`` at a time from
    the start of the padded range [-before, n + after), fit inside it."""
    end = n + after
    last = -before + (windows - 1) * s
    return windows >= 1 and last + eff <= end < last + s + eff


@pytest.mark.parametrize("n", [10**9 - 1, 10**9, 10**9 + 1, 3 * 10**9 + 7])
def test_same_output_size_of_a_square_plus_one_is_exact(n: int) -> None:
    size = n * n + 1  # far beyond 2**53
    half_up = math.ceil(Fraction(size, 2))
    assert F.conv_output_size(size, 3, 2, "same") == half_up
    assert F.conv_output_size((size, size), 3, 2, "same") == (half_up, half_up)
    assert F.kernel_center(size) == Fraction(size + 1, 2)
    assert F.kernel_center((size, 3)) == (Fraction(size + 1, 2), 2)


@EXAMPLES
@given(n=huge, s=st.one_of(moderate, huge), k=st.integers(1, 9), d=st.integers(1, 3))
def test_same_output_size_is_the_exact_ceiling(n: int, s: int, k: int, d: int) -> None:
    out = F.conv_output_size(n, k, s, "same", d)
    assert type(out) is int
    assert out == math.ceil(Fraction(n, s))
    assert (out - 1) * s < n <= out * s  # what ⌈n / s⌉ means
    assert F.conv_output_size((n, s), k, (s, 1), "same", d) == (out, s)


@EXAMPLES
@given(n=huge, k=moderate, s=st.one_of(moderate, huge), p=st.integers(0, HUGE), d=moderate)
def test_explicit_padding_output_size_is_exact(n: int, k: int, s: int, p: int, d: int) -> None:
    eff = len(range(0, d * (k - 1) + 1))  # first tap to last tap inclusive
    if eff > n + 2 * p:
        with pytest.raises(ValueError, match="kernel"):
            F.conv_output_size(n, k, s, p, d)
        return
    out = F.conv_output_size(n, k, s, p, d)
    assert out == math.floor(Fraction(n + 2 * p - eff, s)) + 1
    assert fits(n, eff, s, p, p, out)


@EXAMPLES
@given(n=huge, k=st.one_of(moderate, huge), s=st.one_of(moderate, huge), ceil_mode=st.booleans())
def test_pool_output_size_is_exact(n: int, k: int, s: int, ceil_mode: bool) -> None:
    p = k // 3
    if k > n + 2 * p:
        with pytest.raises(ValueError, match="kernel"):
            F.pool_output_size(n, k, s, p, ceil_mode)
        return
    out = F.pool_output_size(n, k, s, p, ceil_mode)
    full = math.floor(Fraction(n + 2 * p - k, s)) + 1
    assert fits(n, k, s, p, p, full)
    if not ceil_mode:
        assert out == full
        return
    # One more, partial window if the full ones leave the tail uncovered, unless it would
    # start in the right padding.
    tail_left = -p + (full - 1) * s + k < n + p
    extra_start = -p + full * s
    assert out == full + (1 if tail_left and extra_start < n else 0)


@EXAMPLES
@given(k=huge, d=st.one_of(moderate, huge))
def test_same_padding_and_effective_kernel_are_exact(k: int, d: int) -> None:
    eh, ew = F.effective_kernel((k, 1), (d, d))
    assert ew == 1
    assert Fraction(eh - 1, d) == k - 1  # taps d apart, first to last
    before, after = F.same_padding(k, d)
    assert before + after == eh - 1
    assert after - before == (eh - 1) % 2
    assert before == math.floor(Fraction(eh - 1, 2))


@EXAMPLES
@given(
    groups=st.one_of(st.integers(1, 8), huge),
    cin_per=huge,
    cout_per=huge,
    kh=huge,
    kw=moderate,
    bias=st.booleans(),
    oh=huge,
    ow=moderate,
)
def test_parameter_and_mac_counts_are_exact(
    groups: int, cin_per: int, cout_per: int, kh: int, kw: int, bias: bool, oh: int, ow: int
) -> None:
    cin, cout = groups * cin_per, groups * cout_per
    # Per output channel: one kh×kw kernel for each input channel of its group.
    weights = Fraction(cout) * Fraction(cin, groups) * kh * kw
    assert F.conv_params(cin, cout, (kh, kw), bias=bias, groups=groups) == weights + (
        cout if bias else 0
    )
    assert F.conv_macs(cin, cout, (kh, kw), (oh, ow), groups) == weights * oh * ow
    first = Fraction(cin * cout_per) + (cout_per if bias else 0)
    second = Fraction(cout_per * cout) * kh * kh + (cout if bias else 0)
    assert F.bottleneck_params(cin, cout_per, cout, kh, bias) == first + second


@EXAMPLES
@given(kh=huge, kw=huge)
def test_kernel_center_is_exact(kh: int, kw: int) -> None:
    # The centre is as far from the first pixel (1) as from the last (k).
    centre = F.kernel_center(kh)
    assert isinstance(centre, Fraction)
    assert centre - 1 == kh - centre
    assert F.kernel_center((kh, kw)) == (centre, Fraction(sum((1, kw)), 2))
    assert (centre.denominator == 1) == (kh % 2 == 1)


def test_the_formula_language_keeps_exact_results() -> None:
    from bot.engine.templates._expr import compile_formula

    n = 999_999_999  # n * n + 1 is below the language's 10**18 bound, above 2**53
    same = compile_formula("conv_output_size(n * n + 1, 3, 2, 'same')", ["n"])
    assert same({"n": n}) == (n * n + 2) // 2
    centre = compile_formula("kernel_center(k)", ["k"])
    assert centre({"k": 10**18 - 2}) == Fraction(10**18 - 1, 2)
    assert centre({"k": 6}) == Fraction(7, 2)
    assert centre({"k": 7}) == 4
    assert type(centre({"k": 7})) is int
