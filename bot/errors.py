"""Errors every layer may raise or catch: they carry no framework types.

``StartupError`` ends start-up with its one-line message; ``StorageError`` is what every
store raises when the database is down, locked or refuses, so front ends can say one
sentence for it instead of a traceback.
"""

from __future__ import annotations


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line the operator sees."""


class StorageError(RuntimeError):
    """The database is down, locked or refused the operation; nothing was half-written."""
