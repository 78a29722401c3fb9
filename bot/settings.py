"""Settings from the environment and ``.env``, checked once at start-up.

Read by hand rather than with pydantic-settings: the bot reads its settings once, and
pydantic would stay resident for the process's whole life (8.5 MiB, a tenth of the idle
bot). The rules are pydantic-settings' own: a value passed in beats the environment,
which beats ``.env``, which beats the default; names are matched without regard to case;
unknown names are ignored; an empty ``DISCORD_TOKEN`` or ``CONVQUIZ_METRICS_PORT`` is
unset.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Literal

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/convquiz.db"
DRIVERS = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
LOG_FORMATS = ("text", "json")

__all__ = ["DEFAULT_DATABASE_URL", "Settings", "SettingsError", "load_settings"]


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line for the operator."""


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("Input should be a valid string")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _integer(low: int, high: int) -> Callable[[object], int]:
    def read(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError("Input should be a valid integer")
        try:
            number = int(value)
        except ValueError:
            raise ValueError("Input should be a valid integer") from None
        if not low <= number <= high:
            raise ValueError(f"Input should be between {low} and {high}")
        return number

    return read


def _token(value: object) -> str | None:
    text = _optional_text(value)
    return None if text is None or not text.strip() else text


def _metrics_port(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _integer(0, 65535)(value)


def _prefix(value: object) -> str:
    text = _text(value)
    if not 1 <= len(text) <= 8:
        raise ValueError("String should have 1 to 8 characters")
    return text


def _database_url(value: object) -> str:
    text = _text(value)
    if not text.startswith(DRIVERS):
        raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
    return text


def _log_format(value: object) -> str:
    if not isinstance(value, str) or value not in LOG_FORMATS:
        raise ValueError("Input should be 'text' or 'json'")
    return value


# Each setting: its default and how a raw value (a string from the environment, or
# whatever a caller passed) is checked and converted.
_FIELDS: dict[str, tuple[object, Callable[[object], object]]] = {
    "discord_token": (None, _token),
    "database_url": (DEFAULT_DATABASE_URL, _database_url),
    "convquiz_prefix": ("!", _prefix),
    "convquiz_time_limit": (30, _integer(5, 3600)),
    "discord_api_base": (None, _optional_text),
    "discord_gateway_url": (None, _optional_text),
    # /healthz and /metrics (bot/ops): off unless a port is set; 0 picks a free port.
    "convquiz_metrics_port": (None, _metrics_port),
    "convquiz_metrics_host": ("127.0.0.1", _text),
    "convquiz_log_format": ("text", _log_format),
}


def _dotenv(path: str | None) -> Mapping[str, str | None]:
    if path is None or not os.path.isfile(path):
        return {}
    from dotenv import dotenv_values  # only while reading settings

    return dotenv_values(path, encoding="utf-8")


class Settings:
    """The bot's settings. ``Settings(**values)`` reads the environment and ``.env``
    (``_env_file``; None: no file) for every value not passed."""

    discord_token: str | None
    database_url: str
    convquiz_prefix: str
    convquiz_time_limit: int
    discord_api_base: str | None
    discord_gateway_url: str | None
    convquiz_metrics_port: int | None
    convquiz_metrics_host: str
    convquiz_log_format: Literal["text", "json"]

    def __init__(self, _env_file: str | None = ".env", **values: object) -> None:
        found: dict[str, object] = {}
        for source in (_dotenv(_env_file), os.environ):
            for name, raw in source.items():
                if name.lower() in _FIELDS and raw is not None:
                    found[name.lower()] = raw
        for name, passed in values.items():
            if name not in _FIELDS:
                raise TypeError(f"unknown setting {name!r}")
            found[name] = passed
        for name, (default, read) in _FIELDS.items():
            if name not in found:
                setattr(self, name, default)
                continue
            try:
                setattr(self, name, read(found[name]))
            except ValueError as error:
                raise SettingsError(f"{name.upper()}: {error}") from None

    def __repr__(self) -> str:  # the token never shows
        shown = {name: getattr(self, name) for name in _FIELDS}
        if self.token:
            shown["discord_token"] = "*" * 10  # hidden
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"

    @property
    def token(self) -> str | None:
        return self.discord_token


def load_settings(**overrides: object) -> Settings:
    """Settings, or a ``SettingsError`` naming the first bad variable in one line."""
    env_file = overrides.pop("_env_file", ".env")
    return Settings(_optional_text(env_file), **overrides)
