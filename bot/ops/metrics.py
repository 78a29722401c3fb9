"""The bot's metrics: what the answer writer, the Discord client and the service feed.

A ``Metrics`` counts nothing until ``start_counting`` (``bot.ops.health.serving`` calls
it when a metrics port is set): only a process that serves ``/metrics`` loads
prometheus_client (1.4 MiB resident) and pays for counting; what the others would
count, nobody could read. The counting itself is ``bot.ops.prometheus_metrics``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.ops.prometheus_metrics import PrometheusMetrics

__all__ = ["Metrics"]


class Metrics:
    def __init__(self) -> None:
        self._counting: PrometheusMetrics | None = None
        # Watched before counting starts (the composition root wires them first).
        self._open_questions: Callable[[], int] | None = None
        self._gateway_latency: Callable[[], float] | None = None

    def start_counting(self) -> None:
        """From now on, count (and watch) into a Prometheus registry; idempotent."""
        if self._counting is not None:
            return
        from bot.ops.prometheus_metrics import PrometheusMetrics

        counting = PrometheusMetrics()
        if self._open_questions is not None:
            counting.watch_open_questions(self._open_questions)
        if self._gateway_latency is not None:
            counting.watch_gateway_latency(self._gateway_latency)
        self._counting = counting

    # --- feeds ---------------------------------------------------------------------------

    def observe_commit(self, size: int, seconds: float, outcomes: Sequence[str]) -> None:
        """The answer writer's observer: one committed batch and its stored outcomes."""
        if self._counting is not None:
            self._counting.observe_commit(size, seconds, outcomes)

    def observe_acknowledgement(self, seconds: float) -> None:
        if self._counting is not None:
            self._counting.observe_acknowledgement(seconds)

    def count_rest_call(self, route: str) -> None:
        if self._counting is not None:
            self._counting.count_rest_call(route)

    def count_rate_limited(self, route: str) -> None:
        if self._counting is not None:
            self._counting.count_rate_limited(route)

    def count_error(self, kind: str) -> None:
        if self._counting is not None:
            self._counting.count_error(kind)

    def watch_open_questions(self, count: Callable[[], int]) -> None:
        self._open_questions = count
        if self._counting is not None:
            self._counting.watch_open_questions(count)

    def watch_gateway_latency(self, latency: Callable[[], float]) -> None:
        self._gateway_latency = latency
        if self._counting is not None:
            self._counting.watch_gateway_latency(latency)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric (counting from now, if it had
        not begun)."""
        self.start_counting()
        assert self._counting is not None
        return self._counting.render()
