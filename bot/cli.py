"""The ``convquiz`` command: the Discord bot, the terminal game and maintenance.

``convquiz`` alone runs the bot when ``DISCORD_TOKEN`` is set and the terminal game
when it is not. Every start-up failure (bad setting, database down, token refused)
ends with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Sequence

from bot.errors import StartupError, StorageError
from bot.ops.health import serving
from bot.ops.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.storage.db import create_engine, migrate, migrate_in_child, migration_failure
from bot.wiring import build

log = logging.getLogger("convquiz")

# Seconds between two starts by one member in a server (the terminal has one player).
DISCORD_START_COOLDOWN = 5.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convquiz", description="A Discord quiz bot about convolution layers."
    )
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    run.add_argument(
        "--shard-ids", help="comma-separated shard ids this process runs (CONVQUIZ_SHARD_IDS)"
    )
    run.add_argument(
        "--shard-count", type=int, help="total number of shards (CONVQUIZ_SHARD_COUNT)"
    )
    sub.add_parser("console", help="play in this terminal")
    sub.add_parser("migrate", help="apply database migrations and exit")
    sub.add_parser("rescore", help="rebuild all totals from the answer events")
    privacy = sub.add_parser("privacy", help="a member's own data, on their request")
    privacy.add_argument("action", choices=("delete", "export", "show"))
    privacy.add_argument("user_id", type=int, help="the member's Discord user id")
    sync = sub.add_parser("sync", help="register the slash commands with Discord and exit")
    sync.add_argument("--guild", type=int, help="sync to one guild only (instant)")
    return parser


async def _migrated_engine(settings: Settings, *, in_child: bool = False):  # type: ignore[no-untyped-def]
    """An engine on the migrated database. ``in_child``: migrate in a child process, so
    a bot that runs for weeks never holds alembic (an in-memory database cannot be)."""
    if in_child and ":memory:" not in settings.database_url:
        await migrate_in_child(settings.database_url)
        return create_engine(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
    except StorageError:
        await engine.dispose()
        raise
    except Exception as error:  # unreachable, or driver errors during migration
        await engine.dispose()
        raise StartupError(migration_failure(error)) from None
    return engine


async def _console(settings: Settings) -> None:
    from bot.console import run_console

    engine = await _migrated_engine(settings)
    try:
        services = build(engine, default_time_limit=settings.convquiz_time_limit)
        await run_console(services.quiz, prefix=settings.convquiz_prefix)
    finally:
        await engine.dispose()


async def _migrate(settings: Settings) -> None:
    engine = await _migrated_engine(settings)
    await engine.dispose()
    print("database is up to date")


async def _rescore(settings: Settings) -> None:
    engine = await _migrated_engine(settings)
    try:
        count = await build(engine).repository.rescore()
        print(f"rebuilt totals from {count} answer events")
    finally:
        await engine.dispose()


async def _privacy(settings: Settings, action: str, user_id: int) -> None:
    engine = await _migrated_engine(settings)
    try:
        privacy = build(engine).quiz.privacy
        if action == "export":
            sys.stdout.write((await privacy.export(user_id)).decode() + "\n")
            return
        if action == "show":
            counts = await privacy.show(user_id)
        else:
            counts = await privacy.delete_by_host(user_id)
        verb = "deleted" if action == "delete" else "stored"
        print(
            f"user {user_id}: {verb} {counts.answers} answers, {counts.guild_totals} guild,"
            f" {counts.weekly_totals} weekly, {counts.kind_totals} kind and"
            f" {counts.global_totals} global totals rows; {counts.questions_started}"
            f" questions started, {counts.first_correct} first-correct marks and"
            f" {counts.templates_authored} template authorships; {counts.skill_cards} skill"
            f" cards and {counts.skill_mistakes} mistake counts"
            + (" unnamed" if action == "delete" else "")
            + f"; hints taken on {counts.hints_taken} questions"
        )
    finally:
        await engine.dispose()


def _shards(args: argparse.Namespace) -> tuple[list[int] | None, int | None]:
    # The command line wins; CONVQUIZ_SHARD_IDS / CONVQUIZ_SHARD_COUNT in the environment
    # let a process manager start every process of a sharded deployment the same way.
    raw_ids = getattr(args, "shard_ids", None) or os.environ.get("CONVQUIZ_SHARD_IDS")
    raw_count = getattr(args, "shard_count", None) or os.environ.get("CONVQUIZ_SHARD_COUNT")
    ids = None
    if raw_ids:
        try:
            ids = [int(part) for part in str(raw_ids).split(",") if part.strip()]
        except ValueError:
            raise StartupError("--shard-ids must be comma-separated numbers, e.g. 0,1") from None
    try:
        count = int(raw_count) if raw_count else None
    except ValueError:
        raise StartupError("--shard-count must be a number") from None
    if count is not None and count < 1:
        raise StartupError("--shard-count must be at least 1")
    if ids is not None and count is None:
        raise StartupError("--shard-ids needs --shard-count")
    if ids is not None and count is not None and any(not 0 <= i < count for i in ids):
        raise StartupError(f"shard ids must be between 0 and {count - 1}")
    return ids, count


async def _run_bot(settings: Settings, args: argparse.Namespace, *, sync_only: bool) -> None:
    from bot.discord.bot import run_bot, shard_owner

    if settings.token is None:
        raise StartupError("DISCORD_TOKEN is not set (environment or .env); see README")
    shard_ids, shard_count = _shards(args)
    engine = await _migrated_engine(settings, in_child=True)
    try:
        owner = shard_owner(shard_ids, shard_count) if shard_ids and shard_count else None
        services = build(
            engine,
            default_time_limit=settings.convquiz_time_limit,
            owns_guild=owner,
            start_cooldown=DISCORD_START_COOLDOWN,
        )
        # /healthz and /metrics while the bot runs, when CONVQUIZ_METRICS_PORT is set.
        ops = (
            contextlib.nullcontext()
            if sync_only
            else serving(services.metrics, services.health, settings)
        )
        async with ops:
            await run_bot(
                settings,
                services.quiz,
                shard_ids=shard_ids,
                shard_count=shard_count,
                sync_only=sync_only,
                sync_guild=getattr(args, "guild", None),
                metrics=services.metrics,
                health=services.health,
            )
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.convquiz_log_format, secrets=[settings.token])
        command = args.command
        if command is None:
            command = "run" if settings.token else "console"
        if command == "console":
            asyncio.run(_console(settings))
        elif command == "migrate":
            asyncio.run(_migrate(settings))
        elif command == "rescore":
            asyncio.run(_rescore(settings))
        elif command == "privacy":
            asyncio.run(_privacy(settings, args.action, args.user_id))
        else:
            asyncio.run(_run_bot(settings, args, sync_only=command == "sync"))
    except (SettingsError, StartupError, StorageError) as error:
        print(f"convquiz: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
