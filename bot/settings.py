"""Settings from the environment and ``.env``, checked once at start-up."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/convquiz.db"

__all__ = ["DEFAULT_DATABASE_URL", "Settings", "SettingsError", "load_settings"]


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    convquiz_prefix: str = Field("!", min_length=1, max_length=8)
    convquiz_time_limit: int = Field(30, ge=5, le=3600)
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    # /healthz and /metrics (bot/ops): off unless a port is set; 0 picks a free port.
    convquiz_metrics_port: int | None = Field(None, ge=0, le=65535)
    convquiz_metrics_host: str = "127.0.0.1"
    convquiz_log_format: Literal["text", "json"] = "text"

    @field_validator("discord_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("convquiz_metrics_port", mode="before")
    @classmethod
    def _empty_port_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @property
    def token(self) -> str | None:
        return self.discord_token.get_secret_value() if self.discord_token else None


def load_settings(**overrides: object) -> Settings:
    """Settings, or a ``SettingsError`` naming the first bad variable in one line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"{name}: {first['msg']}") from None
