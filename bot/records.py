"""What the quiz service hands its front ends: plain records and the errors it raises.

Kept free of SQLAlchemy so presentation code can use them without the storage layer.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from bot.engine.learning import CardState
from bot.engine.question import Grade, PackedQuestion, Question, unpack
from bot.engine.scoring import Points


class ChannelBusy(Exception):
    def __init__(self, open_question: OpenQuestion | None) -> None:
        super().__init__("a question is already open in this channel")
        self.open_question = open_question


class AlreadyAnswered(Exception):
    pass


class QuestionClosed(Exception):
    pass


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    # Packed while open (bot.engine.question.pack): thousands are held at once.
    packed: PackedQuestion
    started_by: int
    opened_at: datetime
    deadline: datetime
    ranked: bool
    status: str
    template_name: str | None = None
    template_version: int | None = None
    practice: bool = False
    # The question of the day (bot.quiz.daily): its correct answers earn the daily bonus.
    daily: bool = False

    @property
    def question(self) -> Question:
        """The question itself, rebuilt when first used and kept while in use."""
        return unpack(self.packed)

    @property
    def time_limit(self) -> float:
        return (self.deadline - self.opened_at).total_seconds()


@dataclass(frozen=True, slots=True)
class RecordedAnswer:
    event_id: int
    grade: Grade
    points: Points
    first_correct: bool
    streak: int


@dataclass(frozen=True, slots=True)
class AnswerSummary:
    user_id: int
    outcome: str
    mistake: str | None
    points: int
    first_correct: bool
    hints: int = 0  # hints taken before answering


@dataclass(frozen=True, slots=True)
class ClosedQuestion:
    open: OpenQuestion
    status: str
    closed_at: datetime
    answers: tuple[AnswerSummary, ...]


@dataclass(frozen=True, slots=True)
class BoardRow:
    rank: int
    user_id: int
    points: int
    answered: int
    correct: int


@dataclass(frozen=True, slots=True)
class Board:
    rows: tuple[BoardRow, ...]
    me: BoardRow | None
    players: int


@dataclass(frozen=True, slots=True)
class KindStats:
    kind: str
    answered: int
    correct: int
    points: int


@dataclass(frozen=True, slots=True)
class UserStats:
    user_id: int
    points: int
    answered: int
    correct: int
    streak: int
    best_streak: int
    rank: int | None
    by_kind: tuple[KindStats, ...]
    mistakes: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class GuildConfig:
    guild_id: int
    prefix: str | None = None
    time_limit: int | None = None
    default_difficulty: int | None = None
    allowed_channels: tuple[int, ...] = ()
    starter_role_id: int | None = None
    language: str | None = None
    pictures: bool = True
    game_max_count: int | None = None  # None: bot.quiz.games.MAX_COUNT
    game_pause: int | None = None  # seconds between a game's questions; None: the default
    game_moderators_only: bool = False


@dataclass(frozen=True, slots=True)
class PrivacyCounts:
    """How many stored rows name one user, per kind of data (``/privacy``)."""

    answers: int = 0
    guild_totals: int = 0
    weekly_totals: int = 0
    kind_totals: int = 0
    global_totals: int = 0
    questions_started: int = 0
    first_correct: int = 0
    templates_authored: int = 0
    skill_cards: int = 0
    skill_mistakes: int = 0
    reminders: int = 0  # the reminder setting and the days a reminder was sent
    hints_taken: int = 0  # (question, player) rows of hints taken
    games: int = 0  # games started or won, and game results

    @property
    def total(self) -> int:
        return sum(int(getattr(self, f.name)) for f in fields(self))


@dataclass(frozen=True, slots=True)
class SkillRecord:
    """What storage knows of one user's skill: its FSRS card, the last answers to it
    (newest first, True for right), and its misconceptions, most frequent first."""

    skill: str
    card: CardState
    reviews: int
    correct: int
    recent: tuple[bool, ...] = ()
    mistakes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Misconception:
    """A named mistake a user made on a skill and has not answered the skill right since."""

    mistake: str
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class SkillCount:
    """How a guild did on one skill over a period (``!progress server``)."""

    skill: str
    answered: int
    correct: int
    players: int


@dataclass(frozen=True, slots=True)
class GameRound:
    """Which game, and which of its rounds, a question is opened for."""

    game_id: int
    round: int


@dataclass(frozen=True, slots=True)
class Game:
    """A game of several questions in one channel, as stored."""

    id: int
    guild_id: int
    channel_id: int
    started_by: int
    count: int
    kind: str | None
    difficulty: int | None
    template_name: str | None
    lang: str
    status: str  # running, finished, idle, stopped
    rounds_done: int
    idle_rounds: int
    current_question_id: int | None
    next_at: datetime | None
    started_at: datetime
    ended_at: datetime | None = None
    winner_id: int | None = None


@dataclass(frozen=True, slots=True)
class GameAnswer:
    """One stored attempt at one of a game's questions."""

    round: int
    kind: str
    user_id: int
    outcome: str
    points: int
    event_id: int


@dataclass(frozen=True, slots=True)
class GamePlay:
    """What a game's stored rounds say: the kind of each round asked, every attempt."""

    kinds: tuple[tuple[int, str], ...]  # (round, kind), one per question asked
    answers: tuple[GameAnswer, ...]


@dataclass(frozen=True, slots=True)
class Standing:
    """A player's place in a game so far; their best and worst family in it."""

    place: int
    user_id: int
    points: int
    correct: int
    answered: int
    best_kind: str | None = None
    worst_kind: str | None = None


@dataclass(frozen=True, slots=True)
class WinsRow:
    rank: int
    user_id: int
    wins: int
    played: int
