"""The two bots of the peer benchmark, each in its own process, as the benchmark sees them.

Each adapter starts its bot against the loopback Discord, opens a question in a channel,
says what a right answer to the channel's open question is, and which bot action
acknowledges a message of the stream:

- convquiz: the reaction on the answer (its reaction plan may skip one in a busy
  channel; that answer's verdict is then in the reveal). Every typed answer can get one.
- Red's Trivia: its "You got it …" message, which acknowledges the first right answer
  to each question; the next question follows three seconds later (Red's own pause).

A bot's CPU time and resident set are its process's own, read from ``/proc``.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fakediscord import FakeDiscord, Feed, InteractionResponse, SentMessage
from fakediscord.model import JSON, WaitTimeout

from bench import peer_red
from bench.common import ROOT, rss_mib, say
from bench.stream import Kind
from bot.engine import bank

__all__ = ["BotProcess", "Convquiz", "Peer", "Red", "Sent"]

_TICK = os.sysconf("SC_CLK_TCK")
# Seconds between the benchmark's own commands to open or close a question in each
# channel: 20 at once would trip Discord's global 50 requests/s on the bot's replies (two
# or three each for Red), and those 429s would be the benchmark's doing, not the bot's.
STAGGER = 0.15
TYPING = 1.0  # seconds between the form opening and its submission
FORM_FIELD = "cq:form:reply"  # the Answer form's text input (bot/discord/exts/quiz/_modal.py)


@dataclass
class Sent:
    """A stream message as sent: where, what, when, and the question it met."""

    channel: int  # channel id
    kind: Kind
    message_id: int
    at: float  # perf_counter just before the fake delivered it
    generation: int  # how many questions the channel had seen posted by then


class BotProcess:
    """A bot's process: CPU seconds (user + system) and resident set, from /proc."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self.process = process
        self.log = log

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime

    def rss_mib(self) -> float:
        return rss_mib(self.pid)

    async def quiet(self, *, poll: float = 0.25, within: float = 60.0) -> float:
        """Wait until two polls in a row see at most one clock tick of CPU; returns
        the CPU seconds then."""
        began = time.perf_counter()
        last, calm = self.cpu_seconds(), 0
        while calm < 2 and time.perf_counter() - began < within:
            await asyncio.sleep(poll)
            now = self.cpu_seconds()
            calm = calm + 1 if now - last <= 1.5 / _TICK else 0
            last = now
        return last

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        if "Traceback" in text:
            say(text[-3000:])


@dataclass
class Peer:
    """What both adapters share: the stamps of the bot's actions, and the stream sent."""

    fake: FakeDiscord
    folder: Path
    name: str = ""
    process: BotProcess | None = None
    sent: list[Sent] = field(default_factory=list)
    generations: dict[int, int] = field(default_factory=dict)  # channel → questions posted
    answers: dict[int, str] = field(default_factory=dict)  # channel → its open answer

    def __post_init__(self) -> None:
        messages, reactions = self.fake.sent_messages, self.fake.reactions
        record_message, record_reaction = messages.record, reactions.record

        def message(item: SentMessage) -> None:
            self.on_message(item, time.perf_counter())
            record_message(item)

        def reaction(item: tuple[int, int, str]) -> None:
            self.on_reaction(item, time.perf_counter())
            record_reaction(item)

        # Instance attributes shadow Feed.record: every record is stamped as it lands.
        messages.record = message  # type: ignore[method-assign]
        reactions.record = reaction  # type: ignore[method-assign]

    def on_message(self, message: SentMessage, at: float) -> None:
        pass

    def on_reaction(self, reaction: tuple[int, int, str], at: float) -> None:
        pass

    async def send(self, channel: int, user: int, kind: Kind, text: str) -> Sent:
        at = time.perf_counter()
        message = await self.fake.send_message(channel, user, text)
        sent = Sent(channel, kind, int(message["id"]), at, self.generations.get(channel, 0))
        self.sent.append(sent)
        return sent

    async def _spawn(self, argv: list[str], env: dict[str, str]) -> BotProcess:
        log = self.folder / f"{self.name}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                *argv, env=env, cwd=self.folder, stdout=out, stderr=subprocess.STDOUT
            )
        self.process = BotProcess(process, log)
        return self.process

    async def _until_reply(
        self, channel: int, user: int, text: str, matches: re.Pattern[str], within: float = 120
    ) -> None:
        """Send ``text`` every second until the bot answers in ``channel`` (ready)."""
        began = time.perf_counter()
        while True:
            start = len(self.fake.sent_messages)
            await self.fake.send_message(channel, user, text)
            try:
                await self.fake.wait_for_message(
                    lambda m: m.channel_id == channel and bool(matches.search(_words(m))),
                    start=start,
                    timeout=1.0,
                )
                return
            except WaitTimeout:
                if time.perf_counter() - began > within:
                    raise
                if self.process is not None and self.process.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited; see {self.process.log}") from None

    async def _posted(self, before: dict[int, int]) -> None:
        """Until every channel of ``before`` (channel → questions then) has a new one."""
        await _until(
            lambda: all(self.generations.get(c, 0) > n for c, n in before.items()),
            f"{self.name}: a question in each of {len(before)} channels",
        )

    # What each bot defines.
    async def start(self, ready_channel: int, owner: int) -> BotProcess:
        raise NotImplementedError

    async def open_questions(self, starts: list[tuple[int, int]]) -> None:
        raise NotImplementedError

    async def close_questions(self, starts: list[tuple[int, int]]) -> None:
        raise NotImplementedError

    def acknowledgeable(self, sent: Sent) -> bool:
        raise NotImplementedError

    def acknowledged_at(self, sent: Sent) -> float | None:
        raise NotImplementedError


