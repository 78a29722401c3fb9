"""Discord's documented rules that its OpenAPI spec cannot express (the spec itself is
enforced by contract.py), so a bot that breaks them fails in tests as it would live.

Discord answers such requests with 400 and code 50035 (Invalid Form Body) or 50006
(Cannot send an empty message); the fake does the same and records them.
"""

from __future__ import annotations

import re
from typing import Any

from .model import FLAG_COMPONENTS_V2, JSON, iter_components

# Discord's documented limit for a message's content; the spec says 4000 (wrong for bots).
MAX_CONTENT = 2000
MAX_EMBED_TOTAL = 6000
MAX_ACTION_ROWS = 5

_EMBED_TEXT = ("title", "description")


def _embed_errors(index: int, embed: JSON) -> tuple[list[str], int]:
    """Rules the spec lacks: non-empty field names and values; the embed's text size."""
    errors: list[str] = []
    total = sum(len(str(embed[k])) for k in _EMBED_TEXT if embed.get(k) is not None)
    for n, fld in enumerate(embed.get("fields") or []):
        name, value = str(fld.get("name", "")), str(fld.get("value", ""))
        total += len(name) + len(value)
        if not name:
            errors.append(f"embeds[{index}].fields[{n}].name: must not be empty")
        if not value:
            errors.append(f"embeds[{index}].fields[{n}].value: must not be empty")
    for part, key in (("footer", "text"), ("author", "name")):
        text = (embed.get(part) or {}).get(key)
        if text is not None:
            total += len(str(text))
    return errors, total


def _component_errors(components: list[JSON], flags: int) -> list[str]:
    """Layout rules the spec cannot state (they hang on the V2 flag) and unique ids."""
    errors: list[str] = []
    if not flags & FLAG_COMPONENTS_V2:
        if len(components) > MAX_ACTION_ROWS:
            errors.append(f"components: more than {MAX_ACTION_ROWS} action rows")
        for n, row in enumerate(components):
            if row.get("type") != 1:
                errors.append(f"components[{n}]: top level must be action rows without V2 flag")
    seen: set[str] = set()
    for comp in iter_components(components):
        custom_id = comp.get("custom_id")
        if custom_id is not None:
            if custom_id in seen:
                errors.append(f"custom_id {custom_id!r}: duplicated")
            seen.add(custom_id)
    return errors


def message_errors(payload: JSON, *, has_files: bool = False, edit: bool = False) -> list[str]:
    """Why Discord would reject this create/edit message payload (empty list: fine).

    Only what the OpenAPI spec cannot say; the spec's own limits (embed count, field
    lengths, custom_id and label lengths ...) are checked by contract.py for every request.
    """
    errors: list[str] = []
    content: Any = payload.get("content")
    embeds: list[JSON] = payload.get("embeds") or []
    components: list[JSON] = payload.get("components") or []
    flags = int(payload.get("flags") or 0)
    if content is not None and len(str(content)) > MAX_CONTENT:
        errors.append(f"content: longer than {MAX_CONTENT} ({len(str(content))})")
    total = 0
    for n, embed in enumerate(embeds):
        embed_errors, size = _embed_errors(n, embed)
        errors.extend(embed_errors)
        total += size
    if total > MAX_EMBED_TOTAL:
        errors.append(f"embeds: more than {MAX_EMBED_TOTAL} characters in total")
    errors.extend(_component_errors(components, flags))
    if flags & FLAG_COMPONENTS_V2 and (content or embeds):
        errors.append("content/embeds cannot be used with the components V2 flag")
    empty = not (content or embeds or components or has_files or payload.get("sticker_ids"))
    if empty and not payload.get("poll") and not edit:
        errors.append("empty message")
    return errors


_NAME = re.compile(r"^[-_'\w]{1,32}$")


def _option_errors(where: str, options: list[JSON]) -> list[str]:
    errors: list[str] = []
    names: set[str] = set()
    for opt in options:
        name = str(opt.get("name", ""))
        if not _NAME.match(name) or name != name.lower():
            errors.append(f"{where}.{name!r}: option names are 1-32 lowercase characters")
        if name in names:
            errors.append(f"{where}.{name!r}: duplicated option")
        names.add(name)
        errors.extend(_option_errors(f"{where}.{name}", opt.get("options") or []))
    return errors


def command_errors(commands: list[JSON]) -> list[str]:
    """Why Discord would refuse this bulk overwrite of application commands.

    Only what the spec cannot say (the name pattern, uniqueness, rules by command type);
    lengths and counts it states are checked by contract.py.
    """
    errors: list[str] = []
    seen: set[tuple[str, int]] = set()
    if sum(1 for c in commands if int(c.get("type", 1)) == 1) > 100:
        errors.append("more than 100 slash commands")
    for cmd in commands:
        name, ctype = str(cmd.get("name", "")), int(cmd.get("type", 1))
        if (name, ctype) in seen:
            errors.append(f"{name!r}: duplicated command")
        seen.add((name, ctype))
        if ctype == 1:
            if not _NAME.match(name) or name != name.lower():
                errors.append(f"{name!r}: slash command names are 1-32 lowercase characters")
            if not cmd.get("description"):
                errors.append(f"{name!r}: a slash command needs a description")
            errors.extend(_option_errors(name, cmd.get("options") or []))
    return errors
