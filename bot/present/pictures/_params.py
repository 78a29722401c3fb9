"""Reading a question's params, and the bounds on what a drawing draws.

Whatever the numbers in a question's params (admin templates may hold sizes, kernels,
paddings, strides and dilations up to ~10^9), the cost of a drawing is bounded: no loop
or list grows with them. Past ``_MAX_TAPS`` taps, ``_MAX_DILATION``, ``_MAX_STRIDE`` or
``_MAX_PAD`` a window, stride or padding is drawn clamped (the labels still give the real
numbers), a kernel longer than ``SCHEMATIC_THRESHOLD`` is drawn with a break like a large
input, and a padding picture whose window spans more than ``_MAX_WINDOW`` cells is not
drawn at all (it has no labels to tell a clamped window from the real one).
"""

from __future__ import annotations

from collections.abc import Mapping

# Bounds on what a drawing draws, whatever the params (see the docstring above). Above
# every generated question's numbers, so they only change pictures of absurd templates.
_MAX_TAPS = 11  # kernel taps drawn per axis
_MAX_DILATION = 4
_MAX_STRIDE = 8
_MAX_PAD = 8  # padding cells drawn per side (more if the clamped windows need them)
_MAX_WINDOW = 32  # cells per axis of a padding picture's window


class _Unsupported(ValueError):
    """The params are not a shape the pictures know how to draw."""


def _int(params: Mapping[str, object], key: str, default: int | None = None) -> int:
    value = params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Unsupported(f"{key} must be a whole number, got {value!r}")
    return value


def _pair(params: Mapping[str, object], key: str, default: int | None = None) -> tuple[int, int]:
    value = params.get(key, default)
    if isinstance(value, list | tuple) and len(value) == 2:
        first, second = value
    else:
        first = second = value
    for item in (first, second):
        if isinstance(item, bool) or not isinstance(item, int) or item < 0:
            raise _Unsupported(f"{key} must be a whole number or a pair, got {value!r}")
    assert isinstance(first, int) and isinstance(second, int)
    return first, second
