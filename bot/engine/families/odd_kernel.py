"""Odd kernels: why they are the norm, where the centre is, and how "same" pads."""

from __future__ import annotations

import random
from fractions import Fraction

from bot.engine import formulas as F
from bot.engine.families._common import NO_PARAMS, PARTIAL, Candidate, choice_draft, keep, pair
from bot.engine.question import AnswerKey, Draft, format_answer, format_number
from bot.i18n.texts import t

__all__ = ["odd_kernel"]

_OK_WRONG = ["untrainable", "hardware", "channels", "cheaper"]


def odd_kernel(rng: random.Random, difficulty: int, lang: str) -> Draft:
    variant = {
        1: ("why", "why", "center"),
        2: ("center", "pad_side", "why"),
        3: ("pad_split", "pad_split", "center"),
    }[difficulty]
    choice = rng.choice(variant)
    if choice == "why":
        return choice_draft(
            rng,
            lang,
            "ok",
            _OK_WRONG,
            t("ok.prompt.why", lang),
            t("ok.explain.why", lang),
            {"variant": "why"},
            t("hint.ok.why", lang),
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
            ("zero_based", (c - 1, c - 1), PARTIAL, ("mistake.zero_based", NO_PARAMS)),
        ]
        params: dict[str, object] = {"variant": "center", "kernel": [k, k]}
        prompt = t("ok.prompt.center", lang, k=k)
        hints = (t("hint.ok.center.formula", lang), t("hint.ok.center.numbers", lang, k=k))
        return Draft(params, key, prompt, explanation, None, keep(key, lang, candidates), hints)
    if choice == "pad_side":
        k = rng.choice((3, 5, 7, 9, 11))
        side = F.same_padding(k)[0]
        key = AnswerKey("int", Fraction(side))
        explanation = t("ok.explain.pad_side", lang, k=k, total=k - 1, answer=side)
        candidates = [
            ("total_padding", k - 1, PARTIAL, ("mistake.total_padding", NO_PARAMS)),
        ]
        params = {"variant": "pad_side", "kernel": [k, k]}
        return Draft(
            params,
            key,
            t("ok.prompt.pad_side", lang, k=k),
            explanation,
            None,
            keep(key, lang, candidates),
            (t("hint.ok.pad_side.formula", lang), t("hint.ok.pad_side.numbers", lang, k=k)),
        )
    k = rng.choice((2, 3, 4, 5, 6, 8))
    d = rng.choice((1, 1, 2)) if k % 2 else 1
    eff = F.effective_kernel(k, d)[0]
    before, after = F.same_padding(k, d)
    key = AnswerKey("pair", pair(before, after), display="tuple")
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
        ("extra_before", (after, before), PARTIAL, ("mistake.extra_before", NO_PARAMS)),
        ("symmetric_even", (eff // 2, eff // 2), PARTIAL, ("mistake.symmetric_even", NO_PARAMS)),
        ("total_padding", (eff - 1, eff - 1), 0.0, ("mistake.total_padding", NO_PARAMS)),
    ]
    if d > 1:
        plain = F.same_padding(k)
        candidates.append(
            ("ignored_dilation", plain, PARTIAL, ("mistake.ignored_dilation", NO_PARAMS))
        )
    dilation_clause = t("ok.dilation", lang, d=d) if d > 1 else ""
    params = {"variant": "pad_split", "kernel": [k, k], "dilation": [d, d]}
    prompt = t("ok.prompt.pad_split", lang, k=k, dilation_clause=dilation_clause)
    hints = (
        t("hint.ok.pad_split.formula", lang),
        t("hint.ok.pad_split.numbers", lang, k=k, d=d, eff=eff, total=eff - 1),
    )
    mistakes = keep(key, lang, candidates, lowest=0)
    return Draft(params, key, prompt, explanation, None, mistakes, hints)
