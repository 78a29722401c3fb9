"""Discord's rate limits as the loopback Discord applies them: every figure in one place.

Sources (read 2026-12):
- https://discord.com/developers/docs/topics/rate-limits : the headers, the 429 body,
  "Global Rate Limit: 50 requests per second", "Interaction endpoints are not bound to
  the bot's Global Rate Limit", and that limits are per route *and* major parameter
  (channel_id, guild_id, webhook_id + webhook_token).
- Per-route figures are not published ("do not hard code"); the ones below are what
  Discord's headers answer, as observed by bot authors and discord.py's issue tracker:
  a channel's reactions answer `X-RateLimit-Limit: 1`, `X-RateLimit-Reset-After: 0.25`;
  creating messages answers 5 per 5 s per channel.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Scope = Literal["user", "global", "shared"]


@dataclass(frozen=True)
class Bucket:
    """`limit` requests per `per` seconds, counted per major parameter."""

    name: str  # routes with the same name share one bucket (and one X-RateLimit-Bucket)
    limit: int
    per: float
    scope: Scope = "user"  # what a 429 on it reports in X-RateLimit-Scope

    @property
    def hash(self) -> str:
        """The opaque X-RateLimit-Bucket value: stable, the same for a shared bucket."""
        return hashlib.sha1(self.name.encode()).hexdigest()[:16]


REACTIONS_PATH = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"

# Observed reaction bucket: limit 1, reset_after 0.25 s, per channel; adding and removing
# the bot's own reaction share it (same X-RateLimit-Bucket on both).
REACTIONS = Bucket("reactions", 1, 0.25)
# Observed: 5 messages per 5 s per channel.
CREATE_MESSAGE = Bucket("create_message", 5, 5.0)
# Not a Discord figure: routes whose limits no test is about get a bucket generous
# enough never to matter below the global limit (still per route + major parameter).
DEFAULT_LIMIT, DEFAULT_PER = 50, 1.0
# Documented: 50 requests per second per bot, interaction endpoints excluded.
GLOBAL_PER_SECOND = 50


@dataclass(frozen=True)
class RateLimits:
    """What one FakeDiscord enforces. `DISCORD` is Discord; tests about something else
    may pass another (say why in the test), e.g. `DISCORD.without_global()`."""

    routes: dict[tuple[str, str], Bucket] = field(
        default_factory=lambda: {
            ("PUT", REACTIONS_PATH): REACTIONS,
            ("DELETE", REACTIONS_PATH): REACTIONS,
            ("POST", "/channels/{channel_id}/messages"): CREATE_MESSAGE,
        }
    )
    default_limit: int = DEFAULT_LIMIT
    default_per: float = DEFAULT_PER
    global_per_second: int | None = GLOBAL_PER_SECOND  # None: no global limit

    def bucket(self, method: str, template: str) -> Bucket:
        found = self.routes.get((method, template))
        if found is not None:
            return found
        return Bucket(f"{method} {template}", self.default_limit, self.default_per)

    def with_route(self, method: str, template: str, bucket: Bucket) -> RateLimits:
        return RateLimits(
            {**self.routes, (method, template): bucket},
            self.default_limit,
            self.default_per,
            self.global_per_second,
        )

    def without_global(self) -> RateLimits:
        return RateLimits(self.routes, self.default_limit, self.default_per, None)


DISCORD = RateLimits()


def not_global(method: str, template: str) -> bool:
    """Interaction endpoints (the callback, and the follow-up webhooks that authenticate
    with the interaction token) are not bound to the bot's global limit."""
    return template.startswith(("/interactions/", "/webhooks/"))


# For benchmarks of the bot's own cost (not of Discord's limits): headers still answered,
# nothing ever limited.
UNLIMITED = RateLimits(routes={}, default_limit=1_000_000_000, global_per_second=None)
