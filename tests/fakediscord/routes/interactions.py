"""REST: interaction callbacks and the interaction webhooks (follow-ups, @original)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from ..http import (
    ApiError,
    RejectedRequest,
    json_response,
)
from ..messages import _SETTABLE_FLAGS
from ..model import (
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    JSON,
    Attachment,
    InteractionResponse,
)
from ..state import (
    _APPLICATION_COMMAND,
    _CB_AUTOCOMPLETE,
    _CB_DEFERRED,
    _CB_DEFERRED_UPDATE,
    _CB_MESSAGE,
    _CB_MODAL,
    _CB_UPDATE,
    _InteractionState,
)
from ..validation import message_errors


class InteractionsRoutes:
    """REST: interaction callbacks and the interaction webhooks (follow-ups, @original)."""

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        state = self.interactions.get(int(request.match_info["interaction_id"]))
        if state is None or state.token != request.match_info["interaction_token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        if state.response_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        key = self._route_key(request)
        late = time.monotonic() - state.created
        if late > self.interaction_deadline:
            # The user already saw "This interaction failed"; Discord forgot the token.
            self.rejected.append(RejectedRequest(key, None, [f"answered after {late:.2f} s"]))
            raise ApiError(404, 10062, "Unknown interaction")
        body, files = await self._read_body(request)
        rtype = int(body.get("type", 0))
        data: JSON | None = body.get("data")
        channel = self.channels[state.channel_id]
        component_message = state.payload.get("message")
        message: JSON | None = None
        attachments: list[Attachment] = []
        if rtype in (_CB_MESSAGE, _CB_DEFERRED):
            data = data or {}
            flags = int(data.get("flags") or 0)
            ephemeral = flags & FLAG_EPHEMERAL
            if rtype == _CB_MESSAGE:
                errors = message_errors(data, has_files=bool(files))
                if errors:
                    raise self._reject(key, body, errors)
                attachments = self._make_attachments(data, files)
            else:
                flags |= FLAG_LOADING
            msg_flags = (flags & _SETTABLE_FLAGS) | ephemeral | (flags & FLAG_LOADING)
            message = self._new_message(
                channel,
                self.bot_user,
                data if rtype == _CB_MESSAGE else {},
                attachments,
                msg_type=20 if state.payload["type"] == _APPLICATION_COMMAND else 0,
                flags=msg_flags,
                extra=self._interaction_message_extra(state),
            )
            state.original_message_id = int(message["id"])
            state.message_ids.append(int(message["id"]))
            state.loading = rtype == _CB_DEFERRED
            if rtype == _CB_MESSAGE:
                self._record_sent(message, "interaction", data, attachments, state.id)
            await self._broadcast_message("MESSAGE_CREATE", message)
        elif rtype in (_CB_DEFERRED_UPDATE, _CB_UPDATE):
            if component_message is None:
                raise ApiError(400, 40043, "Interaction response type only valid for components")
            target = self.messages.get(int(component_message["id"]))
            if target is None:
                raise ApiError(404, 10008, "Unknown Message")
            state.original_message_id = int(target["id"])
            if rtype == _CB_UPDATE:
                message = self._edit_message(
                    target, data or {}, files, route=key, source="interaction"
                )
                await self._broadcast_message("MESSAGE_UPDATE", message)
        elif rtype not in (_CB_AUTOCOMPLETE, _CB_MODAL):
            raise ApiError(400, 50035, "Invalid Form Body", {"type": f"unknown type {rtype}"})
        state.response_type = rtype
        self.interaction_responses.record(
            InteractionResponse(
                state.id, state.token, rtype, data, state.payload, attachments, message
            )
        )
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        flags = int((message or {}).get("flags") or 0)
        answer: JSON = {
            "interaction": {
                "id": str(state.id),
                "type": state.payload["type"],
                "response_message_loading": bool(flags & FLAG_LOADING),
                "response_message_ephemeral": bool(flags & FLAG_EPHEMERAL),
            },
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = message["id"]
        if message is not None and rtype in (_CB_MESSAGE, _CB_UPDATE):
            # The spec's resource carries the message only for types 4 and 7, else nothing.
            answer["resource"] = {"type": rtype, "message": message}
        return json_response(answer)

    def _webhook_state(self, request: web.Request) -> _InteractionState:
        state = self._by_token.get(request.match_info["interaction_token"])
        if state is None or int(request.match_info["application_id"]) != self.application_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        if state.response_type is None:
            raise ApiError(404, 10015, "Unknown Webhook")  # no follow-ups before a response
        return state

    def _webhook_target(self, request: web.Request, state: _InteractionState) -> JSON:
        raw = request.match_info.get("message_id")
        mid = state.original_message_id if raw is None else int(raw)
        if raw is not None and mid not in state.message_ids:
            mid = None
        message = self.messages.get(mid) if mid is not None else None
        if message is None:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    async def _fill_deferred(
        self, state: _InteractionState, message: JSON, payload: JSON, files: list[Any], key: str
    ) -> JSON:
        """First content for a deferred reply: now the message counts as sent."""
        errors = message_errors(payload, has_files=bool(files))
        if errors:
            raise self._reject(key, payload, errors)
        self._edit_message(message, payload, files, route=key, source="webhook", fill=True)
        state.loading = False
        sent = self._record_sent(message, "interaction", payload, [], state.id)
        if files:
            sent.attachments = [self.attachment_files[int(a["id"])] for a in message["attachments"]]
        await self._broadcast_message("MESSAGE_UPDATE", message)
        return message

    async def _post_followup(self, request: web.Request) -> web.Response:
        state = self._webhook_state(request)
        key = self._route_key(request)
        payload, files = await self._read_body(request)
        original = self.messages.get(state.original_message_id or 0)
        if state.loading and original is not None:
            # Discord: the first follow-up after a deferral fills the "thinking" message.
            message = await self._fill_deferred(state, original, payload, files, key)
        else:
            errors = message_errors(payload, has_files=bool(files))
            if errors:
                raise self._reject(key, payload, errors)
            attachments = self._make_attachments(payload, files)
            flags = int(payload.get("flags") or 0)
            message = self._new_message(
                self.channels[state.channel_id],
                self.bot_user,
                payload,
                attachments,
                flags=(flags & _SETTABLE_FLAGS) | (flags & FLAG_EPHEMERAL),
                extra=self._interaction_message_extra(state),
            )
            state.message_ids.append(int(message["id"]))
            self._record_sent(message, "followup", payload, attachments, state.id)
            await self._broadcast_message("MESSAGE_CREATE", message)
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message)
        return web.Response(status=204)

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        state = self._webhook_state(request)
        return json_response(self._webhook_target(request, state))

    async def _patch_webhook_message(self, request: web.Request) -> web.Response:
        state = self._webhook_state(request)
        message = self._webhook_target(request, state)
        key = self._route_key(request)
        payload, files = await self._read_body(request)
        if state.loading and int(message["id"]) == state.original_message_id:
            return json_response(await self._fill_deferred(state, message, payload, files, key))
        self._edit_message(message, payload, files, route=key, source="webhook")
        await self._broadcast_message("MESSAGE_UPDATE", message)
        return json_response(message)

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        state = self._webhook_state(request)
        message = self._webhook_target(request, state)
        data = self._delete_message(message)
        await self._dispatch_delete(message, data)
        return web.Response(status=204)
