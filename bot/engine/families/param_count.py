"""Parameter count: the weights and biases of one convolution, grouped or depthwise."""

from __future__ import annotations

import random
from fractions import Fraction

from bot.engine import formulas as F
from bot.engine.families._common import NO_PARAMS, PARTIAL, Candidate, keep
from bot.engine.question import AnswerKey, Draft
from bot.i18n.texts import t

__all__ = ["param_count"]


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
    hints = _hints(lang, cin, cin_g, groups, kh, kw, cout, weights, bias)
    b = cout if bias else 0
    candidates: list[Candidate] = []
    if bias:
        candidates.append(("forgot_bias", weights, PARTIAL, ("mistake.forgot_bias", NO_PARAMS)))
        candidates.append(
            ("bias_per_input", weights + cin, PARTIAL, ("mistake.bias_per_input", NO_PARAMS))
        )
    else:
        candidates.append(
            ("bias_when_none", weights + cout, PARTIAL, ("mistake.bias_when_none", NO_PARAMS))
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
    return Draft(params, key, prompt, explanation, None, keep(key, lang, candidates), hints)


def _hints(
    lang: str,
    cin: int,
    cin_g: int,
    groups: int,
    kh: int,
    kw: int,
    cout: int,
    weights: int,
    bias: bool,
) -> tuple[str, str]:
    """The formula with names, then its numbers one step short of the total."""
    label = t("pc.label.cin_group" if groups > 1 else "pc.label.cin", lang)
    formula = t(
        "hint.pc.formula",
        lang,
        cin_label=label,
        bias_part=t("hint.pc.formula.bias" if bias else "hint.pc.formula.nobias", lang),
    )
    product = f"{cin_g} × {kh} × {kw} × {cout}"
    numbers = (
        t("hint.pc.numbers.bias", lang, product=product, weights=f"{weights:,}", cout=cout)
        if bias
        else t("hint.pc.numbers.nobias", lang, product=product)
    )
    if groups > 1:
        per_group = t("hint.pc.numbers.groups", lang, cin=cin, groups=groups, cin_g=cin_g)
        numbers = f"{per_group}\n{numbers}"
    return formula, numbers
