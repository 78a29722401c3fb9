"""Which question ``!convquiz`` asks: a built-in family, a guild template, or a replay.

The guild's mix decides what a bare ``!convquiz`` draws from: the four built-in
families, the guild's enabled templates, or both, each entry equally likely.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

from bot.engine import bank
from bot.engine.codes import parse_versioned_code, versioned_code
from bot.engine.question import Question
from bot.engine.templates import TemplateError
from bot.storage.template_store import TemplateStore, UnknownTemplate


@dataclass(frozen=True, slots=True)
class Picked:
    question: Question
    ranked: bool
    template_name: str | None = None
    template_version: int | None = None


class QuestionSource:
    def __init__(self, templates: TemplateStore | None, rng: random.Random) -> None:
        self.templates = templates
        self.rng = rng

    async def pick(
        self,
        guild_id: int,
        *,
        kind: str | None,
        difficulty: int | None,
        code: str | None,
        template: str | None,
        default_difficulty: int,
        lang: str,
    ) -> Picked:
        """Raises ``bank.QuizError`` with a message for the user when nothing fits."""
        if code is not None:
            parsed = parse_versioned_code(code)
            if parsed is None:
                return Picked(bank.from_code(code, lang), ranked=False)
            name, seed, version = parsed
            return await self._from_template(guild_id, name, seed, lang, version, ranked=False)
        if template is not None:
            return await self._from_template(guild_id, template, None, lang, None, ranked=True)
        if kind is None:
            pool = await self._pool(guild_id, lang)
            choice = self.rng.choice(pool)
            if choice not in bank.KINDS:
                return await self._from_template(guild_id, choice, None, lang, None, ranked=True)
            kind = choice
        level = difficulty or default_difficulty
        return Picked(bank.generate(kind, bank.random_seed(self.rng), level, lang), ranked=True)

    async def _pool(self, guild_id: int, lang: str) -> list[str]:
        if self.templates is None:
            return list(bank.KINDS)
        config = await self.templates.config(guild_id)
        names = (
            []
            if config.mix == "builtin"
            else [stored.name for stored in await self.templates.enabled(guild_id)]
        )
        pool = names + (list(bank.KINDS) if config.mix != "templates" else [])
        if not pool:
            raise bank.QuizError.of("error.no_templates", lang)
        return pool

    async def _from_template(
        self,
        guild_id: int,
        name: str,
        seed: int | None,
        lang: str,
        version: int | None,
        *,
        ranked: bool,
    ) -> Picked:
        if self.templates is None:
            raise bank.QuizError.of("error.unknown_template", lang, name=name[:40])
        try:
            stored, template = await self.templates.get(guild_id, name, version)
        except UnknownTemplate:
            raise bank.QuizError.of("error.unknown_template", lang, name=name[:40]) from None
        if ranked and not stored.enabled:
            raise bank.QuizError.of("error.template_disabled", lang, name=name)
        used = version or stored.version
        seed = bank.random_seed(self.rng) if seed is None else seed
        try:
            question = template.sample(seed, lang)
        except TemplateError as error:
            raise bank.QuizError.of(
                "error.template_failed", lang, name=name, detail=str(error)
            ) from None
        question = dataclasses.replace(question, code=versioned_code(template.name, seed, used))
        return Picked(question, ranked, template.name, used)
