"""The load-time checks: work within budget, constraints that hold often enough, and
sound variants everywhere the checker can look.

Work is counted before it is done, in units (one formula part evaluated; building,
grading and making a variant cost a fixed number more): a template whose check, or whose
every later question, would cost more than its budget is refused before running. The
acceptance rate of the constraints is measured exactly when the parameter space is small
and otherwise on draws seeded from ``secrets`` (an author cannot tune constraints to the
checker's draws), and the rate a question is costed at is its Wilson lower bound. The
variants checked are every good value set when there are few, else the boundaries of the
space (each parameter's min and max, and their combinations) and then random draws.
"""

from __future__ import annotations

import itertools
import math
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from bot.engine.templates._compile import pick
from bot.engine.templates._expr import Formula
from bot.engine.templates._expr_values import Value
from bot.engine.templates._fairness import check_fairness
from bot.engine.templates._limits import LIMITS
from bot.engine.templates._reader import parse_source
from bot.engine.templates._render import shown_text_problem
from bot.engine.templates._sampling import Variant, draw, holds, make_variant, shuffled_order
from bot.engine.templates._source import Param
from bot.engine.templates._template import Template
from bot.engine.templates._variants import validate
from bot.engine.templates._yaml import read_document

Env = dict[str, Value]


@dataclass(frozen=True)
class Cost:
    """Work units of one draw (the constraints) and of one variant (every language)."""

    draw: int
    variant: int

    @classmethod
    def of(cls, template: Template) -> Cost:
        plan = template._plan
        draw = 2 * len(template.params) + sum(f.size for f in plan.constraints)
        variant = LIMITS.variant_units + LIMITS.grade_units
        variant += sum(f.size for f in (plan.answer, *plan.mistakes) if isinstance(f, Formula))
        for lang in plan.languages:
            groups = [plan.prompt, *plan.feedback, *(plan.choices or ()), *plan.hints]
            groups += [plan.explanation] if plan.explanation else []
            slots = [pick(group, lang) for group in groups]
            variant += LIMITS.build_units
            variant += sum(f.size for slot in slots for f in slot.text.formulas)
            # Rendering and scanning the texts costs by their length, too.
            variant += sum(len(slot.text.source) for slot in slots) // LIMITS.chars_per_unit
        return cls(max(draw, 1), variant)


