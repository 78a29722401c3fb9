"""A loopback fake of Discord's REST API and gateway for the unmodified discord.py client.

REST routes are counted in `FakeDiscord.rest_calls` under these keys:

    GET /users/@me                       GET /users/{user_id}
    POST /users/@me/channels             GET /oauth2/applications/@me
    GET /gateway                         GET /gateway/bot
    GET /channels/{channel_id}           GET /channels/{channel_id}/messages
    POST /channels/{channel_id}/messages POST /channels/{channel_id}/typing
    GET|PATCH|DELETE /channels/{channel_id}/messages/{message_id}
    PUT|DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me
    GET /guilds/{guild_id}               GET /guilds/{guild_id}/channels
    GET /guilds/{guild_id}/roles         GET /guilds/{guild_id}/members/{user_id}
    GET|PUT /applications/{application_id}/commands
    GET|PUT /applications/{application_id}/guilds/{guild_id}/commands
    POST /interactions/{interaction_id}/{interaction_token}/callback
    POST /webhooks/{application_id}/{interaction_token}
    GET|PATCH|DELETE /webhooks/{application_id}/{interaction_token}/messages/@original
    GET|PATCH|DELETE /webhooks/{application_id}/{interaction_token}/messages/{message_id}

Anything else answers 404 and lands in `unknown_routes`. Every request body and JSON
answer is held to Discord's OpenAPI spec (contract.py); breaches land in
`contract_violations`, and a request body the spec refuses gets 400 Invalid Form Body.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import secrets
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

from aiohttp import web

from .client import point_discord_at
from .contract import contract
from .events import EventsMixin
from .gateway import GatewaySession
from .http import (
    API_PREFIX,
    ApiError,
    Handler,
    RejectedRequest,
    json_response,
)
from .messages import _SETTABLE_FLAGS, MessagesMixin
from .model import (
    ADD_REACTIONS,
    ALL_PERMISSIONS,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    JSON,
    MANAGE_MESSAGES,
    PRIVILEGED_INTENTS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Attachment,
    Channel,
    Feed,
    Guild,
    Identify,
    InteractionResponse,
    MessageEdit,
    SentMessage,
    iter_components,
)
from .payloads import PayloadsMixin
from .recorder import RecorderMixin
from .state import (
    _APPLICATION_COMMAND,
    _CB_AUTOCOMPLETE,
    _CB_DEFERRED,
    _CB_DEFERRED_UPDATE,
    _CB_MESSAGE,
    _CB_MODAL,
    _CB_UPDATE,
    _MESSAGE_COMPONENT,
    _MODAL_SUBMIT,
    StateMixin,
    _InteractionState,
)
from .validation import command_errors, message_errors

_log = logging.getLogger(__name__)
_OPTION_TYPES = {bool: 5, int: 4, float: 10, str: 3}
_SELECT_TYPES = {3, 5, 6, 7, 8}


class FakeDiscord(MessagesMixin, EventsMixin, PayloadsMixin, StateMixin, RecorderMixin):
    """Discord REST + gateway on 127.0.0.1 for end-to-end tests of a discord.py bot.

    Build state (guilds, channels, roles, members) before the bot connects, point
    discord.py at the fake (`point_discord()`), then drive it with `send_message`,
    `click_button`, `invoke_slash` ... and await the bot's reaction with `wait_for_*`.
    """

    def __init__(
        self,
        *,
        token: str = "fake-token",
        bot_name: str = "convquiz",
        privileged_intents: int = PRIVILEGED_INTENTS,
        recommended_shards: int = 1,
        compress: bool = False,
        channel_rate_limit: tuple[int, float] | None = None,
        heartbeat_interval_ms: int = 41250,
        interaction_deadline: float = 3.0,
    ) -> None:
        """
        privileged_intents: which privileged intents the "developer portal" allows;
            identifying with others closes the socket with 4014, like Discord.
        compress: answer `compress=zlib-stream` with zlib binary frames (else JSON text).
        channel_rate_limit: (messages, seconds) per channel; beyond it POST messages gets
            Discord's 429 (discord.py sleeps `retry_after` and retries). None: unlimited,
            but `max_channel_posts()` still tells what Discord would have allowed.
        interaction_deadline: seconds a bot has for the first interaction response;
            later callbacks get 404 "Unknown interaction", as on Discord (3 s).
        """
        self.token = token
        self.privileged_intents = privileged_intents
        self.recommended_shards = recommended_shards
        self.compress = compress
        self.channel_rate_limit = channel_rate_limit
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_deadline = interaction_deadline

        self._init_state(bot_name)

        # Records for assertions.
        self.rest_calls: Counter[str] = Counter()
        self.rest_log: list[tuple[float, str]] = []  # (monotonic time, route key)
        self.unknown_routes: list[str] = []
        # Requests and JSON answers that break Discord's OpenAPI spec (see contract.py).
        self.contract_violations: list[str] = []
        self.rejected: list[RejectedRequest] = []
        self.server_errors: list[str] = []  # bugs in the fake itself; should stay empty
        self.rate_limited: list[str] = []
        self.sent_messages: Feed[SentMessage] = Feed()
        self.edits: Feed[MessageEdit] = Feed()
        self.deleted_messages: list[int] = []
        self.reactions: Feed[tuple[int, int, str]] = Feed()  # (channel, message, emoji)
        self.removed_reactions: list[tuple[int, int, str]] = []
        self.interaction_responses: Feed[InteractionResponse] = Feed()
        self.identifies: Feed[Identify] = Feed()
        self.typing: list[int] = []  # channel ids
        self.presences: list[JSON] = []
        self.channel_post_times: dict[int, list[float]] = {}
        self.resume_attempts = 0
        self.gateway_connections = 0

        self._sessions: list[GatewaySession] = []
        self._runner: web.AppRunner | None = None
        self._port = 0

    # ---- lifecycle -------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        contract()  # parse the spec now (once per process), not during the bot's login
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024**2)
        for method, path, handler in self._routes():
            app.router.add_route(method, path, handler)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        # Bind port 0 ourselves so the OS picks a free port we can read back.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        await self._close_sessions(1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/"

    def point_discord(self) -> contextlib.AbstractContextManager[None]:
        """Context manager pointing discord.py's REST base and gateway URL at this fake."""
        return point_discord_at(self)

    # ---- building state --------------------------------------------------------------

    # ---- gateway payloads ------------------------------------------------------------

    # ---- messages --------------------------------------------------------------------

    # ---- REST plumbing ---------------------------------------------------------------

    def _routes(self) -> list[tuple[str, str, Handler]]:
        guild_commands = "/applications/{application_id}/guilds/{guild_id}/commands"
        api: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self._get_me),
            ("POST", "/users/@me/channels", self._create_dm),
            ("GET", "/users/{user_id}", self._get_user),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("GET", "/channels/{channel_id}/messages", self._get_history),
            ("POST", "/channels/{channel_id}/messages", self._post_message),
            ("POST", "/channels/{channel_id}/typing", self._post_typing),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._patch_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message_rest),
            (
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self._put_reaction,
            ),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self._delete_reaction,
            ),
            ("GET", "/guilds/{guild_id}", self._get_guild),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self._get_guild_roles),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
            ("GET", "/applications/{application_id}/commands", self._get_commands),
            ("PUT", "/applications/{application_id}/commands", self._put_commands),
            ("GET", guild_commands, self._get_commands),
            ("PUT", guild_commands, self._put_commands),
            (
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
                self._interaction_callback,
            ),
            ("POST", "/webhooks/{application_id}/{interaction_token}", self._post_followup),
        ]
        webhook_message = "/webhooks/{application_id}/{interaction_token}/messages/"
        # "@original" first: aiohttp matches routes in registration order.
        for suffix in ("@original", "{message_id}"):
            api += [
                ("GET", webhook_message + suffix, self._get_webhook_message),
                ("PATCH", webhook_message + suffix, self._patch_webhook_message),
                ("DELETE", webhook_message + suffix, self._delete_webhook_message),
            ]
        routes = [(m, API_PREFIX + p, h) for m, p, h in api]
        routes.append(("GET", "/attachments/{channel_id}/{attachment_id}/{filename}", self._cdn))
        routes.append(("GET", "/", self._gateway))
        return routes

    def served_routes(self) -> list[tuple[str, str]]:
        """(method, template) of every REST route the fake serves, without /api/v10."""
        return [
            (m, p.removeprefix(API_PREFIX))
            for m, p, _ in self._routes()
            if p.startswith(API_PREFIX)
        ]

    # ---- REST: users, application, gateway -------------------------------------------

    async def _get_me(self, request: web.Request) -> web.Response:
        return json_response(self._me_payload())

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request.match_info["user_id"]))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(user.payload())

    async def _create_dm(self, request: web.Request) -> web.Response:
        body, _ = await self._read_body(request)
        uid = int(body.get("recipient_id", 0))
        if uid not in self.users:
            raise ApiError(400, 50035, "Invalid Form Body", {"recipient_id": "unknown user"})
        return json_response(self.dm_channel(uid).payload())

    async def _get_application(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "id": str(self.application_id),
                "name": self.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.app_owner.payload(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": self.application_flags,
                "flags_new": str(self.application_flags),
                "bot": self.bot_user.payload(),
                "tags": [],
                "type": None,
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "approximate_guild_count": len(self.guilds),
                "approximate_user_install_count": 0,
                "approximate_user_authorization_count": 0,
                "explicit_content_filter": 0,
                "eligible_oauth2_scopes": ["bot", "applications.commands"],
            }
        )

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        remaining = max(0, 1000 - len(self.identifies))
        limit = {"total": 1000, "remaining": remaining, "reset_after": 86_400_000}
        return json_response(
            {
                "url": self.gateway_url,
                "shards": self.recommended_shards,
                "session_start_limit": {**limit, "max_concurrency": 1},
            }
        )

    # ---- REST: channels and messages -------------------------------------------------

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

    def _check_channel_rate(self, channel_id: int, key: str) -> web.Response | None:
        now = time.monotonic()
        times = self.channel_post_times.setdefault(channel_id, [])
        if self.channel_rate_limit is not None:
            limit, per = self.channel_rate_limit
            recent = [t for t in times if now - t < per]
            if len(recent) >= limit:
                self.rate_limited.append(key)
                retry_after = round(per - (now - recent[0]), 3)
                body = {
                    "message": "You are being rate limited.",
                    "code": 0,
                    "retry_after": retry_after,
                }
                # discord.py only trusts a 429 that came through Discord's proxy ("Via").
                headers = {"Via": "1.1 google", "X-RateLimit-Scope": "shared"}
                return json_response({**body, "global": False}, 429, headers)
        times.append(now)
        return None

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, VIEW_CHANNEL | SEND_MESSAGES)
        key = self._route_key(request)
        payload, files = await self._read_body(request)
        errors = message_errors(payload, has_files=bool(files))
        if errors:
            raise self._reject(key, payload, errors)
        limited = self._check_channel_rate(channel.id, key)
        if limited is not None:
            return limited
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

    def _set_reaction(self, message: JSON, emoji: str, user_id: int, add: bool) -> bool:
        """Update the message's reaction list; False when nothing changed.

        Reactions are indexed by message, so this costs O(emoji on this message), not
        O(every reaction ever added). An emoji keeps its place after its count drops to
        zero, so reacting with it again puts it back where it was.
        """
        emojis = self._reactors.setdefault(int(message["id"]), {})
        users = emojis.setdefault(emoji, set())
        if (user_id in users) == add:
            return False
        if add:
            users.add(user_id)
        else:
            users.discard(user_id)
        message["reactions"] = [
            {
                "emoji": self._emoji_payload(em),
                "count": len(who),
                "count_details": {"burst": 0, "normal": len(who)},
                "me": self.bot_user.id in who,
                "me_burst": False,
                "burst_colors": [],
            }
            for em, who in emojis.items()
            if who
        ]
        return True

    async def _put_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, VIEW_CHANNEL | READ_MESSAGE_HISTORY | ADD_REACTIONS)
        message = self._message(channel, request.match_info["message_id"])
        emoji = request.match_info["emoji"]  # aiohttp has already percent-decoded it
        if self._set_reaction(message, emoji, self.bot_user.id, add=True):
            self.reactions.record((channel.id, int(message["id"]), emoji))
            await self._dispatch_reaction("MESSAGE_REACTION_ADD", message, emoji, self.bot_user.id)
        return web.Response(status=204)

    async def _delete_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(channel, request.match_info["message_id"])
        emoji = request.match_info["emoji"]
        if self._set_reaction(message, emoji, self.bot_user.id, add=False):
            self.removed_reactions.append((channel.id, int(message["id"]), emoji))
            await self._dispatch_reaction(
                "MESSAGE_REACTION_REMOVE", message, emoji, self.bot_user.id
            )
        return web.Response(status=204)

    async def _cdn(self, request: web.Request) -> web.Response:
        att = self.attachment_files.get(int(request.match_info["attachment_id"]))
        if att is None:
            return web.Response(status=404)
        return web.Response(
            body=att.data, content_type=att.content_type or "application/octet-stream"
        )

    # ---- REST: guilds ----------------------------------------------------------------

    async def _get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        data = guild.payload()
        if request.query.get("with_counts") in ("true", "1", "True"):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = 0
        return json_response(data)

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        return json_response([c.payload() for c in self._guild(request).channels.values()])

    async def _get_guild_roles(self, request: web.Request) -> web.Response:
        return json_response([r.payload() for r in self._guild(request).roles.values()])

    async def _get_member(self, request: web.Request) -> web.Response:
        member = self._guild(request).members.get(int(request.match_info["user_id"]))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(member.payload())

    # ---- REST: application commands --------------------------------------------------

    def _command_scope(self, request: web.Request) -> int | None:
        if int(request.match_info["application_id"]) != self.application_id:
            raise ApiError(403, 20012, "You are not authorized to perform this action")
        if "guild_id" in request.match_info:
            return self._guild(request).id
        return None

    async def _get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.synced_commands(self._command_scope(request)))

    async def _put_commands(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        body, _ = await self._read_body(request)
        commands: list[JSON] = body if isinstance(body, list) else []
        errors = command_errors(commands)
        if errors:
            raise self._reject(self._route_key(request), body, errors)
        old = self.command_store.get(scope, {})
        new: dict[tuple[str, int], JSON] = {}
        for raw in commands:
            ctype = int(raw.get("type", 1))
            previous = old.get((raw["name"], ctype))
            command: JSON = {
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **raw,
                # Discord keeps a command's id across syncs when name and type match.
                "id": previous["id"] if previous else str(self.snowflakes.next()),
                "application_id": str(self.application_id),
                "version": str(self.snowflakes.next()),
                "type": ctype,
            }
            perms = command["default_member_permissions"]
            # Sent as an integer, answered as a string of digits.
            command["default_member_permissions"] = None if perms is None else str(perms)
            if command.get("integration_types") is None:
                command["integration_types"] = [0]  # what Discord fills in: guild install
            if scope is not None:
                command["guild_id"] = str(scope)
            new[(raw["name"], ctype)] = command
        self.command_store[scope] = new
        return json_response(list(new.values()))

    # ---- REST: interactions and follow-ups -------------------------------------------

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

    # ---- driving: what users do ------------------------------------------------------

    def _feeds(self) -> Iterator[Feed[Any]]:
        yield from (
            self.sent_messages,
            self.edits,
            self.reactions,
            self.interaction_responses,
            self.identifies,
        )

    def _mark(self) -> None:
        """wait_for_* look from here on: what the bot does after this action."""
        for feed in self._feeds():
            feed.mark = len(feed)

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

    # ---- waiting ---------------------------------------------------------------------
    # Plain methods returning an awaitable (`await fake.wait_for_message(...)`); each has
    # a default timeout so a bot that never answers fails with a readable WaitTimeout.

    def wait_for_message(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float = 5.0,
        start: int | None = None,
    ) -> Awaitable[SentMessage]:
        """The next message the bot posts (since the last driving action, or `start`).

        Counts channel sends, interaction replies, follow-ups, and deferred replies once
        they get content. Edits are in `wait_for_edit`. It returns the first match, so
        for the second of two replies pass a predicate or `start=`.
        """
        return self.sent_messages.wait(predicate, timeout=timeout, start=start, what="bot message")

    def wait_for_edit(
        self,
        predicate: Callable[[MessageEdit], bool] | None = None,
        *,
        timeout: float = 5.0,
        start: int | None = None,
    ) -> Awaitable[MessageEdit]:
        return self.edits.wait(predicate, timeout=timeout, start=start, what="edit")

    def wait_for_reaction(
        self,
        predicate: Callable[[tuple[int, int, str]], bool] | None = None,
        *,
        emoji: str | None = None,
        message_id: int | None = None,
        timeout: float = 5.0,
        start: int | None = None,
    ) -> Awaitable[tuple[int, int, str]]:
        def matches(r: tuple[int, int, str]) -> bool:
            return (
                (emoji is None or r[2] == emoji)
                and (message_id is None or r[1] == message_id)
                and (predicate is None or predicate(r))
            )

        return self.reactions.wait(matches, timeout=timeout, start=start, what="reaction")

    def wait_for_interaction_response(
        self,
        predicate: Callable[[InteractionResponse], bool] | None = None,
        *,
        interaction: JSON | None = None,
        timeout: float = 5.0,
        start: int | None = None,
    ) -> Awaitable[InteractionResponse]:
        """The bot's callback; pass the `interaction` a driver returned to match it."""
        wanted = int(interaction["id"]) if interaction else None

        def matches(r: InteractionResponse) -> bool:
            return (wanted is None or r.interaction_id == wanted) and (
                predicate is None or predicate(r)
            )

        return self.interaction_responses.wait(
            matches, timeout=timeout, start=start, what="interaction response"
        )

    def wait_for_sessions(
        self, count: int = 1, *, timeout: float = 5.0
    ) -> Awaitable[list[GatewaySession]]:
        """Until `count` gateway sessions have had READY and all their GUILD_CREATEs."""

        def enough(_: Identify | None = None) -> bool:
            return len(self.ready_sessions) >= count

        async def wait() -> list[GatewaySession]:
            if not enough():
                await self.identifies.wait(
                    enough, timeout=timeout, start=len(self.identifies), what="ready session"
                )
            return self.ready_sessions

        return wait()

    def wait_for_identify(
        self, *, timeout: float = 5.0, start: int | None = None
    ) -> Awaitable[Identify]:
        """The next accepted IDENTIFY (e.g. the re-identify after `drop_gateway`)."""
        return self.identifies.wait(timeout=timeout, start=start, what="identify")

    # ---- rate accounting -------------------------------------------------------------
