"""The arithmetic of convolution layers, shared by questions, grading and templates.

Every function is pure and checks its arguments: a size that would come out zero or
negative, a channel count that does not divide into groups, or a malformed pair raises
``ValueError`` naming the argument, never a silent wrong number.

Kernel, stride, padding and dilation take an int (the same on both axes) or an
``(h, w)`` pair. Sizes follow the same rule; a function given an int size answers with
an int, given a pair answers with a pair.

The arithmetic is exact on whole numbers of any size: integer division (``-(-a // b)``
for a ceiling) and ``Fraction`` where the true answer is not whole, never a float, which
would round sizes above 2**53.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal, TypeAlias, overload

IntPair: TypeAlias = tuple[int, int]
IntOrPair: TypeAlias = int | IntPair
Padding: TypeAlias = int | IntPair | Literal["valid", "same"]

__all__ = [
    "bottleneck_params",
    "conv_macs",
    "conv_output_size",
    "conv_params",
    "effective_kernel",
    "kernel_center",
    "pool_output_size",
    "same_padding",
]


def _pair(value: object, name: str, *, minimum: int) -> IntPair:
    """Normalise an int or (h, w) pair, refusing bools, floats and small values."""
    # Fast paths for what callers almost always pass (``type(…) is int`` excludes bool).
    if type(value) is int and value >= minimum:
        return value, value
    if (
        type(value) is tuple
        and len(value) == 2
        and type(value[0]) is int
        and type(value[1]) is int
        and value[0] >= minimum
        and value[1] >= minimum
    ):
        return value[0], value[1]
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or an (h, w) pair, got {len(value)} values")
        items = (value[0], value[1])
    else:
        items = (value, value)
    for item in items:
        # bool is an int subclass; True as a kernel size is always a mistake.
        if isinstance(item, bool) or not isinstance(item, int):
            raise ValueError(f"{name} must be a whole number, got {item!r}")
        if item < minimum:
            raise ValueError(f"{name} must be at least {minimum}, got {item}")
    return items


def _positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


def _unpair(result: IntPair, size: object, name: str) -> IntOrPair:
    """Answer in the caller's shape: an int for an int size, a pair for a pair."""
    if isinstance(size, tuple | list):
        return result
    if result[0] != result[1]:
        raise ValueError(
            f"{name} differs between height and width; pass the size as an (h, w) pair"
        )
    return result[0]


def effective_kernel(kernel: IntOrPair, dilation: IntOrPair = 1) -> IntPair:
    """The extent a dilated kernel covers: ``d·(k − 1) + 1`` on each axis."""
    kh, kw = _pair(kernel, "kernel", minimum=1)
    dh, dw = _pair(dilation, "dilation", minimum=1)
    return dh * (kh - 1) + 1, dw * (kw - 1) + 1


