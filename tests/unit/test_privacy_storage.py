"""A member's own data in storage (``bot/storage/privacy.py``), on real databases:
counts, the export, and a delete after which every total equals a full rescore."""

from __future__ import annotations

import json

from helpers import GONE, GUILD_A, GUILD_B, GUILD_C, OTHER, STAYS, played
from sqlalchemy import select

from bot.storage.models import AnswerEvent, QuestionRow
from bot.storage.repository import Repository
from bot.storage.template_models import TemplateVersion


async def test_counts_name_every_row_of_the_member(repository: Repository) -> None:
    await played(repository)
    counts = await repository.privacy_counts(GONE)
    # Four answers in two guilds, each in a distinct (guild, kind) and one ISO week.
    assert (counts.answers, counts.guild_totals, counts.kind_totals) == (4, 2, 2)
    assert (counts.weekly_totals, counts.global_totals) == (2, 1)
    assert (counts.questions_started, counts.first_correct) == (2, 3)
    # One skill (every question is the article's), and no named mistake ("1" is just wrong).
    assert (counts.skill_cards, counts.skill_mistakes) == (1, 0)
    assert (await repository.privacy_counts(OTHER)).skill_mistakes == 1  # forgot the bias
    assert (await repository.privacy_counts(12345)).total == 0


async def test_the_export_holds_the_members_rows_only(repository: Repository) -> None:
    await played(repository)
    export = json.loads(json.dumps(await repository.privacy_export(GONE)))
    assert sorted(a["reply"] for a in export["answers"]) == ["1", "4640", "4640", "4640"]
    assert {a["user_id"] for a in export["answers"]} == {GONE}
    assert {row["guild_id"] for row in export["guild_totals"]} == {GUILD_A, GUILD_B}
    assert len(export["questions_started"]) == 2
    assert [(c["user_id"], c["reviews"]) for c in export["skill_cards"]] == [(GONE, 4)]
    async with repository.sessions() as session:
        stored = await session.scalar(
            select(AnswerEvent.points).where(AnswerEvent.user_id == GONE, AnswerEvent.reply == "1")
        )
    assert [a["points"] for a in export["answers"] if a["reply"] == "1"] == [stored]


async def test_delete_leaves_totals_equal_to_a_full_rescore(repository: Repository) -> None:
    await played(repository)
    untouched = await repository.totals_snapshot()
    before = await repository.privacy_delete(GONE)
    assert before.answers == 4
    after = await repository.totals_snapshot()
    assert all(GONE not in row for rows in after.values() for row in rows if rows)
    # Guild C never saw GONE: its rows are exactly as they were.
    for table in ("user_totals", "weekly_totals", "kind_totals", "points_histogram"):
        assert [r for r in after[table] if r[0] == GUILD_C] == [
            r for r in untouched[table] if r[0] == GUILD_C
        ]
    await repository.rescore()
    assert await repository.totals_snapshot() == after
    assert (await repository.privacy_counts(GONE)).total == 0
    # The others' learner model is theirs: untouched by the delete.
    assert (await repository.privacy_counts(OTHER)).skill_mistakes == 1


async def test_the_next_right_answer_inherits_first_correct(repository: Repository) -> None:
    await played(repository)
    await repository.privacy_delete(GONE)
    async with repository.sessions() as session:
        firsts = dict(
            (
                await session.execute(
                    select(QuestionRow.channel_id, QuestionRow.first_correct_user)
                )
            ).all()
        )
        starters = set(await session.scalars(select(QuestionRow.started_by)))
        counts = dict(
            (await session.execute(select(QuestionRow.channel_id, QuestionRow.answer_count))).all()
        )
        flagged = set(
            (
                await session.execute(
                    select(AnswerEvent.guild_id, AnswerEvent.user_id).where(
                        AnswerEvent.first_correct
                    )
                )
            ).all()
        )
    # The answer right after GONE's in each round is now first: STAYS, OTHER, STAYS, OTHER.
    assert firsts == {1: STAYS, 2: OTHER, 3: STAYS, 4: OTHER, 5: STAYS}
    assert counts == {1: 2, 2: 2, 3: 1, 4: 1, 5: 2}
    assert GONE not in starters and 0 in starters
    assert (GUILD_B, OTHER) in flagged and (GUILD_A, OTHER) in flagged


async def test_deleting_twice_is_harmless_and_spares_others(repository: Repository) -> None:
    await played(repository)
    others = {u: await repository.privacy_export(u) for u in (STAYS, OTHER)}
    await repository.privacy_delete(GONE)
    snapshot = await repository.totals_snapshot()
    again = await repository.privacy_delete(GONE)
    assert again.total == 0
    assert await repository.totals_snapshot() == snapshot
    for user in (STAYS, OTHER):
        kept = await repository.privacy_export(user)
        assert [a["reply"] for a in kept["answers"]] == [
            a["reply"] for a in others[user]["answers"]
        ]


async def test_template_authors_are_unnamed(repository: Repository) -> None:
    from datetime import UTC, datetime

    async with repository.sessions.begin() as session:
        session.add(
            TemplateVersion(
                guild_id=GUILD_A,
                name="t",
                version=1,
                source="x",
                digest="d" * 64,
                created_by=GONE,
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
    assert (await repository.privacy_counts(GONE)).templates_authored == 1
    assert (await repository.privacy_delete(GONE)).templates_authored == 1
    async with repository.sessions() as session:
        assert list(await session.scalars(select(TemplateVersion.created_by))) == [0]
