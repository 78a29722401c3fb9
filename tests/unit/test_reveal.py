"""A busy question's reveal: whole names only, the best answerers first, then an exact
"and N more"; never a mention cut in half by Discord's 1,024-character field limit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.discord.embeds import embed_for, mention
from bot.engine import bank
from bot.engine.question import pack
from bot.present.cards import FIELD_TEXT_LIMIT, close_card
from bot.records import AnswerSummary, ClosedQuestion, OpenQuestion

MENTION = re.compile(r"<@(\d+)>")


def _closed(answers: list[AnswerSummary]) -> ClosedQuestion:
    opened = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    question = bank.generate("output_size", 7, 1)
    open_question = OpenQuestion(
        1, 10, 20, 30, pack(question), 100, opened, opened + timedelta(seconds=30), True, "open"
    )
    return ClosedQuestion(open_question, "closed", opened, tuple(answers))


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("right", [1, 20, 38, 400])
def test_whole_names_then_an_exact_count(lang: str, right: int) -> None:
    users = [157_700_000_000_000_000 + n for n in range(right)]
    answers = [
        AnswerSummary(user, "correct", None, points=10 + n % 7, first_correct=n == right - 1)
        for n, user in enumerate(users)
    ]
    card = close_card(_closed(answers), mention, lang)
    value = card.fields[0][1]
    assert len(value) <= FIELD_TEXT_LIMIT
    named = [int(found) for found in MENTION.findall(value)]
    assert value.count("<@") == len(named)  # no mention cut in half
    if len(named) < right:
        more = re.search(r"(?:and |ほか)(\d+)", value)
        assert more is not None and int(more.group(1)) == right - len(named)
    # The first right answer leads, then the most points.
    assert named[0] == users[-1]
    points = {a.user_id: a.points for a in answers}
    rest = [points[user] for user in named[1:]]
    assert rest == sorted(rest, reverse=True)
    # Discord's embed takes the field as it is: nothing clipped there either.
    embed = embed_for(card)
    assert embed.fields[0].value == value