def check_template(
    template: Template, *, allow_links: bool = False, budget: int = LIMITS.check_units
) -> int:
    """Refuse a template that costs too much, whose constraints rarely hold, or whose
    variants misbehave. Returns the work units the check was costed at (``budget`` is
    what is left of an import's, at most a template's own)."""
    budget = min(budget, LIMITS.check_units) - LIMITS.template_units  # reading, export
    _check_source_texts(template, allow_links=allow_links)
    _check_export(template)  # cheap, and a template that cannot be read back is done
    cost = Cost.of(template)
    space = _space_size(template.params)
    exhaustive = space <= LIMITS.exhaustive_space
    measuring = (space if exhaustive else LIMITS.draws) * cost.draw if template.constraints else 0
    _affordable(template, measuring + LIMITS.min_variants * (cost.draw + cost.variant), budget)
    rng = random.Random(secrets.randbits(64))
    good, lower = _acceptance(template, rng, exhaustive)
    per_question = cost.draw / lower + cost.variant
    if per_question > LIMITS.question_units:
        raise template._refuse(
            "",
            "tpl.check.question_cost",
            units=f"{per_question:,.0f}",
            limit=f"{LIMITS.question_units:,}",
        )
    spent = measuring
    _affordable(template, spent + LIMITS.min_variants * per_question, budget)
    tally = _Tally(len(template.mistakes))
    if (
        good is not None
        and len(good) <= LIMITS.exhaustive_variants
        and spent + len(good) * cost.variant <= budget
    ):
        for env in good:  # every value set the template can ever draw
            tally.add(_checked(template, env, rng, allow_links))
        units = spent + len(good) * cost.variant + tally.finish(template)
        check_fairness(template)
        return units
    room = int((budget - spent - LIMITS.min_variants * per_question) // (cost.draw + cost.variant))
    corners = list(itertools.islice(_corners(template.params), max(0, min(room, LIMITS.corners))))
    spent += len(corners) * (cost.draw + cost.variant)
    for env in corners:
        if all(holds(template, i, env) for i in range(len(template.constraints))):
            tally.add(_checked(template, env, rng, allow_links))
    count = min(LIMITS.variants, int((budget - spent) // per_question))
    for _ in range(count):
        drawn = draw(template, rng)
        if drawn is None:
            raise template._fail(
                "constraints", f"no values satisfied the constraints in {LIMITS.tries:,} tries"
            )
        tally.add(_checked(template, drawn, rng, allow_links))
    units = int(spent + count * per_question) + tally.finish(template)
    check_fairness(template)
    return units


def _affordable(template: Template, units: float, budget: int) -> None:
    if units <= budget:
        return
    own = LIMITS.check_units - LIMITS.template_units
    if units <= own:  # it would pass alone: only the import's share is short
        raise template._refuse(
            "",
            "tpl.check.import_budget",
            units=f"{units:,.0f}",
            left=f"{budget + LIMITS.template_units:,}",
            limit=f"{LIMITS.import_units:,}",
        )
    raise template._refuse("", "tpl.check.too_costly", units=f"{units:,.0f}", limit=f"{own:,}")


def _checked(template: Template, env: Env, rng: random.Random, allow_links: bool) -> Variant:
    variant = make_variant(template, env, shuffled_order(template, rng))
    validate(template, 0, variant, allow_links=allow_links)
    return variant


class _Tally:
    """What the checked variants say about each mistake: always right, never usable."""

    def __init__(self, mistakes: int) -> None:
        self.count = 0
        self.always_right = set(range(mistakes))
        self.unusable = dict.fromkeys(range(mistakes), "")

    def add(self, variant: Variant) -> None:
        self.count += 1
        self.always_right &= variant.right
        why = dict(variant.dropped)
        for index in list(self.unusable):
            if index in why:
                self.unusable[index] = why[index]
            else:
                del self.unusable[index]

    def finish(self, template: Template) -> int:
        """Refuse a useless mistake. Returns the units of reading and exporting."""
        checked = f"{self.count} checked question" + ("s" if self.count != 1 else "")
        for index in sorted(self.always_right):
            raise template._fail(
                f"mistakes[{index}].answer",
                f"equals the right answer in all {checked}",
            )
        for index, reason in sorted(self.unusable.items()):
            raise template._fail(
                f"mistakes[{index}].answer",
                f"is never usable in the {checked}; for example it {reason}",
            )
        return LIMITS.template_units


def _check_source_texts(template: Template, *, allow_links: bool) -> None:
    plan = template._plan
    groups = [plan.prompt, *plan.feedback, *(plan.choices or ()), *plan.hints]
    groups += [plan.explanation] if plan.explanation else []
    for group in groups:
        for slot in group.values():
            if problem := shown_text_problem(slot.text.source, allow_links=allow_links):
                raise template._refuse(slot.path, problem[0], **problem[1])


def _check_export(template: Template) -> None:
    """The export must read back: short enough for a document, and the same fields."""
    text = template.to_yaml()
    if len(text) > LIMITS.document_chars:
        raise template._refuse(
            "", "tpl.check.export_long", chars=f"{len(text):,}", limit=f"{LIMITS.document_chars:,}"
        )
    if parse_source(read_document(text)) != template.source():
        raise template._refuse("", "tpl.check.export_differs")


def _values(param: Param) -> range | tuple[int, ...]:
    if param.choice is not None:
        return param.choice
    assert param.range is not None
    low, high = param.range
    return range(low, high + 1, param.step or 1)


def _space_size(params: tuple[Param, ...]) -> int:
    size = 1
    for param in params:
        size *= param.count
        if size > LIMITS.exhaustive_space:
            return size
    return size


def _acceptance(
    template: Template, rng: random.Random, exhaustive: bool
) -> tuple[list[Env] | None, float]:
    """The distinct good value sets (when the space was enumerated) and the acceptance
    rate to cost questions at: exact, or the Wilson lower bound of the draws'."""
    params = template.params
    count = len(template.constraints)
    reached = [0] * count
    held = [0] * count
    good: dict[tuple[int, ...], Env] = {}
    draws = 0
    envs: Iterator[Env]
    if exhaustive:
        names = [param.name for param in params]
        envs = (
            dict(zip(names, values, strict=True))
            for values in itertools.product(*(_values(p) for p in params))
        )
    elif not count:
        return None, 1.0
    else:
        envs = ({p.name: p.draw(rng) for p in params} for _ in range(LIMITS.draws))
    accepted = 0
    for env in envs:
        draws += 1
        for index in range(count):
            reached[index] += 1
            if not holds(template, index, env):
                break
            held[index] += 1
        else:
            accepted += 1
            if exhaustive:
                good.setdefault(tuple(env.values()), dict(env))  # type: ignore[arg-type]
    rate = accepted / draws
    if rate < LIMITS.min_acceptance_rate:
        sample = "possible values" if exhaustive else "draws"
        for index, (number, total) in enumerate(zip(held, reached, strict=True)):
            if number == 0 and total > 0:
                after = "" if index == 0 else " that met the constraints before it"
                raise template._fail(
                    f"constraints[{index}]", f"holds for 0 of {total} {sample}{after}"
                )
        need = math.ceil(LIMITS.min_acceptance_rate * draws)
        raise template._fail(
            "constraints",
            f"hold together for {accepted} of {draws} {sample}; at least {need} are needed: "
            "widen the parameter ranges or loosen the constraints",
        )
    if exhaustive:
        return list(good.values()), rate
    return None, _wilson_lower(accepted, draws, LIMITS.confidence_z)


def _wilson_lower(successes: int, n: int, z: float) -> float:
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max((centre - spread) / (1 + z * z / n), 1e-9)


def _edges(param: Param) -> list[int]:
    """A parameter's boundary values, most telling first: min, max, then their neighbours."""
    values = _values(param)
    ordered = sorted(set(values)) if isinstance(values, tuple) else values
    picks = [ordered[0], ordered[-1]]
    if len(ordered) > 2:
        picks += [ordered[1], ordered[-2]]
    return list(dict.fromkeys(picks))


def _corners(params: tuple[Param, ...]) -> Iterator[Env]:
    """Boundary value sets: all at min, all at max, each parameter flipped alone, every
    min/max combination, then the values next to each boundary. Distinct, lazily."""
    if not params:
        yield {}
        return
    edges = [_edges(p) for p in params]
    names = [p.name for p in params]
    seen: set[tuple[int, ...]] = set()

    def fresh(values: tuple[int, ...]) -> Iterator[Env]:
        if values not in seen:
            seen.add(values)
            yield dict(zip(names, values, strict=True))

    low = tuple(e[0] for e in edges)
    high = tuple(e[1] if len(e) > 1 else e[0] for e in edges)
    for base, other in ((low, high), (high, low)):
        yield from fresh(base)
        for i in range(len(params)):
            yield from fresh((*base[:i], other[i], *base[i + 1 :]))
    pairs = [(a, b) if a != b else (a,) for a, b in zip(low, high, strict=True)]
    for values in itertools.product(*pairs):
        yield from fresh(tuple(values))
    for i, edge in enumerate(edges):
        for value in edge[2:]:
            for base in (low, high):
                yield from fresh((*base[:i], value, *base[i + 1 :]))