@overload
def conv_output_size(
    size: int,
    kernel: IntOrPair,
    stride: IntOrPair = ...,
    padding: Padding = ...,
    dilation: IntOrPair = ...,
) -> int: ...
@overload
def conv_output_size(
    size: IntPair,
    kernel: IntOrPair,
    stride: IntOrPair = ...,
    padding: Padding = ...,
    dilation: IntOrPair = ...,
) -> IntPair: ...
def conv_output_size(
    size: IntOrPair,
    kernel: IntOrPair,
    stride: IntOrPair = 1,
    padding: Padding = 0,
    dilation: IntOrPair = 1,
) -> IntOrPair:
    """Output size of a convolution (or pooling window) sliding over ``size``.

    ``⌊(n + 2p − (d·(k − 1) + 1)) / s⌋ + 1`` on each axis for explicit padding ``p``.
    ``"valid"`` is padding 0. ``"same"`` follows TensorFlow/Keras: the output is
    ``⌈n / s⌉`` whatever the kernel, the padding being split with any odd pixel after.

    >>> conv_output_size(25, 5, stride=2)
    11
    """
    n = _pair(size, "size", minimum=1)
    s = _pair(stride, "stride", minimum=1)
    eff = effective_kernel(kernel, dilation)
    if padding == "same":
        result = (-(-n[0] // s[0]), -(-n[1] // s[1]))  # ⌈n / s⌉, in integers
        return _unpair(result, size, "the output size")
    if padding == "valid":
        pad: IntPair = (0, 0)
    elif isinstance(padding, str):
        raise ValueError(
            f"padding must be an int, an (h, w) pair, 'valid' or 'same', got {padding!r}"
        )
    else:
        pad = _pair(padding, "padding", minimum=0)
    out: list[int] = []
    for axis, (ni, pi, ki, si) in enumerate(zip(n, pad, eff, s, strict=True)):
        span = ni + 2 * pi - ki
        if span < 0:
            where = "" if not isinstance(size, tuple | list) else (" (height)", " (width)")[axis]
            raise ValueError(
                f"the kernel (extent {ki}) is larger than the padded input ({ni + 2 * pi}){where}"
            )
        out.append(span // si + 1)
    return _unpair((out[0], out[1]), size, "the output size")


@overload
def pool_output_size(
    size: int,
    kernel: IntOrPair,
    stride: IntOrPair | None = ...,
    padding: IntOrPair = ...,
    ceil_mode: bool = ...,
) -> int: ...
@overload
def pool_output_size(
    size: IntPair,
    kernel: IntOrPair,
    stride: IntOrPair | None = ...,
    padding: IntOrPair = ...,
    ceil_mode: bool = ...,
) -> IntPair: ...
def pool_output_size(
    size: IntOrPair,
    kernel: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    ceil_mode: bool = False,
) -> IntOrPair:
    """Output size of a pooling layer; the stride defaults to the kernel, as in PyTorch.

    With ``ceil_mode`` the last, partial window counts too, but (as in PyTorch) never a
    window that would start inside the right padding only.
    """
    k = _pair(kernel, "kernel", minimum=1)
    s = k if stride is None else _pair(stride, "stride", minimum=1)
    n = _pair(size, "size", minimum=1)
    p = _pair(padding, "padding", minimum=0)
    out: list[int] = []
    for ni, ki, si, pi in zip(n, k, s, p, strict=True):
        if pi * 2 > ki:
            raise ValueError(f"padding ({pi}) must be at most half the kernel ({ki})")
        span = ni + 2 * pi - ki
        if span < 0:
            raise ValueError(
                f"the kernel (window {ki}) is larger than the padded input ({ni + 2 * pi})"
            )
        count = (-(-span // si) if ceil_mode else span // si) + 1
        if ceil_mode and (count - 1) * si >= ni + pi:
            count -= 1
        out.append(count)
    return _unpair((out[0], out[1]), size, "the output size")


@overload
def same_padding(kernel: int, dilation: int = ...) -> IntPair: ...
@overload
def same_padding(kernel: IntPair, dilation: IntOrPair = ...) -> tuple[IntPair, IntPair]: ...
def same_padding(kernel: IntOrPair, dilation: IntOrPair = 1) -> IntPair | tuple[IntPair, IntPair]:
    """The (before, after) zero padding that keeps the size at stride 1.

    The total is ``effective kernel − 1``: split evenly for an odd effective kernel, and
    with the odd pixel after (TensorFlow's choice) for an even one. That asymmetry is why
    kernels are odd. For a pair kernel the answer is ((top, bottom), (left, right)).
    """
    eh, ew = effective_kernel(kernel, dilation)
    rows = ((eh - 1) // 2, (eh - 1) - (eh - 1) // 2)
    cols = ((ew - 1) // 2, (ew - 1) - (ew - 1) // 2)
    if isinstance(kernel, tuple | list):
        return rows, cols
    if rows != cols:
        raise ValueError(
            "the dilation differs between height and width; pass the kernel as an (h, w) pair"
        )
    return rows


def conv_params(
    in_channels: int,
    out_channels: int,
    kernel: IntOrPair,
    bias: bool = True,
    groups: int = 1,
) -> int:
    """Learnable parameters of a convolution: ``C_out · (C_in / g) · kh · kw`` (+ ``C_out``).

    Each output channel has one kernel per input channel of its group, and one bias.
    Depthwise convolution is ``groups = in_channels``.

    >>> conv_params(16, 32, 3)
    4640
    """
    cin = _positive(in_channels, "in_channels")
    cout = _positive(out_channels, "out_channels")
    g = _positive(groups, "groups")
    kh, kw = _pair(kernel, "kernel", minimum=1)
    if not isinstance(bias, bool):
        raise ValueError(f"bias must be True or False, got {bias!r}")
    if cin % g or cout % g:
        raise ValueError(
            f"groups ({g}) must divide both in_channels ({cin}) and out_channels ({cout})"
        )
    return cout * (cin // g) * kh * kw + (cout if bias else 0)


def bottleneck_params(
    in_channels: int,
    mid_channels: int,
    out_channels: int,
    kernel: IntOrPair,
    bias: bool = True,
) -> int:
    """Parameters of a 1×1 reduction to ``mid_channels`` followed by a k×k convolution.

    >>> bottleneck_params(32, 16, 64, 3)
    9808
    """
    return conv_params(in_channels, mid_channels, 1, bias) + conv_params(
        mid_channels, out_channels, kernel, bias
    )


def conv_macs(
    in_channels: int,
    out_channels: int,
    kernel: IntOrPair,
    output_size: IntOrPair,
    groups: int = 1,
) -> int:
    """Multiply-accumulates of one forward pass: one per weight per output position.

    A 1×1 convolution costs 1/9 of a 3×3 one with the same channels and output.
    """
    weights = conv_params(in_channels, out_channels, kernel, bias=False, groups=groups)
    oh, ow = _pair(output_size, "output_size", minimum=1)
    return weights * oh * ow


@overload
def kernel_center(kernel: int) -> Fraction: ...
@overload
def kernel_center(kernel: IntPair) -> tuple[Fraction, Fraction]: ...
def kernel_center(kernel: IntOrPair) -> Fraction | tuple[Fraction, Fraction]:
    """The kernel's centre in 1-based pixel coordinates: ``(k + 1) / 2``, exactly.

    Whole for odd sizes; between two pixels for even ones (6 → 7/2, that is 3.5).
    """
    kh, kw = _pair(kernel, "kernel", minimum=1)
    if isinstance(kernel, tuple | list):
        return Fraction(kh + 1, 2), Fraction(kw + 1, 2)
    return Fraction(kh + 1, 2)
