"""REST: the bot's user, other users, DM channels, the application and the gateway URL."""

from __future__ import annotations

from aiohttp import web

from ..http import (
    ApiError,
    json_response,
)


class UsersRoutes:
    """REST: the bot's user, other users, DM channels, the application and the gateway URL."""

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
