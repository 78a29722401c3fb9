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

Anything else answers 404 and lands in `unknown_routes`. Every answer carries Discord's
X-RateLimit-* headers and the limits are enforced (ratelimits.py); each 429 lands in
`rate_limited`. Every request body and JSON
answer is held to Discord's OpenAPI spec (contract.py); breaches land in
`contract_violations`, and a request body the spec refuses gets 400 Invalid Form Body.

`FakeDiscord` is a thin front: it holds the settings, serves the app and composes one
mixin per concern, each in its own module:

    state.py      the world's data and its indexes; building it, looking things up
    payloads.py   JSON builders (READY, GUILD_CREATE, mentions, interaction metadata)
    messages.py   a message's lifecycle: build, attach, record, edit, delete
    events.py     the gateway endpoint, its sessions and the events fanned out to them
    routes/       the REST routes, one module per resource, and the route table
    recorder.py   the middleware: request log, unknown routes, contract, server errors
    ratelimits.py Discord's rate limits: buckets, the global limit, headers, 429s
    limits.py     the figures of those limits, with their sources
    driver.py     what a test does as a user (send_message, click_button, submit_modal)
    waits.py      wait_for_*: what the bot does after a driving action
    http.py       JSON answers, Discord's error body, API prefix
"""

from __future__ import annotations

import contextlib
import socket

from aiohttp import web

from .client import point_discord_at
from .contract import contract
from .driver import DriverMixin
from .events import EventsMixin
from .gateway import GatewaySession
from .http import API_PREFIX
from .limits import DISCORD, RateLimits
from .messages import MessagesMixin
from .model import (
    JSON,
    PRIVILEGED_INTENTS,
    Feed,
    Identify,
    InteractionResponse,
    MessageEdit,
    SentMessage,
)
from .payloads import PayloadsMixin
from .ratelimits import RateLimitsMixin
from .recorder import RecorderMixin
from .routes import RoutesMixin
from .state import StateMixin
from .waits import WaitsMixin


class FakeDiscord(
    DriverMixin,
    WaitsMixin,
    RoutesMixin,
    MessagesMixin,
    EventsMixin,
    PayloadsMixin,
    StateMixin,
    RecorderMixin,
    RateLimitsMixin,
):
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
        rate_limits: RateLimits = DISCORD,
        heartbeat_interval_ms: int = 41250,
        interaction_deadline: float = 3.0,
    ) -> None:
        """
        privileged_intents: which privileged intents the "developer portal" allows;
            identifying with others closes the socket with 4014, like Discord.
        compress: answer `compress=zlib-stream` with zlib binary frames (else JSON text).
        rate_limits: the buckets and global limit answered in headers and enforced with
            Discord's 429 (limits.py; default: Discord's). Every 429 lands in
            `rate_limited`; a test about something else may pass another, saying why.
        interaction_deadline: seconds a bot has for the first interaction response;
            later callbacks get 404 "Unknown interaction", as on Discord (3 s).
        """
        self.token = token
        self.privileged_intents = privileged_intents
        self.recommended_shards = recommended_shards
        self.compress = compress
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_deadline = interaction_deadline

        self._init_state(bot_name)

        self._init_records()
        self._init_rate_limits(rate_limits)

        # What the bot did (the feeds are what wait_for_* watch).
        self.sent_messages: Feed[SentMessage] = Feed()
        self.edits: Feed[MessageEdit] = Feed()
        self.deleted_messages: list[int] = []
        self.reactions: Feed[tuple[int, int, str]] = Feed()  # (channel, message, emoji)
        self.removed_reactions: list[tuple[int, int, str]] = []
        self.interaction_responses: Feed[InteractionResponse] = Feed()
        self.identifies: Feed[Identify] = Feed()
        self.typing: list[int] = []  # channel ids
        self.presences: list[JSON] = []
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
