"""Cards become embeds inside Discord's limits: long texts are cut, never refused."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.discord.embeds import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    TITLE_LIMIT,
    clip,
    embed_for,
)
from bot.present.cards import Card


def embed_size(embed: dict) -> int:  # type: ignore[type-arg]
    """Characters Discord counts towards the 6,000 total of one embed."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    return total + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))


def test_every_part_of_a_huge_card_is_cut_to_discords_limits() -> None:
    card = Card(
        title="T" * 1_000,
        body="B" * 10_000,
        fields=tuple((f"name{i}" * 100, "v" * 5_000) for i in range(40)),
        footer="F" * 5_000,
        spoiler="S" * 10_000,
        choices=tuple("c" * 500 for _ in range(4)),
        deadline=datetime(2026, 11, 27, tzinfo=UTC),
    )
    embed = embed_for(card).to_dict()
    assert len(embed["title"]) <= TITLE_LIMIT and embed["title"].endswith("…")
    assert len(embed.get("description", "")) <= DESCRIPTION_LIMIT
    assert len(embed.get("fields", [])) <= FIELDS_LIMIT
    assert embed_size(embed) <= EMBED_TOTAL_LIMIT


def test_many_fields_are_capped_at_twenty_five_and_the_total() -> None:
    card = Card(title="Board", fields=tuple((f"#{i}", "x" * 2_000) for i in range(40)))
    embed = embed_for(card).to_dict()
    assert 0 < len(embed["fields"]) <= FIELDS_LIMIT
    assert all(len(f["name"]) <= FIELD_NAME_LIMIT for f in embed["fields"])
    assert all(len(f["value"]) <= FIELD_VALUE_LIMIT for f in embed["fields"])
    assert embed_size(embed) <= EMBED_TOTAL_LIMIT
    small = embed_for(Card(title="t", fields=tuple((f"{i}", "v") for i in range(40)))).to_dict()
    assert len(small["fields"]) == FIELDS_LIMIT


def test_a_spoiler_cannot_be_closed_early_by_the_text_inside_it() -> None:
    card = Card(title="t", body="b", spoiler="answer || leaked")
    description = embed_for(card).to_dict()["description"]
    assert description.count("||") == 2  # only the spoiler's own markers


def test_short_texts_are_left_alone() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("abcd", 3) == "ab…"
    embed = embed_for(Card(title="Question", body="What is 11×11?")).to_dict()
    assert embed["title"] == "Question" and embed["description"] == "What is 11×11?"
