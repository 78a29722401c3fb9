"""A running bot loads what it rarely needs only when it needs it.

``convquiz run`` migrates in a child process, so alembic (with mako and pygments)
never loads into the bot, nor pydantic (settings are read by hand); aiohttp's web
server and prometheus_client load only with a metrics port (none here), a bot on
SQLite (as here) holds no PostgreSQL dialect, the catalogs are read without Babel, the
template checker (with PyYAML) waits for a guild's first template, and Pillow loads
with the first picture. Checked in a real
``convquiz run`` process: its ``on_ready`` and its question posting report which of
these modules the process holds.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from harness import World, bot_env, is_question

RARELY_NEEDED = (
    "alembic",
    "mako",
    "pygments",
    "pydantic",
    "babel",
    "aiohttp.web",
    "prometheus_client",
    "sqlalchemy.dialects.postgresql",
    "yaml",
    "bot.engine.templates._load",
    "PIL",
)

# The real entry point, with two hooks that print the loaded modules as JSON lines.
REPORTING_RUN = f"""
import json, sys
import bot.discord.bot
from bot.discord.exts.quiz import _cog

def report(moment):
    held = sorted(m for m in {RARELY_NEEDED!r} if m in sys.modules)
    print(json.dumps({{"moment": moment, "held": held}}), flush=True)

on_ready = bot.discord.bot.ConvQuizBot.on_ready
async def ready_and_report(self):
    await on_ready(self)
    report("ready")
bot.discord.bot.ConvQuizBot.on_ready = ready_and_report

post = _cog.QuizCog._post
async def post_and_report(self, *args, **kwargs):
    await post(self, *args, **kwargs)
    report("question posted")
_cog.QuizCog._post = post_and_report

from bot.cli import main
sys.exit(main(["run"]))
"""


async def test_alembic_never_loads_and_pillow_waits_for_the_first_picture(
    world: World, tmp_path: Path
) -> None:
    fake = world.fake
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        REPORTING_RUN,
        env=bot_env(fake, world.db_url),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        ready = json.loads(await asyncio.wait_for(process.stdout.readline(), 60))
        assert ready == {"moment": "ready", "held": []}
        await fake.send_message(world.channel.id, world.bob.id, "!convquiz param_count 1")
        await fake.wait_for_message(is_question, timeout=15)  # the schema was migrated
        posted = json.loads(await asyncio.wait_for(process.stdout.readline(), 15))
        assert posted == {"moment": "question posted", "held": ["PIL"]}
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
