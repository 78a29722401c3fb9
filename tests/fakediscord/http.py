"""HTTP plumbing of the fake: the API prefix, JSON answers, Discord's error body, bodies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .model import JSON

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Body = tuple["JSON", list[tuple[int, str, bytes]]]  # payload, files[n] parts
_BODY = web.RequestKey("fakediscord_body", Body)  # read once, by the middleware
_JSON_KEY = web.ResponseKey("fakediscord_json", object)  # what json_response encoded
_NO_JSON = object()


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # Exactly "application/json": aiohttp's json_response appends "; charset=utf-8" and
    # discord.py then treats the body as text (login fails with a TypeError).
    response = web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    response[_JSON_KEY] = data  # for the contract check, without parsing the body again
    return response


class ApiError(Exception):
    """Raised by handlers; the middleware turns it into Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def response(self) -> web.Response:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return json_response(body, self.status)


@dataclass
class RejectedRequest:
    """A request the fake refused the way Discord would (400 invalid form body ...)."""

    route: str
    payload: Any
    errors: list[str]
