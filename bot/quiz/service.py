"""The quiz service: the one flow every front end (terminal, Discord) goes through.

It opens questions in channels, takes answers, closes questions at their deadline, and
answers leaderboard and stats requests. It knows nothing of Discord; front ends turn its
results into messages. Open questions are cached per channel so that ordinary chat,
which is most messages, costs no database round trip.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from bot.engine import bank
from bot.engine.question import Grade
from bot.errors import Localized
from bot.i18n.texts import LANGUAGES, language_for_locale
from bot.quiz.hints import Hints
from bot.quiz.practice import Practice
from bot.quiz.privacy import Privacy
from bot.quiz.sources import QuestionSource
from bot.records import GameRound
from bot.storage.repository import (
    AlreadyAnswered,
    Board,
    ChannelBusy,
    ClosedQuestion,
    GuildConfig,
    OpenQuestion,
    QuestionClosed,
    RecordedAnswer,
    Repository,
    Scope,
    UserStats,
)
from bot.storage.template_store import TemplateStore

if TYPE_CHECKING:
    from bot.quiz.daily import DailyQuestions
    from bot.quiz.games import Games
    from bot.quiz.reminders import Reminders
    from bot.quiz.template_admin import TemplateAdmin

__all__ = [
    "AnswerOutcome",
    "ChannelBusy",
    "NotAllowed",
    "OnCooldown",
    "QuizService",
    "utcnow",
]

DEFAULT_DIFFICULTY = 1

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class NotAllowed(Localized):
    """The user may not do this here; the catalog text says why."""


class OnCooldown(Localized):
    """The user started a question moments ago."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("reply.cooldown", seconds=max(1.0, retry_after))
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    """What became of one chat message in a channel with an open question."""

    status: Literal["recorded", "ignored", "already_answered", "closed"]
    question: OpenQuestion
    grade: Grade | None = None
    recorded: RecordedAnswer | None = None


