"""Cards as Discord embeds, cut to Discord's limits instead of rejected by the API."""

from __future__ import annotations

import io

import discord

from bot.engine import message_limits
from bot.i18n.texts import t
from bot.present.cards import Card

# Discord's documented limits (figures and their source: bot/engine/message_limits.py).
MESSAGE_LIMIT = message_limits.MESSAGE_CHARS
TITLE_LIMIT = message_limits.TITLE_CHARS
DESCRIPTION_LIMIT = message_limits.DESCRIPTION_CHARS
FIELD_NAME_LIMIT = message_limits.FIELD_NAME_CHARS
FIELD_VALUE_LIMIT = message_limits.FIELD_VALUE_CHARS
FOOTER_LIMIT = message_limits.FOOTER_CHARS
FIELDS_LIMIT = message_limits.FIELDS
EMBED_TOTAL_LIMIT = message_limits.EMBED_TOTAL_CHARS

COLOURS = {
    "question": discord.Colour.blurple(),
    "close": discord.Colour.green(),
    "board": discord.Colour.gold(),
    "stats": discord.Colour.teal(),
    "error": discord.Colour.red(),
    "info": discord.Colour.light_grey(),
}


def mention(user_id: int) -> str:
    """A user as Discord shows them; with allowed mentions off it never pings."""
    return f"<@{user_id}>"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…" if limit > 0 else ""


def embed_for(card: Card) -> discord.Embed:
    """The card as an embed. Every part is cut to its own limit, and the whole to
    Discord's 6,000-character total: title and footer first, then the description (the
    question or answer itself), then as many fields as still fit."""
    parts = [card.body] if card.body else []
    if card.choices:
        parts.append(
            "\n".join(f"**{chr(ord('A') + i)}.** {choice}" for i, choice in enumerate(card.choices))
        )
    if card.deadline is not None:
        # Discord shows the timestamp relative and in each reader's own language.
        when = f"<t:{int(card.deadline.timestamp())}:R>"
        parts.append(t("card.closes", card.lang, when=when))
    title = clip(card.title, TITLE_LIMIT)
    footer = clip(card.footer, FOOTER_LIMIT)
    room = EMBED_TOTAL_LIMIT - len(title) - len(footer)
    description = "\n\n".join(parts)
    if card.spoiler:
        # The worked answer stays hidden until clicked, for those still thinking.
        spoiler = card.spoiler.replace("||", "|\u200b|")
        budget = min(DESCRIPTION_LIMIT, room) - len(description) - 6
        if budget > 20:
            description = f"{description}\n\n||{clip(spoiler, budget)}||"
    description = clip(description, max(0, min(DESCRIPTION_LIMIT, room)))
    room -= len(description)
    embed = discord.Embed(
        title=title, description=description or None, colour=COLOURS.get(card.kind, COLOURS["info"])
    )
    for name, value in card.fields[:FIELDS_LIMIT]:
        name = clip(name, FIELD_NAME_LIMIT) or "\u200b"
        value = clip(value or "\u200b", min(FIELD_VALUE_LIMIT, room - len(name)))
        if not value or room - len(name) - len(value) < 0:
            break  # what does not fit is left out rather than rejected by the API
        embed.add_field(name=name, value=value, inline=False)
        room -= len(name) + len(value)
    if footer:
        embed.set_footer(text=footer)
    return embed


PICTURE_NAME = "layer.png"


def with_picture(
    embed: discord.Embed, png: bytes | None, name: str = PICTURE_NAME
) -> discord.File | None:
    """Show ``png`` inside ``embed``; the file to send with it (None: no picture)."""
    if png is None:
        return None
    embed.set_image(url=f"attachment://{name}")
    return discord.File(io.BytesIO(png), filename=name)
