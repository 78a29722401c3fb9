"""Where a template's YAML comes from: an attached file, or a code block in the message."""

from __future__ import annotations

import re

import discord

from bot.quiz.template_admin import TemplateRefused

CODE_BLOCK = re.compile(r"```(?:ya?ml)?\s*\n?(.*?)```", re.DOTALL | re.IGNORECASE)
MAX_UPLOAD_BYTES = 512_000  # a multi-template import; one template is far smaller


async def template_source(
    message: discord.Message, file: discord.Attachment | None, text: str
) -> str:
    """The YAML of ``file`` (or the message's first attachment), else of the first code
    block in ``text``, else ``text`` itself; refused when too large, not UTF-8 or empty."""
    attachment = file or (message.attachments[0] if message.attachments else None)
    if attachment is not None:
        if attachment.size > MAX_UPLOAD_BYTES:
            raise TemplateRefused("tpl.too_large", limit=f"{MAX_UPLOAD_BYTES:,}")
        data = await attachment.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateRefused("tpl.not_utf8") from None
    match = CODE_BLOCK.search(text)
    source = match.group(1) if match else text
    if not source.strip():
        raise TemplateRefused("tpl.no_source")
    return source
