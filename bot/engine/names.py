"""Every kind of name an admin or a code may spell, each pattern defined once.

Patterns are matched with ``fullmatch`` only: ``re.match`` with a trailing ``$`` also
accepts a trailing newline, and a template saved as ``'abc\\n'`` could then be neither
replayed, shown nor removed. The ``^...$`` spelling is kept for the JSON Schema, whose
(ECMAScript) ``$`` matches only at the very end.
"""

from __future__ import annotations

import re

TEMPLATE_NAME_BODY = r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?"

TEMPLATE_NAME = re.compile(rf"^{TEMPLATE_NAME_BODY}$")
KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
PARAM = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
MISTAKE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LANGUAGE_KEY = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
CHOICE_LETTER = re.compile(r"^[A-Z]$")


def is_template_name(text: str) -> bool:
    return TEMPLATE_NAME.fullmatch(text) is not None
