"""The question of the day's card: what ``!quizconfig daily`` set, in any language."""

from __future__ import annotations

from datetime import datetime

from bot.engine.daily import DailySetting, next_start
from bot.engine.scoring import DAILY_BONUS
from bot.i18n.texts import t
from bot.present.cards import Card

__all__ = ["daily_card"]


def daily_card(setting: DailySetting, default_difficulty: int, now: datetime, lang: str) -> Card:
    """The setting, the next start (a Discord timestamp: each reader sees it in their own
    time zone) and the bonus."""
    if setting.ramp == "weekly":
        difficulty = t("daily.card.weekly", lang)
    else:
        difficulty = t("daily.card.fixed", lang, level=default_difficulty)
    window = t("daily.card.minutes", lang, minutes=setting.window_minutes)
    if not setting.on:
        fields: tuple[tuple[str, str], ...] = (
            (t("daily.card.channel", lang), t("daily.card.off", lang)),
            (t("daily.card.window", lang), window),
            (t("daily.card.difficulty", lang), difficulty),
        )
        return Card(title=t("daily.card.title", lang), fields=fields, kind="info", lang=lang)
    assert setting.at is not None
    starts = next_start(now, setting.at, setting.zone)
    fields = (
        (t("daily.card.channel", lang), f"<#{setting.channel_id}>"),
        (
            t("daily.card.time", lang),
            t("daily.card.time.value", lang, time=setting.at.strftime("%H:%M"), zone=setting.zone),
        ),
        (t("daily.card.window", lang), window),
        (t("daily.card.difficulty", lang), difficulty),
        (t("daily.card.next", lang), f"<t:{int(starts.timestamp())}:F>"),
        (t("daily.card.bonus", lang), t("daily.card.bonus.value", lang, points=DAILY_BONUS)),
    )
    return Card(title=t("daily.card.title", lang), fields=fields, kind="info", lang=lang)
