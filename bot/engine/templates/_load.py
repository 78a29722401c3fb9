"""Loading: text (or bytes) to checked templates, one or many documents at a time."""

from __future__ import annotations

import itertools

from bot.engine.templates._check import check_template
from bot.engine.templates._compile import compile_plan
from bot.engine.templates._errors import TemplateError
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._reader import parse_source
from bot.engine.templates._template import Template
from bot.engine.templates._yaml import Document, read_document, split_documents


def _as_text(text: object, limit: int) -> str:
    if isinstance(text, bytes | bytearray):
        if len(text) > limit * 4:
            raise TemplateError(
                "",
                f"the text is {len(text):,} bytes long; the limit is {limit:,} characters",
                line=1,
            )
        try:
            decoded = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            line = bytes(text).count(b"\n", 0, error.start) + 1
            raise TemplateError(
                "", f"the text is not UTF-8 (byte {error.start + 1} cannot be read)", line=line
            ) from None
        text = decoded.removeprefix("\ufeff")  # a byte-order mark is harmless
    if not isinstance(text, str):
        raise TemplateError("", f"a template is YAML text, got {type(text).__name__}")
    if len(text) > limit:
        raise TemplateError(
            "", f"the text is {len(text):,} characters long; the limit is {limit:,}", line=1
        )
    return text


def load_template(text: str | bytes, *, allow_links: bool = False) -> Template:
    """Read, check and compile one template (a YAML document).

    Returns an immutable ``Template`` or raises ``TemplateError`` whose message names the
    field (and YAML line) and says what to change. Nothing in the text is executed.
    ``allow_links`` is the guild's ``template_links`` setting: links in texts are refused
    unless it is on (masked links ``[text](url)`` always are)."""
    return _load(read_document(_as_text(text, LIMITS.document_chars)), allow_links)[0]


def load_templates(
    text: str | bytes, *, allow_links: bool = False
) -> list[Template | TemplateError]:
    """Read a multi-document YAML stream (``---`` between templates): one entry per
    template, accepted or refused on its own. Raises ``TemplateError`` only when the
    whole import is too large. The checks of the whole import share one work budget
    (``LIMITS.import_units``); a template past it is refused and can be imported alone."""
    body = _as_text(text, LIMITS.import_chars)
    # Stop at the first document over the limit: a stream of 100,000 tiny documents
    # is refused without cutting it all up.
    chunks = list(itertools.islice(split_documents(body), LIMITS.import_documents + 1))
    if len(chunks) > LIMITS.import_documents:
        raise TemplateError(
            "",
            f"more than {LIMITS.import_documents} templates in one import; the limit is "
            f"{LIMITS.import_documents}",
        )
    results: list[Template | TemplateError] = []
    names: dict[str, int] = {}
    left = LIMITS.import_units
    for number, (chunk, offset) in enumerate(chunks, start=1):
        try:
            # A fair share of what is left, or a quarter of it when that is more: cheap
            # templates leave room for a heavy one, and the whole import stays bounded.
            share = max(left // (len(chunks) - number + 1), left // 4)
            template, units = _load(read_document(chunk, offset), allow_links, share)
            left -= units
        except TemplateError as error:
            results.append(error)
            continue
        if template.name in names:
            results.append(
                TemplateError(
                    "name",
                    f"'{template.name}' is already used by template {names[template.name]} "
                    "of this import",
                    line=template._plan.line("name"),
                    name=template.name,
                )
            )
            continue
        names[template.name] = number
        results.append(template)
    return results


def _load(
    document: Document, allow_links: bool, budget: int = LIMITS.check_units
) -> tuple[Template, int]:
    try:
        source = parse_source(document)
    except RecursionError:
        raise TemplateError(
            "", "the template is nested too deeply", line=document.first_line
        ) from None
    try:
        plan = compile_plan(source, document)
        template = Template(**vars(source), _plan=plan)
        units = check_template(template, allow_links=allow_links, budget=budget)
    except TemplateError as error:
        raise error.with_context(name=source.name) from None
    return template, units
