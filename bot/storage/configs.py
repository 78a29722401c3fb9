"""Guild settings: read with defaults, change a few at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.records import GuildConfig
from bot.storage.core import Writing
from bot.storage.models import GuildSettings


async def guild_config(sessions: async_sessionmaker[AsyncSession], guild_id: int) -> GuildConfig:
    async with sessions() as session:
        row = await session.get(GuildSettings, guild_id)
        if row is None:
            return GuildConfig(guild_id)
        return GuildConfig(
            guild_id=guild_id,
            prefix=row.prefix,
            time_limit=row.time_limit,
            default_difficulty=row.default_difficulty,
            allowed_channels=tuple(row.allowed_channels or ()),
            starter_role_id=row.starter_role_id,
            language=row.language,
            pictures=row.pictures,
            game_max_count=row.game_max_count,
            game_pause=row.game_pause,
            game_moderators_only=row.game_moderators_only,
        )


async def update_config(
    writing: Writing,
    sessions: async_sessionmaker[AsyncSession],
    guild_id: int,
    changes: dict[str, Any],
) -> GuildConfig:
    allowed = {f for f in GuildConfig.__dataclass_fields__ if f != "guild_id"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    if "allowed_channels" in changes:
        changes["allowed_channels"] = list(changes["allowed_channels"])
    async with writing() as session:
        row = await session.get(GuildSettings, guild_id, with_for_update=True)
        if row is None:
            row = GuildSettings(
                guild_id=guild_id, allowed_channels=[], pictures=True, game_moderators_only=False
            )
            session.add(row)
        for name, value in changes.items():
            setattr(row, name, value)
    return await guild_config(sessions, guild_id)
