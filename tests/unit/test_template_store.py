"""Guild templates in the database: versions, enabling, the mix, replays by code."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bot.engine import bank
from bot.engine.templates import load_template
from bot.quiz.service import QuizService
from bot.storage.repository import Repository
from bot.storage.template_store import TemplateStore, UnknownTemplate

GUILD, CHANNEL, ADMIN = 7, 70, 700
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

POOLING = """
name: maxpool
kind: pooling
difficulty: 1
params:
  n: {range: [8, 64], step: 2}
prompt: "A {n}×{n} feature map goes through 2×2 max pooling with stride 2. Output size?"
answer: "pool_output_size(n, 2)"
answer_type: square
explanation: "Each 2×2 window becomes one pixel: {n} / 2 = {answer}."
mistakes:
  - {name: kept-size, answer: "n", score: 0, feedback: "Pooling with stride 2 halves the size."}
"""


def brute_pool(n: int, k: int = 2, s: int = 2) -> int:
    return sum(1 for start in range(0, n - k + 1, s))


@pytest.fixture
def store(repository: Repository) -> TemplateStore:
    return TemplateStore(repository)


async def test_saving_again_raises_the_version_only_when_the_content_changes(
    store: TemplateStore,
) -> None:
    template = load_template(POOLING)
    first = await store.save(GUILD, template, ADMIN, NOW)
    same = await store.save(GUILD, template, ADMIN, NOW)
    changed = await store.save(
        GUILD, load_template(POOLING.replace("difficulty: 1", "difficulty: 2")), ADMIN, NOW
    )
    assert (first.change, first.stored.version) == ("created", 1)
    assert (same.change, same.stored.version) == ("unchanged", 1)
    assert (changed.change, changed.stored.version) == ("updated", 2)
    _, old = await store.get(GUILD, "maxpool", version=1)
    _, new = await store.get(GUILD, "maxpool")
    assert (old.difficulty, new.difficulty) == (1, 2)
    assert [t.name for t in await store.all(GUILD)] == ["maxpool"]
    assert await store.all(GUILD + 1) == []  # templates belong to one guild


async def test_a_template_question_is_asked_graded_and_replayed_by_code(
    repository: Repository,
    store: TemplateStore,
) -> None:
    await store.save(GUILD, load_template(POOLING), ADMIN, NOW)
    service = QuizService(repository, templates=store, clock=lambda: NOW, rng=random.Random(3))
    opened = await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=1, template="maxpool")
    question = opened.question
    assert question.kind == "pooling" and question.code.endswith("v1")
    assert opened.template_name == "maxpool" and opened.template_version == 1
    n = question.params["n"]
    assert isinstance(n, int)
    side = brute_pool(n)
    outcome = await service.answer(CHANNEL, 2, f"{side}x{side}")
    assert outcome is not None and outcome.grade is not None and outcome.grade.outcome == "correct"
    wrong = await service.answer(CHANNEL, 3, f"{n}")
    assert wrong is not None and wrong.grade is not None and wrong.grade.mistake == "kept-size"
    await service.stop(CHANNEL, 1, is_moderator=True)

    # A new version does not change what the old code means.
    await store.save(
        GUILD, load_template(POOLING.replace("range: [8, 64]", "range: [100, 200]")), ADMIN, NOW
    )
    replay = await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=1, code=question.code)
    assert not replay.ranked and replay.question.params["n"] == n
    assert replay.question.prompt == question.prompt


async def test_the_mix_decides_what_a_bare_convquiz_asks(
    repository: Repository,
    store: TemplateStore,
) -> None:
    service = QuizService(repository, templates=store, clock=lambda: NOW, rng=random.Random(5))
    await store.update_config(GUILD, mix="templates")
    with pytest.raises(bank.QuizError, match="none is enabled"):
        await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=1)
    await store.save(GUILD, load_template(POOLING), ADMIN, NOW)
    kinds = set()
    for channel in range(10):
        opened = await service.start(guild_id=GUILD, channel_id=100 + channel, user_id=1)
        kinds.add(opened.question.kind)
    assert kinds == {"pooling"}
    await store.set_enabled(GUILD, "maxpool", False)
    with pytest.raises(bank.QuizError, match="disabled"):
        await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=1, template="maxpool")
    await store.update_config(GUILD, mix="both")
    await store.set_enabled(GUILD, "maxpool", True)
    seen = set()
    for channel in range(40):
        opened = await service.start(guild_id=GUILD, channel_id=200 + channel, user_id=1)
        seen.add(opened.question.kind)
    assert "pooling" in seen and seen & set(bank.KINDS)


async def test_removing_forgets_the_template(store: TemplateStore) -> None:
    await store.save(GUILD, load_template(POOLING), ADMIN, NOW)
    await store.remove(GUILD, "maxpool")
    with pytest.raises(UnknownTemplate):
        await store.get(GUILD, "maxpool")
    with pytest.raises(UnknownTemplate):
        await store.remove(GUILD, "maxpool")
