"""Hostile templates: every one is refused with a clear message, quickly, executing nothing.

Each refusal runs under tripwires (``open``, ``eval``, ``exec``, code-producing
``compile``, dangerous imports, ``os.system`` and friends raise and are recorded) and a
generous time guard that only fails on pathological slowness; timings are collected and
printed by ``test_refusal_timings`` (run with ``-s`` to see them). A watchdog
(``faulthandler``) ends the run with a traceback should a refusal ever hang outright.
"""

from __future__ import annotations

import ast
import builtins
import faulthandler
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.templates import (
    MAX_MAGNITUDE,
    Template,
    TemplateError,
    load_template,
    load_templates,
)
from bot.engine.templates._expr import EvalError, FormulaError, compile_formula

GUARD_SECONDS = 2.0  # generous: a refusal normally takes milliseconds
WATCHDOG_SECONDS = 60.0
TIMINGS: dict[str, float] = {}

_BLOCKED_MODULES = {
    "os",
    "posix",
    "nt",
    "subprocess",
    "sys",
    "shutil",
    "socket",
    "ctypes",
    "pickle",
    "marshal",
    "importlib",
    "runpy",
    "code",
    "codeop",
    "pty",
    "builtins",
    "io",
    "pathlib",
    "urllib",
    "http",
    "tempfile",
    "signal",
    "multiprocessing",
    "threading",
}


