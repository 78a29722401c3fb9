"""The one error a template can raise, shaped for the admin who wrote it."""

from __future__ import annotations

__all__ = ["TemplateError"]


class TemplateError(ValueError):
    """A template the bot refuses, or a request a template cannot serve.

    ``str(error)`` is the admin-facing message: ``field: detail (line N)``. The parts are
    also kept apart (``field``, ``detail``, ``line``, ``name``) for front ends that lay
    them out themselves.
    """

    def __init__(
        self, field: str, detail: str, *, line: int | None = None, name: str | None = None
    ) -> None:
        self.field = _one_line(field, 80)
        self.detail = _one_line(detail, 400)
        self.line = line
        self.name = name
        super().__init__(self._message())

    def _message(self) -> str:
        head = f"{self.field}: {self.detail}" if self.field else self.detail
        return f"{head} (line {self.line})" if self.line else head

    def with_context(self, *, line: int | None = None, name: str | None = None) -> TemplateError:
        """The same error, with a line number and template name filled in if missing."""
        return TemplateError(
            self.field,
            self.detail,
            line=self.line if self.line is not None else line,
            name=self.name if self.name is not None else name,
        )

    def _key(self) -> tuple[str, str, int | None, str | None]:
        return (self.field, self.detail, self.line, self.name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TemplateError):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[object, ...]:  # picklable despite keyword-only arguments
        return (_rebuild, (self.field, self.detail, self.line, self.name))


def _one_line(text: str, limit: int) -> str:
    """Admin text quoted in a message stays on one short line: controls are escaped."""
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rebuild(field: str, detail: str, line: int | None, name: str | None) -> TemplateError:
    return TemplateError(field, detail, line=line, name=name)
