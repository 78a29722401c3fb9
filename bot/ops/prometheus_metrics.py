"""The bot's Prometheus metrics, in a registry of their own, once counting has begun
(``bot.ops.metrics.Metrics.start_counting``).

Each ``PrometheusMetrics`` holds its own ``CollectorRegistry`` rather than the library's
global one, so tests and several bots in one process each count only what is theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["PrometheusMetrics"]

# Seconds: a commit is milliseconds, an acknowledgement one REST round trip or a
# rate-limit wait.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500)


class PrometheusMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.answers = Counter(
            "convquiz_answers_graded",
            "Answers graded and stored, by outcome.",
            ["outcome"],
            registry=r,
        )
        self.commit_batch = Histogram(
            "convquiz_commit_batch_size",
            "Answers per group-commit transaction.",
            buckets=_BATCH_BUCKETS,
            registry=r,
        )
        self.commit_seconds = Histogram(
            "convquiz_commit_seconds",
            "Time to commit one batch of answers.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.ack_seconds = Histogram(
            "convquiz_acknowledge_seconds",
            "From an answer received to its reaction or reply sent.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.open_questions = Gauge(
            "convquiz_open_questions", "Questions open in this process.", registry=r
        )
        self.gateway_latency = Gauge(
            "convquiz_gateway_latency_seconds",
            "Discord gateway heartbeat latency (+Inf before the first heartbeat).",
            registry=r,
        )
        self.rest_calls = Counter(
            "convquiz_discord_rest_calls",
            "Discord REST calls, by route (method and path template).",
            ["route"],
            registry=r,
        )
        self.rest_429s = Counter(
            "convquiz_discord_rest_429",
            "Discord REST answers with status 429, by route.",
            ["route"],
            registry=r,
        )
        self.errors = Counter("convquiz_errors", "Errors, by kind.", ["kind"], registry=r)

    # --- feeds ---------------------------------------------------------------------------

    def observe_commit(self, size: int, seconds: float, outcomes: Sequence[str]) -> None:
        """The answer writer's observer: one committed batch and its stored outcomes."""
        self.commit_batch.observe(size)
        self.commit_seconds.observe(seconds)
        for outcome in outcomes:
            self.answers.labels(outcome).inc()

    def observe_acknowledgement(self, seconds: float) -> None:
        self.ack_seconds.observe(seconds)

    def count_rest_call(self, route: str) -> None:
        self.rest_calls.labels(route).inc()

    def count_rate_limited(self, route: str) -> None:
        self.rest_429s.labels(route).inc()

    def count_error(self, kind: str) -> None:
        self.errors.labels(kind).inc()

    def watch_open_questions(self, count: Callable[[], int]) -> None:
        self.open_questions.set_function(count)

    def watch_gateway_latency(self, latency: Callable[[], float]) -> None:
        self.gateway_latency.set_function(latency)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
