"""A guild's templates: saved with a rising version, enabled or not, every version kept.

Sources are validated again when read back (``load_template``), so nothing that the
current validator would refuse is ever asked, even if it was stored by an older one.
Parsed templates are cached by content digest: validation samples 200 variants, which
is too slow to repeat on every ``!convquiz``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import templates
from bot.engine.templates import TemplateError
from bot.errors import StorageError
from bot.storage.core import guard
from bot.storage.repository import Repository
from bot.storage.template_models import GuildTemplate, TemplateSettings, TemplateVersion

if TYPE_CHECKING:
    from bot.engine.templates import Template

Mix = Literal["both", "builtin", "templates"]
MIXES: tuple[Mix, ...] = ("both", "builtin", "templates")
CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    guild_id: int
    name: str
    version: int
    kind: str
    difficulty: int
    enabled: bool


@dataclass(frozen=True, slots=True)
class SavedTemplate:
    stored: StoredTemplate
    change: Literal["created", "updated", "unchanged"]


@dataclass(frozen=True, slots=True)
class TemplateConfig:
    guild_id: int
    editor_role_id: int | None = None
    mix: Mix = "both"
    template_links: bool = False  # templates may hold links (masked ones never)


class UnknownTemplate(Exception):
    def __init__(self, name: str, version: int | None = None) -> None:
        super().__init__(name)
        self.name = name
        self.version = version


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _stored(row: GuildTemplate) -> StoredTemplate:
    return StoredTemplate(
        row.guild_id, row.name, row.version, row.kind, row.difficulty, row.enabled
    )


class TemplateStore:
    def __init__(self, repository: Repository) -> None:
        self.sessions: async_sessionmaker[AsyncSession] = repository.sessions
        self._parsed: dict[str, Template] = {}

    def _parse(self, source: str, version: int) -> Template:
        key = f"{_digest(source)}:{version}"
        template = self._parsed.get(key)
        if template is None:
            # Saved sources passed the guild's link setting when they were saved; a
            # later change of the setting applies to new saves, not to what is stored.
            template = templates.load_template(source, allow_links=True).with_version(version)
            if len(self._parsed) >= CACHE_SIZE:
                self._parsed.pop(next(iter(self._parsed)))
            self._parsed[key] = template
        return template

    @guard
    async def save(
        self, guild_id: int, template: Template, user_id: int, now: datetime
    ) -> SavedTemplate:
        """Add a template, or store a new version of the one with its name. How many a
        guild may keep is ``bot.quiz.template_admin``'s decision, not the store's."""
        source = template.to_yaml()
        digest = _digest(source)
        try:
            async with self.sessions.begin() as session:
                row = await session.get(
                    GuildTemplate, (guild_id, template.name), with_for_update=True
                )
                if row is not None:
                    current = await session.get(
                        TemplateVersion, (guild_id, template.name, row.version)
                    )
                    if current is not None and current.digest == digest:
                        return SavedTemplate(_stored(row), "unchanged")
                    row.version += 1
                    row.kind, row.difficulty = template.kind, template.difficulty
                    row.updated_by, row.updated_at = user_id, now
                    change: Literal["created", "updated"] = "updated"
                else:
                    row = GuildTemplate(
                        guild_id=guild_id,
                        name=template.name,
                        version=1,
                        kind=template.kind,
                        difficulty=template.difficulty,
                        enabled=True,
                        updated_by=user_id,
                        updated_at=now,
                    )
                    session.add(row)
                    change = "created"
                session.add(
                    TemplateVersion(
                        guild_id=guild_id,
                        name=template.name,
                        version=row.version,
                        source=source,
                        digest=digest,
                        created_by=user_id,
                        created_at=now,
                    )
                )
                await session.flush()
                return SavedTemplate(_stored(row), change)
        except IntegrityError:
            # Two admins saved the same new name at once; the other one won.
            raise StorageError(
                "someone else saved that template at the same time; try again"
            ) from None

    @guard
    async def all(self, guild_id: int) -> list[StoredTemplate]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(GuildTemplate)
                .where(GuildTemplate.guild_id == guild_id)
                .order_by(GuildTemplate.name)
            )
            return [_stored(row) for row in rows]

    @guard
    async def get(
        self, guild_id: int, name: str, version: int | None = None
    ) -> tuple[StoredTemplate, Template]:
        """The template (its current version unless ``version`` is given)."""
        async with self.sessions() as session:
            row = await session.get(GuildTemplate, (guild_id, name))
            if row is None:
                raise UnknownTemplate(name)
            wanted = version or row.version
            stored = await session.get(TemplateVersion, (guild_id, name, wanted))
            if stored is None:
                raise UnknownTemplate(name, version)
            source = stored.source
        try:
            return _stored(row), self._parse(source, wanted)
        except TemplateError as error:
            raise UnknownTemplate(name, version) from error

    @guard
    async def enabled(self, guild_id: int) -> list[StoredTemplate]:
        return [t for t in await self.all(guild_id) if t.enabled]

    @guard
    async def set_enabled(self, guild_id: int, name: str, enabled: bool) -> StoredTemplate:
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(GuildTemplate)
                .where(GuildTemplate.guild_id == guild_id, GuildTemplate.name == name)
                .values(enabled=enabled)
                .returning(GuildTemplate.name)
            )
            if result.first() is None:
                raise UnknownTemplate(name)
            row = await session.get(GuildTemplate, (guild_id, name))
            assert row is not None
            await session.refresh(row)
            return _stored(row)

    @guard
    async def remove(self, guild_id: int, name: str) -> None:
        """Forget a template and its versions; questions already asked keep their text."""
        async with self.sessions.begin() as session:
            result = await session.execute(
                delete(GuildTemplate)
                .where(GuildTemplate.guild_id == guild_id, GuildTemplate.name == name)
                .returning(GuildTemplate.name)
            )
            if result.first() is None:
                raise UnknownTemplate(name)
            await session.execute(
                delete(TemplateVersion).where(
                    TemplateVersion.guild_id == guild_id, TemplateVersion.name == name
                )
            )

    @guard
    async def config(self, guild_id: int) -> TemplateConfig:
        async with self.sessions() as session:
            row = await session.get(TemplateSettings, guild_id)
            if row is None:
                return TemplateConfig(guild_id)
            mix: Mix = next((m for m in MIXES if m == row.mix), "both")
            return TemplateConfig(guild_id, row.editor_role_id, mix, bool(row.template_links))

    @guard
    async def update_config(
        self,
        guild_id: int,
        *,
        editor_role_id: int | Literal[False] | None = False,
        mix: Mix | None = None,
        template_links: bool | None = None,
    ) -> TemplateConfig:
        """Change what is given; ``editor_role_id=None`` clears the role."""
        async with self.sessions.begin() as session:
            row = await session.get(TemplateSettings, guild_id, with_for_update=True)
            if row is None:
                row = TemplateSettings(guild_id=guild_id, mix="both", template_links=False)
                session.add(row)
            if editor_role_id is not False:
                row.editor_role_id = editor_role_id
            if mix is not None:
                row.mix = mix
            if template_links is not None:
                row.template_links = template_links
        return await self.config(guild_id)
