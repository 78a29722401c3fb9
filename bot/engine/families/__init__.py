"""The four built-in question families, drawn from a seeded random generator.

Each family turns ``(rng, difficulty, lang)`` into a ``Draft``: layer settings, the answer
computed by ``bot.engine.formulas``, the prompt, a worked explanation in the seed article's
style, and the wrong answers that real misconceptions produce (partial credit). Every
draw is valid by construction: sizes stay positive, channels divide into groups.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterable
from fractions import Fraction
from typing import TypeAlias

from bot.engine import formulas as F
from bot.engine.question import AnswerKey, AnswerValue, Draft, Mistake, format_answer, format_number
from bot.i18n.texts import t

# A feedback sentence, rendered only if its mistake is kept: (catalog key, parameters).
Say: TypeAlias = tuple[str, dict[str, object]]
Num: TypeAlias = int | Fraction
# A named wrong answer before it is checked against the right one:
# (name, value, score, feedback). Values may be plain ints; kept ones become Fractions.
Candidate: TypeAlias = tuple[str, Num | tuple[Num, Num], float, Say]

PARTIAL = 0.5


_NO_PARAMS: dict[str, object] = {}  # shared, never mutated


# Fractions are immutable, so the small whole ones can be made once and shared.
_SMALL = tuple(Fraction(i) for i in range(1024))


def _fraction(x: Num) -> Fraction:
    # type() rather than isinstance(): Fraction's ABC metaclass makes isinstance slow.
    if type(x) is int:
        return _SMALL[x] if 0 <= x < 1024 else Fraction(x)
    assert type(x) is Fraction
    return x


def _pair(h: int | Fraction, w: int | Fraction) -> tuple[Fraction, Fraction]:
    return _fraction(h), _fraction(w)


def _hashable(x: object) -> object:
    """A cheap stand-in for a value in a set: hashing a Fraction costs a modular inverse,
    so whole numbers stand for themselves (they hash and compare equal to the Fraction)."""
    if isinstance(x, tuple):
        return _hashable(x[0]), _hashable(x[1])
    if type(x) is int:
        return x
    assert type(x) is Fraction
    return x.numerator if x.denominator == 1 else x


def _keep(
    answer: AnswerKey, lang: str, candidates: Iterable[Candidate], *, lowest: int = 1
) -> tuple[Mistake, ...]:
    """Mistakes that differ from the right answer (and each other) and are plausible.

    A right answer must never grade as partial, so a misconception that happens to give
    the right number for these settings is dropped, and so is one below ``lowest`` (a
    size of 0 is no answer; a padding of 0 is).
    """
    seen = {_hashable(answer.value)}
    kept: list[Mistake] = []
    for name, value, score, (text, params) in candidates:
        final: AnswerValue
        if isinstance(value, tuple):
            first, second = value
            if first < lowest or second < lowest:
                continue
            if type(first) is int and type(second) is int:
                if value in seen:
                    continue
                seen.add(value)
                final = (_fraction(first), _fraction(second))
            else:
                key = _hashable(value)
                if key in seen:
                    continue
                seen.add(key)
                final = (_fraction(first), _fraction(second))
        else:
            if value < lowest:
                continue
            key = value if type(value) is int else _hashable(value)
            if key in seen:
                continue
            seen.add(key)
            final = _fraction(value)
        kept.append(Mistake(name, final, score, t(text, lang, **params)))
    return tuple(kept)


def _choice_draft(
    rng: random.Random,
    lang: str,
    prefix: str,
    wrong: list[str],
    prompt: str,
    explanation: str,
    params: dict[str, object],
) -> Draft:
    """A four-option question: the right option and three misconceptions, shuffled."""
    picked = rng.sample(wrong, 3)
    options = ["correct", *picked]
    rng.shuffle(options)
    right = options.index("correct")
    key = AnswerKey("choice", right)
    mistakes = tuple(
        Mistake(name, index, 0.0, t(f"{prefix}.feedback.{name}", lang))
        for index, name in enumerate(options)
        if name != "correct"
    )
    choices = tuple(t(f"{prefix}.choice.{name}", lang) for name in options)
    return Draft(
        params={**params, "options": options},
        answer=key,
        prompt=prompt,
        explanation=explanation,
        choices=choices,
        mistakes=mistakes,
    )


# --- output size ------------------------------------------------------------------------


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
        ("forgot_plus_one", (one_h, one_w), PARTIAL, ("mistake.forgot_plus_one", _NO_PARAMS)),
        ("forgot_padding", (pad_h, pad_w), PARTIAL, ("mistake.forgot_padding", {"p": p})),
        ("padding_one_side", (side_h, side_w), PARTIAL, ("mistake.padding_one_side", {"p": p})),
        ("ceil_not_floor", (ceil_h, ceil_w), PARTIAL, ("mistake.ceil_not_floor", _NO_PARAMS)),
        ("ignored_dilation", (dil_h, dil_w), PARTIAL, ("mistake.ignored_dilation", _NO_PARAMS)),
    ]
    assert isinstance(answer.value, tuple)
    h, w = answer.value
    if h != w:
        candidates.append(("swapped_axes", (w, h), 0.0, ("mistake.swapped_axes", _NO_PARAMS)))
    return _keep(answer, lang, candidates)


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
    key = AnswerKey("pair", _pair(*out))
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
    return Draft(params, key, prompt, explanation, None, _output_mistakes(lang, key, dims))


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
    key = AnswerKey("pair", _pair(oh, ow))
    params: dict[str, object] = {
        "size": [h, w],
        "kernel": [k, k],
        "stride": [s, s],
        "padding": "same",
        "dilation": [1, 1],
    }
    explanation = t("os.explain.same", lang, h=h, w=w, s=s, oh=oh, ow=ow, answer=format_answer(key))
    candidates: list[Candidate] = [
        ("floor_not_ceil", (h // s, w // s), PARTIAL, ("mistake.floor_not_ceil", _NO_PARAMS)),
        ("ignored_stride", (h, w), PARTIAL, ("mistake.ignored_stride", _NO_PARAMS)),
        ("swapped_axes", (ow, oh), 0.0, ("mistake.swapped_axes", _NO_PARAMS)),
        (
            "forgot_padding",
            ((h - k) // s + 1, (w - k) // s + 1),
            PARTIAL,
            ("mistake.same_as_valid", _NO_PARAMS),
        ),
    ]
    prompt = t("os.prompt.same", lang, h=h, w=w, k=k, s=s)
    return Draft(params, key, prompt, explanation, None, _keep(key, lang, candidates))


def _output_dilated(rng: random.Random, lang: str) -> Draft:
    k = rng.choice((3, 5))
    d = rng.choice((2, 3))
    s = rng.choice((1, 2))
    p = rng.randint(0, d * (k - 1) // 2)
    eff = d * (k - 1) + 1
    n = rng.randint(eff + 4, 96)
    out = F.conv_output_size(n, k, s, p, d)
    key = AnswerKey("pair", _pair(out, out))
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
    return Draft(params, key, prompt, explanation, None, _output_mistakes(lang, key, dims))


# --- parameter count --------------------------------------------------------------------


def param_count(rng: random.Random, difficulty: int, lang: str) -> Draft:
    groups = 1
    bias = True
    if difficulty == 1:
        k = rng.choice((1, 3, 3, 5))
        kh = kw = k
        cin = rng.choice((1, 3, 8, 16, 32))
        cout = rng.choice((8, 16, 32, 64))
        size = rng.choice((25, 28, 32, 56, 64))
        prompt = t("pc.prompt.basic", lang, size=size, cin=cin, cout=cout, k=k)
    elif difficulty == 2:
        kh, kw = rng.choice(((3, 3), (5, 5), (7, 7), (1, 3), (3, 1), (1, 7), (5, 3)))
        cin = rng.choice((3, 24, 48, 64, 96, 128))
        cout = rng.choice((32, 64, 96, 128, 256))
        bias = rng.random() < 0.6
        clause = t("pc.bias.on" if bias else "pc.bias.off", lang)
        prompt = t("pc.prompt.rect", lang, cin=cin, cout=cout, kh=kh, kw=kw, bias_clause=clause)
    else:
        k = rng.choice((3, 5))
        kh = kw = k
        bias = rng.random() < 0.5
        clause = t("pc.bias.on" if bias else "pc.bias.off", lang)
        if rng.random() < 0.4:
            cin = cout = groups = rng.choice((32, 64, 96, 128, 256))
            prompt = t("pc.prompt.depthwise", lang, k=k, cin=cin, bias_clause=clause)
        else:
            groups = rng.choice((2, 4, 8))
            cin = groups * rng.choice((4, 8, 16))
            cout = groups * rng.choice((4, 8, 16, 32))
            prompt = t(
                "pc.prompt.grouped",
                lang,
                cin=cin,
                cout=cout,
                k=k,
                groups=groups,
                bias_clause=clause,
            )
    total = F.conv_params(cin, cout, (kh, kw), bias=bias, groups=groups)
    weights = F.conv_params(cin, cout, (kh, kw), bias=False, groups=groups)
    cin_g = cin // groups
    key = AnswerKey("int", Fraction(total))
    bias_line = (
        t("pc.explain.bias", lang, weights=weights, cout=cout, total=total)
        if bias
        else t("pc.explain.nobias", lang, total=total)
    )
    explanation = (
        t("pc.explain.groups", lang, groups=groups, cin=cin, cin_g=cin_g) if groups > 1 else ""
    ) + t(
        "pc.explain",
        lang,
        cin_label=t("pc.label.cin_group" if groups > 1 else "pc.label.cin", lang),
        kh=kh,
        kw=kw,
        cin_g=cin_g,
        cout=cout,
        weights=weights,
        bias_line=bias_line,
    )
    b = cout if bias else 0
    candidates: list[Candidate] = []
    if bias:
        candidates.append(("forgot_bias", weights, PARTIAL, ("mistake.forgot_bias", _NO_PARAMS)))
        candidates.append(
            ("bias_per_input", weights + cin, PARTIAL, ("mistake.bias_per_input", _NO_PARAMS))
        )
    else:
        candidates.append(
            ("bias_when_none", weights + cout, PARTIAL, ("mistake.bias_when_none", _NO_PARAMS))
        )
    if kh == kw and kh > 1:
        candidates.append(
            ("kernel_as_k", cin_g * kh * cout + b, PARTIAL, ("mistake.kernel_as_k", {"k": kh}))
        )
    if groups > 1:
        candidates.append(
            (
                "ignored_groups",
                cin * kh * kw * cout + b,
                PARTIAL,
                ("mistake.ignored_groups", {"groups": groups, "cin_g": cin_g}),
            )
        )
    candidates.append(
        (
            "forgot_input_channels",
            kh * kw * cout + b,
            PARTIAL,
            ("mistake.forgot_input_channels", {"k": f"{kh}×{kw}"}),
        )
    )
    params: dict[str, object] = {
        "in_channels": cin,
        "out_channels": cout,
        "kernel": [kh, kw],
        "bias": bias,
        "groups": groups,
    }
    return Draft(params, key, prompt, explanation, None, _keep(key, lang, candidates))


# --- 1×1 bottleneck ---------------------------------------------------------------------

_BN_WRONG = ["identity", "spatial", "receptive", "blur"]


def bottleneck(rng: random.Random, difficulty: int, lang: str) -> Draft:
    variant = {
        1: ("why", "total"),
        2: ("total", "saved", "why"),
        3: ("saved", "macs"),
    }[difficulty]
    choice = rng.choice(variant)
    if choice == "why":
        return _choice_draft(
            rng,
            lang,
            "bn",
            _BN_WRONG,
            t("bn.prompt.why", lang),
            t("bn.explain.why", lang),
            {"variant": "why"},
        )
    k = 3 if difficulty == 1 else rng.choice((3, 3, 5))
    cin = rng.choice((32, 64, 128, 256)) if difficulty > 1 else rng.choice((16, 32, 64))
    mid = cin // rng.choice((2, 4))
    cout = rng.choice((cin, cin * 2, cin // 2 if cin >= 64 else cin * 2))
    size = rng.choice((14, 28, 56, 100))
    bias = True if choice == "total" else rng.random() < 0.5
    if choice != "macs":  # the MAC count needs none of the parameter counts
        first = F.conv_params(cin, mid, 1, bias)
        second = F.conv_params(mid, cout, k, bias)
        total = F.bottleneck_params(cin, mid, cout, k, bias)
        direct = F.conv_params(cin, cout, k, bias)
    params: dict[str, object] = {
        "variant": choice,
        "in_channels": cin,
        "mid_channels": mid,
        "out_channels": cout,
        "kernel": [k, k],
        "bias": bias,
        "size": [size, size],
    }
    if choice == "total":
        key = AnswerKey("int", Fraction(total))
        prompt = t("bn.prompt.total", lang, size=size, cin=cin, cout=cout, mid=mid, k=k)
        explanation = t(
            "bn.explain.total",
            lang,
            cin=cin,
            mid=mid,
            cout=cout,
            k=k,
            first=f"{first:,}",
            second=f"{second:,}",
            total=f"{total:,}",
            direct=f"{direct:,}",
        )
        candidates: list[Candidate] = [
            ("only_second_conv", second, PARTIAL, ("mistake.only_second_conv", {"k": k})),
            ("only_first_conv", first, PARTIAL, ("mistake.only_first_conv", {"k": k})),
            ("forgot_bias", total - mid - cout, PARTIAL, ("mistake.forgot_bias", _NO_PARAMS)),
            ("gave_direct", direct, 0.0, ("mistake.gave_direct", _NO_PARAMS)),
        ]
    elif choice == "saved":
        saved = direct - total
        if saved <= 0:  # a wide middle can cost more than it saves; make it narrower
            mid = max(1, cin // 8)
            params["mid_channels"] = mid
            first = F.conv_params(cin, mid, 1, bias)
            second = F.conv_params(mid, cout, k, bias)
            total = first + second
            saved = direct - total
        key = AnswerKey("int", Fraction(saved))
        clause = t("bn.bias.on" if bias else "bn.bias.off", lang)
        prompt = t("bn.prompt.saved", lang, k=k, cin=cin, cout=cout, mid=mid, bias_clause=clause)
        explanation = t(
            "bn.explain.saved",
            lang,
            cin=cin,
            k=k,
            cout=cout,
            mid=mid,
            bias_term=f" + {cout}" if bias else "",
            bias_mid=f" + {mid}" if bias else "",
            direct=f"{direct:,}",
            first=f"{first:,}",
            second=f"{second:,}",
            total=f"{total:,}",
            answer=f"{saved:,}",
        )
        candidates = [
            ("gave_total", total, 0.0, ("mistake.gave_total", _NO_PARAMS)),
            ("gave_direct", direct, 0.0, ("mistake.gave_direct", _NO_PARAMS)),
            ("only_second_conv", direct - second, PARTIAL, ("mistake.only_second_conv", {"k": k})),
        ]
    else:
        positions = size * size
        first = F.conv_macs(cin, mid, 1, size)
        second = F.conv_macs(mid, cout, k, size)
        total = first + second
        key = AnswerKey("int", Fraction(total))
        prompt = t("bn.prompt.macs", lang, size=size, cin=cin, mid=mid, k=k, cout=cout)
        explanation = t(
            "bn.explain.macs",
            lang,
            size=size,
            positions=f"{positions:,}",
            cin=cin,
            mid=mid,
            k=k,
            cout=cout,
            first=f"{first:,}",
            second=f"{second:,}",
            total=f"{total:,}",
            k2=k * k,
        )
        candidates = [
            ("only_second_conv", second, PARTIAL, ("mistake.only_second_conv", {"k": k})),
            ("only_first_conv", first, PARTIAL, ("mistake.only_first_conv", {"k": k})),
            (
                "kernel_as_k",
                first + mid * k * cout * positions,
                PARTIAL,
                ("mistake.kernel_as_k", {"k": k}),
            ),
        ]
    return Draft(params, key, prompt, explanation, None, _keep(key, lang, candidates))


# --- odd kernels ------------------------------------------------------------------------

_OK_WRONG = ["untrainable", "hardware", "channels", "cheaper"]


def odd_kernel(rng: random.Random, difficulty: int, lang: str) -> Draft:
    variant = {
        1: ("why", "why", "center"),
        2: ("center", "pad_side", "why"),
        3: ("pad_split", "pad_split", "center"),
    }[difficulty]
    choice = rng.choice(variant)
    if choice == "why":
        return _choice_draft(
            rng,
            lang,
            "ok",
            _OK_WRONG,
            t("ok.prompt.why", lang),
            t("ok.explain.why", lang),
            {"variant": "why"},
        )
    if choice == "center":
        k = rng.choice((3, 4, 5, 6, 7) if difficulty == 1 else (2, 4, 6, 8, 9, 11))
        c = Fraction(k + 1, 2)
        key = AnswerKey("pair", (c, c), display="tuple")
        answer = format_answer(key)
        explanation = t(
            "ok.explain.center",
            lang,
            k=k,
            c=format_number(c),
            answer=answer,
            even_note=t("ok.explain.center.even", lang) if k % 2 == 0 else "",
        )
        candidates: list[Candidate] = [
            ("zero_based", (c - 1, c - 1), PARTIAL, ("mistake.zero_based", _NO_PARAMS)),
        ]
        params: dict[str, object] = {"variant": "center", "kernel": [k, k]}
        prompt = t("ok.prompt.center", lang, k=k)
        return Draft(params, key, prompt, explanation, None, _keep(key, lang, candidates))
    if choice == "pad_side":
        k = rng.choice((3, 5, 7, 9, 11))
        side = F.same_padding(k)[0]
        key = AnswerKey("int", Fraction(side))
        explanation = t("ok.explain.pad_side", lang, k=k, total=k - 1, answer=side)
        candidates = [
            ("total_padding", k - 1, PARTIAL, ("mistake.total_padding", _NO_PARAMS)),
        ]
        params = {"variant": "pad_side", "kernel": [k, k]}
        return Draft(
            params,
            key,
            t("ok.prompt.pad_side", lang, k=k),
            explanation,
            None,
            _keep(key, lang, candidates),
        )
    k = rng.choice((2, 3, 4, 5, 6, 8))
    d = rng.choice((1, 1, 2)) if k % 2 else 1
    eff = F.effective_kernel(k, d)[0]
    before, after = F.same_padding(k, d)
    key = AnswerKey("pair", _pair(before, after), display="tuple")
    split_note = t("ok.explain.split.odd" if eff % 2 else "ok.explain.split.even", lang)
    explanation = t(
        "ok.explain.pad_split",
        lang,
        eff=eff,
        total=eff - 1,
        split_note=split_note,
        answer=format_answer(key),
    )
    candidates = [
        ("extra_before", (after, before), PARTIAL, ("mistake.extra_before", _NO_PARAMS)),
        ("symmetric_even", (eff // 2, eff // 2), PARTIAL, ("mistake.symmetric_even", _NO_PARAMS)),
        ("total_padding", (eff - 1, eff - 1), 0.0, ("mistake.total_padding", _NO_PARAMS)),
    ]
    if d > 1:
        plain = F.same_padding(k)
        candidates.append(
            ("ignored_dilation", plain, PARTIAL, ("mistake.ignored_dilation", _NO_PARAMS))
        )
    dilation_clause = t("ok.dilation", lang, d=d) if d > 1 else ""
    params = {"variant": "pad_split", "kernel": [k, k], "dilation": [d, d]}
    prompt = t("ok.prompt.pad_split", lang, k=k, dilation_clause=dilation_clause)
    return Draft(params, key, prompt, explanation, None, _keep(key, lang, candidates, lowest=0))
