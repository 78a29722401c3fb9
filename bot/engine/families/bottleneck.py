"""The 1×1 bottleneck: why it is there, and the parameters and MACs it costs or saves."""

from __future__ import annotations

import random
from fractions import Fraction

from bot.engine import formulas as F
from bot.engine.families._common import NO_PARAMS, PARTIAL, Candidate, choice_draft, keep
from bot.engine.question import AnswerKey, Draft
from bot.i18n.texts import t

__all__ = ["bottleneck"]

_BN_WRONG = ["identity", "spatial", "receptive", "blur"]


def _one_conv_only(first: int, second: int, k: int) -> list[Candidate]:
    """Counting one of the two convolutions alone (parameters or MACs alike)."""
    return [
        ("only_second_conv", second, PARTIAL, ("mistake.only_second_conv", {"k": k})),
        ("only_first_conv", first, PARTIAL, ("mistake.only_first_conv", {"k": k})),
    ]


def bottleneck(rng: random.Random, difficulty: int, lang: str) -> Draft:
    variant = {
        1: ("why", "total"),
        2: ("total", "saved", "why"),
        3: ("saved", "macs"),
    }[difficulty]
    choice = rng.choice(variant)
    if choice == "why":
        return choice_draft(
            rng,
            lang,
            "bn",
            _BN_WRONG,
            t("bn.prompt.why", lang),
            t("bn.explain.why", lang),
            {"variant": "why"},
            t("hint.bn.why", lang),
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
        hints = (
            t("hint.bn.total.formula", lang),
            t(
                "hint.bn.total.numbers",
                lang,
                cin=cin,
                mid=mid,
                cout=cout,
                k=k,
                first=f"{first:,}",
                second=f"{second:,}",
            ),
        )
        candidates: list[Candidate] = [
            *_one_conv_only(first, second, k),
            ("forgot_bias", total - mid - cout, PARTIAL, ("mistake.forgot_bias", NO_PARAMS)),
            ("gave_direct", direct, 0.0, ("mistake.gave_direct", NO_PARAMS)),
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
        # The worked explanation and the second hint show the same numbers.
        steps = {
            "cin": cin,
            "k": k,
            "cout": cout,
            "mid": mid,
            "bias_term": f" + {cout}" if bias else "",
            "bias_mid": f" + {mid}" if bias else "",
            "direct": f"{direct:,}",
            "first": f"{first:,}",
            "second": f"{second:,}",
            "total": f"{total:,}",
        }
        explanation = t("bn.explain.saved", lang, answer=f"{saved:,}", **steps)
        hints = (t("hint.bn.saved.formula", lang), t("hint.bn.saved.numbers", lang, **steps))
        candidates = [
            ("gave_total", total, 0.0, ("mistake.gave_total", NO_PARAMS)),
            ("gave_direct", direct, 0.0, ("mistake.gave_direct", NO_PARAMS)),
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
        hints = (
            t("hint.bn.macs.formula", lang),
            t(
                "hint.bn.macs.numbers",
                lang,
                size=size,
                positions=f"{positions:,}",
                cin=cin,
                mid=mid,
                k=k,
                k2=k * k,
                cout=cout,
                first=f"{first:,}",
                second=f"{second:,}",
            ),
        )
        candidates = [
            *_one_conv_only(first, second, k),
            (
                "kernel_as_k",
                first + mid * k * cout * positions,
                PARTIAL,
                ("mistake.kernel_as_k", {"k": k}),
            ),
        ]
    return Draft(params, key, prompt, explanation, None, keep(key, lang, candidates), hints)
