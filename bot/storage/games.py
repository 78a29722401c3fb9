"""Games as stored: created, linked to their questions, counted round by round, ended.

Stores only: when a round counts, how a game ends and who won are decided by
``bot.quiz.games``. Every change is conditional on the state it follows from, so a
round counted by one process (or twice after a restart) is counted once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import Game, GameAnswer, GamePlay, GameRound, Standing, WinsRow
from bot.storage.core import guard
from bot.storage.game_models import GamePlayer, GameQuestion, GameRow
from bot.storage.models import AnswerEvent, QuestionRow

if TYPE_CHECKING:  # the repository opens questions through ``link_question``
    from bot.storage.repository import Repository

ENDED = ("finished", "idle", "stopped")


class GameBusy(Exception):
    """A game is already running in the channel."""

    def __init__(self, game: Game | None) -> None:
        super().__init__("a game is already running in this channel")
        self.game = game


def _game(row: Any) -> Game:
    return Game(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        started_by=row.started_by,
        count=row.count,
        kind=row.kind,
        difficulty=row.difficulty,
        template_name=row.template_name,
        lang=row.lang,
        status=row.status,
        rounds_done=row.rounds_done,
        idle_rounds=row.idle_rounds,
        current_question_id=row.current_question_id,
        next_at=row.next_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
        winner_id=row.winner_id,
    )


async def link_question(session: AsyncSession, game_round: GameRound, question_id: int) -> None:
    """In the transaction that opens the question: it is the game's round ``round``."""
    session.add(
        GameQuestion(game_id=game_round.game_id, round=game_round.round, question_id=question_id)
    )
    await session.execute(
        update(GameRow)
        .where(GameRow.id == game_round.game_id)
        .values(current_question_id=question_id, next_at=None)
    )


