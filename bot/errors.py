"""Errors every layer may raise or catch: they carry no framework types.

``StartupError`` ends start-up with its one-line message; ``StorageError`` is what every
store raises when the database is down, locked or refuses, so front ends can say one
sentence for it instead of a traceback. ``Localized`` is every refusal a user may read:
a catalog key and its parameters, said in whichever language the reader needs.
"""

from __future__ import annotations

from typing import Self

from bot.i18n.texts import DEFAULT_LANGUAGE, t


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line the operator sees."""


class StorageError(RuntimeError):
    """The database is down, locked or refused the operation; nothing was half-written."""


class Localized(Exception):
    """A refusal fit to show a user, kept as a catalog key and its parameters.

    ``str()`` is the text in the language it was raised in (English by default, for
    logs); ``said_in(lang)`` says it again in another: a reply only the asker sees is in
    their own language, not the server's."""

    def __init__(self, key: str, /, *, lang: str = DEFAULT_LANGUAGE, **params: object) -> None:
        super().__init__(t(key, lang, **params))
        self.key = key
        self.params = params

    @classmethod
    def of(cls, key: str, lang: str, /, **params: object) -> Self:
        return cls(key, lang=lang, **params)

    def said_in(self, lang: str) -> str:
        return t(self.key, lang, **self.params)
