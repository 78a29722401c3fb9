"""The fake's REST routes, one module per resource, and the table that serves them."""

from __future__ import annotations

from ..http import API_PREFIX, Handler
from .applications import ApplicationsRoutes
from .channels import ChannelsRoutes
from .guilds import GuildsRoutes
from .interactions import InteractionsRoutes
from .reactions import ReactionsRoutes
from .users import UsersRoutes


class RoutesMixin(
    UsersRoutes,
    GuildsRoutes,
    ChannelsRoutes,
    ReactionsRoutes,
    ApplicationsRoutes,
    InteractionsRoutes,
):
    """The fake's REST routes, one module per resource, and the table that serves them."""

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
