"""What a game says: the standings in each reveal, the final message, the wins board
and the game settings. Language-neutral cards, like ``bot.present.cards``."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine import message_limits
from bot.i18n.texts import t
from bot.present.cards import Card, Namer, kind_label
from bot.quiz.games import DEFAULT_PAUSE, MAX_COUNT, GameEnd, RoundOver
from bot.records import GuildConfig, Standing, WinsRow

__all__ = [
    "final_card",
    "game_config_fields",
    "question_title_suffix",
    "standings_field",
    "wins_card",
]

FIELD_LIMIT = message_limits.FIELD_VALUE_CHARS


def _fit_lines(lines: Sequence[str], limit: int, lang: str) -> str:
    """Whole lines while they fit in ``limit`` characters, then "and N more"."""
    shown: list[str] = []
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        tail = [t("card.close.more", lang, count=rest)] if rest else []
        if len("\n".join([*shown, line, *tail])) > limit:
            more = t("card.close.more", lang, count=len(lines) - len(shown))
            return "\n".join([*shown, more])
        shown.append(line)
    return "\n".join(shown)


def _row(standing: Standing, name: Namer, lang: str) -> str:
    return t(
        "games.row",
        lang,
        place=standing.place,
        name=name(standing.user_id),
        points=standing.points,
        correct=standing.correct,
    )


def question_title_suffix(round_: int, count: int, lang: str) -> str:
    """What a game question's title adds: which of the game's questions it is."""
    return t("games.question_of", lang, round=round_, count=count)


def standings_field(over: RoundOver, name: Namer, lang: str) -> tuple[str, str]:
    """The reveal's extra field: the game's standings after this question."""
    title = t("games.standings", lang, round=over.round, count=over.game.count)
    lines = [_row(s, name, lang) for s in over.standings]
    return title, _fit_lines(lines, FIELD_LIMIT, lang) or t("games.nobody_yet", lang)


def final_card(end: GameEnd, name: Namer, lang: str) -> Card:
    """The one message at a game's end: how it ended, the winner, every player's
    points with their best and worst family in this game."""
    reason = t(f"games.end.{end.reason}", lang, count=end.game.rounds_done)
    if end.winner_id is not None:
        winner = t("games.winner", lang, name=name(end.winner_id), points=end.standings[0].points)
    else:
        winner = t("games.no_winner", lang)
    lines = []
    for standing in end.standings:
        line = _row(standing, name, lang)
        if standing.best_kind is not None:
            line += t("games.best", lang, kind=kind_label(standing.best_kind, lang))
        if standing.worst_kind is not None:
            line += t("games.worst", lang, kind=kind_label(standing.worst_kind, lang))
        lines.append(line)
    body = "\n".join([reason, winner])
    fields: tuple[tuple[str, str], ...] = ()
    if lines:
        fields = ((t("games.final.standings", lang), _fit_lines(lines, FIELD_LIMIT, lang)),)
    return Card(
        title=t("games.final.title", lang),
        body=body,
        fields=fields,
        footer=t("games.final.footer", lang, count=end.game.rounds_done),
        kind="board",
        lang=lang,
    )


def wins_card(
    rows: Sequence[WinsRow], me: WinsRow | None, players: int, name: Namer, lang: str
) -> Card:
    """``!leaderboard games``: the guild's game winners."""
    lines = [
        t("games.wins.row", lang, rank=r.rank, name=name(r.user_id), wins=r.wins, played=r.played)
        for r in rows
    ]
    footer = ""
    if me is not None:
        footer = t("games.wins.me", lang, rank=me.rank, players=players, wins=me.wins)
    return Card(
        title=t("games.wins.title", lang),
        body="\n".join(lines) or t("games.wins.empty", lang),
        footer=footer,
        kind="board",
        lang=lang,
    )


def game_config_fields(config: GuildConfig, lang: str) -> tuple[tuple[str, str], ...]:
    """The game settings, for the ``!quizconfig`` card."""
    pause = DEFAULT_PAUSE if config.game_pause is None else config.game_pause
    starters = "games.config.moderators" if config.game_moderators_only else "card.config.anyone"
    return (
        (t("games.config.max", lang), str(min(MAX_COUNT, config.game_max_count or MAX_COUNT))),
        (t("games.config.pause", lang), t("card.config.seconds", lang, seconds=pause)),
        (t("games.config.starters", lang), t(starters, lang)),
    )
