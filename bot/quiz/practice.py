"""Private practice that learns: the next question is the skill the learner needs.

A practice question belongs to one user, not to a channel: it is open in the user's own
pseudo-channel (``practice_channel``), so it never collides with a channel's question,
and goes through the same grading and the same group commit as every answer. It is
never ranked; the answer reviews the skill's FSRS card (``bot.engine.learning``), which
decides what comes next: the due skill the learner is least likely to recall, else the
next new skill in difficulty order. When the learner's last mistake on the skill was a
named misconception and they get it right now, the outcome says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from bot.engine import bank
from bot.engine.codes import SEED_SPACE
from bot.engine.learning import CardState, next_skill, recall
from bot.engine.question import Grade
from bot.engine.skills import SKILLS, question_of, skill_named, skill_of
from bot.errors import Localized
from bot.records import OpenQuestion, SkillCount, SkillRecord

if TYPE_CHECKING:
    from bot.quiz.service import QuizService

__all__ = [
    "PRACTICE_SECONDS",
    "Practice",
    "PracticeOutcome",
    "SkillProgress",
    "practice_channel",
]

# A practice question waits this long for its answer (no points, no rush), then closes
# quietly; Next closes it at once.
PRACTICE_SECONDS = 30 * 60
FAMILIES = tuple(dict.fromkeys(skill.family for skill in SKILLS))
SERVER_DAYS = 30


def practice_channel(user_id: int) -> int:
    """The pseudo-channel of a user's practice: negative, so no Discord channel has it."""
    return -user_id


class NotAllowed(Localized):
    """The user may not do this; the catalog text says why."""


@dataclass(frozen=True, slots=True)
class PracticeOutcome:
    status: Literal["recorded", "ignored", "closed", "already_answered"]
    question: OpenQuestion
    grade: Grade | None = None
    # The misconception the learner showed last time on this skill, right this time.
    remembered: str | None = None


@dataclass(frozen=True, slots=True)
class SkillProgress:
    """One skill as ``/progress`` shows it."""

    skill: str
    family: str
    recall: float | None  # None: never practised
    due_in: timedelta | None
    recent_right: int
    recent: int
    mistakes: tuple[tuple[str, int], ...]


class Practice:
    def __init__(self, service: QuizService) -> None:
        self.service = service

    def open_for(self, user_id: int) -> OpenQuestion | None:
        return self.service.open_in(practice_channel(user_id))

    def skills_for(self, topic: str | None, lang: str) -> list[str]:
        """The catalogue's skills a topic covers: all, one family's, or one skill
        (``UnknownSkill``, which lists the catalogue, for anything else)."""
        if not topic:
            return [skill.name for skill in SKILLS]
        if topic in FAMILIES:
            return [skill.name for skill in SKILLS if skill.family == topic]
        return [skill_named(topic, lang).name]

    async def start(
        self, *, user_id: int, guild_id: int | None, topic: str | None, lang: str
    ) -> OpenQuestion:
        """Open the user's next practice question (closing one left unanswered)."""
        order = self.skills_for(topic, lang)
        cards = await self.service.repository.learner_cards(user_id)
        now = self.service.clock()
        skill = next_skill({k: v for k, v in cards.items() if k in order}, order, now)
        assert skill is not None  # the catalogue is never empty
        question = question_of(skill, self.service.rng.randrange(SEED_SPACE), lang)
        return await self._open(user_id, guild_id, question)

    async def replay(
        self, *, user_id: int, guild_id: int | None, code: str, lang: str
    ) -> OpenQuestion:
        """Open the question ``code`` names as the user's practice (``review``)."""
        return await self._open(user_id, guild_id, bank.from_code(code, lang))

    async def _open(
        self, user_id: int, guild_id: int | None, question: bank.Question
    ) -> OpenQuestion:
        now = self.service.clock()
        previous = self.open_for(user_id)
        if previous is not None:
            await self.service.close_quietly(previous)
        opened = await self.service.repository.open_question(
            guild_id=guild_id or 0,
            channel_id=practice_channel(user_id),
            question=question,
            started_by=user_id,
            opened_at=now,
            time_limit=PRACTICE_SECONDS,
            ranked=False,
            practice=True,
        )
        self.service.track(opened)
        return opened

    async def answer(self, user_id: int, text: str) -> PracticeOutcome | None:
        """Grade the user's practice answer; ``None`` when none is open."""
        open_question = self.open_for(user_id)
        if open_question is None:
            return None
        skill = skill_of(open_question.question)
        pending = await self.service.repository.misconceptions(user_id, skill)
        outcome = await self.service.answer(practice_channel(user_id), user_id, text)
        if outcome is None:
            return None
        if outcome.status != "recorded":
            return PracticeOutcome(outcome.status, open_question, outcome.grade)
        # One attempt: the question is done (no reveal; the verdict is the reply).
        await self.service.close_quietly(open_question)
        right = outcome.grade is not None and outcome.grade.outcome == "correct"
        remembered = pending[0].mistake if right and pending else None
        return PracticeOutcome("recorded", open_question, outcome.grade, remembered)

    async def answer_choice(self, user_id: int, index: int) -> PracticeOutcome | None:
        return await self.answer(user_id, chr(ord("A") + index))

    async def progress(self, user_id: int) -> list[SkillProgress]:
        """Every catalogue skill (and template skills practised), in catalogue order."""
        records = {r.skill: r for r in await self.service.repository.skill_records(user_id)}
        now = self.service.clock()
        shown = [skill.name for skill in SKILLS] + sorted(set(records) - {s.name for s in SKILLS})
        return [self._progress_of(name, records.get(name), now) for name in shown]

    @staticmethod
    def _progress_of(name: str, record: SkillRecord | None, now: datetime) -> SkillProgress:
        family = name.split(".", 1)[0] if "." in name else name.split(":", 1)[0]
        if record is None:
            return SkillProgress(name, family, None, None, 0, 0, ())
        card: CardState = record.card
        return SkillProgress(
            name,
            family,
            recall(card, now),
            max(card.due - now, timedelta(0)),
            sum(record.recent),
            len(record.recent),
            record.mistakes,
        )

    async def server_struggles(
        self, guild_id: int, *, is_moderator: bool, limit: int = 5
    ) -> list[SkillCount]:
        """The skills a guild answered worst over the last 30 days (at least 3 answers),
        for its moderators: what a study group's leader should teach next."""
        if not is_moderator:
            raise NotAllowed("progress.server.denied")
        since = self.service.clock() - timedelta(days=SERVER_DAYS)
        counts = await self.service.repository.guild_skills(guild_id, since)
        enough = [c for c in counts if c.answered >= 3]
        enough.sort(key=lambda c: (c.correct / c.answered, -c.answered, c.skill))
        return enough[:limit]

    async def review_codes(self, user_id: int, limit: int = 5) -> Sequence[str]:
        """The codes of the last built-in questions the user got wrong, newest first,
        to replay privately (a template's code needs its guild's template)."""
        codes = await self.service.repository.wrong_codes(user_id, limit * 2)
        return [code for code in codes if _is_builtin(code)][:limit]


def _is_builtin(code: str) -> bool:
    try:
        bank.from_code(code)
    except bank.QuizError:
        return False
    return True
