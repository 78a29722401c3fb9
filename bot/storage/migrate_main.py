"""``python -m bot.storage.migrate_main [REVISION]``: migrate the database named by the
``CONVQUIZ_MIGRATE_DATABASE_URL`` environment variable and exit; what
``bot.storage.db.migrate_in_child`` runs. A failure is one line on stderr, exit status 1.
"""

from __future__ import annotations

import asyncio
import os
import sys

from bot.storage.db import MIGRATE_URL_VARIABLE, create_engine, migrate, migration_failure


async def _migrate(url: str, revision: str) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine, revision)
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    revision = argv[0] if argv else "head"
    try:
        asyncio.run(_migrate(os.environ[MIGRATE_URL_VARIABLE], revision))
    except Exception as error:
        print(migration_failure(error), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
