"""Fixtures of the end-to-end tests: a world, and the bot running in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fakediscord import MANAGE_GUILD, FakeDiscord
from fakediscord.limits import DISCORD, RateLimits
from harness import Clock, Running, SeedQueue, World, running


@pytest.fixture
def rate_limits() -> RateLimits:
    """Discord's; a test about something else may parametrize another (harness.py)."""
    return DISCORD


@pytest.fixture
async def world(tmp_path: Path, rate_limits: RateLimits) -> AsyncIterator[World]:
    async with FakeDiscord(rate_limits=rate_limits) as fake:
        guild = fake.add_guild("Conv Club")
        channel = fake.add_channel(guild.id, "quiz")
        other = fake.add_channel(guild.id, "general")
        moderators = fake.add_role(guild.id, "Moderator", MANAGE_GUILD)
        members = [fake.add_member(guild.id, name) for name in ("bob", "carol", "dave", "erin")]
        alice = fake.add_member(guild.id, "alice", roles=[moderators])
        yield World(
            fake,
            guild,
            channel,
            other,
            alice,
            *members,
            db_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            clock=Clock(),
            seeds=SeedQueue(),
        )
        assert fake.unknown_routes == [], "the bot used a route Discord does not have"
        assert fake.server_errors == []
        assert fake.contract_violations == [], "a request or answer breaks Discord's spec"
        assert fake.rate_limited == [], "the bot was answered 429 Too Many Requests"


@pytest.fixture
async def quizbot(world: World) -> AsyncIterator[Running]:
    async with running(world) as run:
        yield run
