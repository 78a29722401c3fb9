"""Events Discord delivers twice are handled once.

Discord may send a MESSAGE_CREATE or INTERACTION_CREATE again (a resumed session replays
what it is not sure arrived). A replayed ``!convquiz`` would then answer "Slow down", a
replayed button press "You have already answered" to an interaction that was already
answered (Discord refuses that with 400/40060). Both events carry their own snowflake
id, so the bot remembers the last ids it handled (bounded) and drops a second copy
before discord.py even parses it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, MutableMapping
from typing import Any

# Enough for every event a resume can replay in a busy process, at about 100 bytes each.
REMEMBERED_IDS = 20_000
DEDUPLICATED_EVENTS = ("MESSAGE_CREATE", "INTERACTION_CREATE")


class SeenIds:
    """The last ``limit`` ids seen, oldest forgotten first."""

    def __init__(self, limit: int = REMEMBERED_IDS) -> None:
        self.limit = limit
        self._ids: OrderedDict[str, None] = OrderedDict()
        self.replays = 0

    def first_time(self, event_id: str) -> bool:
        if event_id in self._ids:
            self.replays += 1
            return False
        self._ids[event_id] = None
        if len(self._ids) > self.limit:
            self._ids.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._ids)


def drop_replays(parsers: MutableMapping[str, Callable[[Any], None]], seen: SeenIds) -> None:
    """Wrap discord.py's gateway parsers (``ConnectionState.parsers``, the table its
    websocket reads each event's handler from) so a replayed event is ignored."""
    for event in DEDUPLICATED_EVENTS:
        parse = parsers[event]

        def once(data: Any, parse: Callable[[Any], None] = parse) -> None:
            event_id = data.get("id") if isinstance(data, dict) else None
            if event_id is None or seen.first_time(str(event_id)):
                parse(data)

        parsers[event] = once
