"""Discord's rate limits in the loopback Discord: per-route buckets per major parameter,
the global limit, their headers on every answer, and 429s the way Discord sends them.

Windows are fixed (they start with the first request after the last one ended), timed
with `time.monotonic()`; `X-RateLimit-Reset` is that moment in epoch seconds. A request
refused with 429 uses no token. The figures live in limits.py.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass

from aiohttp import web

from .http import json_response
from .limits import Bucket, RateLimits, not_global
from .model import Feed

RATE_LIMITED = "You are being rate limited."
# discord.py only trusts a 429 that came through Discord's proxy ("Via"); without it, it
# takes the 429 for a Cloudflare ban and raises.
_VIA = {"Via": "1.1 google"}


@dataclass
class _Window:
    start: float
    used: int = 0


@dataclass(frozen=True)
class RateRecord:
    """One REST request as the limiter saw it (time on the fake's monotonic clock)."""

    at: float
    route: str  # "PUT /channels/{channel_id}/..."
    major: str  # the major parameter's value(s), "" for none
    limited: str | None  # None, "route" or "global"


def _up(seconds: float) -> float:
    """Seconds rounded up to the millisecond: a client sleeping this long is never early."""
    return math.ceil(max(0.0, seconds) * 1000) / 1000


def major_parameter(template: str, match: dict[str, str]) -> str:
    """What Discord keys a bucket by besides the route: channel, guild, or webhook/token."""
    for names in (
        ("channel_id",),
        ("guild_id",),
        ("application_id", "interaction_token"),  # interaction webhooks
        ("interaction_id", "interaction_token"),  # interaction callbacks
    ):
        if all(n in match for n in names):
            return "+".join(match[n] for n in names)
    return ""


class RateLimitsMixin:
    """Per-route buckets and the global limit; `rate_limited` lists every 429 earned."""

    def _init_rate_limits(self, limits: RateLimits) -> None:
        self.rate_limits = limits
        # Route key of every 429 the client earned (a limit exceeded, a global window
        # ignored); the 429s a test injected are in `injected_429s` instead.
        self.rate_limited: list[str] = []
        self.injected_429s: Feed[str] = Feed()  # awaitable: wait for the injection to hit
        self.rate_log: list[RateRecord] = []
        self.global_windows: list[tuple[float, float]] = []  # (opened, ends), monotonic
        self._windows: dict[tuple[str, str], _Window] = {}
        self._global = _Window(0.0)
        self._global_until = 0.0
        self._injected: dict[str, list[tuple[float, bool]]] = {}

    @property
    def rate_limited_by_route(self) -> Counter[str]:
        return Counter(self.rate_limited)

    def inject_429(self, route: str, retry_after: float, *, is_global: bool = False) -> None:
        """Answer the next request on `route` ("METHOD /template") with a 429 that no
        header announced, as Discord does for its sub-limits; `is_global` opens a global
        window of `retry_after` seconds instead (every counted request inside gets 429)."""
        self._injected.setdefault(route, []).append((retry_after, is_global))

    def requests_between(self, start: float, end: float) -> list[RateRecord]:
        """Requests that arrived in [start, end) on the fake's clock."""
        return [r for r in self.rate_log if start <= r.at < end]

    def _rate_limit(
        self, method: str, template: str, match: dict[str, str]
    ) -> tuple[dict[str, str], web.Response | None]:
        """Headers for this request's answer, and the 429 to send instead of it, if any."""
        now = time.monotonic()
        route = f"{method} {template}"
        bucket = self.rate_limits.bucket(method, template)
        major = major_parameter(template, match)
        window = self._window(bucket, major, now)
        counted = not not_global(method, template)
        injected = self._injected.get(route)
        if injected:
            retry_after, is_global = injected.pop(0)
            self.injected_429s.record(route)
            if is_global and counted:
                self._open_global(now, retry_after)
                return self._refuse_global(now, route, major, bucket, window, injected=True)
            return self._refuse(now, route, major, bucket, window, _up(retry_after), injected=True)
        if counted and now < self._global_until:
            return self._refuse_global(now, route, major, bucket, window)
        if counted and self.rate_limits.global_per_second is not None:
            if now - self._global.start >= 1.0:
                self._global = _Window(now)
            if self._global.used >= self.rate_limits.global_per_second:
                self._open_global(now, self._global.start + 1.0 - now)
                return self._refuse_global(now, route, major, bucket, window)
        if window.used >= bucket.limit:
            return self._refuse(now, route, major, bucket, window, None)
        window.used += 1
        if counted:
            self._global.used += 1
        self.rate_log.append(RateRecord(now, route, major, None))
        return self._headers(now, bucket, window), None

    def _window(self, bucket: Bucket, major: str, now: float) -> _Window:
        key = (bucket.name, major)
        window = self._windows.get(key)
        if window is None or now - window.start >= bucket.per:
            window = self._windows[key] = _Window(now)
        return window

    def _open_global(self, now: float, retry_after: float) -> None:
        self._global_until = now + _up(retry_after)
        self.global_windows.append((now, self._global_until))

    def _headers(self, now: float, bucket: Bucket, window: _Window) -> dict[str, str]:
        reset_after = _up(window.start + bucket.per - now)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(0, bucket.limit - window.used)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket.hash,
        }

    def _refuse(
        self,
        now: float,
        route: str,
        major: str,
        bucket: Bucket,
        window: _Window,
        retry_after: float | None,
        *,
        injected: bool = False,
    ) -> tuple[dict[str, str], web.Response]:
        headers = self._headers(now, bucket, window)
        if retry_after is None:  # the bucket is empty: wait for its reset
            retry_after = float(headers["X-RateLimit-Reset-After"])
            headers["X-RateLimit-Remaining"] = "0"
        headers |= {"Retry-After": str(math.ceil(retry_after)), "X-RateLimit-Scope": bucket.scope}
        return headers, self._too_many(now, route, major, "route", retry_after, headers, injected)

    def _refuse_global(
        self,
        now: float,
        route: str,
        major: str,
        bucket: Bucket,
        window: _Window,
        *,
        injected: bool = False,
    ) -> tuple[dict[str, str], web.Response]:
        retry_after = _up(self._global_until - now)
        headers = self._headers(now, bucket, window) | {
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Global": "true",
            "X-RateLimit-Scope": "global",
        }
        return headers, self._too_many(now, route, major, "global", retry_after, headers, injected)

    def _too_many(
        self,
        now: float,
        route: str,
        major: str,
        kind: str,
        retry_after: float,
        headers: dict[str, str],
        injected: bool,
    ) -> web.Response:
        if not injected:
            self.rate_limited.append(route)
        self.rate_log.append(RateRecord(now, route, major, kind))
        # "code": the spec's RatelimitedResponse is an Error, which requires one (0: none).
        body = {
            "message": RATE_LIMITED,
            "retry_after": retry_after,
            "global": kind == "global",
            "code": 0,
        }
        return json_response(body, 429, headers | _VIA)
