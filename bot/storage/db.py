"""Engines, sessions and migrations, the same for SQLite and PostgreSQL.

Alembic (with mako and pygments, about 11 MiB resident) is imported only to migrate;
``migrate_in_child`` migrates in a child process, so a long-running bot never loads it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.errors import StartupError, StorageError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5_000
# PostgreSQL advisory lock held while migrating (any constant shared by every process).
MIGRATION_LOCK_KEY = 0x636F6E76717A  # "convqz"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Per connection: WAL lets readers run beside the writer, NORMAL is durable with WAL
    # at a fraction of FULL's fsyncs, and the busy timeout turns lock contention into a
    # wait instead of an immediate "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``; a SQLite file's folder is created when missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def sync_engine_for(engine: AsyncEngine, *, writer: bool, connections: int = 1) -> Engine | None:
    """A synchronous engine on the same SQLite file (same pragmas), for work that runs
    whole in a thread; None for PostgreSQL and in-memory SQLite.

    Its transactions start with the first statement (the driver's own handling would
    start one only at the first write, after the reads it depends on): a writer's with
    ``BEGIN IMMEDIATE``, which takes the write lock up front (waiting up to the busy
    timeout for another process), a reader's with ``BEGIN``, one snapshot for its reads.
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    sync = create_sync_engine(url.set(drivername="sqlite"), pool_size=connections, max_overflow=0)
    event.listen(sync, "connect", _sqlite_pragmas)
    event.listen(sync, "connect", _driver_autocommit)
    event.listen(sync, "begin", _begin_immediate if writer else _begin_deferred)
    return sync


def _driver_autocommit(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _run(connection: Connection, revision: str, down: bool) -> None:
    from alembic import command

    config = alembic_config()
    # env.py uses this connection instead of making its own engine (and event loop).
    config.attributes["connection"] = connection
    if down:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (``head`` by default)."""
    await _migrating(engine, revision, down=False)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    await _migrating(engine, revision, down=True)


async def _migrating(engine: AsyncEngine, revision: str, *, down: bool) -> None:
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as connection:
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one; with foreign
            # keys on, dropping ``questions`` would cascade and delete every answer. The
            # pragma only takes effect outside a transaction, so it comes first.
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                if connection.dialect.name == "postgresql":
                    # The processes of a sharded deployment start together: one migrates,
                    # the others wait here until it commits and then find nothing to do.
                    await connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                await connection.run_sync(_run, revision, down)
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


# The child's environment variable naming the database (a URL may hold a password, so
# it is not put on the command line, where other users could read it).
MIGRATE_URL_VARIABLE = "CONVQUIZ_MIGRATE_DATABASE_URL"


def migration_failure(error: BaseException) -> str:
    """One line for a failed migration, the same in this process and in a child."""
    if isinstance(error, StorageError):
        return str(error)
    if isinstance(error, (OSError, TimeoutError)):
        return f"cannot reach the database: {error}"
    first = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
    return f"cannot prepare the database: {first}"


async def migrate_in_child(url: str, revision: str = "head") -> None:
    """``migrate`` the database at ``url`` in a child process (``bot.storage.migrate_main``),
    whose alembic, mako and pygments go away with it. An in-memory database exists only
    in this process: migrate its engine with ``migrate``.

    Raises ``StartupError`` with the child's one-line reason.
    """
    environment = {**os.environ, MIGRATE_URL_VARIABLE: url}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.storage.migrate_main",
        revision,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, stderr = await child.communicate()
    if child.returncode != 0:
        lines = stderr.decode(errors="replace").strip().splitlines()
        raise StartupError(lines[-1] if lines else f"migrating exited with {child.returncode}")
