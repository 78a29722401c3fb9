"""Who may start and stop questions is decided by the quiz service, on a real database,
and refused with catalog texts that read in either language."""

from __future__ import annotations

import pytest
from helpers import Clock

from bot.errors import Localized
from bot.quiz.service import NotAllowed, OnCooldown, QuizService
from bot.storage.repository import Repository

GUILD, CHANNEL, OTHER, ROLE = 10, 20, 21, 30
ALICE, BOB = 1, 2


async def test_a_guild_limits_channels_and_starters(repository: Repository) -> None:
    service = QuizService(repository, clock=Clock())
    await repository.update_config(GUILD, allowed_channels=[CHANNEL], starter_role_id=ROLE)
    with pytest.raises(NotAllowed) as elsewhere:
        await service.start(guild_id=GUILD, channel_id=OTHER, user_id=ALICE, kind="output_size")
    assert elsewhere.value.key == "reply.not_allowed_channel"
    with pytest.raises(NotAllowed) as no_role:
        await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=ALICE, kind="output_size")
    assert no_role.value.key == "reply.not_starter"
    opened = await service.start(
        guild_id=GUILD, channel_id=CHANNEL, user_id=ALICE, kind="output_size", member_roles={ROLE}
    )
    assert service.open_in(CHANNEL) == opened
    # Only its starter or a moderator stops it.
    with pytest.raises(NotAllowed) as not_yours:
        await service.stop(CHANNEL, BOB, is_moderator=False)
    assert not_yours.value.said_in("en") != not_yours.value.said_in("ja")
    assert await service.stop(CHANNEL, BOB, is_moderator=True) is not None


async def test_the_cooldown_counts_only_starts_that_opened(repository: Repository) -> None:
    clock = Clock()
    service = QuizService(repository, clock=clock, start_cooldown=5)
    with pytest.raises(Localized):  # a bad kind: refused before anything opened
        await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=ALICE, kind="nope")
    await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=ALICE, kind="output_size")
    await service.close_now(CHANNEL)
    clock.advance(2)
    with pytest.raises(OnCooldown) as cooling:
        await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=ALICE, kind="output_size")
    assert cooling.value.retry_after == pytest.approx(3)
    assert "3" in cooling.value.said_in("ja")
    await service.start(guild_id=GUILD, channel_id=OTHER, user_id=BOB, kind="output_size")
    clock.advance(3)
    await service.start(guild_id=GUILD, channel_id=CHANNEL, user_id=ALICE, kind="output_size")
