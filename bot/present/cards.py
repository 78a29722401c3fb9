"""What the bot says, independent of where it says it.

Front ends (the terminal, the Discord cogs) turn service results into ``Card``s here and
then render a card their own way: the terminal prints it, Discord makes an embed. The
parsing of ``!convquiz`` arguments lives here too, so both front ends accept the same
words. Imports neither discord nor sqlalchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.engine import bank, message_limits, names
from bot.engine.codes import parse_builtin_code, parse_versioned_code
from bot.engine.question import Grade, Question
from bot.engine.scoring import BASE_BY_DIFFICULTY
from bot.i18n.texts import DEFAULT_LANGUAGE, has_text, t
from bot.present.hints import hint_mark
from bot.records import AnswerSummary, Board, ClosedQuestion, GuildConfig, OpenQuestion, UserStats

__all__ = [
    "Card",
    "QuizRequest",
    "board_card",
    "close_card",
    "config_card",
    "feedback_in",
    "help_card",
    "mistake_label",
    "parse_quiz_args",
    "question_card",
    "stats_card",
]

REACTIONS = {"correct": "✅", "partial": "🟡", "wrong": "❌"}
Namer = Callable[[int], str]


@dataclass(frozen=True, slots=True)
class Card:
    """A message: a title, a body, optional (name, value) fields and a footer."""

    title: str
    body: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    footer: str = ""
    spoiler: str = ""  # shown hidden (Discord spoiler) after the body
    choices: tuple[str, ...] = ()
    deadline: datetime | None = None
    kind: str = "info"
    lang: str = DEFAULT_LANGUAGE  # of the words a front end adds (the deadline line)

    def as_text(self) -> str:
        """Plain text, for the terminal and for logs."""
        lines = [self.title]
        if self.body:
            lines.append(self.body)
        for index, choice in enumerate(self.choices):
            lines.append(f"  {chr(ord('A') + index)}) {choice}")
        for name, value in self.fields:
            lines.append(f"{name}: {value}")
        if self.spoiler:
            lines.append(self.spoiler)
        if self.footer:
            lines.append(self.footer)
        # Markdown emphasis is for Discord; a terminal shows it as noise.
        return "\n".join(lines).replace("**", "")


@dataclass(frozen=True, slots=True)
class QuizRequest:
    """What ``!convquiz ...`` asked for."""

    action: str  # "start", "template", "replay", "stop"
    kind: str | None = None
    difficulty: int | None = None
    code: str | None = None
    template: str | None = None


KIND_ALIASES = {
    "output": "output_size",
    "os": "output_size",
    "size": "output_size",
    "params": "param_count",
    "param": "param_count",
    "pc": "param_count",
    "parameters": "param_count",
    "bn": "bottleneck",
    "1x1": "bottleneck",
    "odd": "odd_kernel",
    "ok": "odd_kernel",
    "kernel": "odd_kernel",
}
DIFFICULTY_WORDS = {"easy": 1, "medium": 2, "hard": 3}


def _is_template_name(word: str) -> bool:
    """A word that is no kind, difficulty or number may name one of the guild's templates."""
    known = word in KIND_ALIASES or word.replace("-", "_") in bank.KINDS
    return (
        not known
        and not word.isdigit()
        and word not in DIFFICULTY_WORDS
        and names.is_template_name(word)
    )


def parse_quiz_args(args: Sequence[str], lang: str = "en") -> QuizRequest:
    """Read ``[kind] [difficulty]``, a question code, or ``stop``.

    Raises ``bank.QuizError`` with a message for the user on anything else.
    """
    words = [w.strip().lower() for w in args if w.strip()]
    if words == ["stop"]:
        return QuizRequest("stop")
    if len(words) == 1 and parse_builtin_code(words[0]) is not None:
        return QuizRequest("replay", code=words[0].upper())
    if len(words) == 1 and parse_versioned_code(words[0]) is not None:
        return QuizRequest("replay", code=words[0])
    if len(words) == 1 and _is_template_name(words[0]):
        return QuizRequest("template", template=words[0])
    kind: str | None = None
    difficulty: int | None = None
    for word in words:
        name = KIND_ALIASES.get(word, word.replace("-", "_"))
        if name in bank.KINDS and kind is None:
            kind = name
        elif word in DIFFICULTY_WORDS and difficulty is None:
            difficulty = DIFFICULTY_WORDS[word]
        elif word.isdigit() and difficulty is None:
            if int(word) not in bank.DIFFICULTIES:
                raise bank.QuizError.of("error.bad_difficulty", lang, value=word)
            difficulty = int(word)
        else:
            raise bank.QuizError.of(
                "error.unknown_kind", lang, kind=word[:40], kinds=bank.kind_list(lang)
            )
    return QuizRequest("start", kind=kind, difficulty=difficulty)


def _kind_label(kind: str, lang: str) -> str:
    """A built-in family's name in ``lang``; a template's kind is the admin's own word."""
    key = f"kind.{kind}"
    return t(key, lang) if has_text(key) else kind


