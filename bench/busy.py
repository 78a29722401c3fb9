"""A busy channel under Discord's rate limits: 100 people answer one question within
5 s, half by typing and half through the Answer button's form.

Per answer, the time to its verdict: the reaction (typed, when the channel's reaction
budget allows it: ``bot.quiz.feedback``), the ephemeral reply (the form), or the reveal
(every typed answer that got no reaction). The question closes 1 s after the burst.
Also REST calls by route and the 429s the bot earned (there must be none).

``python -m bench.busy [--answers N] [--seconds S]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from fakediscord import FakeDiscord
from fakediscord.limits import DISCORD

from bench.common import say, verdict_seen
from bench.e2e import Clock, _code, _convquiz
from bot.engine import bank

__all__ = ["measure"]


def _percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(answers: int = 100, seconds: float = 5.0) -> dict[str, float]:
    from bench.storage import fresh_database

    with tempfile.TemporaryDirectory(prefix="convquiz-busy-") as folder:
        async with fresh_database("sqlite", folder) as url:
            return await _run(url, answers, seconds)


async def _run(url: str, answers: int, seconds: float) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    async with FakeDiscord(rate_limits=DISCORD) as fake:
        guild = fake.add_guild("busy")
        channel = fake.add_channel(guild.id, "quiz").id
        starter = fake.add_member(guild.id, "starter").id
        players = [fake.add_member(guild.id, f"p{i}").id for i in range(answers)]
        clock = Clock()
        async with _convquiz(fake, url, clock) as bot:
            await fake.send_message(channel, starter, "!convquiz param_count 1")
            posted = await fake.wait_for_message(lambda m: bool(m.embeds), timeout=30)
            question = bank.from_code(_code(posted))
            button, _hint = posted.custom_ids  # Answer, then 💡 Hint
            replies = [question.answer_text, "1", "12,345"]  # right, wrong, wrong
            calls_before = Counter(fake.rest_calls)
            sent_at: dict[int, float] = {}
            reacted_at: dict[int, float] = {}
            private: list[float] = []

            async def typed(index: int) -> None:
                message = await fake.send_message(channel, players[index], replies[index % 3])
                sent_at[index] = loop.time()
                # Its reaction or first-right reply; neither: the reveal is its verdict.
                if await verdict_seen(fake, int(message["id"]), start=0, timeout=seconds + 3):
                    reacted_at[index] = loop.time()

            async def by_form(index: int) -> None:
                started = loop.time()
                click = await fake.click_button(posted.id, button, players[index])
                form = await fake.wait_for_interaction_response(interaction=click)
                submitted = await fake.submit_modal(form, {"cq:form:reply": replies[index % 3]})
                await fake.wait_for_interaction_response(interaction=submitted, timeout=10)
                private.append(loop.time() - started)

            tasks = []
            burst_start = loop.time()
            for index in range(answers):
                tasks.append(asyncio.create_task((typed if index % 2 else by_form)(index)))
                await asyncio.sleep(seconds / answers)
            await asyncio.sleep(max(0.0, burst_start + seconds + 1.0 - loop.time()))
            seen = len(fake.sent_messages)
            clock.offset += timedelta(seconds=601)
            bot.wake_deadlines()
            await fake.wait_for_message(
                lambda m: bool(m.embeds) and "answer" in m.embeds[0].get("title", ""),
                start=seen,
                timeout=30,
            )
            reveal_at = loop.time()
            await asyncio.gather(*tasks)
            calls = Counter(fake.rest_calls) - calls_before
            assert fake.rate_limited == [], fake.rate_limited_by_route
        typed_indices = [i for i in range(answers) if i % 2]
        reaction = [reacted_at[i] - sent_at[i] for i in typed_indices if i in reacted_at]
        by_reveal = [reveal_at - sent_at[i] for i in typed_indices if i not in reacted_at]
        late = sum(1 for i in reacted_at if reacted_at[i] > reveal_at)
        out: dict[str, float] = {
            "answers": answers,
            "typed": len(typed_indices),
            "reactions": len(reaction),
            "reaction_p50_ms": 1000 * _percentile(reaction, 0.5),
            "reaction_p99_ms": 1000 * _percentile(reaction, 0.99),
            "form": len(private),
            "form_p50_ms": 1000 * _percentile(private, 0.5),
            "form_p99_ms": 1000 * _percentile(private, 0.99),
            "private_or_reaction_p99_ms": 1000 * _percentile(reaction + private, 0.99),
            "by_reveal": len(by_reveal),
            "by_reveal_median_s": statistics.median(by_reveal) if by_reveal else 0.0,
            "reactions_after_reveal": late,
            "rate_limited": len(fake.rate_limited),
        }
        for route, count in sorted(calls.items()):
            out[f"calls {route}"] = count
        return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--answers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    result: dict[str, Any] = asyncio.run(measure(args.answers, args.seconds))
    for key, value in result.items():
        say(f"{key:>40}: {value:,.1f}")


if __name__ == "__main__":
    main()
