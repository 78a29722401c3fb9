"""Shared fixtures: real databases (a SQLite file always, PostgreSQL when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.db import create_engine, migrate
from bot.storage.repository import Repository

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgres"] if PG_URL else ["sqlite"]


async def _create_pg_database() -> str:
    """A fresh, empty PostgreSQL database for one test; its URL."""
    import asyncpg

    url = make_url(PG_URL)
    name = f"convquiz_t_{uuid.uuid4().hex[:12]}"
    try:
        connection = await asyncpg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            database=url.database or "postgres",
        )
    except (OSError, asyncpg.PostgresError) as error:
        pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {error}")
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_pg_database(test_url: str) -> None:
    import asyncpg

    url = make_url(PG_URL)
    name = make_url(test_url).database
    connection = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: os.PathLike[str]
) -> AsyncIterator[str]:
    """The URL of an empty database (not migrated) on each configured backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/convquiz.db"
        return
    url = await _create_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(url)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await migrate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def repository(engine: AsyncEngine) -> Repository:
    return Repository(engine)


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI") and not PG_URL:
        raise pytest.UsageError("CI must set TEST_DATABASE_URL so PostgreSQL tests run")
