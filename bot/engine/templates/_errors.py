"""The one error a template can raise, shaped for the admin who wrote it."""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n.texts import DEFAULT_LANGUAGE, t

__all__ = ["TemplateError"]


class TemplateError(ValueError):
    """A template the bot refuses, or a request a template cannot serve.

    ``str(error)`` is the admin-facing message: ``field: detail (line N)``. The parts are
    also kept apart (``field``, ``detail``, ``line``, ``name``) for front ends that lay
    them out themselves. A detail made from a catalog entry (``keyed``) keeps its ``key``
    and ``params``, so ``said_in(lang)`` says it in the reader's language; ``when`` is
    the parameter values it happened for (``n=16, k=3``).
    """

    def __init__(
        self,
        field: str,
        detail: str,
        *,
        line: int | None = None,
        name: str | None = None,
        key: str | None = None,
        params: Mapping[str, object] | None = None,
        when: str | None = None,
    ) -> None:
        self.field = _one_line(field, 80)
        self.detail = _one_line(detail, 400)
        self.line = line
        self.name = name
        self.key = key
        self.params = dict(params or {})
        self.when = when
        super().__init__(self._message())

    @classmethod
    def keyed(
        cls,
        field: str,
        key: str,
        /,
        *,
        line: int | None = None,
        name: str | None = None,
        when: str | None = None,
        **params: object,
    ) -> TemplateError:
        """An error whose detail is the catalog entry ``key`` (English in ``str()``)."""
        detail = t(key, DEFAULT_LANGUAGE, **params)
        if when:
            detail = t("tpl.when", DEFAULT_LANGUAGE, detail=detail, values=when)
        return cls(field, detail, line=line, name=name, key=key, params=params, when=when)

    def said_in(self, lang: str) -> str:
        """The message in ``lang``; a detail not from the catalog stays as written."""
        if self.key is None:
            return str(self)
        detail = t(self.key, lang, **self.params)
        if self.when:
            detail = t("tpl.when", lang, detail=detail, values=self.when)
        detail = _one_line(detail, 400)
        head = f"{self.field}: {detail}" if self.field else detail
        return t("tpl.at_line", lang, message=head, line=self.line) if self.line else head

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
            key=self.key,
            params=self.params,
            when=self.when,
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
        return (
            _rebuild,
            (self.field, self.detail, self.line, self.name, self.key, self.params, self.when),
        )


def _one_line(text: str, limit: int) -> str:
    """Admin text quoted in a message stays on one short line: controls are escaped."""
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rebuild(
    field: str,
    detail: str,
    line: int | None,
    name: str | None,
    key: str | None = None,
    params: Mapping[str, object] | None = None,
    when: str | None = None,
) -> TemplateError:
    return TemplateError(field, detail, line=line, name=name, key=key, params=params, when=when)
