"""Start Red-DiscordBot against the loopback Discord; run with the Red venv's python.

``python launch.py INSTANCE --no-prompt --token ... --prefix ! --owner ID --load-cogs
trivia``: the arguments are ``redbot``'s own. Before Red imports anything, discord.py's
REST base and gateway URL are pointed at ``PEER_API_BASE`` and ``PEER_GATEWAY_URL`` (the
two class attributes every discord.py client reads), and Red's start-up look-up of its
latest version on the package index is answered with its own version (the benchmark
talks to nothing but the loopback Discord). Nothing else of Red is changed.

This file runs in Red's interpreter, not the project's: it imports neither ``bot`` nor
``bench``.
"""

from __future__ import annotations

import os
import sys

import discord.gateway
import discord.http
import yarl


def _point_discord() -> None:
    discord.http.Route.BASE = os.environ["PEER_API_BASE"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["PEER_GATEWAY_URL"])


def _no_version_lookup() -> None:
    # After redbot.__main__ is imported: importing _events first is a circular import.
    from redbot import version_info
    from redbot.core import _events

    async def latest() -> tuple[object, None]:
        return version_info, None

    _events.fetch_latest_red_version_info = latest  # type: ignore[assignment]


def main() -> None:
    _point_discord()
    from redbot.__main__ import main as redbot_main

    _no_version_lookup()

    sys.argv[0] = "redbot"
    redbot_main()


if __name__ == "__main__":
    main()
