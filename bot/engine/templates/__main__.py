"""``python -m bot.engine.templates schema`` prints the JSON Schema;
``python -m bot.engine.templates check FILE...`` loads template files and shows a preview."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.engine.templates import Template, TemplateError, load_templates, schema_text


def main(argv: list[str]) -> int:
    if argv[:1] == ["schema"]:
        sys.stdout.write(schema_text())
        return 0
    if argv[:1] == ["check"] and len(argv) > 1:
        status = 0
        for name in argv[1:]:
            for result in load_templates(Path(name).read_bytes()):
                if isinstance(result, TemplateError):
                    status = 1
                    print(f"{name}: refused: {result}")
                    continue
                assert isinstance(result, Template)
                print(f"{name}: {result.name} ok ({result.kind}, difficulty {result.difficulty})")
                for question in result.preview(3):
                    print(f"  {question.code}: {question.prompt}\n    → {question.answer_text}")
        return status
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
