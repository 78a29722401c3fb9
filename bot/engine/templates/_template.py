"""Templates: validated admin-written question families, and the questions they make."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import yaml

from bot.engine.codes import SEED_SPACE
from bot.engine.question import Draft, Question
from bot.engine.templates._build import build_draft, build_question
from bot.engine.templates._compile import Plan
from bot.engine.templates._errors import TemplateError
from bot.engine.templates._expr_values import Value, show
from bot.engine.templates._sampling import holds, make_variant
from bot.engine.templates._source import Param, Source, source_data
from bot.engine.templates._variants import good_variant
from bot.engine.templates._yaml_scalars import refused_plain
from bot.i18n.texts import DEFAULT_LANGUAGE


class TemplateRef(NamedTuple):
    """What storage records to rebuild a question: the template and its content digest."""

    name: str
    version: int
    digest: str


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

        Every question is known good: the variant the seed draws is built in every
        language and validated, and a bad one (a formula error, two options alike) is
        skipped for the seed's next draw. Raises ``TemplateError`` for a bad seed, or
        when good variants are so rare that the seed finds none (the load check refuses
        such templates)."""
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_SPACE:
            raise TemplateError("seed", f"must be a whole number from 0 to {SEED_SPACE - 1}")
        variant, questions = good_variant(self, seed)
        question = questions.get(lang)
        return question if question is not None else build_question(self, seed, lang, variant)

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
            if not holds(self, index, env):
                raise self._fail(f"constraints[{index}]", "does not hold", env)
        order = tuple(range(len(self.choices))) if self.choices is not None else None
        return build_draft(self, make_variant(self, env, order), lang)

    def preview(self, n: int = 5, lang: str = DEFAULT_LANGUAGE) -> list[Question]:
        """``n`` sample questions (seeds 0 … n−1), for an admin to look over."""
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 50:
            raise TemplateError("n", "must be a whole number from 1 to 50")
        return [self.sample(seed, lang) for seed in range(n)]

    # -- errors --------------------------------------------------------------------------

    def _fail(
        self, path: str, detail: str, env: Mapping[str, Value] | None = None
    ) -> TemplateError:
        if env:
            detail = f"{detail} when {_values(self.params, env)}"
        return TemplateError(path, detail, line=self._plan.line(path), name=self.name)

    def _refuse(
        self, path: str, key: str, env: Mapping[str, Value] | None = None, /, **params: object
    ) -> TemplateError:
        """Like ``_fail``, with the detail a catalog entry said in each reader's language."""
        return TemplateError.keyed(
            path,
            key,
            line=self._plan.line(path),
            name=self.name,
            when=_values(self.params, env) if env else None,
            **params,
        )


class _Dumper(yaml.SafeDumper):
    """Plain YAML: never anchors (the loader refuses them), block style for long texts."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # PyYAML writes 09 unquoted (YAML 1.1 reads it as text); the loader refuses it plain.
    style = "|" if "\n" in data else ("'" if refused_plain(data) else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def _values(params: tuple[Param, ...], env: Mapping[str, Value]) -> str:
    return ", ".join(f"{param.name}={show(env[param.name])}" for param in params) or "(no values)"
