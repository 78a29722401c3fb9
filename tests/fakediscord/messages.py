"""Messages' lifecycle, whoever sends them: building one from a request body, its attachments,
recording it, editing and deleting it.
"""

from __future__ import annotations

import copy
import mimetypes

from .http import (
    ApiError,
)
from .model import (
    FLAG_COMPONENTS_V2,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    JSON,
    Attachment,
    Channel,
    MessageEdit,
    SentMessage,
    User,
    stored_components,
)
from .snowflake import iso_now
from .validation import message_errors

# Message flags a bot may set on a channel message: suppress embeds/notifications, V2.
_SETTABLE_FLAGS = (1 << 2) | (1 << 12) | FLAG_COMPONENTS_V2


class MessagesMixin:
    """Messages' lifecycle, whoever sends them: building one from a request body, its
    attachments, recording it, editing and deleting it.
    """

    def _new_message(
        self,
        channel: Channel,
        author: User,
        payload: JSON,
        attachments: list[Attachment],
        *,
        msg_type: int = 0,
        flags: int = 0,
        extra: JSON | None = None,
    ) -> JSON:
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        content = str(payload.get("content") or "")
        message: JSON = {
            "id": str(self.snowflakes.next()),
            "channel_id": str(channel.id),
            "type": msg_type,
            "content": content,
            "author": author.payload(),
            "embeds": [dict({"type": "rich"}, **e) for e in payload.get("embeds") or []],
            "attachments": [a.payload(self._attachment_url(channel.id, a)) for a in attachments],
            "components": stored_components(payload.get("components") or []),
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts")),
            "pinned": False,
            "flags": flags,
            "sticker_items": [],
            **self._mentions(guild, content, payload.get("allowed_mentions")),
        }
        if guild is not None:
            message["guild_id"] = str(guild.id)
        if payload.get("nonce") is not None:
            message["nonce"] = payload["nonce"]
        if payload.get("poll"):
            message["poll"] = payload["poll"]
        ref = payload.get("message_reference")
        if ref and ref.get("message_id"):
            target = self.messages.get(int(ref["message_id"]))
            if target is None:
                if ref.get("fail_if_not_exists", True):
                    errors = {"message_reference": "unknown message"}
                    raise ApiError(400, 50035, "Invalid Form Body", errors)
            else:
                message["type"] = 19 if msg_type == 0 else msg_type  # REPLY
                message["message_reference"] = {
                    "type": 0,
                    "message_id": target["id"],
                    "channel_id": target["channel_id"],
                    **({"guild_id": target["guild_id"]} if target.get("guild_id") else {}),
                }
                referenced = {k: v for k, v in target.items() if k != "referenced_message"}
                message["referenced_message"] = referenced
        message.update(extra or {})
        self._store_message(channel, message)
        return message

    def _record_sent(
        self,
        message: JSON,
        source: str,
        payload: JSON,
        attachments: list[Attachment],
        interaction_id: int | None = None,
    ) -> SentMessage:
        sent = SentMessage(
            message, source, payload.get("allowed_mentions"), attachments, interaction_id
        )
        self._sent_by_id[sent.id] = sent
        self.sent_messages.record(sent)
        return sent

    def _make_attachments(
        self, payload: JSON, files: list[tuple[int, str, bytes]]
    ) -> list[Attachment]:
        """Turn uploaded `files[n]` parts into attachments, named by payload.attachments."""
        meta = {
            int(a["id"]): a
            for a in payload.get("attachments") or []
            if str(a.get("id", "")).isdigit() and int(a["id"]) < 1_000_000
        }
        out: list[Attachment] = []
        for index, filename, data in files:
            info = meta.get(index, {})
            name = str(info.get("filename") or filename)
            content_type = mimetypes.guess_type(name)[0]
            description = info.get("description")
            att = Attachment(self.snowflakes.next(), name, data, content_type, description)
            self.attachment_files[att.id] = att
            out.append(att)
        return out

    def _edit_message(
        self,
        message: JSON,
        payload: JSON,
        files: list[tuple[int, str, bytes]],
        *,
        route: str,
        source: str,
        fill: bool = False,
    ) -> JSON:
        """Apply an edit (or fill a deferred reply); callers tell the gateway."""
        errors = message_errors(payload, has_files=bool(files), edit=True)
        if errors:
            raise self._reject(route, payload, errors)
        channel = self.channels[int(message["channel_id"])]
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        for key, empty in (("content", ""), ("embeds", []), ("components", [])):
            if key in payload:
                message[key] = copy.deepcopy(payload[key]) if payload[key] is not None else empty
        message["components"] = stored_components(message["components"])
        message["embeds"] = [dict({"type": "rich"}, **e) for e in message["embeds"]]
        old_flags = int(message.get("flags") or 0)
        if payload.get("flags") is not None:
            kept = old_flags & (FLAG_EPHEMERAL | FLAG_LOADING)
            message["flags"] = kept | (int(payload["flags"]) & _SETTABLE_FLAGS)
        sent = self._sent_by_id.get(int(message["id"]))
        if "attachments" in payload or files:
            keep_ids = {str(a.get("id")) for a in payload.get("attachments") or []}
            kept_atts = [a for a in (sent.attachments if sent else []) if str(a.id) in keep_ids]
            new_atts = kept_atts + self._make_attachments(payload, files)
            message["attachments"] = [
                a.payload(self._attachment_url(channel.id, a)) for a in new_atts
            ]
            if sent is not None:
                sent.attachments = new_atts
        if "content" in payload or "allowed_mentions" in payload:
            message.update(
                self._mentions(guild, message["content"], payload.get("allowed_mentions"))
            )
        if fill:
            message["flags"] = int(message.get("flags") or 0) & ~FLAG_LOADING
        else:
            message["edited_timestamp"] = iso_now()
            self.edits.record(
                MessageEdit(int(message["id"]), channel.id, payload, copy.deepcopy(message), source)
            )
        return message

    def _delete_message(self, message: JSON) -> JSON:
        mid = int(message["id"])
        self.messages.pop(mid, None)
        history = self._history.get(int(message["channel_id"]), [])
        if mid in history:
            history.remove(mid)
        sent = self._sent_by_id.get(mid)
        if sent is not None:
            sent.deleted = True
        self.deleted_messages.append(mid)
        data = {"id": message["id"], "channel_id": message["channel_id"]}
        if message.get("guild_id"):
            data["guild_id"] = message["guild_id"]
        return data
