"""REST: channels, their messages (history, post, edit, delete), typing, and the attachment CDN."""

from __future__ import annotations

import time

from aiohttp import web

from ..http import (
    ApiError,
    json_response,
)
from ..messages import _SETTABLE_FLAGS
from ..model import (
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)
from ..validation import message_errors


class ChannelsRoutes:
    """REST: channels, their messages (history, post, edit, delete), typing, and the attachment
    CDN.
    """

    async def _get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._channel(request).payload())

    async def _get_history(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        limit = min(100, int(request.query.get("limit", 50)))
        ids = self._history.get(channel.id, [])
        if "before" in request.query:
            ids = [i for i in ids if i < int(request.query["before"])]
        if "after" in request.query:
            after = [i for i in ids if i > int(request.query["after"])]
            picked = after[:limit]  # the oldest ones after the anchor
        else:
            picked = ids[-limit:]
        return json_response([self.messages[i] for i in reversed(picked)])  # newest first

    async def _get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        return json_response(self._message(channel, request.match_info["message_id"]))

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, VIEW_CHANNEL | SEND_MESSAGES)
        if any(user.id in self.closed_dms for user in channel.recipients):
            raise ApiError(403, 50007, "Cannot send messages to this user")
        key = self._route_key(request)
        payload, files = await self._read_body(request)
        errors = message_errors(payload, has_files=bool(files))
        if errors:
            raise self._reject(key, payload, errors)
        self.channel_post_times.setdefault(channel.id, []).append(time.monotonic())
        attachments = self._make_attachments(payload, files)
        flags = int(payload.get("flags") or 0) & _SETTABLE_FLAGS
        message = self._new_message(channel, self.bot_user, payload, attachments, flags=flags)
        self._record_sent(message, "channel", payload, attachments)
        # Discord echoes the bot's own message on the gateway too.
        await self._broadcast_message("MESSAGE_CREATE", message)
        return json_response(message)

    async def _patch_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(channel, request.match_info["message_id"])
        if message["author"]["id"] != str(self.bot_user.id):
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        payload, files = await self._read_body(request)
        self._edit_message(
            message, payload, files, route=self._route_key(request), source="channel"
        )
        await self._broadcast_message("MESSAGE_UPDATE", message)
        return json_response(message)

    async def _delete_message_rest(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(channel, request.match_info["message_id"])
        if message["author"]["id"] != str(self.bot_user.id):
            self._require(channel, MANAGE_MESSAGES)
        data = self._delete_message(message)
        await self._dispatch_delete(message, data)
        return web.Response(status=204)

    async def _post_typing(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, VIEW_CHANNEL | SEND_MESSAGES)
        self.typing.append(channel.id)
        return web.Response(status=204)

    async def _cdn(self, request: web.Request) -> web.Response:
        att = self.attachment_files.get(int(request.match_info["attachment_id"]))
        if att is None:
            return web.Response(status=404)
        return web.Response(
            body=att.data, content_type=att.content_type or "application/octet-stream"
        )