async def _until(condition: Callable[[], bool], what: str, within: float = 60.0) -> None:
    """Poll ``condition`` (the bot acts in another process: nothing here to await)."""
    began = time.perf_counter()
    while not condition():
        if time.perf_counter() - began > within:
            raise WaitTimeout(f"not within {within:g} s: {what}")
        await asyncio.sleep(0.05)


async def _reply(
    responses: Feed[InteractionResponse], interaction: JSON, start: int, what: str
) -> InteractionResponse:
    wanted = int(interaction["id"])
    try:
        return await responses.wait(lambda r: r.interaction_id == wanted, start=start, timeout=10)
    except WaitTimeout:
        raise WaitTimeout(f"no reply with {what} within 10 s") from None


def _words(message: SentMessage) -> str:
    titles = " ".join(str(e.get("title", "")) + str(e.get("footer", "")) for e in message.embeds)
    return f"{message.content} {titles}"


@dataclass
class Convquiz(Peer):
    """``python -m bot run`` on SQLite; ``profile`` writes a cProfile of the process."""

    name: str = "convquiz"
    profile: Path | None = None
    # Prepended to the process's PYTHONPATH: experiments (e.g. orjson importable).
    extra_path: str | None = None
    # message id → its verdict: the first reaction, or the reply announcing a first right
    # answer whose reaction would have waited (bot.quiz.feedback)
    reacted_at: dict[int, float] = field(default_factory=dict)
    revealed: int = 0
    buttons: dict[int, tuple[int, str]] = field(default_factory=dict)  # channel → Answer button
    # A person has one form open at a time (Discord's client shows one modal); two at
    # once by one user would replace the first in discord.py's modal store, unanswered.
    _forms: dict[int, asyncio.Lock] = field(default_factory=dict)

    def on_message(self, message: SentMessage, at: float) -> None:
        reference = message.message_reference
        if reference and reference.get("message_id"):
            self.reacted_at.setdefault(int(reference["message_id"]), at)
        if not message.embeds:
            return
        footer = str(message.embeds[0].get("footer", {}).get("text", ""))
        found = re.search(r"Code (\S+)", footer)
        if found and message.custom_ids:  # a question (it has the Answer button)
            self.answers[message.channel_id] = bank.from_code(found.group(1)).answer_text
            self.buttons[message.channel_id] = (message.id, message.custom_ids[0])
            self.generations[message.channel_id] = self.generations.get(message.channel_id, 0) + 1
        elif "answer" in str(message.embeds[0].get("title", "")).lower():
            self.revealed += 1

    def on_reaction(self, reaction: tuple[int, int, str], at: float) -> None:
        self.reacted_at.setdefault(reaction[1], at)

    async def start(self, ready_channel: int, owner: int) -> BotProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQUIZ_")}
        env.update(
            DISCORD_TOKEN=self.fake.token,
            DATABASE_URL=f"sqlite+aiosqlite:///{self.folder}/convquiz.db",
            DISCORD_API_BASE=self.fake.api_base,
            DISCORD_GATEWAY_URL=self.fake.gateway_url,
            # Long enough that no round closes while the stream runs.
            CONVQUIZ_TIME_LIMIT="900",
            PYTHONPATH=f"{self.extra_path}:{ROOT}" if self.extra_path else str(ROOT),
        )
        argv = [sys.executable]
        if self.profile is not None:
            argv += ["-m", "cProfile", "-o", str(self.profile)]
        process = await self._spawn([*argv, "-m", "bot", "run"], env)
        await self._until_reply(ready_channel, owner, "!help", re.compile(r"\S"))
        return process

    async def open_questions(self, starts: list[tuple[int, int]]) -> None:
        before = {c: self.generations.get(c, 0) for c, _ in starts}
        for channel, starter in starts:
            await self.fake.send_message(channel, starter, "!convquiz param_count 1")
            await asyncio.sleep(STAGGER)
        await self._posted(before)

    async def close_questions(self, starts: list[tuple[int, int]]) -> None:
        goal = self.revealed + len(starts)
        for channel, starter in starts:
            await self.fake.send_message(channel, starter, "!convquiz stop")
            await asyncio.sleep(STAGGER)
        await _until(lambda: self.revealed >= goal, f"convquiz: {len(starts)} reveals")

    async def by_form(self, channel: int, user: int, text: str) -> tuple[float, float]:
        """Answer through the Answer button's form: (click → form, submit → verdict) in s.
        Interaction replies are private and bound by no channel or global limit."""
        async with self._forms.setdefault(user, asyncio.Lock()):
            return await self._by_form(channel, user, text)

    async def _by_form(self, channel: int, user: int, text: str) -> tuple[float, float]:
        message_id, button = self.buttons[channel]
        responses = self.fake.interaction_responses
        # `start=`: the feeds' mark moves with every driving action, and other answers
        # are being driven meanwhile; a wait from the mark could miss this one's reply.
        start, began = len(responses), time.perf_counter()
        click = await self.fake.click_button(message_id, button, user)
        form = await _reply(responses, click, start, "the form")
        opened = time.perf_counter()
        # A person takes a moment to type; and discord.py stores the form only once the
        # callback's HTTP answer is back, so an instant submit could beat it (unanswered).
        await asyncio.sleep(TYPING)
        start, submitting = len(responses), time.perf_counter()
        submitted = await self.fake.submit_modal(form, {FORM_FIELD: text})
        await _reply(responses, submitted, start, "the verdict")
        return opened - began, time.perf_counter() - submitting

    def acknowledgeable(self, sent: Sent) -> bool:
        return sent.kind != "chat"  # every typed answer can get its reaction

    def acknowledged_at(self, sent: Sent) -> float | None:
        return self.reacted_at.get(sent.message_id)


