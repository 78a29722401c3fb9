"""Reviewing a skill's card never waits: py-fsrs sleeps 1 ms whenever it makes a Card
without an id (to number the next one differently), and reviews run inside the answer
writer's transaction, once per answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fsrs.card
import pytest

from bot.engine.learning import rating_for, recall, review


def test_a_review_and_a_recall_make_no_card_that_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sleeping(seconds: float) -> None:
        raise AssertionError(f"py-fsrs slept {seconds} s")

    monkeypatch.setattr(fsrs.card.time, "sleep", no_sleeping)
    at = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    rating = rating_for("correct", hints_used=0, elapsed=20.0, time_limit=30.0)
    first = review(None, rating, at)
    second = review(first, rating, at + timedelta(days=2))
    assert second.stability is not None and first.stability is not None
    assert second.stability > first.stability  # remembered again: it lasts longer
    assert 0.0 < recall(second, at + timedelta(days=3)) < 1.0
