"""The whole schema, as migrations and the drift test compare it: every table, and the
two partial unique indexes that the database enforces.

Those indexes (one open question, one running game per channel, so two racing starts
cannot both succeed) are declared here and not with their tables because declaring a
dialect's index options imports that dialect: PostgreSQL's is 2.4 MiB resident that a
bot on SQLite never uses. The running bot needs no index objects (its database has the
indexes, made by the migrations) and never imports this module.
"""

from __future__ import annotations

from sqlalchemy import Index, MetaData, text
from sqlalchemy.orm import InstrumentedAttribute

# Any bot.storage module brings every table onto Base.metadata (the package's __init__).
from bot.storage.game_models import GameRow
from bot.storage.models import Base, QuestionRow

__all__ = ["metadata"]


def _unique_where(name: str, column: InstrumentedAttribute[int], where: str) -> Index:
    # An index on a table's column joins that table's indexes.
    return Index(name, column, unique=True, sqlite_where=text(where), postgresql_where=text(where))


_unique_where("uq_questions_open_channel", QuestionRow.channel_id, "status = 'open'")
_unique_where("uq_games_running_channel", GameRow.channel_id, "status = 'running'")

metadata: MetaData = Base.metadata
