"""Persistence: SQLAlchemy models, engine set-up, migrations and the repository."""

# Every table must be on Base.metadata before migrations compare or create anything.
from bot.storage import learner_models, models, template_models

__all__ = ["learner_models", "models", "template_models"]
