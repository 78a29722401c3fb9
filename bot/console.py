"""Play convquiz in a terminal, with the same commands and storage as the Discord bot.

The terminal is one server with one channel and one player. Questions close at their
deadline even while the prompt waits for input, and the leaderboard lives in the same
database as the bot's, so it is kept across runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import sys
from collections.abc import Awaitable, Callable, Mapping

from bot.engine import bank
from bot.engine.skills import UnknownSkill, skill_of
from bot.errors import StorageError
from bot.i18n.texts import language_for_locale, language_named, t
from bot.present.cards import (
    REACTIONS,
    Card,
    board_card,
    close_card,
    help_card,
    parse_quiz_args,
    question_card,
    stats_card,
)
from bot.present.hints import hint_text
from bot.present.practice_cards import practice_card, practice_verdict, progress_card
from bot.quiz.practice import practice_channel
from bot.quiz.service import NotAllowed, QuizService
from bot.records import ChannelBusy, ClosedQuestion
from bot.storage.repository import Scope

CONSOLE_GUILD = 0
CONSOLE_CHANNEL = 0
CONSOLE_USER = 1

Output = Callable[[str], None]


def console_language(environ: Mapping[str, str] | None = None) -> str:
    """``CONVQUIZ_LANGUAGE`` (ja, en…) if set, else the system locale (``LANG=ja_JP.UTF-8``
    plays in Japanese), else English."""
    env = os.environ if environ is None else environ
    chosen = env.get("CONVQUIZ_LANGUAGE", "").strip()
    if chosen:
        return language_named(chosen) or language_for_locale(chosen)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return language_for_locale(env[name])
    return language_for_locale(None)


class ConsoleSession:
    """One terminal player; ``handle`` takes a line, ``tick`` closes due questions."""

    def __init__(
        self, service: QuizService, out: Output, prefix: str = "!", lang: str = "en"
    ) -> None:
        self.service = service
        self.out = out
        self.prefix = prefix
        self.session_points = 0
        self.lang = lang

    def _name(self, user_id: int) -> str:
        if user_id == CONSOLE_USER:
            return t("console.you", self.lang)
        return t("console.player", self.lang, id=user_id)

    def _show(self, card: Card) -> None:
        self.out(card.as_text())

    async def handle(self, line: str) -> bool:
        """Process one line; False when the player asked to quit."""
        line = line.strip()
        if not line:
            return True
        try:
            if line.startswith(self.prefix):
                return await self._command(line[len(self.prefix) :])
            await self._answer(line)
        except StorageError:
            self.out(t("reply.database", self.lang))
        return True

    async def _command(self, text: str) -> bool:
        try:
            words = shlex.split(text)
        except ValueError:
            words = text.split()
        if not words:
            return True
        name, args = words[0].lower(), words[1:]
        if name in ("quit", "exit"):
            return False
        if name == "help":
            self._show(help_card(self.prefix, self.lang, server=False))
        elif name == "convquiz":
            await self._quiz(args)
        elif name == "hint":
            # The practice question, while one is open; else the channel's.
            practising = self.service.practice.open_for(CONSOLE_USER) is not None
            channel = practice_channel(CONSOLE_USER) if practising else CONSOLE_CHANNEL
            hint = await self.service.hints.take(channel, CONSOLE_USER, self.lang)
            self.out(hint_text(hint, self.lang))
        elif name == "leaderboard":
            scope: Scope = "week" if "week" in args else "all"
            kinds = [a for a in args if a in bank.KINDS]
            kind = kinds[0] if kinds else None
            board = await self.service.leaderboard(
                CONSOLE_GUILD, scope=scope, kind=kind, user_id=CONSOLE_USER
            )
            self._show(board_card(board, self._name, scope=scope, kind=kind, lang=self.lang))
        elif name == "stats":
            stats = await self.service.stats(CONSOLE_GUILD, CONSOLE_USER)
            self._show(stats_card(stats, self._name, self.lang))
        elif name == "practice":
            await self._practice(args[0].lower() if args else None)
        elif name == "progress":
            rows = await self.service.practice.progress(CONSOLE_USER)
            self._show(progress_card(rows, CONSOLE_USER, self._name, self.lang))
        else:
            self.out(t("console.unknown_command", self.lang, p=self.prefix, name=name))
        return True

    async def _quiz(self, args: list[str]) -> None:
        try:
            request = parse_quiz_args(args, self.lang)
            if request.action == "stop":
                closed = await self.service.stop(CONSOLE_CHANNEL, CONSOLE_USER, is_moderator=True)
                if closed is None:
                    self.out(t("reply.nothing_open", self.lang))
                else:
                    self._reveal(closed)
                return
            opened = await self.service.start(
                guild_id=CONSOLE_GUILD,
                channel_id=CONSOLE_CHANNEL,
                user_id=CONSOLE_USER,
                kind=request.kind,
                difficulty=request.difficulty,
                code=request.code,
                template=request.template,
                lang=self.lang,
            )
        except bank.QuizError as error:
            self.out(error.said_in(self.lang))
            return
        except ChannelBusy as busy:
            code = busy.open_question.question.code if busy.open_question else "?"
            self.out(t("reply.busy", self.lang, code=code))
            return
        except NotAllowed as denied:
            self.out(denied.said_in(self.lang))
            return
        card = question_card(opened, self.lang)
        seconds = int(opened.time_limit)
        self._show(card)
        self.out(t("console.time_left", self.lang, seconds=seconds))

    async def _practice(self, topic: str | None) -> None:
        try:
            opened = await self.service.practice.start(
                user_id=CONSOLE_USER, guild_id=CONSOLE_GUILD, topic=topic, lang=self.lang
            )
        except UnknownSkill as error:
            self.out(error.said_in(self.lang))
            return
        self._show(practice_card(opened, skill_of(opened.question), self.lang))

    async def _answer(self, line: str) -> None:
        if self.service.practice.open_for(CONSOLE_USER) is not None:
            practised = await self.service.practice.answer(CONSOLE_USER, line)
            if practised is None or practised.status != "ignored":
                self.out(practice_verdict(practised, self.lang))
                return
            self.out(t("grade.not_an_answer", self.lang))
            return
        outcome = await self.service.answer(CONSOLE_CHANNEL, CONSOLE_USER, line)
        if outcome is None:
            self.out(t("console.nothing_open", self.lang, p=self.prefix))
            return
        if outcome.status == "ignored":
            self.out(t("grade.not_an_answer", self.lang))
            return
        if outcome.status == "already_answered":
            self.out(t("reply.already", self.lang))
            return
        if outcome.status == "closed":
            self.out(t("reply.closed", self.lang))
            await self.tick()
            return
        assert outcome.grade is not None and outcome.recorded is not None
        points = outcome.recorded.points.total
        self.session_points += points
        mark = REACTIONS.get(outcome.grade.outcome, "")
        self.out(
            t(
                "console.result",
                self.lang,
                mark=mark,
                feedback=outcome.grade.feedback,
                points=points,
                session=self.session_points,
            )
        )
        # One player: once they have answered there is nothing to wait for.
        closed = await self.service.close_now(CONSOLE_CHANNEL)
        if closed is not None:
            self._reveal(closed)

    def _reveal(self, closed: ClosedQuestion) -> None:
        card = close_card(closed, self._name, self.lang)
        self._show(card)

    async def tick(self) -> None:
        for closed in await self.service.close_due():
            self._reveal(closed)

    def seconds_to_next_deadline(self) -> float | None:
        deadline = self.service.next_deadline()
        if deadline is None:
            return None
        return max(0.0, (deadline - self.service.clock()).total_seconds())


async def run_console(
    service: QuizService,
    *,
    read_line: Callable[[], Awaitable[str]] | None = None,
    out: Output = print,
    prefix: str = "!",
    lang: str | None = None,
) -> None:
    """The terminal loop. ``read_line`` returns '' at end of input. ``lang`` (ja, en)
    defaults to ``console_language()``."""
    session = ConsoleSession(service, out, prefix, lang or console_language())
    reader = read_line or _stdin_reader()
    for closed in await service.resume():
        session._reveal(closed)
    out(t("console.welcome", session.lang, p=prefix))
    pending: asyncio.Future[str] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(reader())
            done, _ = await asyncio.wait({pending}, timeout=session.seconds_to_next_deadline())
            if not done:
                await session.tick()
                continue
            line = pending.result()
            pending = None
            if line == "":
                break
            if not await session.handle(line):
                break
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pending


def _stdin_reader() -> Callable[[], Awaitable[str]]:
    loop = asyncio.get_running_loop()

    async def read() -> str:
        return await loop.run_in_executor(None, sys.stdin.readline)

    return read
