"""A replayed gateway event is dropped before discord.py parses it; memory stays bounded."""

from __future__ import annotations

from typing import Any

from bot.discord.replays import DEDUPLICATED_EVENTS, SeenIds, drop_replays


def test_each_event_id_is_parsed_once_and_memory_is_bounded() -> None:
    parsed: list[tuple[str, Any]] = []
    parsers: dict[str, Any] = {
        event: (lambda data, event=event: parsed.append((event, data["id"])))
        for event in (*DEDUPLICATED_EVENTS, "GUILD_CREATE")
    }
    seen = SeenIds(limit=3)
    drop_replays(parsers, seen)
    for event_id in ["1", "1", "2", "3", "2"]:
        parsers["MESSAGE_CREATE"]({"id": event_id})
    parsers["INTERACTION_CREATE"]({"id": "9"})
    parsers["INTERACTION_CREATE"]({"id": "9"})
    parsers["GUILD_CREATE"]({"id": "7"})
    parsers["GUILD_CREATE"]({"id": "7"})  # not an event Discord's resumes make us drop
    assert parsed == [
        ("MESSAGE_CREATE", "1"),
        ("MESSAGE_CREATE", "2"),
        ("MESSAGE_CREATE", "3"),
        ("INTERACTION_CREATE", "9"),
        ("GUILD_CREATE", "7"),
        ("GUILD_CREATE", "7"),
    ]
    assert seen.replays == 3 and len(seen) == 3
    parsers["MESSAGE_CREATE"]({"id": "1"})  # long forgotten: only the last 3 are kept
    assert parsed[-1] == ("MESSAGE_CREATE", "1")
