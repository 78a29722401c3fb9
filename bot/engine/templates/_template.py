"""Templates: validated admin-written question families, and the questions they make."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, NamedTuple

import yaml

from bot.engine.bank import (
    base36,
    grade,  # the engine's grader: what players meet
)
from bot.engine.names import CHOICE_LETTER, TEMPLATE_NAME_BODY
from bot.engine.question import (
    AnswerKey,
    AnswerValue,
    Draft,
    Mistake,
    Question,
    format_answer,
    format_number,
)
from bot.engine.templates._errors import TemplateError
from bot.engine.templates._expr import (
    EvalError,
    Formula,
    FormulaError,
    Value,
    compile_formula,
    show,
)
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._reader import parse_source
from bot.engine.templates._render import Text, compile_text, render
from bot.engine.templates._source import (
    AnswerTypeName,
    LocalText,
    Param,
    Source,
    Tolerance,
    source_data,
)
from bot.engine.templates._yaml import Document, read_document, split_documents
from bot.i18n.texts import DEFAULT_LANGUAGE

__all__ = [
    "SEED_SPACE",
    "Template",
    "TemplateRef",
    "load_template",
    "load_templates",
    "parse_template_code",
    "template_code",
]

SEED_SPACE = 36**5  # as the built-in families: five base-36 characters
_ANY = "*"  # the language key of a text written as one string


def template_code(name: str, seed: int) -> str:
    """The public code of a template question: ``T-{name}-{seed in base 36}``.

    Storage appends the guild's template version (``…v3``) when it records one."""
    return f"T-{name}-{base36(seed)}"


def parse_template_code(code: str) -> tuple[str, int]:
    """(name, seed) of ``T-{name}-{seed}``; case-insensitive. Raises ``TemplateError``."""
    text = code.strip() if isinstance(code, str) else ""
    head, _, seed_text = text.rpartition("-")
    if len(text) > 60 or not head[:2].upper() == "T-" or not 1 <= len(seed_text) <= 5:
        raise TemplateError("code", f"{text[:60]!r} is not a template question code")
    try:
        seed = int(seed_text, 36)
    except ValueError:
        raise TemplateError("code", f"{text[:60]!r} is not a template question code") from None
    return head[2:].lower(), seed


_VERSIONED_CODE = re.compile(rf"t-({TEMPLATE_NAME_BODY})-([0-9a-z]{{1,5}})v([0-9]{{1,6}})")


def versioned_code(name: str, seed: int, version: int) -> str:
    """The code of a stored guild template's question: ``T-{name}-{seed}v{version}``."""
    return f"{template_code(name, seed)}v{version}"


def parse_versioned_code(code: str) -> tuple[str, int, int] | None:
    """(name, seed, version) of a stored template question's code, or None."""
    text = code.strip().lower() if isinstance(code, str) else ""
    match = _VERSIONED_CODE.fullmatch(text[:80])
    if match is None:
        return None
    return match.group(1), int(match.group(2), 36), int(match.group(3))


class TemplateRef(NamedTuple):
    """What storage records to rebuild a question: the template and its content digest."""

    name: str
    version: int
    digest: str


# --- compiled form --------------------------------------------------------------------


class _Slot(NamedTuple):
    path: str  # field path for errors, e.g. "prompt.ja"
    text: Text


_Texts = dict[str, _Slot]  # language (or "*") → compiled text


