"""Skills: what a question drills, finer than its family, for practice that learns.

Every built-in question belongs to exactly one skill, read off its parameters (never
stored beside its code, so every code ever shared names its skill too). A template is
its own skill, ``template:NAME``. The catalogue lists the skills in the order a learner
meets them: within a family, easier first.

``question_of(skill, seed)`` asks a question of one skill: it walks a fixed sequence of
seeds of the difficulties that generate the skill and keeps the first whose question is
of it, so a (skill, seed) pair always gives the same question and its code replays it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.engine import bank
from bot.engine.codes import SEED_SPACE
from bot.engine.question import Question
from bot.errors import Localized
from bot.i18n.texts import DEFAULT_LANGUAGE, t

__all__ = [
    "SKILLS",
    "Skill",
    "UnknownSkill",
    "question_of",
    "skill_for",
    "skill_named",
    "skill_of",
    "template_skill",
]

TEMPLATE_PREFIX = "template:"
# The rarest skill is about one question in six of its difficulties (param_count.no_bias):
# missing it 400 times in a row has odds below 1e-30.
MAX_DRAWS = 400


@dataclass(frozen=True, slots=True)
class Skill:
    name: str
    family: str
    # The difficulties whose questions include this skill (where practice draws it).
    difficulties: tuple[int, ...]

    def description(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return t(f"skill.{self.name}", lang)


SKILLS: tuple[Skill, ...] = (
    Skill("output_size.basic", "output_size", (1,)),
    Skill("output_size.stride", "output_size", (1,)),
    Skill("output_size.padding", "output_size", (2,)),
    Skill("output_size.non_square", "output_size", (3,)),
    Skill("output_size.same_valid", "output_size", (3,)),
    Skill("output_size.dilation", "output_size", (3,)),
    Skill("param_count.basic", "param_count", (1, 2)),
    Skill("param_count.no_bias", "param_count", (2,)),
    Skill("param_count.rect_kernel", "param_count", (2,)),
    Skill("param_count.groups", "param_count", (3,)),
    Skill("param_count.depthwise", "param_count", (3,)),
    Skill("bottleneck.params", "bottleneck", (1, 2)),
    Skill("bottleneck.why_1x1", "bottleneck", (1, 2)),
    Skill("bottleneck.savings", "bottleneck", (2, 3)),
    Skill("bottleneck.macs", "bottleneck", (3,)),
    Skill("odd_kernel.why_odd", "odd_kernel", (1, 2)),
    Skill("odd_kernel.centre", "odd_kernel", (1, 2, 3)),
    Skill("odd_kernel.same_padding", "odd_kernel", (2,)),
    Skill("odd_kernel.same_split", "odd_kernel", (3,)),
)
_BY_NAME = {skill.name: skill for skill in SKILLS}


class UnknownSkill(Localized, ValueError):
    """No skill of that name; the text lists the catalogue."""


def skill_named(name: str, lang: str = DEFAULT_LANGUAGE) -> Skill:
    skill = _BY_NAME.get(name)
    if skill is None:
        names = t("sep.list", lang).join(f"`{s.name}`" for s in SKILLS)
        raise UnknownSkill.of("skill.unknown", lang, name=name, skills=names)
    return skill


def template_skill(template_name: str) -> str:
    return TEMPLATE_PREFIX + template_name


def _pair(value: object) -> tuple[object, object]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return value, value


def _output_size_skill(params: dict[str, object]) -> str:
    # One skill per question: the hardest idea it needs decides.
    if params.get("dilation") not in ([1, 1], None):
        return "output_size.dilation"
    if params.get("padding") == "same":
        return "output_size.same_valid"
    height, width = _pair(params["size"])
    kernel_h, kernel_w = _pair(params["kernel"])
    if height != width or kernel_h != kernel_w:
        return "output_size.non_square"
    if params.get("padding") not in ([0, 0], 0):
        return "output_size.padding"
    if params.get("stride") not in ([1, 1], 1):
        return "output_size.stride"
    return "output_size.basic"


def _param_count_skill(params: dict[str, object]) -> str:
    groups = params.get("groups", 1)
    if groups != 1:
        depthwise = groups == params["in_channels"]
        return "param_count.depthwise" if depthwise else "param_count.groups"
    kernel_h, kernel_w = _pair(params["kernel"])
    if kernel_h != kernel_w:
        return "param_count.rect_kernel"
    return "param_count.basic" if params.get("bias", True) else "param_count.no_bias"


_VARIANT_SKILLS = {
    ("bottleneck", "total"): "bottleneck.params",
    ("bottleneck", "saved"): "bottleneck.savings",
    ("bottleneck", "why"): "bottleneck.why_1x1",
    ("bottleneck", "macs"): "bottleneck.macs",
    ("odd_kernel", "center"): "odd_kernel.centre",
    ("odd_kernel", "pad_side"): "odd_kernel.same_padding",
    ("odd_kernel", "pad_split"): "odd_kernel.same_split",
    ("odd_kernel", "why"): "odd_kernel.why_odd",
}


def skill_of(question: Question) -> str:
    """The skill a built-in question drills. Raises ``KeyError`` for a question no
    skill covers (a family that grew a variant without one: a test catches it)."""
    if question.kind == "output_size":
        return _output_size_skill(question.params)
    if question.kind == "param_count":
        return _param_count_skill(question.params)
    return _VARIANT_SKILLS[(question.kind, str(question.params.get("variant")))]


def skill_for(question: Question, template_name: str | None = None) -> str:
    """The skill an asked question drills: a template's own, else the built-in one."""
    return template_skill(template_name) if template_name else skill_of(question)


def question_of(skill: str, seed: int, lang: str = DEFAULT_LANGUAGE) -> Question:
    """A question of ``skill``, the same one for the same seed; ranked or not is the
    caller's business. Raises ``UnknownSkill``."""
    wanted = skill_named(skill, lang)
    draws = random.Random(f"skill:{skill}:{seed}")
    for _ in range(MAX_DRAWS):
        difficulty = draws.choice(wanted.difficulties)
        question = bank.generate(wanted.family, draws.randrange(SEED_SPACE), difficulty, lang)
        if skill_of(question) == skill:
            return question
    raise AssertionError(f"no question of {skill} in {MAX_DRAWS} draws")  # pragma: no cover
