"""Output size: the height × width a convolution gives, from plain to dilated and "same"."""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterable

from bot.engine import formulas as F
from bot.engine.families._common import NO_PARAMS, PARTIAL, Candidate, keep, pair
from bot.engine.question import AnswerKey, Draft, Mistake, format_answer
from bot.i18n.texts import t

__all__ = ["output_size"]


def output_size(rng: random.Random, difficulty: int, lang: str) -> Draft:
    if difficulty == 1:
        return _output_basic(rng, lang)
    if difficulty == 2:
        return _output_padded(rng, lang)
    variant = rng.choice(("rect", "same", "dilated"))
    if variant == "rect":
        return _output_rect(rng, lang)
    if variant == "same":
        return _output_same(rng, lang)
    return _output_dilated(rng, lang)


def _axis_steps(lang: str, axes: Iterable[tuple[str, int, int, int, int]]) -> str:
    lines = []
    for axis, n, p, k, s in axes:
        span = n + 2 * p - k
        lines.append(
            t(
                "os.explain.axis",
                lang,
                axis=t(f"axis.{axis}", lang),
                n=n,
                p=p,
                k=k,
                s=s,
                span=span,
                out=span // s + 1,
            )
        )
    return "\n".join(lines)


def _slide(lang: str, n: int, k: int, s: int, p: int, out: int, answer: str) -> str:
    """The seed article's picture in words: where the filter's right edge goes.

    Pixels of the (padded) input are numbered from 1; the edge starts at ``k`` and moves
    ``s`` at a time while it stays within the last pixel, ``n + 2p``."""
    end = n + 2 * p
    edges = [k + i * s for i in range(out)]
    shown = ", ".join(map(str, edges)) if out <= 4 else f"{edges[0]}, {edges[1]}, {edges[2]}, …"
    key = "os.explain.slide.exact" if edges[-1] == end else "os.explain.slide.short"
    coords = t("os.explain.coords.padded", lang) if p else ""
    return t(key, lang, edges=shown, coords=coords, s=s, end=end, answer=answer)


def _wrong_sizes(n: int, p: int, k: int, s: int, k0: int) -> tuple[int, int, int, int, int]:
    """One axis's size under each misconception: no +1, no padding, padding on one side
    only, rounding up, the dilation ignored (``k0`` is the undilated kernel)."""
    span = n + 2 * p - k
    return (
        span // s,
        (n - k) // s + 1 if n >= k else 0,
        (n + p - k) // s + 1 if n + p >= k else 0,
        math.ceil(span / s) + 1,
        (n + 2 * p - k0) // s + 1,
    )


def _output_mistakes(
    lang: str, answer: AnswerKey, dims: list[tuple[int, int, int, int, int]]
) -> tuple[Mistake, ...]:
    """Wrong sizes for per-axis settings ``(n, p, k_effective, s, k_nominal)``."""
    (one_h, pad_h, side_h, ceil_h, dil_h), (one_w, pad_w, side_w, ceil_w, dil_w) = (
        _wrong_sizes(*axis) for axis in dims
    )
    p = dims[0][1]
    candidates: list[Candidate] = [
        ("forgot_plus_one", (one_h, one_w), PARTIAL, ("mistake.forgot_plus_one", NO_PARAMS)),
        ("forgot_padding", (pad_h, pad_w), PARTIAL, ("mistake.forgot_padding", {"p": p})),
        ("padding_one_side", (side_h, side_w), PARTIAL, ("mistake.padding_one_side", {"p": p})),
        ("ceil_not_floor", (ceil_h, ceil_w), PARTIAL, ("mistake.ceil_not_floor", NO_PARAMS)),
        ("ignored_dilation", (dil_h, dil_w), PARTIAL, ("mistake.ignored_dilation", NO_PARAMS)),
    ]
    assert isinstance(answer.value, tuple)
    h, w = answer.value
    if h != w:
        candidates.append(("swapped_axes", (w, h), 0.0, ("mistake.swapped_axes", NO_PARAMS)))
    return keep(answer, lang, candidates)


def _output_explicit(
    lang: str,
    params: dict[str, object],
    prompt: str,
    size: tuple[int, int],
    kernel: tuple[int, int],
    stride: int,
    padding: int,
) -> Draft:
    out = F.conv_output_size(size, kernel, stride, padding)
    key = AnswerKey("pair", pair(*out))
    answer_text = format_answer(key)
    square = size[0] == size[1] and kernel[0] == kernel[1]
    axes = (
        [("size", size[0], padding, kernel[0], stride)]
        if square
        else [
            ("height", size[0], padding, kernel[0], stride),
            ("width", size[1], padding, kernel[1], stride),
        ]
    )
    steps = _axis_steps(lang, axes)
    if square:
        slide = _slide(lang, size[0], kernel[0], stride, padding, out[0], answer_text)
        explanation = t("os.explain.explicit", lang, steps=steps, slide=slide)
    else:
        explanation = t("os.explain.explicit.rect", lang, steps=steps, answer=answer_text)
    dims = [(size[i], padding, kernel[i], stride, kernel[i]) for i in range(2)]
    hints = (t("hint.os.formula", lang), _axis_hints(lang, axes))
    mistakes = _output_mistakes(lang, key, dims)
    return Draft(params, key, prompt, explanation, None, mistakes, hints)


def _axis_hints(lang: str, axes: Iterable[tuple[str, int, int, int, int]]) -> str:
    """The formula with each axis's numbers in it, one step short of the answer."""
    return "\n".join(
        t(
            "hint.os.axis",
            lang,
            axis=t(f"axis.{axis}", lang),
            n=n,
            p=p,
            k=k,
            s=s,
            span=n + 2 * p - k,
        )
        for axis, n, p, k, s in axes
    )


