"""Chat that concerns the bot in no way stops before discord.py parses it.

Most messages a bot sees are chat in channels with no open question. discord.py would
build a ``Message`` for each (its author as a ``Member``, mentions, embeds: about 0.1 ms
of work and a few KiB), schedule the ``on_message`` listeners as tasks, and there the
quiz cog would find no question and the command processor no prefix. ``skip_quiet_chat``
puts a cheaper test in front of the parser: the raw event's channel and its first
characters say whether anything could come of it.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any


def skip_quiet_chat(
    parsers: MutableMapping[str, Callable[[Any], None]], worth_parsing: Callable[[Any], bool]
) -> None:
    """Wrap discord.py's MESSAGE_CREATE parser (``ConnectionState.parsers``) so an event
    for which ``worth_parsing(data)`` is false is dropped unparsed."""
    parse = parsers["MESSAGE_CREATE"]

    def parse_if_worth_it(data: Any) -> None:
        if worth_parsing(data):
            parse(data)

    parsers["MESSAGE_CREATE"] = parse_if_worth_it
