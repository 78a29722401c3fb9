"""The quiz domain imports no framework: no Discord client, no database layer.

Checked in a fresh interpreter, so modules other tests already imported cannot hide (or
fake) a dependency.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

DOMAIN = [
    "bot.engine.formulas",
    "bot.engine.replies",
    "bot.engine.question",
    "bot.engine.bank",
    "bot.engine.families",
    "bot.i18n.texts",
]
OPTIONAL = ["bot.engine.templates", "bot.engine.scoring"]  # being written; checked once they exist
FORBIDDEN = ["discord", "sqlalchemy"]


def _present(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _loaded_after_importing(modules: list[str]) -> list[str]:
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def _offenders(loaded: list[str]) -> list[str]:
    return sorted(
        name for name in loaded if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    )


def test_domain_modules_import_neither_discord_nor_sqlalchemy() -> None:
    modules = DOMAIN + [name for name in OPTIONAL if _present(name)]
    loaded = _loaded_after_importing(modules)
    assert set(modules) <= set(loaded)
    assert _offenders(loaded) == []


def test_the_check_can_fail() -> None:
    # The probe itself sees a framework when one is imported.
    if not _present("discord"):
        pytest.skip("discord.py is not installed")
    assert "discord" in _offenders(_loaded_after_importing(["discord"]))
