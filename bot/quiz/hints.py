"""Hints: the policy of taking one. Each built-in question has two (the formula with
names, then its numbers up to the last step); a template has those it declares.

A hint is shown to the player who asked alone, and only while the question is open and
they have not answered. Taking one is stored at once (``bot.storage.hints``), so it
counts even across a restart; the answer they give afterwards is capped by the scoring
rule (``bot.engine.scoring.hint_cap``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.engine import bank
from bot.engine.codes import parse_builtin_code
from bot.engine.question import Question
from bot.engine.scoring import hint_cap
from bot.records import OpenQuestion

if TYPE_CHECKING:
    from bot.quiz.service import QuizService

__all__ = ["HintOutcome", "Hints", "hints_in"]


@dataclass(frozen=True, slots=True)
class HintOutcome:
    """What asking for a hint gave.

    ``hint``: ``shown[-1]`` is hint number ``len(shown)`` of ``total``, and the answer
    can now earn at most ``cap`` points (None on a practice question). ``all_taken``:
    ``shown`` holds every hint again, nothing more counted. ``none``: the question has no
    hints. ``answered``: the player has answered already. ``closed``: no such open
    question here."""

    status: Literal["hint", "all_taken", "none", "answered", "closed"]
    question: OpenQuestion | None = None
    shown: tuple[str, ...] = ()
    total: int = 0
    cap: int | None = None


def hints_in(question: Question, lang: str) -> tuple[str, ...]:
    """The question's hints in ``lang``: a built-in question is rebuilt from its code in
    that language; a template's hints stay in the language it was asked in."""
    if lang == question.lang or parse_builtin_code(question.code) is None:
        return question.hints
    try:
        return bank.from_code(question.code, lang).hints
    except bank.QuizError:
        return question.hints


class Hints:
    def __init__(self, service: QuizService) -> None:
        self.service = service

    async def take(
        self, channel_id: int, user_id: int, lang: str, question_id: int | None = None
    ) -> HintOutcome:
        """The next hint of the channel's open question (of question ``question_id``,
        when a button names it) for ``user_id``, in ``lang``."""
        service = self.service
        open_question = service.open_in(channel_id)
        now = service.clock()
        if (
            open_question is None
            or not service.taking_answers
            or now >= open_question.deadline
            or (question_id is not None and open_question.id != question_id)
        ):
            return HintOutcome("closed")
        hints = hints_in(open_question.question, lang)
        if not hints:
            return HintOutcome("none", open_question)
        taken = await service.repository.take_hint(
            open_question.id, user_id, available=len(hints), taken_at=now
        )
        if taken.status == "answered":
            return HintOutcome("answered", open_question)
        shown = hints[: taken.count]
        if taken.status == "all_taken":
            return HintOutcome("all_taken", open_question, shown, len(hints))
        cap = hint_cap(open_question.question.difficulty, taken.count)
        return HintOutcome(
            "hint", open_question, shown, len(hints), cap if open_question.ranked else None
        )

    async def give_back(self, outcome: HintOutcome, user_id: int) -> bool:
        """Undo a hint that could not be delivered (a direct message refused), unless
        the player has answered or taken another since."""
        if outcome.status != "hint" or outcome.question is None:
            return False
        return await self.service.repository.give_back_hint(
            outcome.question.id, user_id, len(outcome.shown)
        )
