"""The cards and summaries that ``!template`` replies with: a preview of sampled questions,
the guild's list, and one line per imported document. Pure text; the cog sends them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.i18n.texts import t
from bot.present.cards import Card
from bot.quiz.template_admin import Imported, StoredTemplate

if TYPE_CHECKING:
    from bot.engine.templates import Template

PREVIEW_COUNT = 5


def preview_card(template: Template, lang: str, saved: str = "") -> Card:
    """``PREVIEW_COUNT`` sampled questions with their answers; ``saved`` says it was stored."""
    fields = []
    for question in template.preview(PREVIEW_COUNT, lang):
        answer = t("tpl.preview.answer", lang, answer=question.answer_text)
        value = f"{question.prompt}\n{answer}"
        if question.choices:
            options = " · ".join(f"{chr(65 + i)}) {c}" for i, c in enumerate(question.choices))
            value = f"{question.prompt}\n{options}\n{answer}"
        if question.hints:  # what a player asking for hints would read, in order
            value += "\n" + t("hint.preview", lang, hints=" · ".join(question.hints))
        fields.append((f"{question.code}", value))
    title = t(
        "tpl.preview.title",
        lang,
        name=template.name,
        kind=template.kind,
        difficulty=template.difficulty,
    )
    return Card(
        title=title + saved,
        fields=tuple(fields),
        footer=t("tpl.preview.footer", lang) if not saved else "",
        kind="info",
        lang=lang,
    )


def listing_card(stored: Sequence[StoredTemplate], mix: str, lang: str) -> Card:
    """The guild's templates, one row each, and how they mix with the built-ins."""
    lines = [
        t(
            "tpl.list.row",
            lang,
            name=item.name,
            version=item.version,
            kind=item.kind,
            difficulty=item.difficulty,
        )
        + ("" if item.enabled else t("tpl.list.disabled", lang))
        for item in stored
    ]
    return Card(
        title=t("tpl.list.title", lang, count=len(stored)),
        body="\n".join(lines) or t("tpl.list.empty", lang),
        footer=t("tpl.list.footer", lang, mix=t(f"tpl.mix.{mix}", lang)),
        kind="info",
        lang=lang,
    )


def import_summary(imported: Sequence[Imported], lang: str, limit: int) -> str:
    """One line per document of an import: saved (new, changed, same), full, or refused."""
    return "\n".join(_import_line(item, lang, limit) for item in imported) or t(
        "tpl.import.empty", lang
    )


def _import_line(item: Imported, lang: str, limit: int) -> str:
    if item.error is not None:
        return t("tpl.import.failed", lang, index=item.index, detail=item.error.said_in(lang))
    assert item.template is not None
    name = item.template.name
    if item.saved is None:
        return t("tpl.import.full", lang, index=item.index, name=name, limit=limit)
    change = t(f"tpl.state.{item.saved.change}", lang)
    return t("tpl.import.saved", lang, name=name, version=item.saved.stored.version, change=change)
