"""Games of several questions in one channel: the policy.

A game asks ``count`` ordinary ranked questions one after another, each with the
guild's usual deadline and a short pause between them. This module decides when the
next question comes, when a game ends (all asked, two unanswered in a row, or
stopped), who may start and stop one, the standings and the winner. The Discord front
end only posts what it returns (``bot.discord.games``).

Everything a game needs to go on lives in the database (``bot.storage.games``): after
a restart the owning process reloads its running games and carries on from the round
it was on, and every step is a conditional write, so a round is counted once and a
game ends once whichever process or restart gets there first.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.engine import bank
from bot.errors import StorageError
from bot.quiz.service import NotAllowed, QuizService
from bot.records import (
    ChannelBusy,
    ClosedQuestion,
    Game,
    GamePlay,
    GameRound,
    GuildConfig,
    OpenQuestion,
    Standing,
    WinsRow,
)
from bot.storage.games import GameBusy, GameStore

__all__ = [
    "DEFAULT_COUNT",
    "DEFAULT_PAUSE",
    "MAX_COUNT",
    "MAX_PAUSE",
    "GameBusy",
    "GameEnd",
    "Games",
    "RoundOver",
    "StopRequest",
    "standings_of",
]

log = logging.getLogger(__name__)

DEFAULT_COUNT = 5
MAX_COUNT = 20  # the most a guild may allow (its ``game_max_count``, 1..20)
DEFAULT_PAUSE = 5  # seconds between a game's questions
MAX_PAUSE = 60
IDLE_ROUNDS_TO_END = 2  # questions in a row nobody answered
RETRY_SECONDS = 5.0  # the database failed while opening the next question


class BadCount(NotAllowed):
    def __init__(self, count: int, high: int) -> None:
        super().__init__("games.bad_count", count=count, low=1, high=high)


@dataclass(frozen=True, slots=True)
class GameEnd:
    """A game that has just ended: how, after how many questions, its final standings."""

    game: Game
    reason: str  # finished, idle, stopped
    standings: tuple[Standing, ...]
    winner_id: int | None


@dataclass(frozen=True, slots=True)
class RoundOver:
    """What the close of one of a game's questions means: the standings so far, and
    either the game's end or when its next question comes."""

    game: Game
    round: int
    standings: tuple[Standing, ...]
    ended: GameEnd | None = None
    next_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StopRequest:
    game: Game
    left: int  # questions not yet over, the open one included

    @property
    def needs_confirmation(self) -> bool:
        return self.left > 1


def _average(points: int, asked: int) -> float:
    return points / asked if asked else 0.0


def standings_of(play: GamePlay) -> tuple[Standing, ...]:
    """Every player who answered, best first: most points, then most correct answers,
    then whoever reached their points first (the earlier last scoring answer). Their
    best and worst family: the kinds asked with the most and fewest points per
    question asked; no worst when all are equal, no best without a point."""
    asked_per_kind: dict[str, int] = defaultdict(int)
    for _, kind in play.kinds:
        asked_per_kind[kind] += 1
    points: dict[int, int] = defaultdict(int)
    correct: dict[int, int] = defaultdict(int)
    answered: dict[int, int] = defaultdict(int)
    by_kind: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    reached: dict[int, int] = {}
    for answer in play.answers:
        user = answer.user_id
        points[user] += answer.points
        answered[user] += 1
        correct[user] += answer.outcome == "correct"
        by_kind[user][answer.kind] += answer.points
        if answer.points > 0 or user not in reached:
            reached[user] = answer.event_id
    order = sorted(answered, key=lambda u: (-points[u], -correct[u], reached[u]))
    standings = []
    for place, user in enumerate(order, start=1):
        averages = {
            kind: _average(by_kind[user].get(kind, 0), asked)
            for kind, asked in sorted(asked_per_kind.items())
        }
        best = max(averages, key=lambda k: averages[k], default=None)
        worst = min(averages, key=lambda k: averages[k], default=None)
        if best is not None and averages[best] <= 0:
            best = None
        if worst is not None and best is not None and averages[worst] == averages[best]:
            worst = None
        if best is None and worst is not None and len(set(averages.values())) == 1:
            worst = None
        standings.append(
            Standing(place, user, points[user], correct[user], answered[user], best, worst)
        )
    return tuple(standings)


def winner_of(standings: tuple[Standing, ...]) -> int | None:
    """The first in the standings, if they scored at all."""
    return standings[0].user_id if standings and standings[0].points > 0 else None