# The lists the generators draw sizes from, built once per setting (rng.choice draws
# the same element from a cached tuple as from a fresh list).


@functools.cache
def _clean_sizes(k: int, s: int) -> tuple[int, ...]:
    return tuple(n for n in range(8, 65) if (n - k) % s == 0)


@functools.cache
def _other_widths(h: int) -> tuple[int, ...]:
    return tuple(x for x in range(16, 161) if x != h)


@functools.cache
def _same_widths(h: int, s: int) -> tuple[int, ...]:
    return tuple(x for x in range(15, 226) if x != h and (x % s or h % s))


def _output_basic(rng: random.Random, lang: str) -> Draft:
    k = rng.choice((3, 5, 7))
    s = rng.choice((1, 2))
    # Clean numbers: the stride divides the span so no rounding is involved.
    n = rng.choice(_clean_sizes(k, s))
    params: dict[str, object] = {
        "size": [n, n],
        "kernel": [k, k],
        "stride": [s, s],
        "padding": [0, 0],
        "dilation": [1, 1],
    }
    prompt = t("os.prompt.basic", lang, n=n, k=k, s=s)
    return _output_explicit(lang, params, prompt, (n, n), (k, k), s, 0)


def _output_padded(rng: random.Random, lang: str) -> Draft:
    k = rng.choice((3, 5, 7))
    s = rng.choice((1, 2, 2, 3))
    p = rng.randint(1, k // 2 + 1)
    n = rng.randint(10, 100)
    params: dict[str, object] = {
        "size": [n, n],
        "kernel": [k, k],
        "stride": [s, s],
        "padding": [p, p],
        "dilation": [1, 1],
    }
    prompt = t("os.prompt.padded", lang, n=n, k=k, s=s, p=p)
    return _output_explicit(lang, params, prompt, (n, n), (k, k), s, p)


def _output_rect(rng: random.Random, lang: str) -> Draft:
    kh, kw = rng.choice(((3, 3), (5, 5), (3, 5), (5, 3), (1, 7), (7, 1), (4, 4), (2, 2)))
    s = rng.choice((2, 3))
    p = rng.randint(0, max(kh, kw) // 2)
    h = rng.randint(16, 160)
    w = rng.choice(_other_widths(h))
    params: dict[str, object] = {
        "size": [h, w],
        "kernel": [kh, kw],
        "stride": [s, s],
        "padding": [p, p],
        "dilation": [1, 1],
    }
    prompt = t("os.prompt.rect", lang, h=h, w=w, kh=kh, kw=kw, s=s, p=p)
    return _output_explicit(lang, params, prompt, (h, w), (kh, kw), s, p)


def _output_same(rng: random.Random, lang: str) -> Draft:
    k = rng.choice((2, 3, 4, 5, 7))
    s = rng.choice((2, 3))
    h = rng.randint(15, 225)
    w = rng.choice(_same_widths(h, s))
    oh, ow = F.conv_output_size((h, w), k, s, "same")
    key = AnswerKey("pair", pair(oh, ow))
    params: dict[str, object] = {
        "size": [h, w],
        "kernel": [k, k],
        "stride": [s, s],
        "padding": "same",
        "dilation": [1, 1],
    }
    explanation = t("os.explain.same", lang, h=h, w=w, s=s, oh=oh, ow=ow, answer=format_answer(key))
    candidates: list[Candidate] = [
        ("floor_not_ceil", (h // s, w // s), PARTIAL, ("mistake.floor_not_ceil", NO_PARAMS)),
        ("ignored_stride", (h, w), PARTIAL, ("mistake.ignored_stride", NO_PARAMS)),
        ("swapped_axes", (ow, oh), 0.0, ("mistake.swapped_axes", NO_PARAMS)),
        (
            "forgot_padding",
            ((h - k) // s + 1, (w - k) // s + 1),
            PARTIAL,
            ("mistake.same_as_valid", NO_PARAMS),
        ),
    ]
    prompt = t("os.prompt.same", lang, h=h, w=w, k=k, s=s)
    hints = (
        t("hint.os.same.formula", lang),
        t("hint.os.same.numbers", lang, h=h, w=w, s=s),
    )
    return Draft(params, key, prompt, explanation, None, keep(key, lang, candidates), hints)


def _output_dilated(rng: random.Random, lang: str) -> Draft:
    k = rng.choice((3, 5))
    d = rng.choice((2, 3))
    s = rng.choice((1, 2))
    p = rng.randint(0, d * (k - 1) // 2)
    eff = d * (k - 1) + 1
    n = rng.randint(eff + 4, 96)
    out = F.conv_output_size(n, k, s, p, d)
    key = AnswerKey("pair", pair(out, out))
    params: dict[str, object] = {
        "size": [n, n],
        "kernel": [k, k],
        "stride": [s, s],
        "padding": [p, p],
        "dilation": [d, d],
    }
    explanation = t(
        "os.explain.dilated",
        lang,
        d=d,
        k=k,
        eff=eff,
        n=n,
        p=p,
        s=s,
        out=out,
        answer=format_answer(key),
    )
    dims = [(n, p, eff, s, k)] * 2
    prompt = t("os.prompt.dilated", lang, n=n, k=k, d=d, s=s, p=p)
    hints = (
        t("hint.os.dilated.formula", lang),
        t("hint.os.dilated.numbers", lang, d=d, k=k, eff=eff, n=n, p=p, s=s, span=n + 2 * p - eff),
    )
    mistakes = _output_mistakes(lang, key, dims)
    return Draft(params, key, prompt, explanation, None, mistakes, hints)
