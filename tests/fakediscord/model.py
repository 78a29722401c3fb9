"""State of the fake Discord: users, guilds, channels, roles, members, and the records
(messages, reactions, interaction responses ...) that tests assert on."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

JSON = dict[str, Any]

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

# Roughly what Discord gives @everyone in a new server.
DEFAULT_EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | MENTION_EVERYONE
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)

# Gateway intent bits the fake honours.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_GUILD_MESSAGE_REACTIONS = 1 << 10
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_DIRECT_MESSAGE_REACTIONS = 1 << 13
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Message flags.
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_COMPONENTS_V2 = 1 << 15

CHANNEL_TEXT = 0
CHANNEL_DM = 1


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "hoist": self.hoist,
            "managed": False,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class Channel:
    id: int
    guild_id: int | None
    name: str
    position: int = 0
    type: int = CHANNEL_TEXT
    topic: str | None = None
    recipients: list[User] = field(default_factory=list)  # DM channels only
    last_message_id: int | None = None
    overwrites: list[Overwrite] = field(default_factory=list)

    def payload(self) -> JSON:
        last = str(self.last_message_id) if self.last_message_id else None
        if self.type == CHANNEL_DM:
            return {
                "id": str(self.id),
                "type": CHANNEL_DM,
                "recipients": [u.payload() for u in self.recipients],
                "last_message_id": last,
                "flags": 0,
            }
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [o.payload() for o in self.overwrites],
            "topic": self.topic,
            "nsfw": False,
            "last_message_id": last,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }


@dataclass
class Member:
    user: User
    guild_id: int
    roles: list[int]
    joined_at: str
    nick: str | None = None

    @property
    def id(self) -> int:
        return self.user.id

    def payload(self, *, with_user: bool = True) -> JSON:
        data: JSON = {
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "nick": self.nick,
            "avatar": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        # Discord's @everyone role shares the guild's id.
        return self.roles[self.id]

    def permissions_for(self, user_id: int) -> int:
        """Guild-level permissions (the fake has no channel overwrites)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        perms = self.everyone.permissions
        member = self.members.get(user_id)
        if member is not None:
            for role_id in member.roles:
                role = self.roles.get(role_id)
                if role is not None:
                    perms |= role.permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def permissions_in(self, user_id: int, channel: Channel) -> int:
        """Permissions in a channel, overwrites applied in Discord's order: @everyone's,
        then the member's roles' (all denies, then all allows), then the member's own
        (https://discord.com/developers/docs/topics/permissions)."""
        perms = self.permissions_for(user_id)
        if perms == ALL_PERMISSIONS:
            return perms
        member = self.members.get(user_id)
        roles = set(member.roles) if member is not None else set()
        by_target = {(o.type, o.id): o for o in channel.overwrites}
        everyone = by_target.get((0, self.id))
        if everyone is not None:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for overwrite in channel.overwrites:
            if overwrite.type == 0 and overwrite.id in roles:
                allow |= overwrite.allow
                deny |= overwrite.deny
        perms = (perms & ~deny) | allow
        own = by_target.get((1, user_id))
        if own is not None:
            perms = (perms & ~own.deny) | own.allow
        return perms

    def payload(self) -> JSON:
        """The REST `GET /guilds/{id}` shape (no channels or members)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }


@dataclass
class Attachment:
    """A file the bot uploaded; `data` holds the raw bytes so tests can decode images."""

    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def payload(self, url: str) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": url,
            "proxy_url": url,
        }
        if self.content_type:
            data["content_type"] = self.content_type
        if self.description:
            data["description"] = self.description
        return data


def iter_components(components: list[JSON]) -> Iterator[JSON]:
    """Every component, depth first (action rows, containers, sections ...)."""
    for comp in components:
        yield comp
        yield from iter_components(comp.get("components") or [])
        if isinstance(comp.get("component"), dict):  # label (type 18)
            yield from iter_components([comp["component"]])
        if isinstance(comp.get("accessory"), dict):  # section accessory
            yield from iter_components([comp["accessory"]])


# Fields Discord fills in when a component comes back in a message, by component type.
_COMPONENT_DEFAULTS: dict[int, JSON] = {
    **{t: {"min_values": 1, "max_values": 1} for t in (3, 5, 6, 7, 8)},  # selects
    11: {"description": None, "spoiler": False},  # thumbnail
    14: {"divider": True, "spacing": 1},  # separator
    17: {"accent_color": None, "spoiler": False},  # container
}


def stored_components(components: list[JSON]) -> list[JSON]:
    """Components as Discord answers them: a copy, with defaults and a numeric `id` on
    each (the bot's own ids kept; the rest numbered 1, 2 ... depth first, skipping
    taken ones)."""
    out = copy.deepcopy(components)
    taken = {c["id"] for c in iter_components(out) if isinstance(c.get("id"), int)}
    next_id = 1
    for comp in iter_components(out):
        for key, value in _COMPONENT_DEFAULTS.get(int(comp.get("type") or 0), {}).items():
            comp.setdefault(key, value)
        if not isinstance(comp.get("id"), int):
            while next_id in taken:
                next_id += 1
            comp["id"] = next_id
            taken.add(next_id)
    return out


@dataclass
class SentMessage:
    """A message the bot posted (channel send, interaction response or follow-up).

    `message` is the live message object: edits through the fake update it, so the
    properties below always show the current state.
    """

    message: JSON
    source: str  # "channel" | "interaction" | "followup"
    allowed_mentions: JSON | None = None
    attachments: list[Attachment] = field(default_factory=list)
    interaction_id: int | None = None
    deleted: bool = False

    @property
    def id(self) -> int:
        return int(self.message["id"])

    @property
    def channel_id(self) -> int:
        return int(self.message["channel_id"])

    @property
    def guild_id(self) -> int | None:
        gid = self.message.get("guild_id")
        return int(gid) if gid else None

    @property
    def content(self) -> str:
        return str(self.message.get("content") or "")

    @property
    def embeds(self) -> list[JSON]:
        return list(self.message.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        return list(self.message.get("components") or [])

    @property
    def flags(self) -> int:
        return int(self.message.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def message_reference(self) -> JSON | None:
        return self.message.get("message_reference")

    @property
    def custom_ids(self) -> list[str]:
        """custom_id of every button/select in the message."""
        return [c["custom_id"] for c in iter_components(self.components) if "custom_id" in c]

    @property
    def text(self) -> str:
        """Content plus the visible text of embeds and text-display components."""
        parts = [self.content]
        for embed in self.embeds:
            parts.extend(
                str(embed[k]) for k in ("title", "description") if embed.get(k) is not None
            )
            for fld in embed.get("fields") or []:
                parts.extend([str(fld.get("name", "")), str(fld.get("value", ""))])
            if embed.get("footer"):
                parts.append(str(embed["footer"].get("text", "")))
        parts.extend(
            str(c["content"]) for c in iter_components(self.components) if c.get("type") == 10
        )
        return "\n".join(p for p in parts if p)


@dataclass
class MessageEdit:
    """One edit of a bot message (PATCH, interaction UPDATE_MESSAGE, @original edit)."""

    message_id: int
    channel_id: int
    payload: JSON
    message: JSON  # snapshot after the edit
    source: str  # "channel" | "interaction" | "webhook"


@dataclass
class InteractionResponse:
    """One POST /interactions/{id}/{token}/callback."""

    interaction_id: int
    token: str
    type: int  # 4 message, 5 deferred, 6 deferred update, 7 update, 8 autocomplete, 9 modal
    data: JSON | None
    interaction: JSON  # the INTERACTION_CREATE payload it answers
    attachments: list[Attachment] = field(default_factory=list)
    message: JSON | None = None  # message created/updated by it, if any

    @property
    def content(self) -> str:
        return str((self.data or {}).get("content") or "")

    @property
    def ephemeral(self) -> bool:
        return bool(int((self.data or {}).get("flags") or 0) & FLAG_EPHEMERAL)


@dataclass
class Identify:
    """An IDENTIFY the gateway accepted."""

    session_id: str
    intents: int
    shard: tuple[int, int] | None
    payload: JSON


class WaitTimeout(AssertionError):
    """A wait_for_* helper saw nothing matching in time (an assertion failure)."""


T = TypeVar("T")


class Feed(list[T], Generic[T]):
    """A list of records that tests can also await.

    `mark` is the index from which `wait()` looks by default; the fake moves it to the
    end of every feed just before each driving action (send_message, click_button ...),
    so `wait()` finds the reaction to that action even if it arrived before the wait
    started, and never an older one.
    """

    def __init__(self) -> None:
        super().__init__()
        self.mark = 0
        self._waiters: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = []

    def record(self, item: T) -> None:
        self.append(item)
        for entry in list(self._waiters):
            predicate, future = entry
            if future.done():
                continue
            try:
                matched = predicate(item)
            except Exception as exc:  # a broken predicate should fail the test, not hang
                future.set_exception(exc)
                continue
            if matched:
                future.set_result(item)

    async def wait(
        self,
        predicate: Callable[[T], bool] | None = None,
        *,
        # A default timeout turns a bot that never answers into a readable failure
        # instead of a hung test run.
        timeout: float = 5.0,  # noqa: ASYNC109
        start: int | None = None,
        what: str = "record",
    ) -> T:
        pred: Callable[[T], bool] = predicate or (lambda _item: True)
        begin = self.mark if start is None else start
        for item in self[begin:]:
            if pred(item):
                return item
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        entry = (pred, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            seen = "\n  ".join(repr(i) for i in self[begin:]) or "(nothing)"
            raise WaitTimeout(
                f"no matching {what} within {timeout}s; recorded since index {begin}:\n  {seen}"
            ) from None
        finally:
            self._waiters.remove(entry)
