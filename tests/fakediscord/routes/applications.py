"""REST: application commands, global and per guild."""

from __future__ import annotations

from aiohttp import web

from ..http import (
    ApiError,
    json_response,
)
from ..model import (
    JSON,
)
from ..validation import command_errors


class ApplicationsRoutes:
    """REST: application commands, global and per guild."""

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
