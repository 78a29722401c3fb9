"""The request recorder: the middleware that logs and counts every request, holds it and its
answer to the OpenAPI contract, and turns errors into Discord's answers; plus the rate
accounting.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from aiohttp import BodyPartReader, web

from .contract import Operation, contract
from .http import (
    _BODY,
    _JSON_KEY,
    _NO_JSON,
    API_PREFIX,
    ApiError,
    Handler,
    RejectedRequest,
    json_response,
)
from .model import (
    JSON,
)

_log = logging.getLogger(f"{__package__}.server")  # the name it had before the split


def _max_in_window(times: Sequence[float], window: float) -> int:
    """Largest number of timestamps inside any sliding window of `window` seconds."""
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


class RecorderMixin:
    """The request recorder: the middleware that logs and counts every request, holds it and
    its answer to the OpenAPI contract, and turns errors into Discord's answers; plus the
    rate accounting.
    """

    def _reject(self, route: str, payload: Any, errors: list[str]) -> ApiError:
        self.rejected.append(RejectedRequest(route, payload, errors))
        code = 50006 if errors == ["empty message"] else 50035
        text = "Cannot send an empty message" if code == 50006 else "Invalid Form Body"
        return ApiError(
            400, code, text, {"_errors": [{"code": code, "message": e} for e in errors]}
        )

    def _init_records(self) -> None:
        self.rest_calls: Counter[str] = Counter()
        self.rest_log: list[tuple[float, str]] = []  # (monotonic time, route key)
        self.unknown_routes: list[str] = []
        # Requests and JSON answers that break Discord's OpenAPI spec (see contract.py).
        self.contract_violations: list[str] = []
        self.rejected: list[RejectedRequest] = []
        self.server_errors: list[str] = []  # bugs in the fake itself; should stay empty
        self.channel_post_times: dict[int, list[float]] = {}

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        info = request.match_info
        if info.http_exception is not None:  # no such route, or wrong method
            self.unknown_routes.append(f"{request.method} {request.path}")
            self.rest_log.append((time.monotonic(), "UNKNOWN"))
            if request.path.startswith(API_PREFIX):
                path = request.path.removeprefix(API_PREFIX)
                if contract().operation_for_path(request.method, path) is None:
                    self.contract_violations.append(f"{request.method} {path}: not in the spec")
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        canonical = info.route.resource.canonical if info.route.resource else ""
        if not canonical.startswith(API_PREFIX):
            return await self._handle(request, handler, None)  # gateway, CDN
        template = canonical[len(API_PREFIX) :]
        key = f"{request.method} {template}"
        self.rest_calls[key] += 1
        self.rest_log.append((time.monotonic(), key))
        op = contract().operation(request.method, template)
        if op is None:
            self.contract_violations.append(f"{key}: not in the spec")
        # Interaction callbacks and follow-ups authenticate by token, not header.
        token_auth = "/interactions/" in key or "/webhooks/" in key
        if not token_auth and request.headers.get("Authorization") != f"Bot {self.token}":
            response: web.StreamResponse = json_response(
                {"message": "401: Unauthorized", "code": 0}, 401
            )
        else:
            headers, refused = self._rate_limit(request.method, template, dict(request.match_info))
            response = refused or await self._handle(request, handler, op)
            response.headers.update(headers)  # Discord sends them on every answer
            if op is not None:
                self.contract_violations += contract().check_headers(
                    op, response.status, response.headers
                )
        if op is not None and isinstance(response, web.Response):
            data = response.get(_JSON_KEY, _NO_JSON)
            if data is _NO_JSON and response.content_type == "application/json" and response.body:
                data = json.loads(bytes(response.body))  # type: ignore[arg-type]
            if data is _NO_JSON:  # 204, or not JSON: only the status is checked
                if contract().response_key(op, response.status) is None:
                    msg = f"{key}: response {response.status}: status not in the spec"
                    self.contract_violations.append(msg)
            else:
                self.contract_violations += contract().check_response(op, response.status, data)
        return response

    async def _handle(
        self, request: web.Request, handler: Handler, op: Operation | None
    ) -> web.StreamResponse:
        try:
            if op is not None:
                rejected = await self._check_request(request, op)
                if rejected is not None:
                    return rejected
            return await handler(request)
        except ApiError as exc:
            return exc.response()
        except web.HTTPException:
            raise
        except Exception as exc:
            # A bug in the fake. 503 makes discord.py raise at once; a 500 would be
            # retried with sleeps of 1, 3, 5, 7 s and look like a hung test.
            _log.exception("fakediscord failed on %s %s", request.method, request.path)
            self.server_errors.append(f"{request.method} {request.path}: {exc!r}")
            return json_response({"message": f"fakediscord error: {exc!r}", "code": 0}, 503)

    async def _check_request(self, request: web.Request, op: Operation) -> web.Response | None:
        """Hold the body to the spec; a refused body gets Discord's 400 Invalid Form Body."""
        has_body = request.body_exists and request.method in ("POST", "PUT", "PATCH")
        payload: Any = None
        if has_body:
            request[_BODY] = await self._read_body(request)
            payload = request[_BODY][0]
            has_body = request.content_type.startswith("multipart/") or bool(await request.read())
        violations = contract().check_request(op, payload, has_body=has_body)
        if not violations:
            return None
        self.contract_violations += violations
        return self._reject(self._route_key(request), payload, violations).response()

    @staticmethod
    def _route_key(request: web.Request) -> str:
        resource = request.match_info.route.resource
        canonical = resource.canonical if resource else request.path
        return f"{request.method} {canonical.removeprefix(API_PREFIX)}"

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[JSON, list[tuple[int, str, bytes]]]:
        """JSON body, or multipart `payload_json` + `files[n]` (what discord.py sends)."""
        if _BODY in request:  # the middleware read it to check it against the spec
            return request[_BODY]
        files: list[tuple[int, str, bytes]] = []
        if request.content_type.startswith("multipart/"):
            payload: JSON = {}
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                if name == "payload_json":
                    payload = json.loads(await part.text())
                elif m := re.fullmatch(r"files\[(\d+)\]", name):
                    files.append((int(m.group(1)), part.filename or name, bytes(await part.read())))
            return payload, files
        raw = await request.read()
        return (json.loads(raw) if raw else {}), files

    def max_channel_posts(self, channel_id: int, window: float = 5.0) -> int:
        """Most POST /channels/{id}/messages in any `window` s (Discord allows ~5 per 5 s)."""
        return _max_in_window(self.channel_post_times.get(channel_id, []), window)

    def max_rest_calls(self, window: float = 1.0) -> int:
        """Most REST calls in any `window` s, leaving out interaction endpoints as
        Discord's global limit (50/s) does."""
        times = [
            t for t, key in self.rest_log if "/interactions/" not in key and "/webhooks/" not in key
        ]
        return _max_in_window(times, window)
