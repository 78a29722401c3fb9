"""What private practice and ``/progress`` say, in any language (no discord here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.engine.skills import TEMPLATE_PREFIX
from bot.i18n.texts import has_text, t
from bot.present.cards import Card, Namer, feedback_in, mistake_label
from bot.quiz.practice import PracticeOutcome, SkillProgress
from bot.records import OpenQuestion, SkillCount

__all__ = [
    "practice_card",
    "practice_verdict",
    "progress_card",
    "server_progress_card",
    "skill_label",
]

MISTAKES_SHOWN = 3


def skill_label(skill: str, lang: str) -> str:
    """A skill as people read it: its one-line description, or a template's name."""
    if skill.startswith(TEMPLATE_PREFIX):
        return t("progress.template", lang, name=skill.removeprefix(TEMPLATE_PREFIX))
    key = f"skill.{skill}"
    return t(key, lang) if has_text(key) else skill


def practice_card(open_question: OpenQuestion, skill: str, lang: str) -> Card:
    question = open_question.question
    return Card(
        title=t("practice.title", lang, skill=f"`{skill}`"),
        body=f"{skill_label(skill, lang)}\n\n{question.prompt}",
        choices=question.choices or (),
        footer=t("practice.footer", lang, code=question.code),
        kind="question",
        lang=lang,
    )


def practice_verdict(outcome: PracticeOutcome | None, lang: str) -> str:
    """The private reply to a practice answer: the verdict and what to learn from it."""
    if outcome is None or outcome.status == "closed":
        return t("practice.closed", lang)
    if outcome.status == "already_answered":
        return t("reply.already", lang)
    if outcome.status == "ignored" or outcome.grade is None:
        return t("reply.unreadable", lang)
    question = outcome.question.question
    lines = [feedback_in(question, outcome.grade, lang)]
    if outcome.remembered is not None:
        mistake = mistake_label(outcome.remembered, lang)
        lines.append(t("practice.remembered", lang, mistake=mistake))
    if outcome.grade.outcome != "correct":
        lines.append(t("practice.answer_was", lang, answer=question.answer_text))
    return "\n".join(lines)


def _due(due_in: timedelta | None, lang: str) -> str:
    if due_in is None:
        return ""
    if due_in <= timedelta(0):
        return t("progress.due_now", lang)
    hours = due_in.total_seconds() / 3600
    if hours < 1:
        return t("progress.due_minutes", lang, minutes=max(1, round(hours * 60)))
    if hours < 48:
        return t("progress.due_hours", lang, hours=round(hours))
    return t("progress.due_days", lang, days=round(hours / 24))


def progress_card(rows: Sequence[SkillProgress], user_id: int, name: Namer, lang: str) -> Card:
    """Each skill: its number in the picture, recall now, when due, recent accuracy;
    then the most frequent mistakes. A learner with no practice is told how to start."""
    title = t("progress.title", lang, name=name(user_id))
    practised = [row for row in rows if row.recall is not None]
    if not practised:
        return Card(title=title, body=t("progress.none", lang), kind="stats", lang=lang)
    fields: list[tuple[str, str]] = []
    numbers = _numbers(rows)
    for family in dict.fromkeys(row.family for row in rows):
        lines = []
        for row in rows:
            if row.family != family or row.recall is None:
                continue
            lines.append(
                t(
                    "progress.row",
                    lang,
                    number=numbers[row.skill],
                    skill=skill_label(row.skill, lang),
                    recall=f"{row.recall:.0%}",
                    due=_due(row.due_in, lang),
                    right=row.recent_right,
                    recent=row.recent,
                )
            )
        if lines:
            fields.append((_family_label(family, lang), "\n".join(lines)))
    counted: dict[str, int] = {}
    for row in practised:
        for mistake, count in row.mistakes:
            counted[mistake] = counted.get(mistake, 0) + count
    if counted:
        top = sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:MISTAKES_SHOWN]
        fields.append(
            (
                t("card.stats.mistakes", lang),
                t("sep.list", lang).join(f"{mistake_label(m, lang)} ×{n}" for m, n in top),
            )
        )
    due_now = sum(1 for row in practised if row.due_in is not None and row.due_in <= timedelta(0))
    return Card(
        title=title,
        body=t("progress.summary", lang, practised=len(practised), total=len(rows), due=due_now),
        fields=tuple(fields),
        footer=t("progress.footer", lang),
        kind="stats",
        lang=lang,
    )


def _numbers(rows: Sequence[SkillProgress]) -> dict[str, int]:
    """Each skill's number within its family: the number under its bar in the picture."""
    numbers: dict[str, int] = {}
    seen: dict[str, int] = {}
    for row in rows:
        seen[row.family] = seen.get(row.family, 0) + 1
        numbers[row.skill] = seen[row.family]
    return numbers


def _family_label(family: str, lang: str) -> str:
    key = f"kind.{family}"
    return t(key, lang) if has_text(key) else family


def server_progress_card(counts: Sequence[SkillCount], lang: str) -> Card:
    title = t("progress.server.title", lang)
    if not counts:
        return Card(title=title, body=t("progress.server.none", lang), kind="stats", lang=lang)
    lines = [
        t(
            "progress.server.row",
            lang,
            skill=skill_label(count.skill, lang),
            share=f"{count.correct / count.answered:.0%}",
            answered=count.answered,
            players=count.players,
        )
        for count in counts
    ]
    return Card(title=title, body="\n".join(lines), kind="stats", lang=lang)
