"""REST: the bot's own reactions on messages."""

from __future__ import annotations

from aiohttp import web

from ..model import (
    ADD_REACTIONS,
    JSON,
    READ_MESSAGE_HISTORY,
    VIEW_CHANNEL,
)


class ReactionsRoutes:
    """REST: the bot's own reactions on messages."""

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
