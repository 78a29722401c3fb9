"""Strict YAML: one document as plain data, with the YAML line of every field path.

The reader refuses anchors, aliases, tags, merge keys and duplicate keys, and bounds the
document's size, nesting and node count before anything is built, so a document cannot
make the bot build something huge (billion laughs) or run a constructor
(``!!python/object/apply``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from bot.engine.templates._errors import TemplateError
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._yaml_scalars import read_scalar


class _Refused(yaml.MarkedYAMLError):
    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(None, None, problem, mark)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that builds nodes only: no anchors, aliases, tags or deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        # Stop [[[[... while scanning: PyYAML's scanner is quadratic in flow depth.
        if self.flow_level >= LIMITS.yaml_depth:
            raise _Refused(f"nested more than {LIMITS.yaml_depth} levels", self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _Refused("aliases (*name) are not allowed", event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise _Refused("anchors (&name) are not allowed", event.start_mark)
        if getattr(event, "tag", None) is not None:
            raise _Refused(f"tags such as {str(event.tag)[:60]} are not allowed", event.start_mark)
        self._nodes += 1
        if self._nodes > LIMITS.yaml_nodes:
            raise _Refused(f"more than {LIMITS.yaml_nodes:,} YAML values", event.start_mark)
        self._depth += 1
        try:
            if self._depth > LIMITS.yaml_depth:
                raise _Refused(f"nested more than {LIMITS.yaml_depth} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


@dataclass(frozen=True)
class Document:
    """A document's data and the YAML line (1-based) of each field path."""

    data: object
    lines: dict[str, int]
    first_line: int

    def line(self, path: str) -> int | None:
        while True:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                return self.lines.get("", self.first_line)
            path = path[:cut]


def join_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def shown_key(key: str) -> str:
    """A key as quoted in an error path: long keys are cut."""
    return key if len(key) <= 40 else key[:39] + "…"


def _build(
    loader: _StrictLoader, node: yaml.Node, path: str, lines: dict[str, int], offset: int
) -> object:
    lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:merge":
            raise TemplateError(path, "merge keys (<<) are not allowed", line=lines[path])
        return read_scalar(loader, node, path, lines[path])
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, join_path(path, index), lines, offset)
            for index, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.MappingNode):
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1 + offset
            key = (
                read_scalar(loader, key_node, path or "document", line, key=True)
                if isinstance(key_node, yaml.ScalarNode)
                and key_node.tag != "tag:yaml.org,2002:merge"
                else None
            )
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise TemplateError(path, "merge keys (<<) are not allowed", line=line)
            if not isinstance(key, str):
                raw = getattr(key_node, "value", None)
                shown = f"{raw[:40]!r} " if isinstance(raw, str) else ""
                raise TemplateError(
                    path or "document",
                    f"key {shown}must be a plain name (quote it if YAML reads it as a number "
                    "or true/false)",
                    line=line,
                )
            child = join_path(path, key)
            if key in result:
                raise TemplateError(join_path(path, shown_key(key)), "duplicate key", line=line)
            lines[child] = line
            result[key] = _build(loader, value_node, child, lines, offset)
        return result
    raise TemplateError(path, "unsupported YAML node", line=lines[path])


def read_document(text: str, offset: int = 0) -> Document:
    """One YAML document as plain data, strictly. ``offset`` is added to line numbers."""
    if len(text) > LIMITS.document_chars:
        raise TemplateError(
            "",
            f"the template is {len(text):,} characters long; the limit is "
            f"{LIMITS.document_chars:,}",
            line=offset + 1,
        )
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)  # the reader checks characters here already
        node = loader.get_single_node()
        if node is None:
            raise TemplateError("", "the document is empty", line=offset + 1)
        lines: dict[str, int] = {}
        data = _build(loader, node, "", lines, offset)
    except TemplateError:
        raise  # already names its field and line: not "not valid YAML" (line 1) again
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + offset if mark is not None else None
        problem = error.problem or error.context or "unreadable"
        if "expected a single document" in str(error.context or ""):
            problem = "found more than one document; import several templates with load_templates"
        raise TemplateError("", f"not valid YAML: {problem}", line=line) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow, at a position
        line = text.count("\n", 0, max(error.position, 0)) + 1 + offset
        raise TemplateError("", f"not valid YAML: {_first_line(error)}", line=line) from None
    except yaml.YAMLError as error:
        raise TemplateError("", f"not valid YAML: {_first_line(error)}", line=offset + 1) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(data, lines, node.start_mark.line + 1 + offset)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


_DOC_START = re.compile(r"^---(?=[ \t]|$)", re.MULTILINE)


def split_documents(text: str) -> Iterator[tuple[str, int]]:
    """Cut a multi-document stream at its ``---`` lines: (document text, line offset).

    Each document is then read on its own, so one broken template does not take the rest
    of an import with it. Empty documents (only comments or blanks) are skipped. Linear
    in the text: line offsets are counted once, piece by piece, and documents are made
    lazily, so a caller can stop at the first one over its limit.
    """
    starts = [match.start() for match in _DOC_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    line = 0
    for begin, end in itertools.pairwise(starts):
        chunk = text[begin:end]
        if any(
            stripped and not stripped.startswith(("#", "%")) and stripped not in ("---", "...")
            for stripped in (raw.strip() for raw in chunk.splitlines())
        ):
            yield chunk, line
        line += chunk.count("\n")
