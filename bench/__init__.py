"""Benchmarks: figures, not pass/fail. ``python -m bench`` runs them all (see README).

The loopback Discord lives with the tests (``tests/fakediscord``); the benchmarks drive
the bot through it too, so importing this package makes it importable.
"""

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[1] / "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
