"""What a player reads when they ask for a hint, in any front end."""

from __future__ import annotations

from bot.i18n.texts import t
from bot.quiz.hints import HintOutcome

__all__ = ["HINT_MARK", "hint_mark", "hint_text"]

HINT_MARK = "💡"


def hint_mark(hints: int) -> str:
    """How the reveal marks a player's name: one 💡 per hint they took."""
    return f" {HINT_MARK * hints}" if hints > 0 else ""


def hint_text(outcome: HintOutcome, lang: str) -> str:
    if outcome.status == "closed":
        return t("reply.closed", lang)
    if outcome.status == "none":
        return t("hint.none", lang)
    if outcome.status == "answered":
        return t("reply.already", lang)
    if outcome.status == "all_taken":
        numbered = "\n".join(
            t("hint.reply.practice", lang, number=n, total=outcome.total, text=text)
            for n, text in enumerate(outcome.shown, start=1)
        )
        return t("hint.all_taken", lang, hints=numbered)
    number, text = len(outcome.shown), outcome.shown[-1]
    if outcome.cap is None:  # a practice question: no points to lose
        return t("hint.reply.practice", lang, number=number, total=outcome.total, text=text)
    return t("hint.reply", lang, number=number, total=outcome.total, text=text, cap=outcome.cap)
