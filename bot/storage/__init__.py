"""Persistence: SQLAlchemy models, engine set-up, migrations and the repository."""

# Every table must be on Base.metadata before migrations compare or create anything.
from bot.storage import daily_models, game_models, learner_models, models, template_models

__all__ = ["daily_models", "game_models", "learner_models", "models", "template_models"]
