"""JSON the fake builds: the bot's user and application, READY and GUILD_CREATE, mentions,
attachment URLs, emoji, interaction metadata and resolved data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from .gateway import GatewaySession
from .model import (
    ALL_PERMISSIONS,
    INTENT_GUILD_MEMBERS,
    INTENT_MESSAGE_CONTENT,
    JSON,
    Attachment,
    Guild,
)
from .state import _APPLICATION_COMMAND, _MESSAGE_COMPONENT, _MODAL_SUBMIT, _InteractionState

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


class PayloadsMixin:
    """JSON the fake builds: the bot's user and application, READY and GUILD_CREATE, mentions,
    attachment URLs, emoji, interaction metadata and resolved data.
    """

    @property
    def application_flags(self) -> int:
        # The *_LIMITED flags say which privileged intents an unverified app may use.
        flags = 0
        if self.privileged_intents & (1 << 8):
            flags |= 1 << 13
        if self.privileged_intents & INTENT_GUILD_MEMBERS:
            flags |= 1 << 15
        if self.privileged_intents & INTENT_MESSAGE_CONTENT:
            flags |= 1 << 19
        return flags

    def _me_payload(self) -> JSON:
        return {
            **self.bot_user.payload(),
            "verified": True,
            "mfa_enabled": False,
            "locale": "en-US",
        }

    def ready_payload(self, session: GatewaySession) -> JSON:
        assert session.identify is not None
        data: JSON = {
            "v": 10,
            "user": self._me_payload(),
            "guilds": [
                {"id": str(g.id), "unavailable": True}
                for g in self.guilds.values()
                if session.covers_guild(g.id)
            ],
            "session_id": session.identify.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["fakediscord"],
        }
        if session.shard is not None:
            data["shard"] = list(session.shard)
        return data

    def guild_create_payload(self, guild: Guild, session: GatewaySession) -> JSON:
        # Without GUILD_MEMBERS Discord sends only the bot's own member, while
        # member_count stays the real size. With it, all members and a matching count,
        # so discord.py sees the guild as chunked and does not wait for chunks.
        if session.intents & INTENT_GUILD_MEMBERS:
            members = list(guild.members.values())
        else:
            members = [guild.members[self.bot_user.id]]
        return {
            **guild.payload(),
            "joined_at": guild.members[self.bot_user.id].joined_at,
            "large": False,
            "unavailable": False,
            "lazy": True,
            "member_count": len(guild.members),
            "members": [m.payload() for m in members],
            "channels": [c.payload() for c in guild.channels.values()],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def _shape_message(self, session: GatewaySession, message: JSON) -> JSON:
        """Blank what the MESSAGE_CONTENT intent guards, with Discord's exceptions."""
        if session.intents & INTENT_MESSAGE_CONTENT or not message.get("guild_id"):
            return message
        me = str(self.bot_user.id)
        if message["author"]["id"] == me or any(u["id"] == me for u in message["mentions"]):
            return message
        blank = dict(message, content="", embeds=[], attachments=[], components=[])
        blank.pop("poll", None)
        return blank

    def _attachment_url(self, channel_id: int, att: Attachment) -> str:
        return f"{self.base_url}/attachments/{channel_id}/{att.id}/{quote(att.filename)}"

    def _mentions(self, guild: Guild | None, content: str, allowed: JSON | None) -> JSON:
        parse = None if allowed is None else set(allowed.get("parse") or [])
        allowed_users = {int(u) for u in (allowed or {}).get("users") or []}
        allowed_roles = {int(r) for r in (allowed or {}).get("roles") or []}
        mentions: list[JSON] = []
        for uid in dict.fromkeys(int(m) for m in _USER_MENTION.findall(content)):
            user = self.users.get(uid)
            if user is None:
                continue
            if parse is not None and "users" not in parse and uid not in allowed_users:
                continue  # allowed_mentions forbids pinging this user
            data = user.payload()
            if guild is not None and uid in guild.members:
                data["member"] = guild.members[uid].payload(with_user=False)
            mentions.append(data)
        roles = [
            rid
            for rid in dict.fromkeys(_ROLE_MENTION.findall(content))
            if guild is not None
            and int(rid) in guild.roles
            and (parse is None or "roles" in parse or int(rid) in allowed_roles)
        ]
        everyone = ("@everyone" in content or "@here" in content) and (
            parse is None or "everyone" in parse
        )
        return {"mentions": mentions, "mention_roles": roles, "mention_everyone": everyone}

    @staticmethod
    def _emoji_payload(emoji: str) -> JSON:
        # Custom emoji arrive as "name:id", "a:name:id" or (from "<:name:id>") ":name:id".
        parts = [p for p in emoji.split(":") if p]
        if len(parts) >= 2 and parts[-1].isdigit():
            return {"id": parts[-1], "name": parts[-2]}
        return {"id": None, "name": emoji}

    def _interaction_metadata(self, state: _InteractionState) -> JSON:
        user = state.payload.get("member", {}).get("user") or state.payload.get("user")
        kind = state.payload["type"]
        metadata: JSON = {
            "id": str(state.id),
            "type": kind,
            "user": user,
            "authorizing_integration_owners": state.payload["authorizing_integration_owners"],
        }
        if kind == _APPLICATION_COMMAND:
            metadata["name"] = state.payload["data"]["name"]
        if kind == _MESSAGE_COMPONENT and state.payload.get("message"):
            metadata["interacted_message_id"] = state.payload["message"]["id"]
        origin = self.interactions.get(self._modal_origin.get(state.id, 0))
        if kind == _MODAL_SUBMIT and origin is not None:
            # A modal submit names the command or click that opened the modal.
            metadata["triggering_interaction_metadata"] = self._interaction_metadata(origin)
        return metadata

    def _interaction_message_extra(self, state: _InteractionState) -> JSON:
        """Fields Discord adds to messages made by an interaction response/follow-up."""
        return {
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
            "interaction_metadata": self._interaction_metadata(state),
        }

    def _resolved(self, guild: Guild | None, kind: int, ids: Sequence[int]) -> JSON:
        """`resolved` data for user (6), channel (7), role (8), mentionable (9) ids."""
        resolved: JSON = {}
        for oid in ids:
            if kind in (6, 9) and oid in self.users:
                resolved.setdefault("users", {})[str(oid)] = self.users[oid].payload()
                if guild is not None and oid in guild.members:
                    member = guild.members[oid].payload(with_user=False)
                    member["permissions"] = str(guild.permissions_for(oid))
                    resolved.setdefault("members", {})[str(oid)] = member
            elif kind in (8, 9) and guild is not None and oid in guild.roles:
                resolved.setdefault("roles", {})[str(oid)] = guild.roles[oid].payload()
            elif kind == 7 and oid in self.channels:
                perms = guild.permissions_for(self.bot_user.id) if guild else ALL_PERMISSIONS
                channel = {**self.channels[oid].payload(), "permissions": str(perms)}
                resolved.setdefault("channels", {})[str(oid)] = channel
            else:
                raise ValueError(f"cannot resolve id {oid} for option type {kind}")
        return resolved
