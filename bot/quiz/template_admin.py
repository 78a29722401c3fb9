"""A guild's own templates, administered: who may edit them, how many it may keep, and
every change (add, enable, remove, import, export, the mix).

Front ends (the ``!template`` cog) only read input and render replies; the decisions
are here. The store only stores. Every source goes through ``bot.engine.templates``
checks; a refusal quotes its error, which names the field (and line).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.engine import templates
from bot.engine.templates import TemplateError
from bot.errors import Localized
from bot.i18n.texts import t
from bot.quiz.service import NotAllowed
from bot.storage.template_store import (
    MIXES,
    Mix,
    SavedTemplate,
    StoredTemplate,
    TemplateStore,
    UnknownTemplate,
)

if TYPE_CHECKING:
    from bot.engine.templates import Template

__all__ = [
    "MAX_TEMPLATES_PER_GUILD",
    "MIXES",
    "Imported",
    "Mix",
    "NotAllowed",
    "StoredTemplate",
    "TemplateAdmin",
    "TemplateRefused",
]

MAX_TEMPLATES_PER_GUILD = 100


class TemplateRefused(Localized):
    """A template failed its checks; said as "Template refused: <reason>".

    Our own reasons are catalog keys, said in the reader's language; a ``TemplateError``
    (which field, which line) is quoted as the template checker wrote it."""

    reason: TemplateError | None = None

    @classmethod
    def quoting(cls, error: TemplateError) -> TemplateRefused:
        refused = cls("tpl.checker", detail=str(error))
        refused.reason = error
        return refused

    def said_in(self, lang: str) -> str:
        # A checker reason from the catalog is said in the reader's language too.
        if self.reason is not None:
            return t("tpl.checker", lang, detail=self.reason.said_in(lang))
        return super().said_in(lang)


@dataclass(frozen=True, slots=True)
class Imported:
    """One document of an import: saved, refused by its checks, or over the limit."""

    index: int
    template: Template | None = None
    saved: SavedTemplate | None = None
    error: TemplateError | None = None

    @property
    def full(self) -> bool:
        return self.template is not None and self.saved is None


class TemplateAdmin:
    def __init__(
        self,
        store: TemplateStore,
        clock: Callable[[], datetime],
        *,
        limit: int = MAX_TEMPLATES_PER_GUILD,
    ) -> None:
        self.store = store
        self.clock = clock
        self.limit = limit

    # --- who may ------------------------------------------------------------------------

    async def check_editor(
        self, guild_id: int, *, is_manager: bool, role_ids: Collection[int]
    ) -> None:
        """Managers (Manage Server) and members with the guild's editor role may edit."""
        if is_manager:
            return
        role = (await self.store.config(guild_id)).editor_role_id
        if role is not None and role in role_ids:
            return
        raise NotAllowed("reply.no_permission")

    # --- sources ------------------------------------------------------------------------

    @staticmethod
    def load(source: str, *, allow_links: bool = False) -> Template:
        """The template ``source`` describes, or ``TemplateRefused`` quoting why not.
        ``allow_links`` is the guild's ``template_links`` setting."""
        try:
            return templates.load_template(source, allow_links=allow_links)
        except TemplateError as error:
            raise TemplateRefused.quoting(error) from None

    async def load_for(self, guild_id: int, source: str) -> Template:
        """``load`` under the guild's own link setting."""
        config = await self.store.config(guild_id)
        return self.load(source, allow_links=config.template_links)

    # --- changes ------------------------------------------------------------------------

    async def _save(self, guild_id: int, template: Template, user_id: int) -> SavedTemplate | None:
        """Save, or None when it would be a new name in a guild already at the limit.

        The count and the save are two transactions: two admins adding at once at 99
        may end with 101. Harmless (the limit bounds work, not correctness)."""
        stored = await self.store.all(guild_id)
        is_new = all(item.name != template.name for item in stored)
        if is_new and len(stored) >= self.limit:
            return None
        return await self.store.save(guild_id, template, user_id, self.clock())

    async def add(self, guild_id: int, source: str, user_id: int) -> tuple[Template, SavedTemplate]:
        """Check and save a template (a new version if its name exists)."""
        template = await self.load_for(guild_id, source)
        saved = await self._save(guild_id, template, user_id)
        if saved is None:
            raise TemplateRefused("tpl.too_many", limit=self.limit)
        return template, saved

    async def import_(self, guild_id: int, source: str, user_id: int) -> list[Imported]:
        """Every document of a multi-template source, each saved or refused on its own."""
        config = await self.store.config(guild_id)
        try:
            results = templates.load_templates(source, allow_links=config.template_links)
        except TemplateError as error:
            raise TemplateRefused.quoting(error) from None
        imported = []
        for index, result in enumerate(results, start=1):
            if isinstance(result, TemplateError):
                imported.append(Imported(index, error=result))
            else:
                saved = await self._save(guild_id, result, user_id)
                imported.append(Imported(index, result, saved))
        return imported

    async def set_enabled(self, guild_id: int, name: str, enabled: bool) -> StoredTemplate:
        try:
            return await self.store.set_enabled(guild_id, name, enabled)
        except UnknownTemplate:
            raise TemplateRefused("tpl.unknown", name=name) from None

    async def remove(self, guild_id: int, name: str) -> None:
        # Removed meanwhile by someone else: the outcome the admin asked for anyway.
        with contextlib.suppress(UnknownTemplate):
            await self.store.remove(guild_id, name)

    async def set_mix(self, guild_id: int, mix: Mix) -> None:
        await self.store.update_config(guild_id, mix=mix)

    async def set_links(self, guild_id: int, allowed: bool, *, is_manager: bool) -> None:
        """Only managers decide whether the guild's templates may hold links."""
        if not is_manager:
            raise NotAllowed("reply.no_permission")
        await self.store.update_config(guild_id, template_links=allowed)

    async def set_editor_role(
        self, guild_id: int, role_id: int | None, *, is_manager: bool
    ) -> None:
        """Only managers appoint the editor role (``None`` leaves editing to managers)."""
        if not is_manager:
            raise NotAllowed("reply.no_permission")
        await self.store.update_config(guild_id, editor_role_id=role_id)

    # --- reading ------------------------------------------------------------------------

    async def listing(self, guild_id: int) -> tuple[list[StoredTemplate], Mix]:
        """The guild's templates by name, and its mix."""
        return await self.store.all(guild_id), (await self.store.config(guild_id)).mix

    async def saved(self, guild_id: int, name: str) -> Template:
        """The current version of a saved template."""
        try:
            return (await self.store.get(guild_id, name))[1]
        except UnknownTemplate:
            raise TemplateRefused("tpl.unknown", name=name) from None

    async def require(self, guild_id: int, name: str) -> None:
        """``TemplateRefused`` unless the guild has a template ``name``. Reads the listing
        only, so a template whose stored source no longer loads can still be removed."""
        if all(item.name != name for item in await self.store.all(guild_id)):
            raise TemplateRefused("tpl.unknown", name=name)

    async def export(self, guild_id: int, name: str | None = None) -> list[str]:
        """The YAML of one template, or of all of them, one document each."""
        names = [name] if name else [item.name for item in await self.store.all(guild_id)]
        if not names:
            raise TemplateRefused("tpl.nothing_to_export")
        return [(await self.saved(guild_id, n)).to_yaml() for n in names]