@contextmanager
def tripwires(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make every way of running code or touching the system raise, and record it."""
    calls: list[str] = []
    real_import = builtins.__import__
    real_compile = builtins.compile

    def tripped(what: str) -> Callable[..., Any]:
        def fire(*args: Any, **kwargs: Any) -> Any:
            calls.append(what)
            raise AssertionError(f"tripwire: {what}")

        return fire

    def guarded_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in _BLOCKED_MODULES:
            calls.append(f"import {name}")
            raise ImportError(f"tripwire: import {name}")
        return real_import(name, *args, **kwargs)

    def ast_only_compile(
        source: Any, filename: Any, mode: Any, flags: int = 0, *args: Any, **kwargs: Any
    ) -> Any:
        if not flags & ast.PyCF_ONLY_AST:
            calls.append("compile to code")
            raise AssertionError("tripwire: compile")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(builtins, "__import__", guarded_import)
        patch.setattr(builtins, "compile", ast_only_compile)
        for name in ("open", "eval", "exec", "breakpoint", "input"):
            patch.setattr(builtins, name, tripped(name))
        for name in (
            "system",
            "popen",
            "execv",
            "execve",
            "execvp",
            "spawnv",
            "fork",
            "remove",
            "unlink",
            "kill",
        ):
            if hasattr(os, name):
                patch.setattr(os, name, tripped(f"os.{name}"))
        patch.setattr(subprocess, "Popen", tripped("subprocess.Popen"))
        yield calls


def refuse(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    text: str | bytes,
    loader: Callable[[Any], Any] = load_template,
) -> str:
    """Load ``text`` expecting a refusal; return the message. Checks the tripwires and
    the time guard, and records the time."""
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    try:
        with tripwires(monkeypatch) as calls:
            start = time.perf_counter()
            try:
                result = loader(text)
            except TemplateError as error:
                refused: TemplateError | None = error
            else:
                refused = None
            elapsed = time.perf_counter() - start
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert calls == [], f"code ran: {calls}"
    assert refused is not None, f"accepted: {result!r}"[:300]
    TIMINGS[request.node.name] = elapsed
    assert elapsed < GUARD_SECONDS, f"took {elapsed:.2f}s"
    message = str(refused)
    assert message and len(message) < 500 and "\n" not in message, message
    assert "Traceback" not in message and "object at 0x" not in message
    return message


def doc(
    *,
    answer: str = "n + k",
    prompt: str = "A {n} map and a {k} kernel.",
    params: str = "{n: {range: [16, 64]}, k: {choice: [3, 5]}}",
    extra: str = "",
    answer_type: str = "int",
) -> str:
    """A template with the given fields; strings are written as JSON (valid YAML)."""
    return (
        f"name: hostile\nkind: custom\ndifficulty: 1\nparams: {params}\n"
        f"prompt: {json.dumps(prompt)}\nanswer: {json.dumps(answer)}\n"
        f"answer_type: {answer_type}\n{extra}"
    )


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
name: boom
"""

_HEAVY = "+".join(["conv_params(n, k, 3)"] * 13)  # 272 characters
_HEAVY_PROMPT = " ".join("{n * k + " + str(i) + "}" for i in range(28)) + " {n}{k}"
COSTLY = (
    "name: costly\nkind: x\ndifficulty: 1\n"
    "params: {n: {range: [1, 1000]}, k: {range: [1, 1000]}}\n"
    f"constraints: {json.dumps([f'({_HEAVY}) % 7 != 9 or n > {900 + i}' for i in range(3)])}\n"
    f"prompt: {json.dumps(dict.fromkeys(('en', 'ja', 'fr', 'de', 'es', 'it'), _HEAVY_PROMPT))}\n"
    f"answer: {json.dumps(_HEAVY)}\nanswer_type: int\n"
)

HOSTILE: list[tuple[str, str | bytes, str]] = [
    # --- escaping through attributes, names and calls ------------------------------------
    ("dunder-attribute", doc(answer="n.__class__"), "attribute access ('.__class__')"),
    (
        "subclasses-chain",
        doc(answer="().__class__.__bases__[0].__subclasses__()"),
        "character '[' at column 23 is not allowed",
    ),
    (
        "subclasses-no-brackets",
        doc(answer="(1).__class__.__base__.__subclasses__()"),
        "attribute access ('.__subclasses__') is not allowed",
    ),
    (
        "import-os-system",
        doc(answer="__import__('os').system('x')"),
        "attribute access ('.system') is not allowed",
    ),
    ("import-call", doc(answer="__import__('os')"), "'__import__' is not a function you can call"),
    ("open-passwd", doc(answer="open('/etc/passwd')"), "'open' is not a function you can call"),
    ("eval-call", doc(answer="eval('1 + 1')"), "'eval' is not a function you can call"),
    ("getattr-call", doc(answer="getattr(n, 'real')"), "'getattr' is not a function"),
    ("builtins-name", doc(answer="__builtins__"), "answer: name '__builtins__' is not a parameter"),
    (
        "function-as-value",
        doc(answer="conv_params(conv_params, 1, 1)"),
        "conv_params is a function: call it",
    ),
    ("method-on-formula", doc(answer="conv_params.__globals__"), "attribute access"),
    ("pow-builtin", doc(answer="pow(9, 9 ** 9)"), "'pow' is not a function you can call"),
    # --- format-string attacks in texts -----------------------------------------------------
    (
        "prompt-dunder",
        doc(prompt="{n.__class__} {k}"),
        "prompt: placeholder {n.__class__}: attribute access ('.__class__') is not allowed",
    ),
    (
        "prompt-positional-dunder",
        doc(prompt="{0.__class__} {n} {k}"),
        "prompt: placeholder {0.__class__}: not a valid formula",
    ),
    ("prompt-format-spec-bomb", doc(prompt="{n!r:>{9**9}} {k}"), "placeholders cannot be nested"),
    ("prompt-format-spec", doc(prompt="{n:>10} {k}"), "character ':' at column 2"),
    ("prompt-conversion", doc(prompt="{n!r} {k}"), "placeholder {n!r}: not a valid formula"),
    (
        "explanation-dunder",
        doc(extra='explanation: "{k.__init__.__globals__}"\n'),
        "explanation: placeholder {k.__init__.__globals__}: attribute access",
    ),
    (
        "choice-dunder",
        doc(answer_type="choice", answer="A", extra='choices: ["{n.__class__.__name__}", "{k}"]\n'),
        "choices[0]: placeholder {n.__class__.__name__}",
    ),
    (
        "feedback-dunder",
        doc(extra="mistakes: [{name: x, answer: n, score: 0, feedback: '{k.__class__}'}]\n"),
        "mistakes[0].feedback: placeholder {k.__class__}",
    ),
    # --- number bombs ---------------------------------------------------------------------------
    ("power-tower", doc(answer="9**9**9"), "9 ** 387420489 is too large to compute"),
    ("power-2-10-10", doc(answer="2**10**10"), "2 ** 10000000000 is too large to compute"),
    ("power-huge-both", doc(answer="(10**18)**(10**18)"), "is too large to compute"),
    ("power-of-parameters", doc(answer="n ** n ** n"), "is too large to compute (limit 10**18)"),
    ("power-in-dead-branch", doc(answer="n if n > 0 else 9**9**9"), "too large to compute"),
    ("factorial", doc(answer="factorial(10 ** 6)"), "'factorial' is not a function"),
    ("math-factorial", doc(answer="math.factorial(100000)"), "attribute access ('.factorial')"),
    ("shift-bomb", doc(answer="1 << 10 ** 18"), "the operator '<<' is not allowed"),
    ("product-overflow", doc(answer="n*n*n*n*n*n*n*n*n*n*n*n"), "a result is too large"),
    ("float-overflow", doc(answer="1e308 * 10"), "a number is too large"),
    ("float-infinity", doc(answer="n + 1e400"), "a number is too large"),
    ("float-nan-call", doc(answer="float('nan')"), "'float' is not a function"),
    ("huge-literal", doc(answer="1" * 250), "a number is too large"),
    ("round-digits", doc(answer="round(n, 10 ** 18)"), "round: the number of digits"),
    (
        "nan-tolerance",
        doc(answer_type="float", extra="tolerance: {relative: .nan}\n"),
        "tolerance.relative: must be a finite number",
    ),
    (
        "inf-tolerance",
        doc(answer_type="float", extra="tolerance: {absolute: .inf}\n"),
        "tolerance.absolute: must be a finite number",
    ),
    # --- giant ranges and sizes -------------------------------------------------------------
    (
        "range-10-12",
        doc(params="{n: {range: [0, 1000000000000]}, k: {choice: [3]}}"),
        "params.n.range[1]: must be from -1,000,000,000 to 1,000,000,000",
    ),
    (
        "range-10-9",
        doc(params="{n: {range: [0, 1000000000]}, k: {choice: [3]}}"),
        "params.n.range: holds 1,000,000,001 values; the limit is 100,000",
    ),
    (
        "range-digits",
        doc(params="{n: {range: [0, 1" + "0" * 3000 + "]}, k: {choice: [3]}}"),
        "a number of about 3001 digits",
    ),
    (
        "yaml-int-too-long",
        doc(params="{n: {range: [0, " + "9" * 5000 + "]}, k: {choice: [3]}}"),
        "params.n.range[1]: a number written with 5,000 characters is too long",
    ),
    (
        "too-many-params",
        doc(params="{" + ", ".join(f"p{i}: {{choice: [1]}}" for i in range(13)) + "}"),
        "params: has 13 parameters; the limit is 12",
    ),
    (
        "huge-choice-list",
        doc(params="{n: {choice: [" + ", ".join(["1"] * 1001) + "]}}"),
        "params.n.choice: has 1001 entries; the limit is 1000",
    ),
    ("many-placeholders", doc(prompt="{n}{k}" * 16), "more than 30 placeholders"),
    ("too-costly-to-check", COSTLY, "would take too long to check"),
    # --- deep nesting ---------------------------------------------------------------------------
    ("parens-10000", doc(answer="(" * 10_000 + "n" + ")" * 10_000), "the limit is 20,000"),
    (
        "parens-5000",
        doc(answer="(" * 5_000 + "n" + ")" * 5_000),
        "answer: is 10,001 characters long; the limit is 300",
    ),
    (
        "parens-100",
        doc(answer="(" * 100 + "n + k" + ")" * 100),
        "brackets are nested more than 12 deep",
    ),
    ("unary-5000", doc(answer="-" * 5000 + "n"), "answer: is 5,001 characters long"),
    ("unary-250", doc(answer="-" * 250 + "n + k"), "nested more than 40 levels deep"),
    (
        "not-chain",
        doc(answer="1 if " + "not " * 60 + "n > k else 0"),
        "nested more than 40 levels deep",
    ),
    (
        "nested-calls",
        doc(answer="abs(" * 30 + "n + k" + ")" * 30),
        "brackets are nested more than 12 deep",
    ),
    (
        "nested-formula-calls",
        doc(answer="conv_output_size(" * 8 + "n" + ", k)" * 8, answer_type="int"),
        "conv_output_size: the kernel",
    ),
    ("yaml-deep-flow", "a: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 12 levels"),
    (
        "yaml-deep-block",
        "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v\n",
        "nested more than 12 levels",
    ),
    # --- megabytes -------------------------------------------------------------------------------
    ("prompt-2mb", doc(prompt="{n}{k}" + "x" * 2_000_000), "the text is 2,000,1"),
    ("expression-1mb", doc(answer="n+" * 500_000 + "k"), "the limit is 20,000"),
    (
        "bytes-2mb",
        ("name: x\nprompt: '" + "y" * 2_000_000 + "'\n").encode(),
        "bytes long; the limit is 20,000 characters",
    ),
    # --- unsatisfiable constraints ---------------------------------------------------------------
    (
        "constraint-never",
        doc(extra='constraints: ["n < 0"]\n'),
        "constraints[0]: holds for 0 of 98 possible values",
    ),
    (
        "constraints-contradict",
        doc(extra='constraints: ["n > 40", "n < 20"]\n'),
        "constraints[1]: holds for 0 of",
    ),
    (
        "constraints-rare",
        doc(extra='constraints: ["n == 17 and k == 5"]\n'),
        "constraints: hold together for",
    ),
    # --- forbidden syntax -------------------------------------------------------------------------
    ("lambda", doc(answer="(lambda: n)()"), "character ':' at column 8"),
    ("generator", doc(answer="max(x for x in (n, k))"), "a comprehension is not allowed"),
    ("list-comprehension", doc(answer="[x for x in (n, k)]"), "character '['"),
    ("walrus", doc(answer="(y := n)"), "character ':'"),
    ("subscript", doc(answer="n[0]"), "character '['"),
    ("kwargs-smuggling", doc(answer="conv_params(**n)"), "conv_params: ** unpacking"),
    ("args-smuggling", doc(answer="conv_params(*n)"), "conv_params: * unpacking"),
    (
        "dunder-keyword",
        doc(answer="conv_params(n, k, 3, __class__=1)"),
        "unexpected keyword argument '__class__'",
    ),
    ("builtin-keyword", doc(answer="max(n, k, key=abs)"), "max takes no keyword arguments"),
    (
        "too-many-args",
        doc(answer="min(n, k, n, k, n, k, n, k, n)"),
        "min takes 1 to 8 argument(s), got 9",
    ),
    ("f-string", doc(answer="f'x' + n"), "an f-string is not allowed"),
    ("bytes-literal", doc(answer="b'x'"), "is not allowed in a formula"),
    ("text-literal", doc(answer="'abc'"), "text is not allowed in a formula"),
    ("none", doc(answer="None"), "None is not allowed"),
    ("ellipsis", doc(answer="..."), "Ellipsis is not allowed"),
    ("complex", doc(answer="1j * n"), "imaginary numbers are not allowed"),
    ("yield", doc(answer="(yield n)"), "yield"),
    ("semicolon", doc(answer="n; import os"), "a formula is a single expression"),
    ("comment", doc(answer="n # k"), "comments are not allowed"),
    ("backslash", doc(answer="n \\\n+ k"), "backslashes are not allowed"),
    ("braces", doc(answer="{n}"), "braces are not part of the formula language"),
    ("fullwidth-homoglyph", doc(answer="ｎ + k"), "character 'ｎ' at column 1"),
    ("nul-in-formula", doc(answer="n\0"), "U+0000"),
    ("walrus-in-placeholder", doc(prompt="{(x := n)} {k}"), "character ':'"),
    # --- texts --------------------------------------------------------------------------------------
    ("everyone-ping", doc(prompt="@everyone {n} {k}"), "mentions such as '@everyone'"),
    ("user-ping", doc(prompt="<@123456> {n} {k}"), "mentions such as '<@1'"),
    ("control-character", doc(prompt="\x1b[31m{n} {k}"), "control character U+001B"),
    ("nul-in-prompt", doc(prompt="{n} {k}\0"), "control character U+0000"),
    # --- YAML tricks -----------------------------------------------------------------------------
    ("billion-laughs", BILLION_LAUGHS, "anchors (&name) are not allowed"),
    ("alias-alone", "name: *x\n", "aliases (*name) are not allowed"),
    (
        "python-apply-tag",
        "name: !!python/object/apply:os.system ['echo hi']\n",
        "tags such as tag:yaml.org,2002:python/object/apply:os.system are not allowed",
    ),
    ("python-name-tag", "answer: !!python/name:os.system ''\n", "are not allowed"),
    ("local-tag", "name: !shell x\n", "tags such as !shell are not allowed"),
    ("str-tag", doc(answer="n").replace('answer: "n"', "answer: !!str n"), "tags such as"),
    ("merge-key", "<<: {name: x}\nkind: y\n", "merge keys (<<) are not allowed"),
    ("duplicate-key", doc() + "answer: k\n", "answer: duplicate key (line 8)"),
    (
        "duplicate-param",
        doc(params="{n: {choice: [1]}, n: {choice: [2]}}"),
        "params.n: duplicate key",
    ),
    ("complex-key", "? [a, b]\n: 1\n", "must be a plain name"),
    ("huge-key", doc() + "? " + "x" * 15_000 + "\n: 1\n", "unknown field (known: name"),
    ("newline-key", doc() + '"a\\nb\\u0000": 1\n', "a\\x0ab\\x00: unknown field"),
    (
        "huge-param-name",
        doc(params="\n  ? " + "p" * 15_000 + "\n  : {choice: [1]}"),
        "a parameter name is lowercase",
    ),
    ("bool-key", doc(params="{on: {choice: [1]}}"), "key 'on' must be a plain name"),
    ("list-document", "- name: x\n- kind: y\n", "a template must be a mapping of fields"),
    ("scalar-document", "just some words\n", "got the text 'just some words'"),
    ("number-document", "42\n", "got the number 42"),
    ("binary-junk", bytes(range(256)) * 8, "not UTF-8"),
    ("binary-junk-text", "".join(chr(i) for i in range(1, 32)) * 10, "not valid YAML"),
    ("non-utf8", b"name: caf\xe9\nkind: x\n", "not UTF-8 (byte 10 cannot be read)"),
    ("utf16", "name: x\n".encode("utf-16"), "not UTF-8"),
    ("not-text", b"", "the document is empty"),
    (
        "dunder-param-name",
        doc(params="{__class__: {choice: [1]}}"),
        "a parameter name is lowercase letters",
    ),
    (
        "format-in-name",
        doc().replace("name: hostile", "name: '{0.__class__}'"),
        "name: '{0.__class__}' is not valid",
    ),
    ("format-in-kind", doc().replace("kind: custom", "kind: '%(x)s'"), "kind: '%(x)s' is not"),
]


def test_at_least_thirty_hostile_templates() -> None:
    assert len(HOSTILE) >= 30
    assert len({name for name, _, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize(("name", "text", "expected"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_template_is_refused(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    text: str | bytes,
    expected: str,
) -> None:
    message = refuse(request, monkeypatch, text)
    assert expected in message, message


def test_hostile_import_is_refused_whole(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "---\n".join(doc().replace("hostile", f"h{i}") for i in range(51))
    message = refuse(request, monkeypatch, text, loader=load_templates)
    assert "more than 50 templates in one import; the limit is 50" in message
    message = refuse(request, monkeypatch, "x: '" + "y" * 600_000 + "'\n", loader=load_templates)
    assert "the limit is 500,000" in message


def test_hostile_documents_in_an_import_are_refused_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [doc().replace("hostile", f"good-{i}") for i in range(2)]
    hostile = [
        text
        for _, text, _ in HOSTILE
        if isinstance(text, str) and len(text) < 15_000 and "---" not in text
    ][:25]
    stream = "---\n".join([texts[0], *hostile, texts[1]])
    with tripwires(monkeypatch) as calls:
        results = load_templates(stream)
    assert calls == []
    assert isinstance(results[0], Template) and isinstance(results[-1], Template)
    assert all(isinstance(r, TemplateError) for r in results[1:-1])
    assert len(results) == len(hostile) + 2


# --- texts that look like format strings render literally ------------------------------------


def test_format_lookalikes_render_literally(monkeypatch: pytest.MonkeyPatch) -> None:
    prompt = "{0} %s %(n)s {{0.__class__}} {{n}} ${n} {k}"
    with tripwires(monkeypatch) as calls:
        template = load_template(doc(prompt=prompt))
        question = template.sample(3)
    assert calls == []
    n, k = question.params["n"], question.params["k"]
    # {0} is the formula 0; doubled braces are literal; % is plain text.
    assert question.prompt == f"0 %s %(n)s {{0.__class__}} {{n}} ${n} {k}"


def test_dunder_text_in_a_prompt_is_just_text() -> None:
    template = load_template(doc(prompt="__import__('os').system('rm -rf /') {n} {k}"))
    assert template.sample(1).prompt.startswith("__import__('os').system('rm -rf /') ")


# --- the formula language under fuzzing -------------------------------------------------------

_ALPHABET = st.sampled_from(
    [
        *"nk0123456789+-*/%()<>=!,. '",
        "**",
        "//",
        " and ",
        " or ",
        " not ",
        " if ",
        " else ",
        "True",
        "abs(",
        "min(",
        "max(",
        "conv_output_size(",
        "round(",
        "'same'",
        "__class__",
        ".real",
        "1e308",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=30).map("".join), st.integers(-50, 50), st.integers(-50, 50))
def test_random_formulas_fail_only_cleanly(text: str, n: int, k: int) -> None:
    message = ""
    try:
        value = compile_formula(text, ["n", "k"])({"n": n, "k": k})
    except (FormulaError, EvalError) as error:
        message = str(error)
    else:
        _assert_bounded(value)
        return
    assert message and "\n" not in message


def _assert_bounded(value: object) -> None:
    if isinstance(value, tuple):
        for item in value:
            _assert_bounded(item)
    elif isinstance(value, int | Fraction) and not isinstance(value, bool):
        assert abs(value) <= MAX_MAGNITUDE
    else:
        assert isinstance(value, bool | str)


_YAML_PIECES = st.sampled_from(
    [
        "name: x\n",
        "kind: k\n",
        "difficulty: 1\n",
        "params: {n: {range: [1, 9]}}\n",
        'prompt: "{n}"\n',
        "answer: n\n",
        "answer_type: int\n",
        "answer_type: choice\n",
        "choices: [a, '{n}']\n",
        "- ",
        "  ",
        ": ",
        "&a ",
        "*a ",
        "!!python/object ",
        "[",
        "]",
        "{",
        "}",
        "'",
        '"',
        "\n",
        "---\n",
        "? ",
        "<<: ",
        "#",
        "%YAML 1.1\n",
        "\t",
        "\0",
        "\\",
        "1e9",
        ".nan",
        "~",
        "answer: 9**9**9\n",
        "mistakes: [{name: a}]\n",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_YAML_PIECES, max_size=25).map("".join))
def test_random_documents_fail_only_cleanly(text: str) -> None:
    message = "accepted"
    try:
        load_template(text)
    except TemplateError as error:
        message = str(error)
    assert message and "\n" not in message
    for result in load_templates(text):
        assert isinstance(result, Template | TemplateError)


# Arithmetic agrees with exact rational arithmetic wherever it stays within the limits.
_LEAF = st.one_of(st.integers(0, 30).map(str), st.just("n"), st.just("k"))


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(children, st.sampled_from(["+", "-", "*", "/", "//", "%"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )


def _exact(text: str, n: int, k: int) -> Fraction:
    """The reference: evaluate the same tree with Python's Fraction, node by node."""

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Constant):
            return Fraction(node.value)
        if isinstance(node, ast.Name):
            return Fraction({"n": n, "k": k}[node.id])
        assert isinstance(node, ast.BinOp)
        a, b = walk(node.left), walk(node.right)
        ops: dict[type[ast.operator], Callable[[Fraction, Fraction], Fraction]] = {
            ast.Add: lambda x, y: x + y,
            ast.Sub: lambda x, y: x - y,
            ast.Mult: lambda x, y: x * y,
            ast.Div: lambda x, y: x / y,
            ast.FloorDiv: lambda x, y: Fraction(x // y),
            ast.Mod: lambda x, y: x % y,
        }
        return ops[type(node.op)](a, b)

    return walk(ast.parse(text, mode="eval").body)


@settings(max_examples=300, deadline=None)
@given(st.recursive(_LEAF, _combine, max_leaves=8), st.integers(-20, 20), st.integers(1, 20))
def test_arithmetic_is_exact(text: str, n: int, k: int) -> None:
    try:
        expected: Fraction | None = _exact(text, n, k)
    except ZeroDivisionError:
        expected = None
    problem = ""
    try:
        got = compile_formula(text, ["n", "k"])({"n": n, "k": k})
    except (FormulaError, EvalError) as error:
        problem = str(error)
    if problem:
        assert expected is None or "too" in problem, (text, problem)
        return
    assert expected is not None
    assert got == expected
    assert not isinstance(got, Fraction) or got.denominator != 1  # whole → int


def test_refusal_timings() -> None:
    """Print the refusal times collected above (pytest -s shows them)."""
    if not TIMINGS:
        pytest.skip("run with the hostile tests to collect timings")
    slowest = sorted(TIMINGS.items(), key=lambda item: item[1], reverse=True)
    print(f"\n{len(TIMINGS)} hostile refusals; slowest:")
    for name, seconds in slowest[:8]:
        print(f"  {seconds * 1000:8.2f} ms  {name}")
    total = sum(TIMINGS.values())
    print(f"  mean {total / len(TIMINGS) * 1000:.2f} ms")
    assert slowest[0][1] < GUARD_SECONDS
