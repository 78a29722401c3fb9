"""The harness of the hostile template tests: tripwires, a memory cap, recorded times.

Each load runs under tripwires (``eval``, ``exec``, ``open``, code-producing ``compile``,
``os.system`` and friends raise and are recorded) and a memory cap (the address-space limit set to what the
process holds plus ``MEMORY_CAP``, so a load that tries to build something huge gets a
MemoryError); times are recorded in ``TIMINGS`` for the module to print, never asserted
beyond a generous guard.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bot.engine.templates import TemplateError, load_template
from bot.i18n.texts import t

GUARD_SECONDS = 2.0  # pathological slowness only: the figures are printed, not asserted
MEMORY_CAP = 512 * 1024 * 1024  # bytes of address space one load may add
TIMINGS: dict[str, float] = {}  # test node id → seconds
LANGS = ("en", "ja", "fr", "de", "es", "it")


def warm() -> None:
    # Catalogs and modules load on first use (an import runs code): do it before the
    # tripwires are set, as the bot has done long before any template arrives.
    load_template(doc())
    for lang in ("en", "ja"):
        t("grade.correct", lang)


@contextmanager
def guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Tripwires on every way of running code, and a cap on the memory a load may add."""
    calls: list[str] = []
    real_compile = builtins.compile

    def tripped(what: str) -> Callable[..., Any]:
        def fire(*args: Any, **kwargs: Any) -> Any:
            calls.append(what)
            raise AssertionError(f"tripwire: {what}")

        return fire

    def ast_only(source: Any, filename: Any, mode: Any, flags: int = 0, *a: Any, **k: Any) -> Any:
        if not flags & ast.PyCF_ONLY_AST:
            calls.append("compile to code")
            raise AssertionError("tripwire: compile")
        return real_compile(source, filename, mode, flags, *a, **k)

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space() + MEMORY_CAP  # read before the tripwires: reading runs code
    with monkeypatch.context() as patch:
        patch.setattr(builtins, "compile", ast_only)
        for name in ("open", "eval", "exec", "breakpoint", "input"):
            patch.setattr(builtins, name, tripped(name))
        for name in ("system", "popen", "execv", "execve", "fork", "remove", "unlink", "kill"):
            if hasattr(os, name):
                patch.setattr(os, name, tripped(f"os.{name}"))
        resource.setrlimit(resource.RLIMIT_AS, (cap if hard < 0 else min(cap, hard), hard))
        try:
            yield calls
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize in /proc/self/status")


def timed_load(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    loader: Callable[[str], Any] = load_template,
) -> Any:
    """Load ``text`` under the guards; a TemplateError is returned, not raised."""
    with guarded(monkeypatch) as calls:
        start = time.perf_counter()
        try:
            result = loader(text)
        except TemplateError as error:
            result = error
        elapsed = time.perf_counter() - start
    assert calls == [], f"code ran: {calls}"
    TIMINGS[request.node.nodeid] = max(elapsed, TIMINGS.get(request.node.nodeid, 0.0))
    assert elapsed < GUARD_SECONDS, f"took {elapsed:.2f}s"
    return result


def refused(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, text: str) -> str:
    result = timed_load(request, monkeypatch, text)
    assert isinstance(result, TemplateError), f"accepted: {result!r}"[:300]
    message = str(result)
    assert message and "\n" not in message and "Traceback" not in message
    return message


def doc(
    *,
    name: str = "budget",
    params: str = "{n: {range: [16, 64]}, k: {choice: [3, 5]}}",
    prompt: object = "A {n} map and a {k} kernel.",
    answer: str = "n + k",
    answer_type: str = "int",
    extra: str = "",
) -> str:
    """A template with the given fields; texts are written as JSON (valid YAML)."""
    return (
        f"name: {name}\nkind: custom\ndifficulty: 1\nparams: {params}\n"
        f"prompt: {json.dumps(prompt, ensure_ascii=False)}\nanswer: {json.dumps(answer)}\n"
        f"answer_type: {answer_type}\n{extra}"
    )


def print_timings(module: str, what: str) -> None:
    """Print the slowest loads of the test module ``module`` (its ``__name__``; pytest -s
    shows them) and check the guard."""
    file = module.rsplit(".", 1)[-1] + ".py::"
    timings = {key.split("::", 1)[1]: value for key, value in TIMINGS.items() if file in key}
    if not timings:
        pytest.skip("run with the tests above to collect timings")
    slowest = sorted(timings.items(), key=lambda item: item[1], reverse=True)
    print(f"\n{len(timings)} {what}; slowest:")
    for name, seconds in slowest[:8]:
        print(f"  {seconds * 1000:8.2f} ms  {name}")
    assert slowest[0][1] < GUARD_SECONDS
