"""Migrating in a child process: the schema arrives, a failure comes back as one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.errors import StartupError
from bot.storage.db import alembic_config, migrate_in_child


async def test_a_child_process_brings_the_schema_to_head(tmp_path: Path) -> None:
    path = tmp_path / "child.db"
    await migrate_in_child(f"sqlite+aiosqlite:///{path}")
    with sqlite3.connect(path) as connection:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert {"questions", "answers", "user_totals"} <= tables


async def test_an_unreachable_database_is_one_line_from_the_child() -> None:
    # Port 9 (discard) on loopback: nothing listens there.
    with pytest.raises(StartupError) as raised:
        await migrate_in_child("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    assert str(raised.value).startswith("cannot reach the database")
    assert "\n" not in str(raised.value)
