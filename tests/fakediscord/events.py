"""The gateway side: the socket endpoint, its sessions, and the events fanned out to them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from .gateway import GatewaySession
from .model import (
    FLAG_EPHEMERAL,
    INTENT_DIRECT_MESSAGE_REACTIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    JSON,
)
from .state import (
    _InteractionState,
)


class EventsMixin:
    """The gateway side: the socket endpoint, its sessions, and the events fanned out to them."""

    @property
    def ready_sessions(self) -> list[GatewaySession]:
        return [s for s in self._sessions if s.ready]

    async def _dispatch(
        self,
        event: str,
        data: JSON,
        guild_id: int | None,
        *,
        intent: int | None = None,
        shape: Callable[[GatewaySession, JSON], JSON] | None = None,
    ) -> int:
        """Send an event to every ready session that Discord would send it to."""
        sent = 0
        for session in list(self._sessions):
            if not session.ready or not session.covers_guild(guild_id):
                continue
            if intent is not None and not session.intents & intent:
                continue
            await session.dispatch(event, shape(session, data) if shape else data)
            sent += 1
        return sent

    async def _broadcast_message(self, event: str, message: JSON) -> None:
        if int(message.get("flags") or 0) & FLAG_EPHEMERAL:
            return  # ephemeral messages never reach the gateway
        guild_id = int(message["guild_id"]) if message.get("guild_id") else None
        intent = INTENT_GUILD_MESSAGES if guild_id else INTENT_DIRECT_MESSAGES
        data = message
        if guild_id and not message.get("webhook_id"):
            # Gateway messages carry the author's member (not webhook/interaction ones).
            member = self.guilds[guild_id].members.get(int(message["author"]["id"]))
            if member is not None:
                data = {**message, "member": member.payload(with_user=False)}
        await self._dispatch(event, data, guild_id, intent=intent, shape=self._shape_message)

    async def _dispatch_delete(self, message: JSON, data: JSON) -> None:
        if int(message.get("flags") or 0) & FLAG_EPHEMERAL:
            return
        gid = int(data["guild_id"]) if data.get("guild_id") else None
        intent = INTENT_GUILD_MESSAGES if gid else INTENT_DIRECT_MESSAGES
        await self._dispatch("MESSAGE_DELETE", data, gid, intent=intent)

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        # No permessage-deflate: Discord does not use it and it only costs time here.
        ws = web.WebSocketResponse(compress=False, max_msg_size=0, heartbeat=None)
        await ws.prepare(request)
        zlib_stream = self.compress and request.query.get("compress") == "zlib-stream"
        session = GatewaySession(self, ws, zlib_stream=zlib_stream)
        self._sessions.append(session)
        self.gateway_connections += 1
        try:
            await session.run()
        finally:
            session.ready = False
            self._sessions.remove(session)
            if not ws.closed:
                await ws.close()
        return ws

    async def _close_sessions(self, code: int) -> int:
        sessions = list(self._sessions)
        for session in sessions:
            session.ready = False  # no events for a socket that is going away
        await asyncio.gather(*(s.close(code) for s in sessions), return_exceptions=True)
        return len(sessions)

    async def _dispatch_reaction(self, event: str, message: JSON, emoji: str, user_id: int) -> None:
        gid = int(message["guild_id"]) if message.get("guild_id") else None
        data: JSON = {
            "user_id": str(user_id),
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "emoji": self._emoji_payload(emoji),
            "burst": False,
            "type": 0,
        }
        if gid is not None:
            data["guild_id"] = str(gid)
            if event == "MESSAGE_REACTION_ADD":
                data["member"] = self.guilds[gid].members[user_id].payload()
                data["message_author_id"] = message["author"]["id"]
        intent = INTENT_GUILD_MESSAGE_REACTIONS if gid else INTENT_DIRECT_MESSAGE_REACTIONS
        await self._dispatch(event, data, gid, intent=intent)

    async def _dispatch_interaction(self, payload: JSON) -> JSON:
        guild_id = int(payload["guild_id"]) if payload.get("guild_id") else None
        state = _InteractionState(payload, int(payload["channel_id"]))
        self.interactions[state.id] = state
        self._by_token[state.token] = state
        # Interactions need no intent: every ready session for the shard gets them.
        if not await self._dispatch("INTERACTION_CREATE", payload, guild_id):
            raise RuntimeError(f"no bot session is ready for guild {guild_id}")
        return payload

    async def deliver_again(self, event: str, payload: JSON) -> None:
        """Send an event a second time, as Discord does when a resumed session replays
        what it is not sure arrived: a MESSAGE_CREATE (the message `send_message`
        returned) or an INTERACTION_CREATE (what `click_button` returned)."""
        self._mark()
        if event == "MESSAGE_CREATE":
            await self._broadcast_message(event, payload)
        elif event == "INTERACTION_CREATE":
            guild_id = int(payload["guild_id"]) if payload.get("guild_id") else None
            await self._dispatch(event, payload, guild_id)
        else:
            raise ValueError(f"the fake replays MESSAGE_CREATE and INTERACTION_CREATE, not {event}")

    async def drop_gateway(self, code: int = 4000) -> int:
        """Close every gateway socket with `code` (4000: clients reconnect)."""
        self._mark()
        return await self._close_sessions(code)
