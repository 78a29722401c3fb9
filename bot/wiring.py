"""The composition root: the one place that builds the services from a database engine.

The command line, the terminal game, the Discord bot, the benchmarks and the tests all
get their quiz service here, so the repository, template store and service are wired
the same way everywhere.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ops.health import Health
from bot.ops.metrics import Metrics
from bot.quiz.daily import DailyQuestions
from bot.quiz.games import Games
from bot.quiz.reminders import Reminders
from bot.quiz.service import QuizService, utcnow
from bot.quiz.template_admin import TemplateAdmin
from bot.storage.daily import DailyStore
from bot.storage.games import GameStore
from bot.storage.reminders import ReminderStore
from bot.storage.repository import Repository
from bot.storage.template_store import TemplateStore


@dataclass(frozen=True, slots=True)
class Services:
    repository: Repository
    templates: TemplateStore
    quiz: QuizService
    # Per-process metrics and health probes; served only when a port is set (bot.ops).
    metrics: Metrics
    health: Health


def build(
    engine: AsyncEngine,
    *,
    default_time_limit: float = 30,
    clock: Callable[[], datetime] = utcnow,
    rng: random.Random | None = None,
    owns_guild: Callable[[int], bool] | None = None,
    start_cooldown: float = 0.0,
) -> Services:
    """Wire storage and the quiz service over ``engine`` (already migrated)."""
    repository = Repository(engine)
    templates = TemplateStore(repository)
    service = QuizService(
        repository,
        default_time_limit=default_time_limit,
        clock=clock,
        rng=rng,
        owns_guild=owns_guild,
        templates=templates,
        start_cooldown=start_cooldown,
        template_admin=TemplateAdmin(templates, clock),
    )
    service.daily = DailyQuestions(service, DailyStore(repository))
    service.reminders = Reminders(service, ReminderStore(repository))
    # Games of several questions: policy beside the service, over their own store.
    service.games = Games(service, GameStore(repository))
    metrics = Metrics()
    repository.answers.on_commit = metrics.observe_commit
    metrics.watch_open_questions(service.open_count)
    # Through the service, late: whatever repository it holds is the one to ask.
    health = Health(database=lambda: service.repository.ping())
    return Services(repository, templates, service, metrics, health)