kind_label = _kind_label  # for the game cards (bot.present.game_cards)


def mistake_label(name: str, lang: str) -> str:
    """A named misconception as people read it; a template's mistake keeps its own name."""
    key = f"mistake_name.{name}"
    return t(key, lang) if has_text(key) else name


def feedback_in(question: Question, grade: Grade, lang: str) -> str:
    """The grade's feedback in ``lang`` rather than the question's language, for a reply
    only the answerer sees. A built-in question is rebuilt from its code in ``lang``; a
    template's own feedback stays as the admin wrote it for the question's language."""
    if lang == question.lang:
        return grade.feedback
    if grade.outcome == "correct":
        return t("grade.correct", lang)
    if grade.mistake is None:
        return t("grade.wrong", lang)
    if grade.mistake == "wrong_shape":
        hint = "grade.expected_pair" if question.answer.type == "pair" else "grade.expected_number"
        return t("grade.wrong_with_hint", lang, wrong=t("grade.wrong", lang), hint=t(hint, lang))
    if parse_builtin_code(question.code) is not None:
        try:
            again = bank.from_code(question.code, lang)
        except bank.QuizError:
            return grade.feedback
        for mistake in again.mistakes:
            if mistake.name == grade.mistake:
                return mistake.feedback
    return grade.feedback


def question_card(open_question: OpenQuestion, lang: str = "en", title_suffix: str = "") -> Card:
    """A question; ``title_suffix`` says where it stands in a game (bot.present.game_cards)."""
    question = open_question.question
    label = _kind_label(question.kind, lang)
    ranked = "" if open_question.ranked else t("card.practice", lang)
    ranked += t("daily.card.marker", lang) if open_question.daily else ""
    title = t("card.question.title", lang, kind=label, difficulty=question.difficulty) + ranked
    title += title_suffix
    footer = t(
        "card.question.footer.choice" if question.choices else "card.question.footer",
        lang,
        code=question.code,
        points=BASE_BY_DIFFICULTY.get(question.difficulty, 10),
    )
    return Card(
        title=title,
        body=question.prompt,
        choices=question.choices or (),
        footer=footer,
        deadline=open_question.deadline,
        kind="question",
        lang=lang,
    )


# Cards' fields become embed fields, whose values Discord caps at 1,024 characters.
FIELD_TEXT_LIMIT = message_limits.FIELD_VALUE_CHARS


def fit_names(names: Sequence[str], limit: int, lang: str) -> str:
    """As many whole names as fit in ``limit`` characters, then "and N more"."""
    separator = t("sep.list", lang)
    shown: list[str] = []
    for index, label in enumerate(names):
        rest = len(names) - index - 1
        tail = separator + t("card.close.more", lang, count=rest) if rest else ""
        if len(separator.join([*shown, label]) + tail) > limit:
            more = t("card.close.more", lang, count=len(names) - len(shown))
            return separator.join([*shown, more]) if shown else more
        shown.append(label)
    return separator.join(shown)


def close_card(
    closed: ClosedQuestion,
    name: Namer,
    lang: str = "en",
    extra_fields: Sequence[tuple[str, str]] = (),
) -> Card:
    """The reveal; ``extra_fields`` go last (a game's standings, bot.present.game_cards)."""
    question = closed.open.question
    correct = [a for a in closed.answers if a.outcome == "correct"]
    partial = [a for a in closed.answers if a.outcome == "partial"]
    wrong = [a for a in closed.answers if a.outcome == "wrong"]
    fields: list[tuple[str, str]] = []

    def who(rows: Sequence[AnswerSummary], points: bool = True) -> str:
        # The best answerers first; whole names only, then "and N more" (a cut name
        # would be a broken mention), so a busy question's reveal stays readable.
        ranked = sorted(rows, key=lambda row: (not row.first_correct, -row.points))
        parts: list[str] = []
        for row in ranked:
            star = " ★" if row.first_correct else ""
            label = f"{name(row.user_id)}{star}{hint_mark(row.hints)}"
            if closed.open.ranked and points:
                label = t("card.close.points", lang, name=label, points=row.points)
            parts.append(label)
        return fit_names(parts, FIELD_TEXT_LIMIT, lang)

    fields.append((t("card.close.correct", lang), who(correct) or t("card.close.nobody", lang)))
    if partial:
        fields.append((t("card.close.partial", lang), who(partial)))
    # Named too: in a busy channel most answerers get no reaction (bot.quiz.feedback),
    # and the reveal is where they learn their verdict.
    if wrong:
        fields.append((t("card.close.wrong", lang), who(wrong, points=False)))
    fields.extend(extra_fields)
    stopped = t("card.close.stopped", lang) if closed.status == "stopped" else ""
    legend = t("hint.card.legend", lang) if any(a.hints for a in closed.answers) else ""
    return Card(
        title=t("card.close.title", lang, code=question.code) + stopped,
        body=t("card.close.answer", lang, answer=question.answer_text),
        spoiler=question.explanation,
        fields=tuple(fields),
        footer=t(
            "card.close.footer.first"
            if any(a.first_correct for a in correct)
            else "card.close.footer",
            lang,
            answered=len(closed.answers),
        )
        + (f" · {legend}" if legend else ""),
        kind="close",
        lang=lang,
    )


