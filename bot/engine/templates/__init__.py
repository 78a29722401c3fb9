"""Server-written question templates: a safe little language for admins' own questions.

A template is a YAML document (see ``docs/templates.md`` and
``bot/data/template.schema.json``): integer parameters, constraints, a prompt with
placeholders, and an answer formula calling ``bot.engine.formulas``. ``load_template`` accepts
every good template and refuses every bad or hostile one with a ``TemplateError`` an
admin can act on, executing nothing; a ``Template`` then makes ``bot.engine.question.Question``
objects the engine's grader handles like the built-in families'.

This package is domain code: it imports neither discord nor sqlalchemy.
"""

from __future__ import annotations

import functools
import importlib
from importlib import resources
from typing import TYPE_CHECKING

from bot.engine.templates._errors import TemplateError

if TYPE_CHECKING:
    from bot.engine.templates._expr_functions import FUNCTIONS
    from bot.engine.templates._expr_parse import MAX_FORMULA_CHARS
    from bot.engine.templates._expr_values import MAX_MAGNITUDE
    from bot.engine.templates._json_schema import json_schema, schema_text
    from bot.engine.templates._limits import LIMITS, Limits
    from bot.engine.templates._load import load_template, load_templates
    from bot.engine.templates._source import ANSWER_TYPES
    from bot.engine.templates._template import Template, TemplateRef

# The rest loads on first use (PEP 562): a bot whose guilds have no templates never
# loads the checker, the formula compiler or PyYAML (1.7 MiB resident). The error is
# light and every template path catches it, so it loads with the package.
_LAZY = {
    "FUNCTIONS": "_expr_functions",
    "MAX_FORMULA_CHARS": "_expr_parse",
    "MAX_MAGNITUDE": "_expr_values",
    "json_schema": "_json_schema",
    "schema_text": "_json_schema",
    "LIMITS": "_limits",
    "Limits": "_limits",
    "load_template": "_load",
    "load_templates": "_load",
    "ANSWER_TYPES": "_source",
    "Template": "_template",
    "TemplateRef": "_template",
}

__all__ = [
    "ANSWER_TYPES",
    "BUNDLED",
    "FUNCTIONS",
    "LIMITS",
    "MAX_FORMULA_CHARS",
    "MAX_MAGNITUDE",
    "Limits",
    "Template",
    "TemplateError",
    "TemplateRef",
    "bundled_templates",
    "json_schema",
    "load_template",
    "load_templates",
    "schema_text",
]


@functools.cache
def bundled_templates() -> tuple[Template, ...]:
    """The example templates shipped in ``bot/data/templates/*.yaml``, by file name.

    Loaded (and checked) on first use. A bundled template that fails to load is a bug:
    the ``TemplateError`` names the file."""
    from bot.engine.templates._load import load_template

    folder = resources.files("bot").joinpath("data").joinpath("templates")
    loaded: list[Template] = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".yaml"):
            continue
        try:
            loaded.append(load_template(entry.read_text(encoding="utf-8")))
        except TemplateError as error:
            raise TemplateError(
                error.field, f"{error.detail} [bundled {entry.name}]", line=error.line
            ) from None
    return tuple(loaded)


def __getattr__(name: str) -> object:
    # ``BUNDLED`` is loaded lazily: checking the templates takes a moment.
    if name == "BUNDLED":
        return bundled_templates()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # looked up once
    return value