@dataclass(frozen=True, eq=False)
class _Plan:
    constraints: tuple[Formula, ...]
    answer: Formula | int  # an int is a choice letter's index
    mistakes: tuple[Formula | int, ...]
    feedback: tuple[_Texts, ...]
    prompt: _Texts
    explanation: _Texts | None
    choices: tuple[_Texts, ...] | None
    languages: tuple[str, ...]
    digest: str
    lines: Mapping[str, int]

    def line(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


def _pick(texts: _Texts, lang: str) -> _Slot:
    found = texts.get(lang) if isinstance(lang, str) else None
    return found or texts.get(DEFAULT_LANGUAGE) or texts[_ANY]


class _Variant(NamedTuple):
    env: dict[str, Value]
    key: AnswerKey
    mistakes: tuple[tuple[int, AnswerValue], ...]  # (index in template.mistakes, value)
    order: tuple[int, ...] | None  # choices: the option shown at position j is order[j]
    right: frozenset[int]  # mistakes left out because they equal the right answer
    dropped: tuple[tuple[int, str], ...]  # mistakes left out as unusable here, and why


class _Drop(Exception):
    """A mistake value that is fine in shape but does not apply to this variant."""


# --- the template -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Template(Source):
    """A validated template. Immutable; equal templates have equal source fields.

    Build one with ``load_template``; ``to_yaml()`` gives back text that loads to an equal
    template. ``version`` is storage's (a guild's edit counter), not part of the YAML.
    """

    version: int = 1
    _plan: _Plan = field(compare=False, repr=False)

    # -- identity ------------------------------------------------------------------------

    @property
    def digest(self) -> str:
        """A fingerprint of the content: it changes whenever the questions could."""
        return self._plan.digest

    @property
    def ref(self) -> TemplateRef:
        return TemplateRef(self.name, self.version, self.digest)

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages with their own text somewhere in the template (always 'en')."""
        return self._plan.languages

    def with_version(self, version: int) -> Template:
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise TemplateError("version", f"must be a whole number from 1, got {version!r}")
        return dataclasses.replace(self, version=version)

    def source(self) -> Source:
        return Source(**{f.name: getattr(self, f.name) for f in dataclasses.fields(Source)})

    # -- export --------------------------------------------------------------------------

    def to_data(self) -> dict[str, object]:
        """The template as plain data (what ``to_yaml`` writes), JSON-compatible."""
        return source_data(self)

    def to_yaml(self) -> str:
        return yaml.dump(
            self.to_data(),
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=None,
            width=100,
        )

    # -- questions -----------------------------------------------------------------------

    def sample(self, seed: int, lang: str = DEFAULT_LANGUAGE) -> Question:
        """The question ``seed`` picks; the same seed always gives the same question.

        Raises ``TemplateError`` for a bad seed, or (rarely: 200 variants were checked at
        load time) when a formula fails for the values this seed draws."""
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_SPACE:
            raise TemplateError("seed", f"must be a whole number from 0 to {SEED_SPACE - 1}")
        variant = self._variant(seed)
        return self._question(seed, lang, variant)

    def draft(self, values: Mapping[str, int], lang: str = DEFAULT_LANGUAGE) -> Draft:
        """The question for parameter values of your choosing (options unshuffled).

        A ``Draft`` has no code: it is for trying a template out ("what does it say for
        n=25, k=5, s=2?"), not for play. The values must be in the parameters' ranges
        and satisfy the constraints, or ``TemplateError`` says which is not."""
        if not isinstance(values, Mapping):
            raise TemplateError("params", "give the values as a mapping of name to number")
        env: dict[str, Value] = {}
        for param in self.params:
            value = values.get(param.name)
            path = f"params.{param.name}"
            if isinstance(value, bool) or not isinstance(value, int):
                raise TemplateError(path, f"needs a whole number, got {value!r}"[:120])
            if not param.holds(value):
                raise TemplateError(path, f"{value} is not one of the parameter's values")
            env[param.name] = value
        extra = sorted(set(values) - set(env))
        if extra:
            raise TemplateError("params", f"{str(extra[0])[:40]!r} is not a parameter")
        for index in range(len(self._plan.constraints)):
            if not self._holds(index, env):
                raise self._fail(f"constraints[{index}]", "does not hold", env)
        order = tuple(range(len(self.choices))) if self.choices is not None else None
        return self._draft(self._make_variant(env, order), lang)

    def preview(self, n: int = 5, lang: str = DEFAULT_LANGUAGE) -> list[Question]:
        """``n`` sample questions (seeds 0 … n−1), for an admin to look over."""
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 50:
            raise TemplateError("n", "must be a whole number from 1 to 50")
        return [self.sample(seed, lang) for seed in range(n)]

    # -- internals -----------------------------------------------------------------------

    def _fail(
        self, path: str, detail: str, env: Mapping[str, Value] | None = None
    ) -> TemplateError:
        if env:
            detail = f"{detail} when {_values(self.params, env)}"
        return TemplateError(path, detail, line=self._plan.line(path), name=self.name)

    def _eval(self, formula: Formula, path: str, env: Mapping[str, Value]) -> Value:
        try:
            return formula(env)
        except EvalError as error:
            raise self._fail(path, str(error), env) from None

    def _holds(self, index: int, env: Mapping[str, Value]) -> bool:
        path = f"constraints[{index}]"
        value = self._eval(self._plan.constraints[index], path, env)
        if not isinstance(value, bool):
            raise self._fail(path, f"gives {show(value)}, not True/False (write a comparison)", env)
        return value

    def _draw(self, rng: random.Random) -> dict[str, Value] | None:
        count = len(self._plan.constraints)
        for _ in range(LIMITS.tries):
            env: dict[str, Value] = {param.name: param.draw(rng) for param in self.params}
            if all(self._holds(i, env) for i in range(count)):
                return env
        return None

    def _rng(self, seed: int) -> random.Random:
        # A str seed is hashed with SHA-512 by random.Random: stable across processes.
        return random.Random(f"template:{self.name}:{self.digest}:{seed}")

    def _variant(self, seed: int) -> _Variant:
        rng = self._rng(seed)
        env = self._draw(rng)
        if env is None:
            raise self._fail(
                "constraints",
                f"no values satisfied the constraints in {LIMITS.tries:,} tries (seed {seed})",
            )
        order: tuple[int, ...] | None = None
        if self.choices is not None:
            count = len(self.choices)
            order = tuple(rng.sample(range(count), count)) if self.shuffle else tuple(range(count))
        return self._make_variant(env, order)

    def _make_variant(self, env: dict[str, Value], order: tuple[int, ...] | None) -> _Variant:
        key = self._key(env, order)
        mistakes: list[tuple[int, AnswerValue]] = []
        right: set[int] = set()
        dropped: list[tuple[int, str]] = []
        seen: set[object] = set()
        for index, formula in enumerate(self._plan.mistakes):
            path = f"mistakes[{index}].answer"
            try:
                value = self._value(formula, path, env, order, mistake=True)
            except _Drop as why:
                dropped.append((index, str(why)))
                continue
            if value == key.value:  # a right answer must never grade as a mistake
                right.add(index)
            elif value not in seen:
                seen.add(value)
                mistakes.append((index, value))
        return _Variant(env, key, tuple(mistakes), order, frozenset(right), tuple(dropped))

    def _value(
        self,
        formula: Formula | int,
        path: str,
        env: Mapping[str, Value],
        order: tuple[int, ...] | None,
        *,
        mistake: bool,
    ) -> AnswerValue:
        raw = formula if isinstance(formula, int) else self._eval(formula, path, env)
        try:
            return _convert(raw, self.answer_type, self.display, order)
        except _Range as problem:
            if mistake:
                raise _Drop(self._fail(path, str(problem), env).detail) from None
            raise self._fail(path, str(problem), env) from None
        except _Shape as problem:
            raise self._fail(path, str(problem), env) from None

    def _key(self, env: Mapping[str, Value], order: tuple[int, ...] | None) -> AnswerKey:
        value = self._value(self._plan.answer, "answer", env, order, mistake=False)
        kind = self.answer_type
        if kind == "choice":
            return AnswerKey("choice", value)
        tol = _rel_tol(self.tolerance, value)
        if kind in ("square", "pair"):
            return AnswerKey("pair", value, rel_tol=tol, display=self.display or "size")
        return AnswerKey("int" if kind == "int" else "float", value, rel_tol=tol)

    def _question(self, seed: int, lang: str, variant: _Variant) -> Question:
        draft = self._draft(variant, lang)
        params: dict[str, object] = dict(draft.params)
        params["_template"] = {"name": self.name, "version": self.version, "digest": self.digest}
        return Question(
            kind=self.kind,
            code=template_code(self.name, seed),
            seed=seed,
            difficulty=self.difficulty,
            params=params,
            answer=draft.answer,
            answer_text=format_answer(draft.answer, draft.choices),
            prompt=draft.prompt,
            explanation=draft.explanation,
            choices=draft.choices,
            mistakes=draft.mistakes,
            lang=lang,
        )

    def _draft(self, variant: _Variant, lang: str) -> Draft:
        plan = self._plan
        env = variant.env
        cache: dict[str, str] = {}

        def text(slot: _Slot, answer_text: str | None = None) -> str:
            try:
                return render(slot.text, env, cache, answer_text)
            except EvalError as error:
                raise self._fail(slot.path, str(error), env) from None

        choices = None
        if plan.choices is not None and variant.order is not None:
            choices = tuple(text(_pick(plan.choices[i], lang)) for i in variant.order)
        answer_text = format_answer(variant.key, choices)
        mistakes = tuple(
            Mistake(
                self.mistakes[index].name,
                value,
                self.mistakes[index].score,
                text(_pick(plan.feedback[index], lang), answer_text),
            )
            for index, value in variant.mistakes
        )
        return Draft(
            params=dict(env),
            answer=variant.key,
            prompt=text(_pick(plan.prompt, lang)),
            explanation=(
                text(_pick(plan.explanation, lang), answer_text) if plan.explanation else ""
            ),
            choices=choices,
            mistakes=mistakes,
        )


class _Dumper(yaml.SafeDumper):
    """Plain YAML: never anchors (the loader refuses them), block style for long texts."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


# --- answer values ----------------------------------------------------------------------


class _Shape(Exception):
    """A value of the wrong kind for the answer type (always refused)."""


class _Range(Exception):
    """A value of the right kind but unusable here (refused for answers, dropped for mistakes)."""


def _convert(
    value: Value,
    answer_type: AnswerTypeName,
    display: Literal["size", "tuple"] | None,
    order: tuple[int, ...] | None,
) -> AnswerValue:
    if answer_type == "choice":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Shape(f"gives {show(value)}; a choice answer is an option's 0-based index")
        assert order is not None
        if not 0 <= value < len(order):
            raise _Shape(f"gives {value}, but the options are numbered 0 to {len(order) - 1}")
        return order.index(value)
    if answer_type == "pair":
        if not isinstance(value, tuple) or len(value) != 2:
            raise _Shape(f"gives {show(value)}, not an (h, w) pair")
        first, second = (_number(item) for item in value)
        if (display or "size") == "size":
            for item in (first, second):
                if not isinstance(item, int) or item < 1:
                    raise _Range(
                        f"gives {show(value)}, but a size is whole and at least 1 "
                        "(use display: tuple for other pairs)"
                    )
        return Fraction(first), Fraction(second)
    number = _number(value)
    if answer_type == "float":
        return Fraction(number)
    if not isinstance(number, int):
        raise _Range(
            f"gives {show(number)}, not a whole number (use answer_type: float for fractions)"
        )
    if answer_type == "square":
        if number < 1:
            raise _Range(f"gives {number}, but a size is at least 1")
        return Fraction(number), Fraction(number)
    return Fraction(number)


def _number(value: Value) -> int | Fraction:
    if isinstance(value, tuple):
        raise _Shape(f"gives the pair {show(value)}; use answer_type: pair")
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise _Shape(f"gives {show(value)}, not a number")
    return value


def _rel_tol(tolerance: Tolerance | None, value: AnswerValue) -> float:
    """AnswerKey knows relative tolerance only; an absolute one becomes relative to this
    answer (exact for the grader: |reply − answer| ≤ absolute)."""
    if tolerance is None:
        return 0.0
    relative = tolerance.relative or 0.0
    number = value[0] if isinstance(value, tuple) else value  # square: both the same
    if tolerance.absolute and isinstance(number, Fraction) and number != 0:
        relative = max(relative, float(Fraction(tolerance.absolute) / abs(number)) * (1 + 1e-12))
    return relative


def _values(params: tuple[Param, ...], env: Mapping[str, Value]) -> str:
    return ", ".join(f"{param.name}={show(env[param.name])}" for param in params) or "(no values)"


# --- loading --------------------------------------------------------------------------------


def _as_text(text: object, limit: int) -> str:
    if isinstance(text, bytes | bytearray):
        if len(text) > limit * 4:
            raise TemplateError(
                "", f"the text is {len(text):,} bytes long; the limit is {limit:,} characters"
            )
        try:
            decoded = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise TemplateError(
                "", f"the text is not UTF-8 (byte {error.start + 1} cannot be read)"
            ) from None
        text = decoded.removeprefix("\ufeff")  # a byte-order mark is harmless
    if not isinstance(text, str):
        raise TemplateError("", f"a template is YAML text, got {type(text).__name__}")
    if len(text) > limit:
        raise TemplateError(
            "", f"the text is {len(text):,} characters long; the limit is {limit:,}"
        )
    return text


def load_template(text: str | bytes) -> Template:
    """Read, check and compile one template (a YAML document).

    Returns an immutable ``Template`` or raises ``TemplateError`` whose message names the
    field (and YAML line) and says what to change. Nothing in the text is executed."""
    return _load(read_document(_as_text(text, LIMITS.document_chars)))


def load_templates(text: str | bytes) -> list[Template | TemplateError]:
    """Read a multi-document YAML stream (``---`` between templates): one entry per
    template, accepted or refused on its own. Raises ``TemplateError`` only when the
    whole import is too large."""
    body = _as_text(text, LIMITS.import_chars)
    chunks = list(split_documents(body))
    if len(chunks) > LIMITS.import_documents:
        raise TemplateError(
            "", f"{len(chunks)} templates in one import; the limit is {LIMITS.import_documents}"
        )
    results: list[Template | TemplateError] = []
    names: dict[str, int] = {}
    for number, (chunk, offset) in enumerate(chunks, start=1):
        try:
            template = _load(read_document(chunk, offset))
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


def _load(document: Document) -> Template:
    try:
        source = parse_source(document)
    except RecursionError:
        raise TemplateError("", "the template is nested too deeply") from None
    try:
        plan = _compile(source, document)
        template = Template(**vars(source), _plan=plan)
        _check(template)
    except TemplateError as error:
        raise error.with_context(name=source.name) from None
    return template


def _compile(source: Source, document: Document) -> _Plan:
    names = [param.name for param in source.params]

    def fail(path: str, detail: str) -> TemplateError:
        return TemplateError(path, detail, line=document.line(path))

    def formula(text: str, path: str) -> Formula:
        try:
            return compile_formula(text, names)
        except FormulaError as error:
            raise fail(path, str(error)) from None

    def texts(value: LocalText, path: str, limit: int, *, allow_answer: bool) -> _Texts:
        items = (
            [(_ANY, path, value)]
            if isinstance(value, str)
            else [(lang, f"{path}.{lang}", item) for lang, item in value]
        )
        compiled: _Texts = {}
        for lang, where, item in items:
            try:
                compiled[lang] = _Slot(
                    where, compile_text(item, names, limit=limit, allow_answer=allow_answer)
                )
            except FormulaError as error:
                raise fail(where, str(error)) from None
        return compiled

    def answer(text: str, path: str) -> Formula | int:
        if source.answer_type == "choice" and CHOICE_LETTER.fullmatch(text.strip()):
            index = ord(text.strip()) - ord("A")
            count = len(source.choices or ())
            if index >= count:
                raise fail(path, f"option {text.strip()} does not exist: there are {count} choices")
            return index
        return formula(text, path)

    plan_prompt = texts(source.prompt, "prompt", LIMITS.prompt_chars, allow_answer=False)
    plan_choices = None
    if source.choices is not None:
        plan_choices = tuple(
            texts(choice, f"choices[{i}]", LIMITS.choice_chars, allow_answer=False)
            for i, choice in enumerate(source.choices)
        )
    plan_explanation = None
    if source.explanation is not None:
        plan_explanation = texts(
            source.explanation, "explanation", LIMITS.explanation_chars, allow_answer=True
        )
    plan = _Plan(
        constraints=tuple(
            formula(text, f"constraints[{i}]") for i, text in enumerate(source.constraints)
        ),
        answer=answer(source.answer, "answer"),
        mistakes=tuple(
            answer(m.answer, f"mistakes[{i}].answer") for i, m in enumerate(source.mistakes)
        ),
        feedback=tuple(
            texts(m.feedback, f"mistakes[{i}].feedback", LIMITS.feedback_chars, allow_answer=True)
            for i, m in enumerate(source.mistakes)
        ),
        prompt=plan_prompt,
        explanation=plan_explanation,
        choices=plan_choices,
        languages=_languages(source),
        digest=_digest(source),
        lines=dict(document.lines),
    )
    _check_usage(source, plan, fail)
    return plan


def _languages(source: Source) -> tuple[str, ...]:
    found = {DEFAULT_LANGUAGE}
    texts: list[LocalText | None] = [source.prompt, source.explanation]
    texts += list(source.choices or ())
    texts += [m.feedback for m in source.mistakes]
    for text in texts:
        if isinstance(text, tuple):
            found.update(lang for lang, _ in text)
    return tuple(sorted(found, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang)))


def _digest(source: Source) -> str:
    canonical = json.dumps(
        source_data(source), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _all_formulas(plan: _Plan) -> list[Formula]:
    found: list[Formula] = list(plan.constraints)
    found += [f for f in (plan.answer, *plan.mistakes) if isinstance(f, Formula)]
    groups: list[_Texts] = [plan.prompt, *plan.feedback, *(plan.choices or ())]
    if plan.explanation:
        groups.append(plan.explanation)
    for group in groups:
        for slot in group.values():
            found += slot.text.formulas
    return found


def _check_usage(source: Source, plan: _Plan, fail: Callable[[str, str], TemplateError]) -> None:
    unique = {f.text.strip(): f.size for f in _all_formulas(plan)}
    if sum(unique.values()) > LIMITS.formula_nodes:
        raise fail(
            "",
            f"the formulas have {sum(unique.values()):,} parts together; the limit is "
            f"{LIMITS.formula_nodes:,}",
        )
    # Every parameter must reach the player: shown by the prompt (or the options) in
    # every language, or the question cannot be answered.
    langs = plan.languages
    shown: dict[str, set[str]] = {}
    for lang in langs:
        names = set(_pick(plan.prompt, lang).text.names)
        for choice in plan.choices or ():
            names |= _pick(choice, lang).text.names
        shown[lang] = names
    for param in source.params:
        missing = [lang for lang in langs if param.name not in shown[lang]]
        if len(missing) == len(langs):
            raise fail(
                f"params.{param.name}",
                "is never shown: put {" + param.name + "} (or a formula using it) in the "
                "prompt or the choices",
            )
        if missing:
            lang = missing[0]
            slot = _pick(plan.prompt, lang)
            raise fail(slot.path, f"does not show parameter {param.name} ({lang} text)")


def _check(template: Template) -> None:
    """Refuse a template whose constraints rarely hold or whose variants misbehave."""
    plan = template._plan
    _check_cost(template, LIMITS.draws)  # the least it could cost: refuse before running
    accepted = _check_acceptance(template) if plan.constraints else LIMITS.draws
    _check_cost(template, accepted)
    always_right = set(range(len(template.mistakes)))
    unusable = dict.fromkeys(range(len(template.mistakes)), "")
    for seed in range(LIMITS.variants):
        variant = template._variant(seed)
        always_right &= variant.right
        why = dict(variant.dropped)
        for index in list(unusable):
            if index in why:
                unusable[index] = why[index]
            else:
                del unusable[index]
        for number, lang in enumerate(plan.languages):
            question = template._question(seed, lang, variant)
            _check_question(template, question, variant, graded=number > 0)
    for index in sorted(always_right):
        raise template._fail(
            f"mistakes[{index}].answer",
            f"equals the right answer in all {LIMITS.variants} sampled questions",
        )
    for index, reason in sorted(unusable.items()):
        raise template._fail(
            f"mistakes[{index}].answer",
            f"is never usable in the {LIMITS.variants} sampled questions; for example it {reason}",
        )


def _check_cost(template: Template, accepted: int) -> None:
    """Refuse a template that would take long to check or to sample, before doing so.

    Counts formula parts evaluated: constraints are re-run for each rejected draw."""
    plan = template._plan
    constraints = sum(f.size for f in plan.constraints)
    per_question = sum(f.size for f in (plan.answer, *plan.mistakes) if isinstance(f, Formula))
    for lang in plan.languages:
        groups = [plan.prompt, *plan.feedback, *(plan.choices or ())]
        groups += [plan.explanation] if plan.explanation else []
        per_question += sum(f.size for group in groups for f in _pick(group, lang).text.formulas)
    tries = LIMITS.draws / max(accepted, 1)
    steps = LIMITS.draws * constraints + LIMITS.variants * (tries * constraints + per_question)
    if steps > LIMITS.check_steps:
        raise template._fail(
            "",
            f"the template would take too long to check (about {steps:,.0f} formula steps; "
            f"the limit is {LIMITS.check_steps:,}): use fewer or shorter formulas, or "
            "constraints that hold more often",
        )


def _check_acceptance(template: Template) -> int:
    plan = template._plan
    rng = random.Random(f"template-check:{template.name}")
    reached = [0] * len(plan.constraints)
    held = [0] * len(plan.constraints)
    accepted = 0
    for _ in range(LIMITS.draws):
        env: dict[str, Value] = {param.name: param.draw(rng) for param in template.params}
        for index in range(len(plan.constraints)):
            reached[index] += 1
            if not template._holds(index, env):
                break
            held[index] += 1
        else:
            accepted += 1
    if accepted >= LIMITS.min_acceptance:
        return accepted
    for index, (count, total) in enumerate(zip(held, reached, strict=True)):
        if count == 0 and total > 0:
            after = "" if index == 0 else " that met the constraints before it"
            raise template._fail(f"constraints[{index}]", f"holds for 0 of {total} draws{after}")
    raise template._fail(
        "constraints",
        f"hold together for {accepted} of {LIMITS.draws} draws; at least "
        f"{LIMITS.min_acceptance} are needed: widen the parameter ranges or loosen the "
        "constraints",
    )


def _check_question(
    template: Template, question: Question, variant: _Variant, *, graded: bool
) -> None:
    env = variant.env
    for path, text in (("prompt", question.prompt), ("explanation", question.explanation)):
        if len(text) > LIMITS.rendered_chars:
            raise template._fail(
                path,
                f"renders to {len(text):,} characters; the limit is {LIMITS.rendered_chars:,}",
                env,
            )
    if question.choices is not None and variant.order is not None:
        seen: dict[str, int] = {}
        for position, option in enumerate(question.choices):
            original = variant.order[position]
            if not option.strip():
                raise template._fail(f"choices[{original}]", "renders as empty text", env)
            if option in seen:
                first, second = sorted((seen[option], original))
                raise template._fail(
                    "choices",
                    f"choices[{first}] and choices[{second}] both read {option[:60]!r}",
                    env,
                )
            seen[option] = original
    if graded or question.answer.type == "choice":
        return  # the answer text is the same in every language; a letter always reads
    outcome = grade(question, question.answer_text)
    if outcome.outcome != "correct":
        detail = (
            f"the answer as shown ({question.answer_text}) does not grade as correct; add "
            "tolerance: {relative: 0.001}"
        )
        key = question.answer
        if key.type == "float":
            exact = key.value
            assert isinstance(exact, Fraction)
            detail = (
                f"{_fraction(exact)} is shown as {question.answer_text}, which the tolerance "
                "would mark wrong; add tolerance: {relative: 0.001} (or an absolute one)"
            )
        raise template._fail("answer", detail, env)


def _fraction(value: Fraction) -> str:
    if value.denominator == 1:
        return format_number(value)
    return f"{value.numerator}/{value.denominator}"
