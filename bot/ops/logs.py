"""Log lines for people (the default) or for log collectors (``CONVQUIZ_LOG_FORMAT=json``).

Events that concern one place log it as ``extra={"guild_id": ..., "channel_id": ...}``;
both formats show those ids. Message contents are never logged by the bot's own code,
and every known secret (the token) is masked in whatever a line ends up holding.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

__all__ = ["JsonFormatter", "TextFormatter", "configure_logging"]

PLACE_FIELDS = ("guild_id", "channel_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "[redacted]"


def _masked(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, the place when known,
    and the traceback of an exception."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in PLACE_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return _masked(json.dumps(entry, ensure_ascii=False, default=str), self.secrets)


class TextFormatter(logging.Formatter):
    """The human-readable line, with ``guild=… channel=…`` appended when known."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__(TEXT_FORMAT)
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        place = " ".join(
            f"{field.removesuffix('_id')}={getattr(record, field)}"
            for field in PLACE_FIELDS
            if getattr(record, field, None) is not None
        )
        if place:
            head, sep, rest = line.partition("\n")  # keep a traceback below the line
            line = f"{head} [{place}]{sep}{rest}"
        return _masked(line, self.secrets)


def configure_logging(
    log_format: str = "text",
    *,
    secrets: Iterable[str | None] = (),
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send every log line to ``stream`` (stderr) in ``log_format``; returns the handler.

    discord.py logs gateway payloads (message contents) at DEBUG and INFO, so its loggers
    stay at WARNING whatever the format.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter_type = JsonFormatter if log_format == "json" else TextFormatter
    handler.setFormatter(formatter_type(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("discord").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return handler