class Games:
    """Running games of this process's guilds, by channel."""

    def __init__(self, service: QuizService, store: GameStore) -> None:
        self.service = service
        self.store = store
        self._running: dict[int, Game] = {}

    # --- reading -------------------------------------------------------------------------

    def running_in(self, channel_id: int) -> Game | None:
        return self._running.get(channel_id)

    def next_due(self) -> datetime | None:
        """When the next pause ends (a game's next question is due)."""
        return min((g.next_at for g in self._running.values() if g.next_at), default=None)

    def due(self) -> list[Game]:
        now = self.service.clock()
        return [g for g in self._running.values() if g.next_at is not None and g.next_at <= now]

    def refuse_if_running(self, channel_id: int) -> None:
        """One game or question per channel: a single question waits for the game."""
        if channel_id in self._running:
            raise NotAllowed("games.busy")

    def max_count(self, config: GuildConfig) -> int:
        return min(MAX_COUNT, config.game_max_count or MAX_COUNT)

    def pause_of(self, config: GuildConfig) -> float:
        return float(DEFAULT_PAUSE if config.game_pause is None else config.game_pause)

    async def wins(
        self, guild_id: int, *, user_id: int | None = None, limit: int = 10
    ) -> tuple[tuple[WinsRow, ...], WinsRow | None, int]:
        return await self.store.wins_board(guild_id, limit=limit, user_id=user_id)

    # --- lifecycle -----------------------------------------------------------------------

    async def resume(self, revealing: Collection[int] = ()) -> list[RoundOver]:
        """Reload this process's running games after a start (after ``QuizService.resume``).
        A game whose question was closed but not counted (the process died between the
        two) is counted now; ``revealing`` are the questions whose reveal is still to be
        posted, which counts them."""
        self._running.clear()
        settled: list[RoundOver] = []
        for game in await self.store.running(self.service.owns_guild):
            self._running[game.channel_id] = game
            question = game.current_question_id
            if game.next_at is not None or question in revealing:
                continue
            if question is None:  # created, first question never opened
                self._running[game.channel_id] = replace(game, next_at=self.service.clock())
                continue
            if self.service.open_in(game.channel_id) is not None:
                continue
            status = await self.store.question_status(question)
            play = await self.store.play(game.id)
            answered = any(a.round == game.rounds_done + 1 for a in play.answers)
            over = await self._round_over(game, question, answered, status == "stopped")
            if over is not None:
                settled.append(over)
        return settled

    async def start(
        self,
        *,
        guild_id: int,
        channel_id: int,
        user_id: int,
        count: int | None,
        kind: str | None,
        difficulty: int | None,
        template: str | None,
        config: GuildConfig,
        lang: str,
        is_moderator: bool,
        member_roles: Collection[int] = (),
    ) -> tuple[Game, OpenQuestion]:
        """Start a game and open its first question; nothing is left stored when any
        check or the first question fails."""
        high = self.max_count(config)
        count = DEFAULT_COUNT if count is None else count
        if not 1 <= count <= high:
            raise BadCount(count, high)
        if config.game_moderators_only and not is_moderator:
            raise NotAllowed("games.moderators_only")
        self.refuse_if_running(channel_id)
        if (busy := self.service.open_in(channel_id)) is not None:
            raise ChannelBusy(busy)
        if kind is not None and kind not in bank.KINDS:
            raise bank.QuizError.of(
                "error.unknown_kind", lang, kind=kind, kinds=bank.kind_list(lang)
            )
        game = await self.store.create(
            guild_id=guild_id,
            channel_id=channel_id,
            started_by=user_id,
            count=count,
            kind=kind,
            difficulty=difficulty,
            template_name=template,
            lang=lang,
            started_at=self.service.clock(),
        )
        try:
            opened = await self.service.start(
                guild_id=guild_id,
                channel_id=channel_id,
                user_id=user_id,
                kind=kind,
                difficulty=difficulty,
                template=template,
                config=config,
                lang=lang,
                is_moderator=is_moderator,
                member_roles=member_roles,
                game_round=GameRound(game.id, 1),
            )
        except Exception:
            await self.store.discard(game.id)  # nothing half-started stays stored
            raise
        game = replace(game, current_question_id=opened.id)
        self._running[channel_id] = game
        log.info("game %s started (%d questions)", game.id, count, extra={"guild_id": guild_id})
        return game, opened

    async def next_question(self, game: Game) -> OpenQuestion | GameEnd | None:
        """Open the next round of a game whose pause is over. A question that cannot be
        asked (its template is gone) ends the game; a channel another question took
        meanwhile, or a database failure, makes it try again later (``None``)."""
        round_number = game.rounds_done + 1
        config = await self.service.config(game.guild_id)
        try:
            opened = await self.service.start(
                guild_id=game.guild_id,
                channel_id=game.channel_id,
                user_id=game.started_by,
                kind=game.kind,
                difficulty=game.difficulty,
                template=game.template_name,
                config=config,
                lang=game.lang,
                is_moderator=True,
                game_round=GameRound(game.id, round_number),
            )
        except StorageError:
            retry = self.service.clock() + timedelta(seconds=RETRY_SECONDS)
            self._running[game.channel_id] = replace(game, next_at=retry)
            raise
        except ChannelBusy as busy:
            # Another question took the channel in the pause (the question of the day):
            # the game waits for it to close, then pauses as after its own.
            taken = busy.open_question
            after = taken.deadline if taken is not None else self.service.clock()
            retry = after + timedelta(seconds=max(self.pause_of(config), RETRY_SECONDS))
            self._running[game.channel_id] = replace(game, next_at=retry)
            return None
        except bank.QuizError:
            log.warning("game %s cannot ask round %d", game.id, round_number, exc_info=True)
            return await self.abandon(game)
        self._running[game.channel_id] = replace(game, current_question_id=opened.id, next_at=None)
        return opened

    async def on_close(self, closed: ClosedQuestion) -> RoundOver | None:
        """A question closed: if it was a game's, count its round (once) and say what
        follows. ``None`` for questions outside games."""
        game = self._running.get(closed.open.channel_id)
        if game is None or game.current_question_id != closed.open.id or game.next_at:
            return None
        return await self._round_over(
            game, closed.open.id, bool(closed.answers), closed.status == "stopped"
        )

    async def _round_over(
        self, game: Game, question_id: int, answered: bool, stopped: bool
    ) -> RoundOver | None:
        standings = standings_of(await self.store.play(game.id))
        idle = 0 if answered else game.idle_rounds + 1
        rounds = game.rounds_done + 1
        reason = (
            "stopped"
            if stopped
            else "idle"
            if idle >= IDLE_ROUNDS_TO_END
            else "finished"
            if rounds >= game.count
            else None
        )
        if reason is not None:
            ended = await self._end(game, reason, rounds, idle, standings)
            if ended is None:
                return None
            return RoundOver(ended.game, rounds, standings, ended=ended)
        config = await self.service.config(game.guild_id)
        next_at = self.service.clock() + timedelta(seconds=self.pause_of(config))
        if not await self.store.count_round(game, question_id, idle_rounds=idle, next_at=next_at):
            return None  # counted already (another process, or before a restart)
        game = replace(game, rounds_done=rounds, idle_rounds=idle, next_at=next_at)
        self._running[game.channel_id] = game
        return RoundOver(game, rounds, standings, next_at=next_at)

    async def _end(
        self, game: Game, reason: str, rounds: int, idle: int, standings: tuple[Standing, ...]
    ) -> GameEnd | None:
        winner = winner_of(standings)
        now = self.service.clock()
        done = await self.store.end(
            game,
            status=reason,
            rounds_done=rounds,
            idle_rounds=idle,
            ended_at=now,
            winner_id=winner,
            standings=standings,
        )
        if self._running.get(game.channel_id, game).id == game.id:
            self._running.pop(game.channel_id, None)
        if not done:
            return None
        log.info("game %s %s after %d questions", game.id, reason, rounds)
        ended = replace(
            game,
            status=reason,
            rounds_done=rounds,
            idle_rounds=idle,
            next_at=None,
            ended_at=now,
            winner_id=winner,
        )
        return GameEnd(ended, reason, standings, winner)

    async def abandon(self, game: Game) -> GameEnd | None:
        """End a game at once, as it stands (stopped)."""
        standings = standings_of(await self.store.play(game.id))
        return await self._end(game, "stopped", game.rounds_done, game.idle_rounds, standings)

    # --- stopping --------------------------------------------------------------------------

    def may_stop(self, channel_id: int, user_id: int, *, is_moderator: bool) -> StopRequest | None:
        """Whether this user may stop the channel's game (its starter or a moderator);
        ``None`` when no game runs here."""
        game = self._running.get(channel_id)
        if game is None:
            return None
        if not is_moderator and user_id != game.started_by:
            raise NotAllowed("games.stop_denied")
        return StopRequest(game, game.count - game.rounds_done)

    async def stop(
        self, channel_id: int, user_id: int, *, is_moderator: bool, game_id: int | None = None
    ) -> ClosedQuestion | GameEnd | None:
        """Stop the channel's game (``game_id``: only that one). With a question open it
        is closed as stopped, and its reveal ends the game (``on_close``); while pausing
        the game ends here. ``None`` when there is nothing to stop."""
        request = self.may_stop(channel_id, user_id, is_moderator=is_moderator)
        if request is None or (game_id is not None and request.game.id != game_id):
            return None
        game = request.game
        if game.next_at is None and self.service.open_in(channel_id) is not None:
            return await self.service.stop(channel_id, user_id, is_moderator=True)
        return await self.abandon(game)
