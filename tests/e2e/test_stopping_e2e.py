"""Stopping the way process managers do: SIGTERM (systemd, Docker) and SIGINT, with
answers in flight. Nothing is acknowledged that was not stored, the reactions the
channel's budget allows go out before the process exits 0, and the rest of the stored
answers are named in the reveal when the question closes (bot.quiz.feedback)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from harness import World, bot_env, code_of, is_question

from bot.engine import bank

pytestmark = pytest.mark.e2e

ANSWERS = 30


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_stop_acknowledges_every_stored_answer_and_exits_0(
    world: World, tmp_path: Path, signum: signal.Signals
) -> None:
    fake = world.fake
    members = [fake.add_member(world.guild.id, f"player{n}") for n in range(ANSWERS)]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=bot_env(fake, world.db_url), cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        await fake.wait_for_sessions(1, timeout=30)
        await fake.send_message(world.channel.id, world.bob.id, "!convquiz param_count 1")
        question = bank.from_code(code_of(await fake.wait_for_message(is_question, timeout=15)))
        sent = [
            await fake.send_message(world.channel.id, member.id, question.answer_text)
            for member in members
        ]
        # Stop as soon as the first answer is acknowledged: the others are still being
        # graded and committed (a stop sent before any was read would test nothing, and
        # a process just started, compiling its modules, may not have read one yet).
        await fake.wait_for_reaction(lambda _reaction: True, start=0, timeout=30)
        process.send_signal(signum)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
    with sqlite3.connect(world.db_url.removeprefix("sqlite+aiosqlite:///")) as db:
        stored = {user for (user,) in db.execute("SELECT user_id FROM answers")}
    acknowledged = {message for _, message, _ in fake.reactions}
    by_author = {int(m["id"]): int(m["author"]["id"]) for m in sent}
    print(f"\n{len(stored)} of {ANSWERS} answers stored before the stop ({signum.name})")
    assert stored, "the stop came after every answer was stored: nothing was in flight?"
    reacted = {by_author[m] for m in acknowledged if m in by_author}
    assert reacted, "no answer got its reaction before the stop"
    assert reacted <= stored  # nothing acknowledged that is not on disk
