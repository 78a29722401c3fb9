"""Discord's published OpenAPI spec as the contract between the bot and the fake.

Every REST request the bot makes and every JSON answer the fake gives are checked
against `spec/openapi.json` (Discord's own description of API v10, vendored with its
MIT licence). `Contract.check_request` / `check_response` return short violation
strings ("POST /channels/{channel_id}/messages: request /content: 5 is not of type
...") that the fake records in `FakeDiscord.contract_violations`; nothing raises.

The spec is loaded once per process, lazily; one validator is built per (operation,
request | status) and reused, so a request costs one schema walk per body.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, relevance
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).with_name("spec") / "openapi.json"
_URI = "urn:discord-openapi"
_METHODS = ("get", "put", "post", "patch", "delete")
_MAX_MESSAGE = 160
_MAX_ERRORS = 3  # per body: enough to see what is wrong, short enough to read


def _allow(document: dict[str, Any]) -> None:
    """Widen the spec where it is wrong about what Discord really accepts from discord.py.

    Each change is one line with its reason; everything else is the spec as published.
    """
    schemas = document["components"]["schemas"]
    # discord.py names new uploads by index ("id": 0 for files[0]); Discord takes the int.
    schemas["MessageAttachmentRequest"]["properties"]["id"] = {
        "anyOf": [{"$ref": "#/components/schemas/SnowflakeType"}, {"type": "integer"}]
    }
    # discord.py opens a DM with the user's id as a JSON integer; Discord takes the int.
    schemas["CreatePrivateChannelRequest"]["properties"]["recipient_id"] = {
        "anyOf": [
            {"type": "null"},
            {"$ref": "#/components/schemas/SnowflakeType"},
            {"type": "integer", "minimum": 0},
        ]
    }
    # discord.py's replies give the referenced message's ids as JSON integers (every
    # discord.py reply does); Discord takes them.
    reference = schemas["MessageReferenceRequest"]["properties"]
    for name in ("message_id", "channel_id", "guild_id"):
        reference[name] = {"anyOf": [reference[name], {"type": "integer", "minimum": 0}]}


Segments = tuple[str | None, ...]  # path segments; None for a {parameter}


def _segments(template: str) -> Segments:
    return tuple(
        None if s.startswith("{") and s.endswith("}") else s for s in template.strip("/").split("/")
    )


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _describe(error: ValidationError) -> str:
    """ "/path: message", going into anyOf/oneOf to the branch that got furthest."""
    while error.context and error.validator in ("anyOf", "oneOf"):
        error = max(error.context, key=lambda e: len(e.absolute_path))
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return "/" + "/".join(str(p) for p in error.absolute_path) + f": {message}"


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the spec's template, e.g. /channels/{channel_id}/messages


class Contract:
    """The loaded spec: route lookup and cached validators."""

    def __init__(self, document: dict[str, Any]) -> None:
        _allow(document)
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(_URI, resource)
        self.paths: dict[str, dict[str, Any]] = document["paths"]
        self._by_segments: dict[Segments, str] = {_segments(p): p for p in self.paths}
        self._validators: dict[tuple[Operation, str], Draft202012Validator | None] = {}

    # ---- routes ----------------------------------------------------------------------

    def operation(self, method: str, template: str) -> Operation | None:
        """The spec's operation for a route template (parameter names may differ)."""
        path = self._by_segments.get(_segments(template))
        if path is None or method.lower() not in self.paths[path]:
            return None
        return Operation(method.upper(), path)

    def operation_for_path(self, method: str, concrete: str) -> Operation | None:
        """The spec's operation for a concrete path (literal segments win over params)."""
        parts = concrete.strip("/").split("/")
        best: tuple[int, str] | None = None
        for segments, path in self._by_segments.items():
            if len(segments) != len(parts) or method.lower() not in self.paths[path]:
                continue
            if all(s is None or s == p for s, p in zip(segments, parts, strict=True)):
                literal = sum(s is not None for s in segments)
                if best is None or literal > best[0]:
                    best = (literal, path)
        return Operation(method.upper(), best[1]) if best else None

    # ---- validators ------------------------------------------------------------------

    def _validator(self, op: Operation, where: str) -> Draft202012Validator | None:
        key = (op, where)
        if key not in self._validators:
            self._validators[key] = self._build(op, where)
        return self._validators[key]

    def _build(self, op: Operation, where: str) -> Draft202012Validator | None:
        spec_op = self.paths[op.path][op.method.lower()]
        base = ("paths", op.path, op.method.lower())
        if where == "request":
            body = spec_op.get("requestBody")
            if body is None:
                return None
            media = "application/json" if "application/json" in body["content"] else None
            media = media or next(iter(body["content"]))
            parts: tuple[str, ...] = (*base, "requestBody", "content", media, "schema")
        else:
            response = spec_op["responses"][where]
            if "$ref" in response:  # "#/components/responses/ClientErrorResponse"
                ref_parts = response["$ref"].removeprefix("#/").split("/")
                response = self.document
                for part in ref_parts:
                    response = response[part]
                base = tuple(ref_parts)
                parts = (*base, "content", "application/json", "schema")
            else:
                parts = (*base, "responses", where, "content", "application/json", "schema")
            if "application/json" not in response.get("content", {}):
                return None
        schema = {"$ref": f"{_URI}#/{_pointer(*parts)}"}
        return Draft202012Validator(schema, registry=self.registry)

    def request_schema_required(self, op: Operation) -> bool:
        body = self.paths[op.path][op.method.lower()].get("requestBody")
        return bool(body and body.get("required"))

    def response_key(self, op: Operation, status: int) -> str | None:
        """The spec's response entry for a status: exact, then "4XX", then "default"."""
        responses = self.paths[op.path][op.method.lower()]["responses"]
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return key
        return None

    # ---- checks ----------------------------------------------------------------------

    def _errors(self, op: Operation, where: str, key: str, instance: Any) -> list[str]:
        validator = self._validator(op, key)
        if validator is None:
            return []
        errors = sorted(validator.iter_errors(instance), key=relevance)
        return [f"{op.method} {op.path}: {where} {_describe(e)}" for e in errors[:_MAX_ERRORS]]

    def check_request(self, op: Operation, body: Any, *, has_body: bool) -> list[str]:
        """Violations of the request body (JSON, or multipart `payload_json`)."""
        if not has_body:
            if self.request_schema_required(op):
                return [f"{op.method} {op.path}: request: body required"]
            return []
        if "requestBody" not in self.paths[op.path][op.method.lower()]:
            return [f"{op.method} {op.path}: request: the operation takes no body"]
        return self._errors(op, "request", "request", body)

    def check_response(self, op: Operation, status: int, body: Any) -> list[str]:
        """Violations of a JSON answer: undocumented status, or body not matching."""
        key = self.response_key(op, status)
        if key is None:
            return [f"{op.method} {op.path}: response {status}: status not in the spec"]
        return self._errors(op, f"response {status}", key, body)

    def check_headers(self, op: Operation, status: int, headers: Mapping[str, str]) -> list[str]:
        """Violations of the headers the spec declares for this answer (the X-RateLimit-*
        ones): each must be present and parse as its schema's type."""
        key = self.response_key(op, status)
        if key is None:
            return []  # check_response reports the status
        response = self.paths[op.path][op.method.lower()]["responses"][key]
        response = self._resolve(response)
        out = []
        for name, declared in response.get("headers", {}).items():
            kind = self._resolve(declared).get("schema", {}).get("type")
            value = headers.get(name)
            if value is None:
                out.append(f"{op.method} {op.path}: response {status}: no {name} header")
            elif not _parses(value, kind):
                out.append(
                    f"{op.method} {op.path}: response {status}: {name}={value!r}: not {kind}"
                )
        return out

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node


def _parses(value: str, kind: str | None) -> bool:
    try:
        if kind == "integer":
            int(value)
        elif kind == "number":
            float(value)
    except ValueError:
        return False
    return True


@functools.cache
def contract() -> Contract:
    """The spec, parsed once per process on first use."""
    return Contract(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


def unserved(templates: Iterable[tuple[str, str]]) -> list[str]:
    """Which of these (method, template) routes the spec lacks."""
    spec = contract()
    return [f"{m} {t}" for m, t in templates if spec.operation(m, t) is None]
