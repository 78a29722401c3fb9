"""Template administration policy on a real database: who may edit, the per-guild limit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.engine.templates import load_template
from bot.errors import Localized
from bot.quiz.service import NotAllowed
from bot.quiz.template_admin import MAX_TEMPLATES_PER_GUILD, TemplateAdmin, TemplateRefused
from bot.storage.repository import Repository
from bot.storage.template_store import TemplateStore

GUILD, ADMIN, EDITORS, OTHER_ROLE = 7, 700, 77, 78
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

SIMPLE = """
name: {name}
kind: sums
difficulty: 1
params:
  a: {{range: [1, 9]}}
prompt: "What is {{a}} + 1?"
answer: "a + 1"
answer_type: int
"""


def source(name: str) -> str:
    return SIMPLE.format(name=name)


@pytest.fixture
def store(repository: Repository) -> TemplateStore:
    return TemplateStore(repository)


@pytest.fixture
def admin(store: TemplateStore) -> TemplateAdmin:
    return TemplateAdmin(store, lambda: NOW)


async def test_a_member_without_manage_server_or_the_editor_role_is_refused(
    admin: TemplateAdmin, store: TemplateStore
) -> None:
    with pytest.raises(NotAllowed) as no_role_set:
        await admin.check_editor(GUILD, is_manager=False, role_ids=[EDITORS])
    assert no_role_set.value.key == "reply.no_permission"
    assert "Manage Server" in str(no_role_set.value)
    await store.update_config(GUILD, editor_role_id=EDITORS)
    with pytest.raises(NotAllowed) as other_role:
        await admin.check_editor(GUILD, is_manager=False, role_ids=[OTHER_ROLE])
    assert isinstance(other_role.value, Localized)
    assert other_role.value.key == "reply.no_permission"


async def test_managers_and_editor_role_members_may_edit_only_managers_appoint(
    admin: TemplateAdmin, store: TemplateStore
) -> None:
    await admin.check_editor(GUILD, is_manager=True, role_ids=[])
    await admin.set_editor_role(GUILD, EDITORS, is_manager=True)
    assert (await store.config(GUILD)).editor_role_id == EDITORS
    await admin.check_editor(GUILD, is_manager=False, role_ids=[OTHER_ROLE, EDITORS])
    with pytest.raises(NotAllowed) as appointing:
        await admin.set_editor_role(GUILD, None, is_manager=False)
    assert appointing.value.key == "reply.no_permission"
    assert (await store.config(GUILD)).editor_role_id == EDITORS  # unchanged
    # Another guild's editor role is not this one's.
    with pytest.raises(NotAllowed):
        await admin.check_editor(GUILD + 1, is_manager=False, role_ids=[EDITORS])


async def test_the_limit_refuses_the_101st_template_and_saves_nothing(
    admin: TemplateAdmin, store: TemplateStore
) -> None:
    assert MAX_TEMPLATES_PER_GUILD == 100
    for i in range(MAX_TEMPLATES_PER_GUILD):  # straight to the store
        await store.save(GUILD, load_template(source(f"t-{i:03}")), ADMIN, NOW)
    with pytest.raises(TemplateRefused) as full:
        await admin.add(GUILD, source("one-too-many"), ADMIN)
    assert full.value.key == "tpl.too_many"
    assert "100" in full.value.said_in("en")
    stored = await store.all(GUILD)
    assert len(stored) == MAX_TEMPLATES_PER_GUILD
    assert "one-too-many" not in {item.name for item in stored}

    # An import stops at the limit too, document by document.
    (imported,) = await admin.import_(GUILD, source("also-too-many"), ADMIN)
    assert imported.full and imported.saved is None
    assert len(await store.all(GUILD)) == MAX_TEMPLATES_PER_GUILD

    # A new version of a template already kept is not a new template.
    changed = source("t-000").replace("difficulty: 1", "difficulty: 2")
    _, saved = await admin.add(GUILD, changed, ADMIN)
    assert (saved.change, saved.stored.version) == ("updated", 2)
    # Another guild has its own hundred.
    _, elsewhere = await admin.add(GUILD + 1, source("one-too-many"), ADMIN)
    assert elsewhere.change == "created"


async def test_a_broken_source_is_refused_quoting_the_field_and_saves_nothing(
    admin: TemplateAdmin, store: TemplateStore
) -> None:
    with pytest.raises(TemplateRefused) as broken:
        await admin.add(GUILD, source("x").replace('answer: "a + 1"', 'answer: "9**9**9"'), ADMIN)
    assert broken.value.key == "tpl.checker" and "answer" in broken.value.said_in("en").lower()
    assert await store.all(GUILD) == []
    with pytest.raises(TemplateRefused) as unknown:
        await admin.saved(GUILD, "nope")
    assert unknown.value.key == "tpl.unknown"
    with pytest.raises(TemplateRefused) as nothing:
        await admin.export(GUILD)
    assert nothing.value.key == "tpl.nothing_to_export"


LINKED = source("linked").replace("What is {a} + 1?", "What is {a} + 1? See https://example.com")


async def test_links_are_refused_until_a_manager_allows_them_for_the_guild(
    admin: TemplateAdmin, store: TemplateStore
) -> None:
    assert (await store.config(GUILD)).template_links is False
    with pytest.raises(TemplateRefused) as refused:
        await admin.add(GUILD, LINKED, ADMIN)
    assert "https://example.com" in refused.value.said_in("en")
    japanese = refused.value.said_in("ja")
    assert "リンク" in japanese and "行目" in japanese  # the checker's reason, in Japanese
    (imported,) = await admin.import_(GUILD, LINKED, ADMIN)
    assert imported.error is not None and imported.saved is None

    with pytest.raises(NotAllowed):
        await admin.set_links(GUILD, True, is_manager=False)
    await admin.set_links(GUILD, True, is_manager=True)
    assert (await store.config(GUILD)).template_links is True
    template, saved = await admin.add(GUILD, LINKED, ADMIN)
    assert saved.change == "created" and "https://example.com" in template.sample(0).prompt
    assert (await store.config(GUILD + 1)).template_links is False  # per guild

    # Turned off again: what is saved still loads, to be asked, shown or removed.
    await admin.set_links(GUILD, False, is_manager=True)
    assert (await admin.saved(GUILD, "linked")).name == "linked"
    await admin.require(GUILD, "linked")
    with pytest.raises(TemplateRefused) as missing:
        await admin.require(GUILD, "nope")
    assert missing.value.key == "tpl.unknown"
