"""The answer writer's warm-up batch (``AnswerWriter.warm_up``): a throwaway question,
opened in the caller's transaction (which rolls it back), and answers that take a batch
through every statement it can run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from bot.engine import bank
from bot.engine.question import Grade, format_answer, pack, question_to_dict
from bot.records import OpenQuestion
from bot.storage.core import QUESTIONS


def open_throwaway_question(connection: Connection) -> tuple[OpenQuestion, list[tuple[str, Grade]]]:
    """Insert an open question in ``connection``'s transaction; with four graded replies
    for it: a named mistake, then the first right answer and two more named mistakes."""
    now = datetime.now(UTC)
    deadline = now + timedelta(hours=1)
    question = bank.generate(bank.KINDS[0], 0, 1)
    row = {
        "guild_id": 0,
        "channel_id": 0,
        "kind": question.kind,
        "code": question.code,
        "difficulty": question.difficulty,
        "body": question_to_dict(question),
        "started_by": 0,
        "opened_at": now,
        "deadline": deadline,
        "status": "open",
        "ranked": True,
        "answer_count": 0,
    }
    question_id = connection.execute(
        insert(QUESTIONS).values(row).returning(QUESTIONS.c.id)
    ).scalar_one()
    opened = OpenQuestion(
        id=question_id,
        guild_id=0,
        channel_id=0,
        message_id=None,
        packed=pack(question),
        started_by=0,
        opened_at=now,
        deadline=deadline,
        ranked=True,
        status="open",
    )
    mistaken = format_answer(replace(question.answer, value=question.mistakes[0].value))
    replies = (mistaken, question.answer_text, mistaken, mistaken)
    return opened, [(reply, bank.grade(question, reply)) for reply in replies]
