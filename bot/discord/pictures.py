"""Pictures for Discord messages, drawn off the event loop and never in the way.

``bot.present.pictures`` draws with Pillow, synchronously. Here the drawing runs in a
worker thread (``asyncio.to_thread``) under a time bound, so a slow drawing (a hostile
template, a busy machine) cannot block the bot, and any exception from drawing is logged
and turns into "no picture": a question, a reveal or a stats reply always goes out.

A drawing that runs over ``PICTURE_TIMEOUT`` is abandoned: the message goes without a
picture. Its thread cannot be stopped and finishes on its own (the drawing's cost is
bounded in ``bot.present.pictures``); what it draws still lands in the picture cache.

Pillow is imported with the first drawing, in its worker thread: a bot whose guilds
switched pictures off never loads it.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import logging
from collections.abc import Callable, Mapping, Sequence

from bot.engine.question import Question

__all__ = ["PICTURE_TIMEOUT", "picture_for", "progress_chart_for", "stats_chart_for"]

log = logging.getLogger(__name__)

PICTURE_TIMEOUT = 2.0  # seconds a drawing may take before the message goes without it


async def _drawn(what: str, draw: Callable[[], bytes | None]) -> bytes | None:
    try:
        return await asyncio.wait_for(asyncio.to_thread(draw), PICTURE_TIMEOUT)
    except TimeoutError:
        log.warning("drawing %s took over %.1f s; sent without a picture", what, PICTURE_TIMEOUT)
    except Exception:
        log.exception("cannot draw %s; sent without a picture", what)
    return None


async def picture_for(question: Question, *, reveal: bool) -> bytes | None:
    """The (cached) picture of ``question``, or None: nothing to draw, or drawing failed
    or ran over time."""
    draw = functools.partial(render_question_cached, question, reveal)
    kind = "reveal" if reveal else "question"
    return await _drawn(f"the {kind} picture of {question.code}", draw)


async def stats_chart_for(
    accuracy_by_kind: Mapping[str, tuple[int, int]],
    points_by_day: Sequence[tuple[datetime.date, int]],
    *,
    end: datetime.date | None = None,
) -> bytes | None:
    """``render_stats_chart`` off the loop, or None when drawing fails or runs over time."""
    draw = functools.partial(render_stats_chart, accuracy_by_kind, points_by_day, end=end)
    return await _drawn("the stats chart", draw)


async def progress_chart_for(skills: Sequence[tuple[str, float | None]]) -> bytes | None:
    """``render_progress_chart`` off the loop, or None when drawing fails or runs over."""
    return await _drawn("the progress chart", functools.partial(render_progress_chart, skills))


# Stand-ins for bot.present.pictures' functions that import it (and Pillow) when first
# called, in the drawing's worker thread.


def render_question_cached(question: Question, reveal: bool = False) -> bytes | None:
    from bot.present.pictures import render_question_cached as render

    return render(question, reveal)


def render_stats_chart(
    accuracy_by_kind: Mapping[str, tuple[int, int]],
    points_by_day: Sequence[tuple[datetime.date, int]],
    *,
    end: datetime.date | None = None,
) -> bytes:
    from bot.present.pictures import render_stats_chart as render

    return render(accuracy_by_kind, points_by_day, end=end)


def render_progress_chart(skills: Sequence[tuple[str, float | None]]) -> bytes:
    from bot.present.pictures.progress import render_progress_chart as render

    return render(skills)
