"""Ops pieces on their own: the log formatters, the ops settings, and that no port is
opened unless one is asked for."""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.errors import StartupError
from bot.ops.health import Health, serving
from bot.ops.logs import MASK, JsonFormatter, TextFormatter
from bot.ops.metrics import Metrics
from bot.settings import Settings, SettingsError, load_settings


def record(message: str, *args: object, exc: BaseException | None = None, **extra: object):  # type: ignore[no-untyped-def]
    made = logging.LogRecord(
        "bot.quiz.service",
        logging.INFO,
        __file__,
        1,
        message,
        args,
        (type(exc), exc, exc.__traceback__) if exc else None,
    )
    made.__dict__.update(extra)
    return made


def test_the_json_formatter_writes_one_object_per_line_with_the_place() -> None:
    line = JsonFormatter().format(record("question %s opened", 7, guild_id=11, channel_id=22))
    entry = json.loads(line)
    assert entry["message"] == "question 7 opened"
    assert (entry["level"], entry["logger"]) == ("INFO", "bot.quiz.service")
    assert (entry["guild_id"], entry["channel_id"]) == (11, 22)
    assert entry["timestamp"].endswith("+00:00")


def test_the_json_formatter_leaves_out_an_unknown_place_and_keeps_a_traceback_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError as error:
        line = JsonFormatter().format(record("failed", exc=error, guild_id=None))
    assert "\n" not in line
    entry = json.loads(line)
    assert "guild_id" not in entry and "channel_id" not in entry
    assert "ValueError: boom" in entry["exception"]


def test_both_formats_mask_the_token_wherever_it_appears() -> None:
    token = "MTE4NDk2.GhQ7xZ.q1w2e3r4t5y6"
    for formatter in (JsonFormatter([token, None]), TextFormatter([token])):
        line = formatter.format(record("login with %s failed", token, guild_id=5))
        assert token not in line and MASK in line


def test_the_text_format_stays_readable_and_names_the_place() -> None:
    line = TextFormatter().format(record("question 7 closed", guild_id=11, channel_id=22))
    assert line.endswith("INFO bot.quiz.service: question 7 closed [guild=11 channel=22]")
    assert TextFormatter().format(record("stopped")).endswith("bot.quiz.service: stopped")


def test_ops_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVQUIZ_METRICS_PORT", "")
    assert load_settings(_env_file=None).convquiz_metrics_port is None
    monkeypatch.setenv("CONVQUIZ_METRICS_PORT", "9464")
    monkeypatch.setenv("CONVQUIZ_LOG_FORMAT", "json")
    settings = load_settings(_env_file=None)
    assert (settings.convquiz_metrics_port, settings.convquiz_metrics_host) == (9464, "127.0.0.1")
    assert settings.convquiz_log_format == "json"
    monkeypatch.setenv("CONVQUIZ_METRICS_PORT", "nine")
    with pytest.raises(SettingsError, match=r"^CONVQUIZ_METRICS_PORT: "):
        load_settings(_env_file=None)


def _listening_sockets() -> set[int]:
    """Inodes of the TCP sockets this process listens on (Linux /proc)."""
    own = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            own.add(int(target[8:-1]))
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[3] == "0A":  # TCP_LISTEN
                    listening.add(int(fields[9]))
    return own & listening


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
async def test_metrics_are_off_by_default_and_open_one_port_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CONVQUIZ_METRICS_PORT", raising=False)
    default = Settings(_env_file=None)  # type: ignore[call-arg]
    before = _listening_sockets()
    async with serving(Metrics(), Health(), default) as server:
        assert server is None
        assert _listening_sockets() == before
    asked = Settings(_env_file=None, convquiz_metrics_port=0)  # type: ignore[call-arg]
    async with serving(Metrics(), Health(), asked) as server:
        assert server is not None
        assert len(_listening_sockets() - before) == 1
    assert _listening_sockets() == before


async def test_a_port_in_use_stops_start_up_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings(_env_file=None, convquiz_metrics_port=port)  # type: ignore[call-arg]
        with pytest.raises(StartupError, match=f"cannot serve metrics on 127.0.0.1:{port}: "):
            async with serving(Metrics(), Health(), settings):
                pass


def test_metrics_count_once_started_with_the_watchers_wired_before() -> None:
    metrics = Metrics()
    metrics.watch_open_questions(lambda: 3)  # as bot.wiring does, before any server
    metrics.count_error("event")  # not counted: nothing serves /metrics yet
    metrics.start_counting()
    metrics.count_error("event")
    metrics.observe_commit(2, 0.01, ["correct", "wrong"])
    metrics.watch_gateway_latency(lambda: 0.25)
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics.render().decode())
        for sample in family.samples
    }
    assert samples[("convquiz_open_questions", ())] == 3
    assert samples[("convquiz_gateway_latency_seconds", ())] == 0.25
    assert samples[("convquiz_errors_total", (("kind", "event"),))] == 1
    assert samples[("convquiz_answers_graded_total", (("outcome", "correct"),))] == 1
    assert samples[("convquiz_commit_batch_size_sum", ())] == 2
