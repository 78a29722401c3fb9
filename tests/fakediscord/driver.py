"""What a test does as a user: send messages, react, click buttons, pick from selects, invoke
slash commands, submit modals.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Sequence
from typing import Any

from .model import (
    ALL_PERMISSIONS,
    JSON,
    Attachment,
    Channel,
    Guild,
    InteractionResponse,
    iter_components,
)
from .state import (
    _APPLICATION_COMMAND,
    _CB_MODAL,
    _MESSAGE_COMPONENT,
    _MODAL_SUBMIT,
)

_OPTION_TYPES = {bool: 5, int: 4, float: 10, str: 3}
_SELECT_TYPES = {3, 5, 6, 7, 8}


class DriverMixin:
    """What a test does as a user: send messages, react, click buttons, pick from selects,
    invoke slash commands, submit modals.
    """

    async def send_message(
        self,
        channel_id: int,
        author_id: int,
        content: str,
        *,
        reply_to: int | None = None,
        embeds: list[JSON] | None = None,
        files: Sequence[tuple[str, bytes]] = (),
    ) -> JSON:
        """A user types a message in a channel (optionally with files attached, served
        from the fake's CDN route like Discord's): stored, then MESSAGE_CREATE."""
        self._mark()
        channel = self.channels[channel_id]
        author = self.users[author_id]
        if channel.guild_id is not None:
            self._member(self.guilds[channel.guild_id], author_id)
        payload: JSON = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            payload["message_reference"] = {"message_id": str(reply_to)}
        attachments = []
        for filename, data in files:
            attachment = Attachment(self.snowflakes.next(), filename, data, "text/yaml")
            self.attachment_files[attachment.id] = attachment
            attachments.append(attachment)
        message = self._new_message(channel, author, payload, attachments)
        await self._broadcast_message("MESSAGE_CREATE", message)
        return message

    async def add_reaction(
        self, channel_id: int, message_id: int, user_id: int, emoji: str
    ) -> None:
        """A user reacts to a message: MESSAGE_REACTION_ADD."""
        self._mark()
        message = self.messages[message_id]
        if int(message["channel_id"]) != channel_id:
            raise ValueError(f"message {message_id} is not in channel {channel_id}")
        if self._set_reaction(message, emoji, user_id, add=True):
            await self._dispatch_reaction("MESSAGE_REACTION_ADD", message, emoji, user_id)

    def _interaction_payload(
        self,
        itype: int,
        channel: Channel,
        user_id: int,
        data: JSON,
        *,
        message: JSON | None = None,
        locale: str = "en-US",
    ) -> JSON:
        iid = self.snowflakes.next()  # fresh: discord.py treats old ids as expired
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": secrets.token_urlsafe(48),
            "version": 1,
            "data": data,
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if channel.guild_id is not None:
            guild = self.guilds[channel.guild_id]
            member = self._member(guild, user_id)
            perms = guild.permissions_for(user_id)
            channel_data = {**channel.payload(), "permissions": str(perms)}
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                guild_locale=guild.preferred_locale,
                channel=channel_data,
                member={**member.payload(), "permissions": str(perms)},
                app_permissions=str(guild.permissions_for(self.bot_user.id)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=self.users[user_id].payload(),
                app_permissions=str(ALL_PERMISSIONS),
                authorizing_integration_owners={"0": str(user_id)},
                context=1,
            )
        if message is not None:
            payload["message"] = message
        return payload

    async def click_button(
        self, message_id: int, custom_id: str, user_id: int, *, locale: str = "en-US"
    ) -> JSON:
        """A user clicks a button: INTERACTION_CREATE type 3 (the interaction payload)."""
        return await self._component(message_id, custom_id, user_id, None, locale)

    async def select(
        self,
        message_id: int,
        custom_id: str,
        user_id: int,
        values: Sequence[str | int],
        *,
        locale: str = "en-US",
    ) -> JSON:
        """A user picks values in a select menu (string, user, role, channel ...)."""
        picked = [str(v) for v in values]
        return await self._component(message_id, custom_id, user_id, picked, locale)

    async def _component(
        self,
        message_id: int,
        custom_id: str,
        user_id: int,
        values: list[str] | None,
        locale: str,
    ) -> JSON:
        self._mark()
        message = self.messages.get(message_id)
        if message is None:
            raise ValueError(f"unknown message {message_id}")
        comp = next(
            (
                c
                for c in iter_components(message.get("components") or [])
                if c.get("custom_id") == custom_id
            ),
            None,
        )
        if comp is None:
            raise ValueError(f"message {message_id} has no component {custom_id!r}")
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; users cannot use it")
        ctype = int(comp["type"])
        data: JSON = {"custom_id": custom_id, "component_type": ctype}
        if values is None:
            if ctype != 2:
                raise ValueError(f"{custom_id!r} is component type {ctype}; use select()")
        else:
            if ctype not in _SELECT_TYPES:
                raise ValueError(f"{custom_id!r} is component type {ctype}, not a select")
            lo, hi = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
            if not lo <= len(values) <= hi:
                raise ValueError(f"select {custom_id!r} takes {lo}-{hi} values, got {values}")
            if ctype == 3:
                offered = {o["value"] for o in comp.get("options") or []}
                if not set(values) <= offered:
                    raise ValueError(f"values {values} not among options {sorted(offered)}")
            else:
                channel = self.channels[int(message["channel_id"])]
                guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
                kind = {5: 6, 6: 8, 7: 9, 8: 7}[ctype]
                data["resolved"] = self._resolved(guild, kind, [int(v) for v in values])
            data["values"] = values
        channel = self.channels[int(message["channel_id"])]
        payload = self._interaction_payload(
            _MESSAGE_COMPONENT,
            channel,
            user_id,
            data,
            message=copy.deepcopy(message),
            locale=locale,
        )
        return await self._dispatch_interaction(payload)

    def find_command(self, name: str, guild_id: int | None = None, ctype: int = 1) -> JSON | None:
        """A synced command by name: the guild's own first, then the global one."""
        if guild_id is not None:
            cmd = self.command_store.get(guild_id, {}).get((name, ctype))
            if cmd is not None:
                return cmd
        return self.command_store.get(None, {}).get((name, ctype))

    def _slash_options(
        self, guild: Guild | None, declared: list[JSON], options: Any
    ) -> tuple[list[JSON], JSON]:
        """Options as Discord sends them, plus `resolved` for user/role/channel values."""
        if options is None:
            return [], {}
        if isinstance(options, list):
            return options, {}  # already in wire format
        types = {o["name"]: int(o["type"]) for o in declared}
        out: list[JSON] = []
        resolved: JSON = {}
        for name, value in dict(options).items():
            otype = types.get(name) or _OPTION_TYPES.get(type(value), 3)
            if declared and name not in types:
                raise ValueError(f"command has no option {name!r}; it has {sorted(types)}")
            wire: Any = value
            if otype in (6, 7, 8, 9):
                oid = int(getattr(value, "id", None) or value)  # an id or a discord object
                for k, v in self._resolved(guild, otype, [oid]).items():
                    resolved.setdefault(k, {}).update(v)
                wire = str(oid)
            out.append({"name": name, "type": otype, "value": wire})
        return out, resolved

    async def invoke_slash(
        self,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        name: str,
        options: dict[str, Any] | list[JSON] | None = None,
        locale: str = "en-US",
    ) -> JSON:
        """A user runs a slash command: INTERACTION_CREATE type 2.

        `name` may hold subcommands ("quiz start"). `options` is a {name: value} dict
        (types taken from the synced command; users/roles/channels by id) or a list in
        wire format. discord.py finds the command by `data.name` and `data.guild_id`
        (set only for guild-registered commands), so the command must be synced first
        for guild-only commands; unsynced names get a made-up id and no guild_id.
        """
        self._mark()
        channel = self.channels[channel_id]
        if channel.guild_id != guild_id:
            raise ValueError(f"channel {channel_id} is not in guild {guild_id}")
        guild = self.guilds.get(guild_id) if guild_id is not None else None
        root, *path = name.split()
        command = self.find_command(root, guild_id)
        declared: list[JSON] = command.get("options", []) if command else []
        for segment in path:  # walk down subcommand groups / subcommands
            sub = next((o for o in declared if o["name"] == segment), None)
            declared = (sub or {}).get("options", [])
        leaf, resolved = self._slash_options(guild, declared, options)
        for segment, kind in zip(
            reversed(path), [1] + [2] * (len(path) - 1), strict=False
        ):  # innermost is a subcommand (1), outer ones are groups (2)
            leaf = [{"name": segment, "type": kind, "options": leaf}]
        data: JSON = {
            "id": command["id"] if command else str(self.snowflakes.next()),
            "name": root,
            "type": 1,
            "options": leaf,
        }
        if resolved:
            data["resolved"] = resolved
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        payload = self._interaction_payload(
            _APPLICATION_COMMAND, channel, user_id, data, locale=locale
        )
        return await self._dispatch_interaction(payload)

    async def submit_modal(
        self, response: InteractionResponse, values: dict[str, str | list[str]]
    ) -> JSON:
        """The user fills in and submits the modal the bot opened (callback type 9)."""
        self._mark()
        if response.type != _CB_MODAL or response.data is None:
            raise ValueError("that interaction response did not open a modal")
        unused = set(values)

        def answer(components: list[JSON]) -> list[JSON]:
            out: list[JSON] = []
            for comp in components:
                kind = comp.get("type")
                if kind == 1:
                    out.append({"type": 1, "components": answer(comp.get("components") or [])})
                elif kind == 18 and isinstance(comp.get("component"), dict):  # label
                    inner = answer([comp["component"]])
                    if inner:
                        out.append({"type": 18, "id": comp.get("id"), "component": inner[0]})
                elif "custom_id" in comp:
                    cid = comp["custom_id"]
                    unused.discard(cid)
                    if kind == 4:
                        value = str(values.get(cid, comp.get("value") or ""))
                        lo, hi = comp.get("min_length") or 0, comp.get("max_length") or 4000
                        if comp.get("required", True) and not value:
                            raise ValueError(f"text input {cid!r} is required")
                        if value and not lo <= len(value) <= hi:
                            raise ValueError(f"text input {cid!r} takes {lo}-{hi} characters")
                        out.append({"type": 4, "custom_id": cid, "value": value})
                    else:
                        picked = values.get(cid, [])
                        out.append({"type": kind, "custom_id": cid, "values": list(picked)})
            return out

        data = {
            "custom_id": response.data["custom_id"],
            "components": answer(response.data.get("components") or []),
        }
        if unused:
            raise ValueError(f"the modal has no inputs {sorted(unused)}")
        original = response.interaction
        user = (original.get("member") or {}).get("user") or original["user"]
        payload = self._interaction_payload(
            _MODAL_SUBMIT,
            self.channels[int(original["channel_id"])],
            int(user["id"]),
            data,
            message=original.get("message"),
            locale=original.get("locale", "en-US"),
        )
        self._modal_origin[int(payload["id"])] = int(original["id"])
        return await self._dispatch_interaction(payload)
