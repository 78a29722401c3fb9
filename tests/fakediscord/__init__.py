"""Loopback fake of Discord's REST API and gateway for end-to-end tests of the bot.

Typical use: ``async with FakeDiscord() as fake``, build a guild with ``add_guild``,
``add_channel`` and ``add_member``, then ``async with run_client(fake, bot)`` and drive
it (``await fake.send_message(channel.id, alice.id, "!ping")``) and assert on what the
bot did (``await fake.wait_for_message(lambda m: m.content == "pong")``).
"""

from .client import point_discord_at, run_client
from .gateway import GatewaySession
from .http import ApiError, RejectedRequest, json_response
from .model import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    FLAG_EPHEMERAL,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    MANAGE_GUILD,
    MANAGE_MESSAGES,
    SEND_MESSAGES,
    Attachment,
    Channel,
    Feed,
    Guild,
    Identify,
    InteractionResponse,
    Member,
    MessageEdit,
    Role,
    SentMessage,
    User,
    WaitTimeout,
)
from .server import FakeDiscord
from .snowflake import DISCORD_EPOCH_MS, SnowflakeFactory, snowflake_time

__all__ = [
    "ADMINISTRATOR",
    "ALL_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "DISCORD_EPOCH_MS",
    "FLAG_EPHEMERAL",
    "INTENT_GUILD_MEMBERS",
    "INTENT_GUILD_MESSAGES",
    "INTENT_MESSAGE_CONTENT",
    "MANAGE_GUILD",
    "MANAGE_MESSAGES",
    "SEND_MESSAGES",
    "ApiError",
    "Attachment",
    "Channel",
    "FakeDiscord",
    "Feed",
    "GatewaySession",
    "Guild",
    "Identify",
    "InteractionResponse",
    "Member",
    "MessageEdit",
    "RejectedRequest",
    "Role",
    "SentMessage",
    "SnowflakeFactory",
    "User",
    "WaitTimeout",
    "json_response",
    "point_discord_at",
    "run_client",
    "snowflake_time",
]
