"""Templates: validated admin-written question families, and the questions they make."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import yaml

from bot.engine.question import (
    AnswerKey,
    AnswerValue,
    Draft,
    Mistake,
    Question,
    format_answer,
)
from bot.engine.templates._answers import OutOfRange, WrongShape, convert_answer, relative_tolerance
from bot.engine.templates._codes import SEED_SPACE, template_code
from bot.engine.templates._compile import Plan, Slot, pick
from bot.engine.templates._errors import TemplateError
from bot.engine.templates._expr import (
    EvalError,
    Formula,
    Value,
    show,
)
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._render import render
from bot.engine.templates._source import (
    Param,
    Source,
    source_data,
)
from bot.i18n.texts import DEFAULT_LANGUAGE


class TemplateRef(NamedTuple):
    """What storage records to rebuild a question: the template and its content digest."""

    name: str
    version: int
    digest: str


class Variant(NamedTuple):
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
    _plan: Plan = field(compare=False, repr=False)

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

    def _variant(self, seed: int) -> Variant:
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

    def _make_variant(self, env: dict[str, Value], order: tuple[int, ...] | None) -> Variant:
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
        return Variant(env, key, tuple(mistakes), order, frozenset(right), tuple(dropped))

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
            return convert_answer(raw, self.answer_type, self.display, order)
        except OutOfRange as problem:
            if mistake:
                raise _Drop(self._fail(path, str(problem), env).detail) from None
            raise self._fail(path, str(problem), env) from None
        except WrongShape as problem:
            raise self._fail(path, str(problem), env) from None

    def _key(self, env: Mapping[str, Value], order: tuple[int, ...] | None) -> AnswerKey:
        value = self._value(self._plan.answer, "answer", env, order, mistake=False)
        kind = self.answer_type
        if kind == "choice":
            return AnswerKey("choice", value)
        tol = relative_tolerance(self.tolerance, value)
        if kind in ("square", "pair"):
            return AnswerKey("pair", value, rel_tol=tol, display=self.display or "size")
        return AnswerKey("int" if kind == "int" else "float", value, rel_tol=tol)

    def _question(self, seed: int, lang: str, variant: Variant) -> Question:
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

    def _draft(self, variant: Variant, lang: str) -> Draft:
        plan = self._plan
        env = variant.env
        cache: dict[str, str] = {}

        def text(slot: Slot, answer_text: str | None = None) -> str:
            try:
                return render(slot.text, env, cache, answer_text)
            except EvalError as error:
                raise self._fail(slot.path, str(error), env) from None

        choices = None
        if plan.choices is not None and variant.order is not None:
            choices = tuple(text(pick(plan.choices[i], lang)) for i in variant.order)
        answer_text = format_answer(variant.key, choices)
        mistakes = tuple(
            Mistake(
                self.mistakes[index].name,
                value,
                self.mistakes[index].score,
                text(pick(plan.feedback[index], lang), answer_text),
            )
            for index, value in variant.mistakes
        )
        return Draft(
            params=dict(env),
            answer=variant.key,
            prompt=text(pick(plan.prompt, lang)),
            explanation=(
                text(pick(plan.explanation, lang), answer_text) if plan.explanation else ""
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


def _values(params: tuple[Param, ...], env: Mapping[str, Value]) -> str:
    return ", ".join(f"{param.name}={show(env[param.name])}" for param in params) or "(no values)"
