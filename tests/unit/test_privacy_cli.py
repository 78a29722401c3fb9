"""``convquiz privacy delete USER_ID``: the host acting on a member's request, through
the same code path as ``/privacy delete``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from helpers import GONE, STAYS, played

from bot.cli import main
from bot.storage.db import create_engine, migrate
from bot.storage.repository import Repository


async def _prepare(url: str) -> None:
    engine = create_engine(url)
    await migrate(engine)
    await played(Repository(engine))
    await engine.dispose()


async def _state(
    url: str,
) -> tuple[int, dict[str, list[tuple[object, ...]]], dict[str, list[tuple[object, ...]]]]:
    engine = create_engine(url)
    repository = Repository(engine)
    left = (await repository.privacy_counts(GONE)).total
    live = await repository.totals_snapshot()
    await repository.rescore()
    rebuilt = await repository.totals_snapshot()
    await engine.dispose()
    return left, live, rebuilt


def test_the_host_deletes_a_member_from_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/convquiz.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    asyncio.run(_prepare(url))

    assert main(["privacy", "export", str(GONE)]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["user_id"] == GONE and len(exported["answers"]) == 4

    assert main(["privacy", "delete", str(GONE)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"user {GONE}: deleted 4 answers, 2 guild") and "\n" not in line
    left, live, rebuilt = asyncio.run(_state(url))
    assert left == 0 and live == rebuilt
    assert any(row[1] == STAYS for row in live["user_totals"])

    assert main(["privacy", "delete", str(GONE)]) == 0
    assert capsys.readouterr().out.startswith(f"user {GONE}: deleted 0 answers, 0 guild")
