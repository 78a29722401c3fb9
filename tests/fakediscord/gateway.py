"""One gateway websocket connection (one shard of one bot process)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
import zlib
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .model import INTENT_GUILD_MEMBERS, JSON, PRIVILEGED_INTENTS, Identify

if TYPE_CHECKING:
    from .server import FakeDiscord

# Gateway opcodes.
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_VOICE_STATE = 4
OP_RESUME = 6
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

# Close codes Discord uses; discord.py does not reconnect after 4004 and 4010-4014.
CLOSE_UNKNOWN_OPCODE = 4001
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_SHARD = 4010
CLOSE_DISALLOWED_INTENTS = 4014


class GatewaySession:
    """Speaks Discord's gateway protocol on one websocket.

    Sends are serialised by a lock so sequence numbers go out in order even when
    several tasks dispatch at once.
    """

    def __init__(self, fake: FakeDiscord, ws: web.WebSocketResponse, *, zlib_stream: bool) -> None:
        self.fake = fake
        self.ws = ws
        self.seq = 0
        self.identify: Identify | None = None
        self.ready = False  # READY and every GUILD_CREATE sent: now receives events
        self._lock = asyncio.Lock()
        # zlib-stream: one compressor for the whole connection, each frame sync-flushed.
        self._zlib = zlib.compressobj() if zlib_stream else None

    # ---- routing ---------------------------------------------------------------------

    @property
    def intents(self) -> int:
        return self.identify.intents if self.identify else 0

    @property
    def shard(self) -> tuple[int, int] | None:
        return self.identify.shard if self.identify else None

    def covers_guild(self, guild_id: int | None) -> bool:
        """Whether Discord would route this guild's events (None: DMs) to this shard."""
        if self.shard is None:
            return True
        shard_id, shard_count = self.shard
        if guild_id is None:
            return shard_id == 0  # DMs always go to shard 0
        return (guild_id >> 22) % shard_count == shard_id

    # ---- sending ---------------------------------------------------------------------

    async def _send_raw(self, frame: JSON) -> None:
        text = json.dumps(frame, separators=(",", ":"))
        if self._zlib is None:
            await self.ws.send_str(text)
        else:
            data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(data)

    async def send_op(self, op: int, d: Any) -> None:
        async with self._lock:
            await self._safe_send({"op": op, "d": d, "s": None, "t": None})

    async def dispatch(self, event: str, data: JSON) -> None:
        async with self._lock:
            await self._dispatch_locked(event, data)

    async def _dispatch_locked(self, event: str, data: JSON) -> None:
        self.seq += 1
        await self._safe_send({"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data})

    async def _safe_send(self, frame: JSON) -> None:
        if self.ws.closed:
            return
        # The client may go away mid-send; its handler loop cleans up.
        with contextlib.suppress(ConnectionError):
            await self._send_raw(frame)

    async def close(self, code: int) -> None:
        self.ready = False
        if not self.ws.closed:
            await self.ws.close(code=code)

    # ---- receiving -------------------------------------------------------------------

    async def run(self) -> None:
        await self.send_op(OP_HELLO, {"heartbeat_interval": self.fake.heartbeat_interval_ms})
        async for msg in self.ws:
            if msg.type is not WSMsgType.TEXT:
                if msg.type is WSMsgType.BINARY:
                    await self.close(CLOSE_DECODE_ERROR)
                continue
            try:
                frame = json.loads(msg.data)
                op = frame["op"]
            except (ValueError, KeyError, TypeError):
                await self.close(CLOSE_DECODE_ERROR)
                return
            await self._handle(op, frame.get("d"))

    async def _handle(self, op: int, d: Any) -> None:
        if op == OP_HEARTBEAT:
            await self.send_op(OP_HEARTBEAT_ACK, None)
        elif op == OP_IDENTIFY:
            await self._identify(d)
        elif op == OP_RESUME:
            # The fake keeps no replay buffer: refuse, and the client identifies anew.
            self.fake.resume_attempts += 1
            await self.send_op(OP_INVALID_SESSION, False)
        elif self.identify is None:
            await self.close(CLOSE_NOT_AUTHENTICATED)
        elif op == OP_PRESENCE:
            self.fake.presences.append(d)
        elif op == OP_VOICE_STATE:
            pass
        elif op == OP_REQUEST_MEMBERS:
            await self._request_members(d)
        else:
            await self.close(CLOSE_UNKNOWN_OPCODE)

    async def _identify(self, d: JSON) -> None:
        fake = self.fake
        if self.identify is not None:
            await self.close(CLOSE_ALREADY_AUTHENTICATED)
            return
        if d.get("token") != fake.token:
            await self.close(CLOSE_AUTHENTICATION_FAILED)
            return
        intents = int(d.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~fake.privileged_intents:
            # Like a bot whose privileged intents are not enabled in the developer portal.
            await self.close(CLOSE_DISALLOWED_INTENTS)
            return
        shard: tuple[int, int] | None = None
        if d.get("shard") is not None:
            shard_id, shard_count = (int(x) for x in d["shard"])
            if not 0 <= shard_id < shard_count:
                await self.close(CLOSE_INVALID_SHARD)
                return
            shard = (shard_id, shard_count)
        self.identify = Identify(uuid.uuid4().hex, intents, shard, d)
        async with self._lock:
            # READY then every guild, before any other event reaches this session.
            await self._dispatch_locked("READY", fake.ready_payload(self))
            for guild in list(fake.guilds.values()):
                if self.covers_guild(guild.id):
                    payload = fake.guild_create_payload(guild, self)
                    await self._dispatch_locked("GUILD_CREATE", payload)
            self.ready = True
        fake.identifies.record(self.identify)

    async def _request_members(self, d: JSON) -> None:
        raw = d.get("guild_id")
        guild_ids: list[Any] = raw if isinstance(raw, list) else [raw]
        for gid in guild_ids:
            guild = self.fake.guilds.get(int(gid or 0))
            if guild is None or not self.covers_guild(guild.id):
                continue
            members = list(guild.members.values())
            if d.get("user_ids"):
                wanted = {int(u) for u in d["user_ids"]}
                members = [m for m in members if m.id in wanted]
            elif not self.intents & INTENT_GUILD_MEMBERS:
                members = []  # Discord refuses member lists without the intent
            else:
                query = str(d.get("query") or "").lower()
                members = [m for m in members if m.user.username.lower().startswith(query)]
                if d.get("limit"):
                    members = members[: int(d["limit"])]
            chunk: JSON = {
                "guild_id": str(guild.id),
                "members": [m.payload() for m in members],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
            }
            if d.get("nonce") is not None:
                chunk["nonce"] = d["nonce"]
            await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