class QuizService:
    def __init__(
        self,
        repository: Repository,
        *,
        default_time_limit: float = 30,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        owns_guild: Callable[[int], bool] | None = None,
        templates: TemplateStore | None = None,
        start_cooldown: float = 0.0,
        template_admin: TemplateAdmin | None = None,
    ) -> None:
        self.repository = repository
        # /privacy: a member's own data (see bot.quiz.privacy).
        self.privacy = Privacy(repository)
        # /practice and /progress: private practice over the learner model.
        self.practice = Practice(self)
        # Hints: the next one for a player, stored when taken (see bot.quiz.hints).
        self.hints = Hints(self)
        self.default_time_limit = default_time_limit
        self.clock = clock
        self.rng = rng or random.Random()
        self.templates = templates
        # The !template commands' policy; None where no guild can edit templates.
        self.template_admin = template_admin
        self.questions = QuestionSource(templates, self.rng)
        # A process answers only for the guilds its shards own (None: all of them).
        self.owns_guild = owns_guild
        self._open: dict[int, OpenQuestion] = {}
        # Seconds a user waits between two starts; stamped only when a start succeeds.
        self.start_cooldown = start_cooldown
        self._last_start: dict[int, datetime] = {}
        self.taking_answers = True
        # The question of the day (bot.quiz.daily); set by the composition root.
        self.daily: DailyQuestions | None = None
        # Practice reminders by direct message (bot.quiz.reminders); set likewise.
        self.reminders: Reminders | None = None
        # Games of several questions (bot.quiz.games), set by bot.wiring.
        self.games: Games | None = None

    # --- lifecycle -----------------------------------------------------------------------

    async def resume(self) -> list[ClosedQuestion]:
        """Reload open questions after a start; close (and return) those that expired
        while the process was down, so their reveal can still be posted."""
        self._open.clear()
        expired: list[ClosedQuestion] = []
        now = self.clock()
        for open_question in await self.repository.open_questions(self.owns_guild):
            if open_question.deadline <= now:
                closed = await self.repository.close_question(open_question.id, now)
                # Practice closes without a reveal: nobody else saw the question.
                if closed is not None and not open_question.practice:
                    expired.append(closed)
            else:
                self._open[open_question.channel_id] = open_question
        # The first answers after a start should not wait for statements to compile.
        await self.repository.warm_up()
        return expired

    def stop_taking_answers(self) -> None:
        """A stop began: replies from now on are left alone (they are not stored, so
        their authors may answer again after the restart)."""
        self.taking_answers = False

    async def close(self) -> None:
        """Wait until every answer already taken is committed (or has failed); front
        ends call this once they take no more answers, before disposing the engine."""
        await self.repository.close()

    def track(self, opened: OpenQuestion) -> None:
        """Take answers for a question opened elsewhere in this layer (the question of
        the day, practice) as for one ``start`` opened."""
        self._open[opened.channel_id] = opened

    def open_in(self, channel_id: int) -> OpenQuestion | None:
        return self._open.get(channel_id)

    async def close_quietly(self, open_question: OpenQuestion) -> None:
        """Close a question that needs no reveal (an answered or abandoned practice one)."""
        await self._close(open_question, "closed")

    def open_count(self) -> int:
        """Questions open in this process (the open-questions gauge)."""
        return len(self._open)

    def next_deadline(self) -> datetime | None:
        return min((q.deadline for q in self._open.values()), default=None)

    # --- questions -----------------------------------------------------------------------

    async def config(self, guild_id: int) -> GuildConfig:
        return await self.repository.guild_config(guild_id)

    async def update_config(self, guild_id: int, **changes: object) -> GuildConfig:
        return await self.repository.update_config(guild_id, **changes)

    def time_limit_of(self, config: GuildConfig) -> float:
        """Seconds to answer in a guild: its own setting, else the host's default."""
        return config.time_limit or self.default_time_limit

    async def kinds_of(self, guild_id: int) -> set[str]:
        """What a guild's boards can rank: the built-in kinds and its templates' kinds."""
        kinds = set(bank.KINDS)
        if self.templates is not None:
            kinds |= {template.kind for template in await self.templates.all(guild_id)}
        return kinds

    def language_of(self, config: GuildConfig, preferred_locale: str | None = None) -> str:
        """The guild's language: its ``language`` setting, else the language of its
        preferred locale in Discord (``ja`` for Japanese), else English."""
        if config.language is not None and config.language in LANGUAGES:
            return config.language
        return language_for_locale(preferred_locale)

    async def start(
        self,
        *,
        guild_id: int,
        channel_id: int,
        user_id: int,
        kind: str | None = None,
        difficulty: int | None = None,
        code: str | None = None,
        template: str | None = None,
        config: GuildConfig | None = None,
        lang: str | None = None,
        is_moderator: bool = False,
        member_roles: Collection[int] = (),
        game_round: GameRound | None = None,
    ) -> OpenQuestion:
        """Open a question in a channel: of ``kind``, from the guild's ``template``, or
        (neither) drawn from the guild's mix. With ``code`` it is an unranked replay.

        Raises ``bank.QuizError`` for a bad kind, difficulty or code, ``ChannelBusy``
        when the channel already has an open question. The question is asked in ``lang``
        (by default the guild's language, ``language_of``). A game's later rounds
        (``game_round``) were allowed when the game started (``bot.quiz.games``).
        """
        config = config or await self.config(guild_id)
        later_round = game_round is not None and game_round.round > 1
        if not later_round:
            self._check_may_start(config, channel_id, user_id, is_moderator, member_roles)
        if game_round is None and self.games is not None:  # one game or question a channel
            self.games.refuse_if_running(channel_id)
        lang = lang or self.language_of(config)
        picked = await self.questions.pick(
            guild_id,
            kind=kind,
            difficulty=difficulty,
            code=code,
            template=template,
            default_difficulty=config.default_difficulty or DEFAULT_DIFFICULTY,
            lang=lang,
        )
        if (busy := self._open.get(channel_id)) is not None:
            raise ChannelBusy(busy)
        opened = await self.repository.open_question(
            guild_id=guild_id,
            channel_id=channel_id,
            question=picked.question,
            started_by=user_id,
            opened_at=self.clock(),
            time_limit=self.time_limit_of(config),
            ranked=picked.ranked,
            template_name=picked.template_name,
            template_version=picked.template_version,
            game_round=game_round,
        )
        self._open[channel_id] = opened
        if not later_round:
            self._last_start[user_id] = self.clock()
        log.info(
            "question %s opened (%s)",
            opened.id,
            opened.question.kind,
            extra={"guild_id": guild_id, "channel_id": channel_id},
        )
        return opened

    def _check_may_start(
        self,
        config: GuildConfig,
        channel_id: int,
        user_id: int,
        is_moderator: bool,
        member_roles: Collection[int],
    ) -> None:
        """Who may start where: the guild's channels, its starter role, the cooldown."""
        if config.allowed_channels and channel_id not in config.allowed_channels:
            raise NotAllowed("reply.not_allowed_channel")
        role = config.starter_role_id
        if role and not is_moderator and role not in member_roles:
            raise NotAllowed("reply.not_starter")
        last = self._last_start.get(user_id)
        if last is not None and self.start_cooldown > 0:
            elapsed = (self.clock() - last).total_seconds()
            if elapsed < self.start_cooldown:
                raise OnCooldown(self.start_cooldown - elapsed)

    async def attach_message(self, open_question: OpenQuestion, message_id: int) -> OpenQuestion:
        """Remember which message shows the question (buttons and replies point at it)."""
        await self.repository.set_message(open_question.id, message_id)
        updated = dataclasses.replace(open_question, message_id=message_id)
        if open_question.channel_id in self._open:
            self._open[open_question.channel_id] = updated
        return updated

    async def answer(self, channel_id: int, user_id: int, text: str) -> AnswerOutcome | None:
        """Grade a chat message against the channel's open question, if there is one.

        ``None`` means no question is open here. Chat that is not an attempt is
        ``ignored`` and costs the player nothing.
        """
        open_question = self._open.get(channel_id)
        if open_question is None or not self.taking_answers:
            return None
        now = self.clock()
        if now >= open_question.deadline:
            return AnswerOutcome("closed", open_question)
        graded = bank.grade(open_question.question, text)
        if graded.outcome == "not_an_answer":
            return AnswerOutcome("ignored", open_question, graded)
        try:
            recorded = await self.repository.record_answer(
                open_question, user_id=user_id, reply=text, grade=graded, answered_at=now
            )
        except AlreadyAnswered:
            return AnswerOutcome("already_answered", open_question, graded)
        except QuestionClosed:
            self._open.pop(channel_id, None)
            return AnswerOutcome("closed", open_question, graded)
        return AnswerOutcome("recorded", open_question, graded, recorded)

    async def answer_choice(
        self, channel_id: int, user_id: int, index: int
    ) -> AnswerOutcome | None:
        """A button press: the option's letter goes through the same grading as text."""
        return await self.answer(channel_id, user_id, chr(ord("A") + index))

    async def stop(
        self, channel_id: int, user_id: int, *, is_moderator: bool
    ) -> ClosedQuestion | None:
        """Close the channel's question early; only its starter or a moderator may."""
        open_question = self._open.get(channel_id) or await self.repository.open_in_channel(
            channel_id
        )
        if open_question is None:
            return None
        if not is_moderator and user_id != open_question.started_by:
            raise NotAllowed("reply.stop_denied")
        return await self._close(open_question, "stopped")

    async def close_now(self, channel_id: int) -> ClosedQuestion | None:
        """Close the channel's question at once (the terminal's single player is done)."""
        open_question = self._open.get(channel_id)
        return None if open_question is None else await self._close(open_question, "closed")

    async def close_due(self) -> list[ClosedQuestion]:
        """Close every cached question whose deadline has passed."""
        now = self.clock()
        due = [q for q in self._open.values() if q.deadline <= now]
        closed = []
        for open_question in due:
            result = await self._close(open_question, "closed")
            if result is not None and not open_question.practice:
                closed.append(result)
        return closed

    async def _close(self, open_question: OpenQuestion, status: str) -> ClosedQuestion | None:
        result = await self.repository.close_question(open_question.id, self.clock(), status)
        if self._open.get(open_question.channel_id) == open_question or result is not None:
            self._open.pop(open_question.channel_id, None)
        if result is not None:
            log.info(
                "question %s %s",
                open_question.id,
                status,
                extra={"guild_id": open_question.guild_id, "channel_id": open_question.channel_id},
            )
        return result

    # --- reading -------------------------------------------------------------------------

    async def leaderboard(
        self,
        guild_id: int | None,
        *,
        scope: Scope = "all",
        kind: str | None = None,
        user_id: int | None = None,
        limit: int = 10,
    ) -> Board:
        return await self.repository.leaderboard(
            guild_id, scope=scope, kind=kind, limit=limit, user_id=user_id, now=self.clock()
        )

    async def stats(self, guild_id: int, user_id: int) -> UserStats:
        return await self.repository.user_stats(guild_id, user_id)

    async def daily_points(
        self, guild_id: int, user_id: int, days: int = 30
    ) -> list[tuple[date, int]]:
        """Points per UTC day over the last ``days`` days, for the stats chart."""
        from bot.storage.history import points_by_day

        since = self.clock() - timedelta(days=days)
        return await points_by_day(self.repository, guild_id, user_id, since)