@dataclass
class Red(Peer):
    """Red-DiscordBot 3.5.24 with its Trivia cog, from its own venv (``peer_red``)."""

    name: str = "red"
    questions: dict[str, str] = field(default_factory=dict)  # prompt → answer
    # (channel, generation) → when its first right answer was sent / acknowledged
    first_right: dict[tuple[int, int], int] = field(default_factory=dict)
    acked_at: dict[tuple[int, int], float] = field(default_factory=dict)

    def on_message(self, message: SentMessage, at: float) -> None:
        channel, content = message.channel_id, message.content
        if content.startswith("**Question number"):
            prompt = content.split("\n\n", 1)[1]
            self.answers[channel] = self.questions[prompt]
            self.generations[channel] = self.generations.get(channel, 0) + 1
        elif content.startswith("You got it"):
            self.acked_at.setdefault((channel, self.generations.get(channel, 0)), at)

    async def send(self, channel: int, user: int, kind: Kind, text: str) -> Sent:
        sent = await super().send(channel, user, kind, text)
        if kind == "right":
            self.first_right.setdefault((channel, sent.generation), sent.message_id)
        return sent

    async def start(self, ready_channel: int, owner: int) -> BotProcess:
        peer_red.ensure_venv()
        env = peer_red.red_env(self.folder, self.fake.api_base, self.fake.gateway_url)
        data = peer_red.setup_instance(self.folder, env)
        self.questions = _trivia_questions(100)
        peer_red.write_trivia_list(data, list(self.questions.items()))
        process = await self._spawn(peer_red.command(self.fake.token, owner), env)
        await self._until_reply(ready_channel, owner, "!ping", re.compile("Pong"))
        # A new instance starts with no cogs whatever --load-cogs says; the owner loads
        # Trivia as an owner would.
        await self._until_reply(ready_channel, owner, "!load trivia", re.compile("Loaded"))
        return process

    async def open_questions(self, starts: list[tuple[int, int]]) -> None:
        before = {c: self.generations.get(c, 0) for c, _ in starts}
        for channel, starter in starts:
            await self.fake.send_message(channel, starter, f"!trivia {peer_red.LIST_NAME}")
            await asyncio.sleep(STAGGER)
        await self._posted(before)

    async def close_questions(self, starts: list[tuple[int, int]]) -> None:
        start = len(self.fake.sent_messages)
        for channel, starter in starts:
            await self.fake.send_message(channel, starter, "!trivia stop")
            await asyncio.sleep(STAGGER)

        def stopped() -> bool:
            done = {
                m.channel_id
                for m in self.fake.sent_messages[start:]
                if m.content.startswith("Trivia stopped")
            }
            return len(done) >= len(starts)

        await _until(stopped, f"red: {len(starts)} sessions stopped")

    def acknowledgeable(self, sent: Sent) -> bool:
        # Only the first right answer to a question is acknowledged, by design.
        return self.first_right.get((sent.channel, sent.generation)) == sent.message_id

    def acknowledged_at(self, sent: Sent) -> float | None:
        if not self.acknowledgeable(sent):
            return None
        return self.acked_at.get((sent.channel, sent.generation))


def _trivia_questions(count: int) -> dict[str, str]:
    """convquiz's own questions (parameter counts) as a Red trivia list: prompt → answer."""
    out = {}
    for seed in range(count):
        question = bank.generate("param_count", seed, 1)
        out[f"({seed + 1}) {question.prompt}"] = question.answer_text
    return out
