"""Discord's message limits, so a bot that breaks them fails in tests as it would live.

Discord answers such requests with 400 and code 50035 (Invalid Form Body) or 50006
(Cannot send an empty message); the fake does the same and records them.
"""

from __future__ import annotations

import re
from typing import Any

from .model import FLAG_COMPONENTS_V2, JSON, iter_components

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_ACTION_ROWS = 5
MAX_ROW_ITEMS = 5

_EMBED_FIELD_LIMITS = {"title": 256, "description": 4096}


def _embed_errors(index: int, embed: JSON) -> tuple[list[str], int]:
    errors: list[str] = []
    total = 0
    for key, limit in _EMBED_FIELD_LIMITS.items():
        value = embed.get(key)
        if value is not None:
            total += len(str(value))
            if len(str(value)) > limit:
                errors.append(f"embeds[{index}].{key}: longer than {limit}")
    fields: list[JSON] = embed.get("fields") or []
    if len(fields) > 25:
        errors.append(f"embeds[{index}].fields: more than 25")
    for n, fld in enumerate(fields):
        name, value = str(fld.get("name", "")), str(fld.get("value", ""))
        total += len(name) + len(value)
        if not name or len(name) > 256:
            errors.append(f"embeds[{index}].fields[{n}].name: must be 1-256 characters")
        if not value or len(value) > 1024:
            errors.append(f"embeds[{index}].fields[{n}].value: must be 1-1024 characters")
    footer = (embed.get("footer") or {}).get("text")
    if footer is not None:
        total += len(str(footer))
        if len(str(footer)) > 2048:
            errors.append(f"embeds[{index}].footer.text: longer than 2048")
    author = (embed.get("author") or {}).get("name")
    if author is not None:
        total += len(str(author))
        if len(str(author)) > 256:
            errors.append(f"embeds[{index}].author.name: longer than 256")
    return errors, total


def _component_errors(components: list[JSON], flags: int) -> list[str]:
    errors: list[str] = []
    if not flags & FLAG_COMPONENTS_V2:
        if len(components) > MAX_ACTION_ROWS:
            errors.append(f"components: more than {MAX_ACTION_ROWS} action rows")
        for n, row in enumerate(components):
            if row.get("type") != 1:
                errors.append(f"components[{n}]: top level must be action rows without V2 flag")
            elif len(row.get("components") or []) > MAX_ROW_ITEMS:
                errors.append(f"components[{n}]: more than {MAX_ROW_ITEMS} items")
    seen: set[str] = set()
    for comp in iter_components(components):
        custom_id = comp.get("custom_id")
        if custom_id is not None:
            if len(custom_id) > 100:
                errors.append(f"custom_id {custom_id[:20]!r}...: longer than 100")
            if custom_id in seen:
                errors.append(f"custom_id {custom_id!r}: duplicated")
            seen.add(custom_id)
        label = comp.get("label")
        if comp.get("type") == 2 and label is not None and len(label) > 80:
            errors.append(f"button label {label[:20]!r}...: longer than 80")
    return errors


def message_errors(payload: JSON, *, has_files: bool = False, edit: bool = False) -> list[str]:
    """Why Discord would reject this create/edit message payload (empty list: fine)."""
    errors: list[str] = []
    content: Any = payload.get("content")
    embeds: list[JSON] = payload.get("embeds") or []
    components: list[JSON] = payload.get("components") or []
    flags = int(payload.get("flags") or 0)
    if content is not None and len(str(content)) > MAX_CONTENT:
        errors.append(f"content: longer than {MAX_CONTENT} ({len(str(content))})")
    if len(embeds) > MAX_EMBEDS:
        errors.append(f"embeds: more than {MAX_EMBEDS}")
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
    if len(options) > 25:
        errors.append(f"{where}.options: more than 25")
    names: set[str] = set()
    for opt in options:
        name = str(opt.get("name", ""))
        if not _NAME.match(name) or name != name.lower():
            errors.append(f"{where}.{name!r}: option names are 1-32 lowercase characters")
        if name in names:
            errors.append(f"{where}.{name!r}: duplicated option")
        names.add(name)
        if not 1 <= len(str(opt.get("description", ""))) <= 100:
            errors.append(f"{where}.{name!r}: description must be 1-100 characters")
        if len(opt.get("choices") or []) > 25:
            errors.append(f"{where}.{name!r}: more than 25 choices")
        errors.extend(_option_errors(f"{where}.{name}", opt.get("options") or []))
    return errors


def command_errors(commands: list[JSON]) -> list[str]:
    """Why Discord would refuse this bulk overwrite of application commands."""
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
            if not 1 <= len(str(cmd.get("description", ""))) <= 100:
                errors.append(f"{name!r}: description must be 1-100 characters")
            errors.extend(_option_errors(name, cmd.get("options") or []))
        elif not 1 <= len(name) <= 32:
            errors.append(f"{name!r}: context menu names are 1-32 characters")
    return errors
