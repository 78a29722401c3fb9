"""The JSON Schema of a template, for editors.

``bot/data/template.schema.json`` is ``schema_text()``'s output (``python -m
bot.engine.templates schema`` prints it).
"""

from __future__ import annotations

import json

from bot.engine import names
from bot.engine.templates._expr_parse import MAX_FORMULA_CHARS
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._source import ANSWER_TYPES, DISPLAYS, REQUIRED, RESERVED


def _local_text(limit: int) -> dict[str, object]:
    return {
        "oneOf": [
            {"type": "string", "maxLength": limit},
            {
                "type": "object",
                "description": "Text per language; 'en' is required and serves the others.",
                "required": ["en"],
                "minProperties": 1,
                "maxProperties": LIMITS.languages,
                "propertyNames": {"pattern": names.LANGUAGE_KEY.pattern},
                "additionalProperties": {"type": "string", "maxLength": limit},
            },
        ]
    }


def json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of a template, for editors and linters.

    It states the shape only; the bot's checks go further (formulas, placeholders,
    satisfiable constraints, 200 sampled variants)."""
    magnitude = LIMITS.param_magnitude
    whole = {"type": "integer", "minimum": -magnitude, "maximum": magnitude}
    formula = {
        "type": ["string", "number"],
        "maxLength": MAX_FORMULA_CHARS,
        "description": "A formula over the parameters (see docs/templates.md).",
    }
    param = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "range": {
                "type": "array",
                "description": "[min, max], both included.",
                "prefixItems": [whole, whole],
                "minItems": 2,
                "maxItems": 2,
            },
            "step": {"type": "integer", "minimum": 1, "maximum": magnitude},
            "choice": {
                "type": "array",
                "items": whole,
                "minItems": 1,
                "maxItems": LIMITS.choice_values,
            },
        },
        "oneOf": [{"required": ["range"]}, {"required": ["choice"]}],
        "dependentSchemas": {"step": {"required": ["range"]}},
    }
    mistake = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "answer", "score", "feedback"],
        "properties": {
            "name": {"type": "string", "pattern": names.MISTAKE.pattern},
            "answer": formula,
            "score": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
            "feedback": _local_text(LIMITS.feedback_chars),
        },
    }

    def answer_type_is(name: str) -> dict[str, object]:
        return {"properties": {"answer_type": {"const": name}}, "required": ["answer_type"]}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "convquiz question template",
        "description": "A server's own quiz question. See docs/templates.md.",
        "type": "object",
        "additionalProperties": False,
        "required": list(REQUIRED),
        "properties": {
            "name": {"type": "string", "pattern": names.TEMPLATE_NAME.pattern},
            "kind": {"type": "string", "pattern": names.KIND.pattern},
            "difficulty": {"type": "integer", "minimum": 1, "maximum": 3},
            "params": {
                "type": "object",
                "maxProperties": LIMITS.params,
                "propertyNames": {
                    "pattern": names.PARAM.pattern,
                    "not": {"enum": sorted(RESERVED)},
                },
                "additionalProperties": param,
            },
            "constraints": {"type": "array", "items": formula, "maxItems": LIMITS.constraints},
            "prompt": _local_text(LIMITS.prompt_chars),
            "choices": {
                "type": "array",
                "items": _local_text(LIMITS.choice_chars),
                "minItems": 2,
                "maxItems": LIMITS.choices,
            },
            "shuffle": {"type": "boolean"},
            "answer": {
                **formula,
                "description": "A formula; for answer_type choice, also a letter A-H.",
            },
            "answer_type": {"enum": list(ANSWER_TYPES)},
            "display": {"enum": list(DISPLAYS)},
            "tolerance": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "relative": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": LIMITS.relative_tolerance,
                    },
                    "absolute": {"type": "number", "minimum": 0, "maximum": 10**9},
                },
            },
            "explanation": _local_text(LIMITS.explanation_chars),
            "hints": {
                "type": "array",
                "description": "Shown one at a time on request, for fewer points; no {answer}.",
                "items": _local_text(LIMITS.hint_chars),
                "maxItems": LIMITS.hints,
            },
            "mistakes": {"type": "array", "items": mistake, "maxItems": LIMITS.mistakes},
        },
        "allOf": [
            {
                "if": answer_type_is("choice"),
                "then": {"required": ["choices"]},
                "else": {"not": {"anyOf": [{"required": ["choices"]}, {"required": ["shuffle"]}]}},
            },
            {"if": {"not": answer_type_is("pair")}, "then": {"not": {"required": ["display"]}}},
            {"if": answer_type_is("choice"), "then": {"not": {"required": ["tolerance"]}}},
            {
                "if": answer_type_is("pair"),
                "then": {"properties": {"tolerance": {"not": {"required": ["absolute"]}}}},
            },
        ],
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
