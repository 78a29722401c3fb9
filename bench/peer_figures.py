"""The peer section's rows (``bench/__main__.py`` makes them ``Figure``s): both bots'
figures, then convquiz ÷ Red with the issue's targets (printed met or missed, never
asserted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.peer import PeerSizes

__all__ = ["Row", "figures"]

# key, label, unit, target, meets, digits
Row = tuple[str, str, str, str, Callable[[float], bool] | None, int]


def figures(sizes: PeerSizes | None = None) -> list[Row]:
    """The section's rows for ``bench/__main__.py``: both bots, then convquiz ÷ Red."""
    if sizes is None:
        from bench.peer import FULL

        sizes = FULL
    rows: list[Row] = []
    per = f"{sizes.channels} channels"
    for bot, name in (("convquiz", "convquiz"), ("red", "Red Trivia")):
        rows += [
            (f"{bot}_cpu_per_1k", f"{name}: CPU per 1,000 messages (burst)", "s", "", None, 2),
            (f"{bot}_burst_rate", f"{name}: burst delivered at", "messages/s", "", None, 0),
            (
                f"{bot}_first_ack_p50_ms",
                f"{name}: first right answer → ack, median ({per})",
                "ms",
                "",
                None,
                0,
            ),
            (
                f"{bot}_first_ack_p99_ms",
                f"{name}: first right answer → ack, p99",
                "ms",
                "",
                None,
                0,
            ),
            (
                f"{bot}_first_acked",
                f"{name}: first right answers acknowledged (of {sizes.channels})",
                "",
                "",
                None,
                0,
            ),
            (
                f"{bot}_first_any_ack_p50_ms",
                f"{name}: first answer it could acknowledge → ack, median",
                "ms",
                "",
                None,
                0,
            ),
            (f"{bot}_burst_acked", f"{name}: acknowledgements in the burst", "", "", None, 0),
            (
                f"{bot}_burst_acknowledgeable",
                f"{name}: messages it could acknowledge in the burst",
                "",
                "",
                None,
                0,
            ),
            (f"{bot}_paced_ack_p50_ms", f"{name}: paced, ack median", "ms", "", None, 0),
            (f"{bot}_paced_ack_p99_ms", f"{name}: paced, ack p99", "ms", "", None, 0),
            (f"{bot}_paced_acked", f"{name}: paced, acknowledgements", "", "", None, 0),
            (
                f"{bot}_paced_acknowledgeable",
                f"{name}: paced, messages it could acknowledge",
                "",
                "",
                None,
                0,
            ),
            (f"{bot}_paced_cpu", f"{name}: paced, CPU (1.0 = a core)", "", "", None, 3),
            (f"{bot}_rss_idle", f"{name}: resident set, idle after READY", "MiB", "", None, 1),
            (f"{bot}_rss_burst", f"{name}: resident set after the burst", "MiB", "", None, 1),
            (
                f"{bot}_rss_guilds",
                f"{name}: resident set in {sizes.guilds:,} guilds",
                "MiB",
                "≤ 120 MiB" if bot == "convquiz" else "",
                _le(120.0) if bot == "convquiz" else None,
                1,
            ),
            (f"{bot}_rate_limited_burst", f"{name}: 429s earned in the burst", "", "", None, 0),
            (f"{bot}_rate_limited_paced", f"{name}: 429s earned paced", "", "", None, 0),
            (f"{bot}_rate_limited", f"{name}: 429s earned by the stream", "", "0", _le(0.0), 0),
            (
                f"{bot}_rate_limited_setup",
                f"{name}: 429s earned opening and closing questions",
                "",
                "0",
                _le(0.0),
                0,
            ),
        ]
    rows += [
        (
            "convquiz_form_answers",
            "convquiz, answers by the form (paced): answers",
            "",
            "",
            None,
            0,
        ),
        (
            "convquiz_form_verdicts",
            "convquiz, by the form: submissions given a verdict",
            "",
            "",
            None,
            0,
        ),
        (
            "convquiz_form_no_form",
            "convquiz, by the form: clicks that never opened it (10 s)",
            "",
            "",
            None,
            0,
        ),
        (
            "convquiz_form_open_p50_ms",
            "convquiz, by the form: click → form, median",
            "ms",
            "",
            None,
            0,
        ),
        (
            "convquiz_form_verdict_p50_ms",
            "convquiz, by the form: submit → verdict, median",
            "ms",
            "",
            None,
            0,
        ),
        (
            "convquiz_form_verdict_p99_ms",
            "convquiz, by the form: submit → verdict, p99",
            "ms",
            "",
            None,
            0,
        ),
        ("convquiz_form_cpu", "convquiz, by the form: CPU (1.0 = a core)", "", "", None, 3),
        ("ratio_cpu_per_1k", "convquiz ÷ Red: CPU per 1,000 messages", "×", "≤ 1.0", _le(1.0), 2),
        (
            "ratio_first_ack_p50_ms",
            "convquiz ÷ Red: first right answer → ack, median",
            "×",
            "≤ 1.0",
            _le(1.0),
            2,
        ),
        ("ratio_paced_ack_p50_ms", "convquiz ÷ Red: paced ack median", "×", "", None, 2),
        ("ratio_paced_ack_p99_ms", "convquiz ÷ Red: paced ack p99", "×", "", None, 2),
        ("ratio_paced_cpu", "convquiz ÷ Red: paced CPU", "×", "", None, 2),
        ("ratio_rss_idle", "convquiz ÷ Red: resident set idle", "×", "≤ 1.0", _le(1.0), 2),
        (
            "ratio_rss_guilds",
            f"convquiz ÷ Red: resident set in {sizes.guilds:,} guilds",
            "×",
            "≤ 1.0",
            _le(1.0),
            2,
        ),
    ]
    return rows


def _le(bound: float) -> Callable[[float], bool]:
    def meets(value: float) -> bool:
        return value <= bound

    return meets