class GameStore:
    def __init__(self, repository: Repository) -> None:
        self._sessions = repository.sessions
        # The repository's write transactions: on SQLite, queued behind its other writers.
        self._writing = repository._writing

    @guard
    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int,
        started_by: int,
        count: int,
        kind: str | None,
        difficulty: int | None,
        template_name: str | None,
        lang: str,
        started_at: datetime,
    ) -> Game:
        """A new running game, or ``GameBusy`` with the one running in the channel."""
        row = GameRow(
            guild_id=guild_id,
            channel_id=channel_id,
            started_by=started_by,
            count=count,
            kind=kind,
            difficulty=difficulty,
            template_name=template_name,
            lang=lang,
            status="running",
            rounds_done=0,
            idle_rounds=0,
            started_at=started_at,
        )
        try:
            async with self._writing() as session:
                session.add(row)
                await session.flush()
        except IntegrityError:
            raise GameBusy(await self.running_in(channel_id)) from None
        return _game(row)

    @guard
    async def discard(self, game_id: int) -> None:
        """Forget a game whose first question could not be opened."""
        async with self._writing() as session:
            await session.execute(delete(GameRow).where(GameRow.id == game_id))

    @guard
    async def get(self, game_id: int) -> Game | None:
        async with self._sessions() as session:
            row = await session.get(GameRow, game_id)
            return None if row is None else _game(row)

    @guard
    async def running_in(self, channel_id: int) -> Game | None:
        async with self._sessions() as session:
            row = await session.scalar(
                select(GameRow).where(GameRow.channel_id == channel_id, GameRow.status == "running")
            )
            return None if row is None else _game(row)

    @guard
    async def running(self, guild_filter: Callable[[int], bool] | None = None) -> list[Game]:
        """Every running game (of the guilds ``guild_filter`` accepts)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(GameRow).where(GameRow.status == "running").order_by(GameRow.id)
            )
            return [_game(r) for r in rows if guild_filter is None or guild_filter(r.guild_id)]

    @guard
    async def question_status(self, question_id: int) -> str | None:
        async with self._sessions() as session:
            return await session.scalar(
                select(QuestionRow.status).where(QuestionRow.id == question_id)
            )

    @guard
    async def play(self, game_id: int) -> GamePlay:
        """The kind of every round asked, and every attempt at them, oldest first."""
        async with self._sessions() as session:
            asked = await session.execute(
                select(GameQuestion.round, QuestionRow.kind)
                .join(QuestionRow, QuestionRow.id == GameQuestion.question_id)
                .where(GameQuestion.game_id == game_id)
                .order_by(GameQuestion.round)
            )
            attempts = await session.execute(
                select(
                    GameQuestion.round,
                    AnswerEvent.kind,
                    AnswerEvent.user_id,
                    AnswerEvent.outcome,
                    AnswerEvent.points,
                    AnswerEvent.id,
                )
                .join(AnswerEvent, AnswerEvent.question_id == GameQuestion.question_id)
                .where(GameQuestion.game_id == game_id)
                .order_by(AnswerEvent.id)
            )
            return GamePlay(
                kinds=tuple((r, k) for r, k in asked),
                answers=tuple(GameAnswer(*row) for row in attempts),
            )

    @guard
    async def count_round(
        self, game: Game, question_id: int, *, idle_rounds: int, next_at: datetime
    ) -> bool:
        """Round ``rounds_done + 1`` (question ``question_id``) is over and the next is due
        at ``next_at``; False when it was already counted."""
        async with self._writing() as session:
            result = await session.execute(
                update(GameRow)
                .where(
                    GameRow.id == game.id,
                    GameRow.status == "running",
                    GameRow.current_question_id == question_id,
                    GameRow.rounds_done == game.rounds_done,
                    GameRow.next_at.is_(None),
                )
                .values(rounds_done=game.rounds_done + 1, idle_rounds=idle_rounds, next_at=next_at)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    @guard
    async def end(
        self,
        game: Game,
        *,
        status: str,
        rounds_done: int,
        idle_rounds: int,
        ended_at: datetime,
        winner_id: int | None,
        standings: Sequence[Standing],
    ) -> bool:
        """End a running game with its results; False when it had already ended."""
        if status not in ENDED:
            raise ValueError(f"not an end: {status}")
        async with self._writing() as session:
            result = await session.execute(
                update(GameRow)
                .where(GameRow.id == game.id, GameRow.status == "running")
                .values(
                    status=status,
                    rounds_done=rounds_done,
                    idle_rounds=idle_rounds,
                    next_at=None,
                    ended_at=ended_at,
                    winner_id=winner_id,
                )
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            session.add_all(
                GamePlayer(
                    game_id=game.id,
                    user_id=s.user_id,
                    points=s.points,
                    correct=s.correct,
                    answered=s.answered,
                    place=s.place,
                )
                for s in standings
            )
            return True

    @guard
    async def wins_board(
        self, guild_id: int, *, limit: int = 10, user_id: int | None = None
    ) -> tuple[tuple[WinsRow, ...], WinsRow | None, int]:
        """A guild's game winners, most wins first: the top ``limit``, the asking
        user's own row, and how many have won at least one game."""
        async with self._sessions() as session:
            won = await session.execute(
                select(GameRow.winner_id, func.count())
                .where(GameRow.guild_id == guild_id, GameRow.winner_id.is_not(None))
                .group_by(GameRow.winner_id)
            )
            wins = [(int(user), int(n)) for user, n in won if user is not None]
            players = await session.execute(
                select(GamePlayer.user_id, func.count())
                .join(GameRow, GameRow.id == GamePlayer.game_id)
                .where(GameRow.guild_id == guild_id)
                .group_by(GamePlayer.user_id)
            )
            played = {int(user): int(n) for user, n in players}
        ordered = sorted(wins, key=lambda item: (-item[1], item[0]))
        rows: list[WinsRow] = []
        for index, (winner, count) in enumerate(ordered):
            # Competition ranking: equal wins, equal rank.
            rank = rows[-1].rank if rows and rows[-1].wins == count else index + 1
            rows.append(WinsRow(rank, winner, count, played.get(winner, count)))
        me = next((row for row in rows if row.user_id == user_id), None)
        return tuple(rows[:limit]), me, len(rows)
