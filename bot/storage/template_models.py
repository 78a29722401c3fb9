"""Tables of admin-written question templates: every version kept, one current."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, UTCDateTime


class GuildTemplate(Base):
    """A guild's template by name: its current version and whether it is asked."""

    __tablename__ = "guild_templates"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    difficulty: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TemplateVersion(Base):
    """Append-only: the source of every version, so old codes can still be replayed."""

    __tablename__ = "template_versions"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TemplateSettings(Base):
    """Per guild: who may edit templates, and what ``!convquiz`` draws from."""

    __tablename__ = "template_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    editor_role_id: Mapped[int | None] = mapped_column(BigInteger)
    # "both": built-in families and enabled templates; "builtin"; "templates".
    mix: Mapped[str] = mapped_column(String(12), server_default=text("'both'"))
    # Whether the guild's templates may hold links (the template check takes it).
    template_links: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
