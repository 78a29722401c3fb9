"""The fake's world: users, guilds, channels, roles, members, messages and their indexes;
building it and looking things up in it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiohttp import web

from .http import (
    ApiError,
)
from .model import (
    CHANNEL_DM,
    DEFAULT_EVERYONE_PERMISSIONS,
    FLAG_EPHEMERAL,
    JSON,
    Attachment,
    Channel,
    Guild,
    Member,
    Overwrite,
    Role,
    SentMessage,
    User,
)
from .snowflake import SnowflakeFactory, iso_now

# Interaction types and callback types.
_APPLICATION_COMMAND = 2
_MESSAGE_COMPONENT = 3
_MODAL_SUBMIT = 5
_CB_MESSAGE, _CB_DEFERRED, _CB_DEFERRED_UPDATE, _CB_UPDATE = 4, 5, 6, 7
_CB_AUTOCOMPLETE, _CB_MODAL = 8, 9


@dataclass
class _InteractionState:
    payload: JSON
    channel_id: int
    response_type: int | None = None
    original_message_id: int | None = None
    loading: bool = False  # deferred (type 5) and not yet filled
    message_ids: list[int] = field(default_factory=list)  # original + follow-ups
    created: float = field(default_factory=time.monotonic)

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])


class StateMixin:
    """The world's data and its indexes; building it and looking things up in it."""

    def _init_state(self, bot_name: str) -> None:
        self.snowflakes = SnowflakeFactory()
        self.bot_user = User(self.snowflakes.next(), bot_name, bot=True)
        self.app_owner = User(self.snowflakes.next(), "app-owner")
        self.application_id = self.snowflakes.next()
        self.users: dict[int, User] = {u.id: u for u in (self.bot_user, self.app_owner)}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, JSON] = {}  # every message, by id
        self.attachment_files: dict[int, Attachment] = {}
        self.interactions: dict[int, _InteractionState] = {}
        # Synced application commands: guild id (None: global) -> (name, type) -> command.
        self.command_store: dict[int | None, dict[tuple[str, int], JSON]] = {}

        self._history: dict[int, list[int]] = {}  # channel id -> message ids, oldest first
        self._sent_by_id: dict[int, SentMessage] = {}
        self._by_token: dict[str, _InteractionState] = {}
        # message id -> emoji (in order of first reaction) -> users who reacted with it
        self._reactors: dict[int, dict[str, set[int]]] = {}
        self._dm_by_user: dict[int, Channel] = {}
        # Members who take no direct messages from the bot (privacy settings, a block).
        self.closed_dms: set[int] = set()
        self._modal_origin: dict[int, int] = {}  # modal submit id -> interaction that opened it

    def add_user(self, username: str, *, is_bot: bool = False) -> User:
        user = User(self.snowflakes.next(), username, bot=is_bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        preferred_locale: str = "en-US",
        *,
        owner_id: int | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        guild_id: int | None = None,
    ) -> Guild:
        """A guild with @everyone (id = guild id) and the bot as member.

        The owner has every permission; by default that is the app owner (not a
        member), so the bot and members get only what their roles grant.
        `guild_id` pins the id (e.g. to put guilds on chosen shards); default: fresh.
        """
        gid = guild_id or self.snowflakes.next()
        self.snowflakes.observe(gid)
        guild = Guild(gid, name, owner_id or self.app_owner.id, preferred_locale)
        guild.roles[gid] = Role(gid, gid, "@everyone", everyone_permissions)
        guild.members[self.bot_user.id] = Member(self.bot_user, gid, [], iso_now())
        self.guilds[gid] = guild
        return guild

    def add_channel(self, guild_id: int, name: str, *, topic: str | None = None) -> Channel:
        guild = self.guilds[guild_id]
        channel = Channel(self.snowflakes.next(), guild_id, name, len(guild.channels), topic=topic)
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        self._history[channel.id] = []
        return channel

    def set_overwrite(
        self,
        channel_id: int,
        target_id: int,
        *,
        allow: int = 0,
        deny: int = 0,
        member: bool = False,
    ) -> None:
        """Set a channel's overwrite for a role (or, ``member``, a member); no gateway
        event is sent, so a connected client learns of it only by being refused."""
        channel = self.channels[channel_id]
        kind = 1 if member else 0
        channel.overwrites = [
            o for o in channel.overwrites if (o.type, o.id) != (kind, target_id)
        ] + [Overwrite(target_id, kind, allow, deny)]

    def add_role(self, guild_id: int, name: str, permissions: int = 0) -> Role:
        guild = self.guilds[guild_id]
        role = Role(self.snowflakes.next(), guild_id, name, permissions, position=len(guild.roles))
        guild.roles[role.id] = role
        return role

    def add_member(
        self,
        guild_id: int,
        username: str,
        roles: Sequence[int | Role] = (),
        is_bot: bool = False,
        *,
        user_id: int | None = None,
        nick: str | None = None,
    ) -> Member:
        """Add a member; pass `user_id` to put an existing user in another guild."""
        guild = self.guilds[guild_id]
        user = self.users[user_id] if user_id else self.add_user(username, is_bot=is_bot)
        role_ids = [r.id if isinstance(r, Role) else int(r) for r in roles]
        unknown = [r for r in role_ids if r not in guild.roles]
        if unknown:
            raise ValueError(f"roles {unknown} are not in guild {guild_id}")
        member = Member(user, guild_id, role_ids, iso_now(), nick)
        guild.members[user.id] = member
        return member

    def dm_channel(self, user_id: int) -> Channel:
        """The bot's DM channel with a user (created on first use)."""
        channel = self._dm_by_user.get(user_id)
        if channel is None:
            user = self.users[user_id]
            channel = Channel(self.snowflakes.next(), None, "", type=CHANNEL_DM, recipients=[user])
            self._dm_by_user[user_id] = channel
            self.channels[channel.id] = channel
            self._history[channel.id] = []
        return channel

    def close_dms(self, user_id: int) -> None:
        """The member accepts no direct messages from the bot: the DM channel still
        opens, and every message sent to it is refused 403 with code 50007 (Discord's
        "Cannot send messages to this user")."""
        self.closed_dms.add(user_id)

    def dm_messages(self, user_id: int) -> list[str]:
        """The contents of what the bot sent the member by direct message, oldest first."""
        channel = self._dm_by_user.get(user_id)
        if channel is None:
            return []
        return [str(self.messages[mid]["content"]) for mid in self._history[channel.id]]

    def synced_commands(self, guild_id: int | None = None) -> list[JSON]:
        """Commands the bot registered globally (None) or for one guild."""
        return list(self.command_store.get(guild_id, {}).values())

    def _store_message(self, channel: Channel, message: JSON) -> None:
        mid = int(message["id"])
        self.messages[mid] = message
        if not int(message.get("flags") or 0) & FLAG_EPHEMERAL:
            self._history.setdefault(channel.id, []).append(mid)
            channel.last_message_id = mid

    def _channel(self, request: web.Request) -> Channel:
        channel = self.channels.get(int(request.match_info["channel_id"]))
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def _message(self, channel: Channel, message_id: str | int) -> JSON:
        message = self.messages.get(int(message_id))
        if message is None or int(message["channel_id"]) != channel.id:
            raise ApiError(404, 10008, "Unknown Message")
        if int(message.get("flags") or 0) & FLAG_EPHEMERAL:
            raise ApiError(404, 10008, "Unknown Message")  # bots cannot fetch ephemerals
        return message

    def _guild(self, request: web.Request) -> Guild:
        guild = self.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    def _require(self, channel: Channel, permissions: int) -> None:
        if channel.guild_id is None:
            return
        have = self.guilds[channel.guild_id].permissions_in(self.bot_user.id, channel)
        if have & permissions != permissions:
            raise ApiError(403, 50013, "Missing Permissions")

    def _member(self, guild: Guild, user_id: int) -> Member:
        member = guild.members.get(user_id)
        if member is None:
            raise ValueError(f"user {user_id} is not a member of guild {guild.id}")
        return member
