"""Migration 0006 on a database that already holds answers: upgrading (and back) keeps
every question and answer, on SQLite too, where a table rebuild would have cascaded the
old table's drop to the answers (foreign keys are on)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from bot.storage.db import create_engine, downgrade, migrate

QUESTION = (
    "INSERT INTO questions (id, guild_id, channel_id, kind, code, difficulty, body,"
    " started_by, opened_at, deadline, status, ranked, answer_count)"
    " VALUES (1, 1, 1, 'param_count', 'PC1-1', 1, '{}', 1, :at, :at, 'closed', true, 1)"
)
ANSWER = (
    "INSERT INTO answers (id, question_id, guild_id, user_id, kind, reply, outcome, score,"
    " points, first_correct, elapsed_ms, answered_at)"
    " VALUES (1, 1, 1, 7, 'param_count', '4640', 'correct', 1.0, 20, true, 1000, :at)"
)


async def test_upgrading_from_0005_and_back_keeps_every_answer(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine, "0005")
        async with engine.begin() as connection:
            await connection.execute(text(QUESTION), {"at": datetime(2026, 12, 1, 12, 0)})
            await connection.execute(text(ANSWER), {"at": datetime(2026, 12, 1, 12, 0, 1)})
        await migrate(engine)
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM answers"))).scalar() == 1
            daily = await connection.execute(text("SELECT daily FROM questions"))
            assert [bool(row[0]) for row in daily] == [False]
        await downgrade(engine, "0005")
        await migrate(engine)
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM answers"))).scalar() == 1
    finally:
        await engine.dispose()