def board_card(
    board: Board,
    name: Namer,
    *,
    scope: str,
    kind: str | None,
    lang: str = "en",
    global_board: bool = False,
) -> Card:
    where = t("card.board.global", lang) if global_board else ""
    what = t("card.board.week" if scope == "week" else "card.board.all", lang)
    if kind:
        what += f" · {_kind_label(kind, lang)}"
    lines = [
        t(
            "card.board.row",
            lang,
            rank=row.rank,
            name=name(row.user_id),
            points=row.points,
            correct=row.correct,
            answered=row.answered,
        )
        for row in board.rows
    ]
    if not lines:
        lines = [t("card.board.empty", lang)]
    footer = ""
    if board.me is not None:
        footer = t(
            "card.board.me", lang, rank=board.me.rank, players=board.players, points=board.me.points
        )
    return Card(
        title=t("card.board.title", lang, what=what) + where,
        body="\n".join(lines),
        footer=footer,
        kind="board",
        lang=lang,
    )


def stats_card(
    stats: UserStats, name: Namer, lang: str = "en", daily_streak: tuple[int, int] | None = None
) -> Card:
    accuracy = f"{stats.correct / stats.answered:.0%}" if stats.answered else "–"
    fields = [
        (
            t("card.stats.points", lang),
            f"{stats.points}" + (f" (#{stats.rank})" if stats.rank else ""),
        ),
        (t("card.stats.answered", lang), f"{stats.correct}/{stats.answered} ({accuracy})"),
        (
            t("card.stats.streak", lang),
            t("card.stats.streak.value", lang, current=stats.streak, best=stats.best_streak),
        ),
    ]
    if daily_streak is not None:  # (now, best) days in a row on the question of the day
        current, best = daily_streak
        value = t("daily.stats.streak.value", lang, current=current, best=best)
        fields.append((t("daily.stats.streak", lang), value))
    for kind in stats.by_kind:
        share = f"{kind.correct / kind.answered:.0%}" if kind.answered else "–"
        fields.append((_kind_label(kind.kind, lang), f"{kind.correct}/{kind.answered} ({share})"))
    if stats.mistakes:
        mistakes = t("sep.list", lang).join(
            f"{mistake_label(m, lang)} ×{n}" for m, n in stats.mistakes
        )
        fields.append((t("card.stats.mistakes", lang), mistakes))
    body = "" if stats.answered else t("card.stats.none", lang)
    return Card(
        title=t("card.stats.title", lang, name=name(stats.user_id)),
        body=body,
        fields=tuple(fields),
        kind="stats",
        lang=lang,
    )


def config_card(config: GuildConfig, time_limit: float, lang: str = "en") -> Card:
    channels = t("sep.list", lang).join(f"<#{c}>" for c in config.allowed_channels)
    channels = channels or t("card.config.all", lang)
    starter = (
        f"<@&{config.starter_role_id}>" if config.starter_role_id else t("card.config.anyone", lang)
    )
    seconds = int(time_limit)
    if config.language:
        language = t(f"lang.{config.language}", lang)
    else:  # following the server's Discord language, which is what ``lang`` is then
        language = t("card.config.language.auto", lang, language=t(f"lang.{lang}", lang))
    fields = (
        (t("card.config.time_limit", lang), t("card.config.seconds", lang, seconds=seconds)),
        (t("card.config.difficulty", lang), str(config.default_difficulty or 1)),
        (t("card.config.channels", lang), channels),
        (t("card.config.starters", lang), starter),
        (
            t("card.config.pictures", lang),
            t("card.config.on" if config.pictures else "card.config.off", lang),
        ),
        (t("card.config.language", lang), language),
    )
    return Card(title=t("card.config.title", lang), fields=fields, kind="info", lang=lang)


def help_card(prefix: str, lang: str = "en", *, server: bool = True) -> Card:
    """``!help``; ``server``: a Discord server's (games and the question of the day are
    there, not in the terminal)."""
    kinds = t("sep.list", lang).join(
        t("card.help.kind", lang, kind=kind, label=_kind_label(kind, lang)) for kind in bank.KINDS
    )
    lines = [t("card.help.body", lang, p=prefix, kinds=kinds)]
    if server:
        lines.append(t("card.help.games", lang, p=prefix))
    lines.append(t("card.help.practice", lang, p=prefix))
    return Card(
        title=t("card.help.title", lang),
        body="\n".join(lines),
        kind="info",
        lang=lang,
    )
