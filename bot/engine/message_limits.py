"""Discord's limits on what a message may hold: the one place these figures live.

Source: Discord's developer documentation, "Embed Limits"
(https://discord.com/developers/docs/resources/message#embed-object-embed-limits) and
"Create Message" (content up to 2,000 characters,
https://discord.com/developers/docs/resources/message#create-message). The Discord front
end cuts to them (``bot/discord/embeds.py``); the template checker measures rendered text
against them (``bot/engine/templates/_limits.py``). Plain numbers, no framework: the
engine may read them.
"""

from __future__ import annotations

from typing import Final

MESSAGE_CHARS: Final = 2_000  # message content, also an ephemeral reply
TITLE_CHARS: Final = 256  # embed title
DESCRIPTION_CHARS: Final = 4_096  # embed description
FIELD_NAME_CHARS: Final = 256
FIELD_VALUE_CHARS: Final = 1_024
FOOTER_CHARS: Final = 2_048
FIELDS: Final = 25  # fields in one embed
EMBED_TOTAL_CHARS: Final = 6_000  # title, description, fields, footer and author together
