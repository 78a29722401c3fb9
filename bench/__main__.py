"""``python -m bench``: every benchmark, a table, and docs/BENCHMARKS.md.

Each figure is the median over several runs; every comparison is a ratio of two
figures measured in the same run (the median of those per-run ratios). ``--quick`` runs
the same code paths at small sizes, prints the table and writes nothing; it is part of
``scripts/test`` as a smoke run. PostgreSQL figures need a server (``BENCH_PG_URL`` or
``TEST_DATABASE_URL``, default ``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``);
without one they are skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench import boards, burst, busy, e2e, learning, memory, peer, scaleout, storage
from bench import engine as engine_bench
from bench import templates as templates_bench
from bench.common import FULL, PG_ADMIN_URL, QUICK, ROOT, Sizes, machine, say

SECTIONS = (
    "engine",
    "templates",
    "e2e",
    "busy",
    "burst",
    "storage",
    "boards",
    "memory",
    "scaleout",
    "learning",
    "peer",
)
DOC = ROOT / "docs" / "BENCHMARKS.md"
# The raw figures behind the document, per section with when it was measured, kept in
# the repository: ``--only SECTION --write`` measures some sections again and keeps the
# others' figures, and ``--doc-only`` writes the document again without measuring.
RECORD = ROOT / "docs" / "benchmarks.json"


@dataclass
class Figure:
    key: str  # key in the section's per-run results
    label: str
    unit: str
    target: str = ""
    meets: Callable[[float], bool] | None = None
    digits: int = 0


@dataclass
class Section:
    name: str
    title: str
    figures: list[Figure]
    runs: list[dict[str, float]] = field(default_factory=list)
    skipped: str = ""
    seconds: float = 0.0
    measured: str = ""  # when (UTC, ISO), for the document
    machine: str = ""  # where: CPUs and model


def _figures(backends: Sequence[str]) -> dict[str, Section]:
    from bot.engine import bank

    e2e_figures = [Figure("ping", "`!ping` bot, no database", "round trips/s")]
    for b in ("sqlite", "postgres"):
        if b not in backends:
            continue
        name = "SQLite" if b == "sqlite" else "PostgreSQL"
        e2e_figures += [
            Figure(f"{b}_rate", f"convquiz on {name}, every answer committed", "answers/s"),
            Figure(
                f"{b}_ratio", f"convquiz on {name} ÷ `!ping`", "×", "≥ 0.8", lambda v: v >= 0.8, 2
            ),
            Figure(f"{b}_answers_per_commit", f"answers per commit ({name})", "", digits=1),
            Figure(
                f"{b}_rest_per_answer",
                f"REST calls per typed answer ({name})",
                "",
                "≤ 1",
                lambda v: v <= 1.0,
                2,
            ),
            Figure(
                f"{b}_rest_question",
                f"REST calls to post a round's question ({name})",
                "",
                digits=2,
            ),
            Figure(
                f"{b}_rest_reveal",
                f"REST calls to close a round ({name})",
                "",
                "≤ 1",
                lambda v: v <= 1.0,
                2,
            ),
        ]
    e2e_figures += [
        Figure("ping_1", "`!ping` bot, one message at a time", "round trips/s"),
        Figure("sqlite_rate_1", "convquiz on SQLite, one answer at a time", "answers/s"),
        Figure("sqlite_ratio_1", "one at a time: convquiz ÷ `!ping`", "×", digits=2),
        Figure(
            "sqlite_rate_discord", "convquiz on SQLite, Discord's limits, 10 channels", "answers/s"
        ),
        Figure("rate_limited", "429s earned under Discord's limits", "", "0", lambda v: v == 0),
    ]
    storage_figures = []
    board_figures = []
    for b in backends:
        name = "SQLite" if b == "sqlite" else "PostgreSQL"
        storage_figures += [
            Figure(f"{b}_1", f"{name}: one coroutine", "answers/s"),
            Figure(
                f"{b}_one_writer", f"{name}: 50 concurrent, a transaction per answer", "answers/s"
            ),
            Figure(f"{b}_group", f"{name}: 50 concurrent, group commit", "answers/s"),
            Figure(f"{b}_per_commit", f"{name}: answers per group commit", "", digits=1),
            Figure(f"{b}_ratio", f"{name}: group commit ÷ a transaction per answer", "×", digits=1),
        ]
        sqlite = b == "sqlite"
        board_figures += [
            Figure(f"{b}_players", f"{name}: players on the board", ""),
            Figure(f"{b}_events", f"{name}: answer events", ""),
            Figure(f"{b}_top10_ms", f"{name}: top 10 (and player count)", "ms", digits=2),
        ]
        for pos in ("best", "median", "last"):
            board_figures.append(
                Figure(
                    f"{b}_rank_{pos}_ms",
                    f"{name}: top 10 + caller's exact rank, {pos} player",
                    "ms",
                    "≤ 5 ms" if sqlite else "",
                    (lambda v: v <= 5.0) if sqlite else None,
                    2,
                )
            )
        board_figures += [
            Figure(f"{b}_weekly_players", f"{name}: players on this week's board", ""),
            Figure(f"{b}_weekly_ms", f"{name}: weekly top 10 + caller's rank", "ms", digits=2),
            Figure(
                f"{b}_stats_median_ms", f"{name}: `!stats` of the median player", "ms", digits=2
            ),
            Figure(
                f"{b}_count_median_ms",
                f"{name}: rank by COUNT(*) over totals (old way), median player",
                "ms",
                digits=2,
            ),
            Figure(
                f"{b}_count_last_ms",
                f"{name}: rank by COUNT(*) over totals (old way), last player",
                "ms",
                digits=2,
            ),
            Figure(f"{b}_naive_top10_ms", f"{name}: naive top 10 (GROUP BY over events)", "ms"),
            Figure(f"{b}_naive_rank_ms", f"{name}: naive rank (GROUP BY over events)", "ms"),
            Figure(f"{b}_naive_weekly_ms", f"{name}: naive weekly top 10 (events)", "ms"),
            Figure(
                f"{b}_speedup_top10_rank",
                f"{name}: naive top 10 + rank ÷ fast, median player",
                "×",
                "≥ 100×" if sqlite else "",
                (lambda v: v >= 100) if sqlite else None,
            ),
            Figure(f"{b}_speedup_weekly", f"{name}: naive weekly ÷ fast weekly", "×"),
            Figure(
                f"{b}_speedup_vs_count_last",
                f"{name}: COUNT(*) way ÷ fast, last player",
                "×",
                digits=1,
            ),
        ]
    return {
        "engine": Section(
            "engine",
            "1. Engine: questions generated and graded per second",
            [Figure(kind, kind, "questions/s") for kind in bank.KINDS],
        ),
        "templates": Section(
            "templates",
            "1b. Templates: the worst template case",
            [
                Figure(
                    "worst_check_ms",
                    "worst template case: slowest hostile template's check",
                    "ms",
                    digits=1,
                ),
                Figure(
                    "worst_question_ms",
                    "worst template case: generate + grade + picture, one question",
                    "ms",
                    digits=2,
                ),
                Figure(
                    "worst_accepted_check_ms",
                    "worst template case: check of the heaviest accepted",
                    "ms",
                    digits=1,
                ),
                Figure("import_50_ms", "worst template case: an import of 50 heavy", "ms"),
            ],
        ),
        "e2e": Section("e2e", "2. End to end through the loopback Discord", e2e_figures),
        "busy": Section(
            "busy",
            "2b. A busy channel under Discord's rate limits (100 answers in 5 s, half by form)",
            [
                Figure("reactions", "typed answers given a reaction (of 50)", ""),
                Figure("reaction_p50_ms", "reaction verdict, median", "ms"),
                Figure("reaction_p99_ms", "reaction verdict, p99", "ms"),
                Figure("form_p50_ms", "private verdict through the form, median", "ms", digits=1),
                Figure("form_p99_ms", "private verdict through the form, p99", "ms", digits=1),
                Figure(
                    "private_or_reaction_p99_ms",
                    "private or reaction verdict, p99",
                    "ms",
                    "≤ 1,000 ms",
                    lambda v: v <= 1000,
                ),
                Figure("by_reveal", "typed answers whose verdict is the reveal", ""),
                Figure("by_reveal_median_s", "those: answer → reveal, median", "s", digits=1),
                Figure(
                    "reactions_after_reveal",
                    "reactions after the reveal",
                    "",
                    "0",
                    lambda v: v == 0,
                ),
                Figure("rate_limited", "429s the bot earned", "", "0", _zero),
            ],
        ),
        "burst": Section(
            "burst",
            "2c. A burst: 4,000 messages into 20 open questions at once, Discord's limits",
            [
                Figure(
                    "first_answer_ack_p50_ms",
                    "first answer per channel → its reaction, median",
                    "ms",
                ),
                Figure(
                    "first_right_ack_p50_ms",
                    "first right answer per channel → its reaction, median",
                    "ms",
                ),
                Figure(
                    "first_right_ack_p99_ms",
                    "first right answer per channel → its reaction, p99",
                    "ms",
                ),
                Figure(
                    "first_right_acked",
                    "channels whose first right answer got a reaction (of 20)",
                    "",
                    digits=1,
                ),
                Figure(
                    "committed_s", "last answer committed, after the burst began", "s", digits=2
                ),
                Figure("cpu_s_per_1000", "bot CPU per 1,000 burst messages", "s", digits=2),
                Figure(
                    "quiet_chat_cpu_s_per_1000",
                    "bot CPU per 1,000 chat messages, no question open",
                    "s",
                    digits=3,
                ),
                Figure("reactions", "reactions sent", ""),
                Figure("rate_limited_global", "global 429s", "", "0", _zero),
                Figure("rate_limited_route", "per-route 429s", "", "0", _zero),
            ],
        ),
        "storage": Section("storage", "3. Storage: answers committed per second", storage_figures),
        "boards": Section("boards", "4. Leaderboards", board_figures),
        "memory": Section(
            "memory",
            "5. Memory",
            [
                Figure(
                    "rss_mib", "resident set, loaded", "MiB", "≤ 120 MiB", lambda v: v <= 120, 1
                ),
                Figure("idle_rss_mib", "resident set, one guild and nothing open", "MiB", digits=1),
                Figure("extra_mib", "the guilds and open questions' share", "MiB", digits=1),
            ],
        ),
        "learning": Section(
            "learning",
            "7. Learning: simulated learners, 20 questions a day for 30 days",
            _learning_figures(),
        ),
        "scaleout": Section(
            "scaleout",
            "6. Scale-out on PostgreSQL",
            [
                Figure("one", "one process", "answers/s"),
                Figure("two", "two processes at once (sum)", "answers/s"),
                Figure("ratio", "two ÷ one", "×", "≥ 1.7", lambda v: v >= 1.7, 2),
                Figure("one_cpu", "CPU of the one process (1.0 = a core)", "", digits=2),
                Figure("two_cpu", "CPU of the two processes together", "", digits=2),
            ],
        ),
        "peer": Section(
            "peer",
            "8. Against the peer: Red-DiscordBot 3.5's Trivia, the same stream",
            [
                Figure(key, label, unit, target, meets, digits)
                for key, label, unit, target, meets, digits in peer.figures()
            ],
        ),
    }


def _learning_figures() -> list[Figure]:
    names = {
        "fsrs": "FSRS scheduler",
        "random": "random skill",
        "lowest_accuracy": "lowest accuracy first",
    }
    figures = []
    for key, name in names.items():
        figures += [
            Figure(f"{key}_questions", f"{name}: questions until every skill ≥ 90 %, median", ""),
            Figure(f"{key}_questions_min", f"{name}: the same, fewest", ""),
            Figure(f"{key}_questions_max", f"{name}: the same, most", ""),
            Figure(f"{key}_reached", f"{name}: learners who got there", ""),
            Figure(f"{key}_recall", f"{name}: mean true recall on day 30", "", digits=3),
            Figure(f"{key}_recall_min", f"{name}: the same, lowest learner", "", digits=3),
            Figure(f"{key}_recall_max", f"{name}: the same, highest learner", "", digits=3),
        ]
    return [
        *figures,
        Figure(
            "fsrs_vs_random",
            "FSRS ÷ random: questions until every skill ≥ 90 %",
            "×",
            "≤ 0.67",
            lambda v: v <= 2 / 3,
            2,
        ),
        Figure("fsrs_vs_lowest", "FSRS ÷ lowest accuracy first: the same", "×", digits=2),
    ]


def _zero(value: float) -> bool:
    return value == 0


async def _postgres_reachable() -> bool:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(PG_ADMIN_URL)
    try:
        connection = await asyncpg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            database=url.database or "postgres",
            timeout=3,
        )
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


async def _run_section(
    name: str, sizes: Sizes, backends: Sequence[str], board_urls: dict[str, str]
) -> dict[str, float]:
    if name == "engine":
        return engine_bench.measure(sizes.engine_seconds)
    if name == "templates":
        quick = sizes.engine_seconds < 0.5
        return templates_bench.measure(runs=2 if quick else 5, questions=40 if quick else 200)
    if name == "e2e":
        return await e2e.measure(sizes.e2e_answers, sizes.e2e_concurrency, backends)
    if name == "busy":
        return await busy.measure(100, 5.0)
    if name == "burst":
        quick = sizes.engine_seconds < 0.5
        return await burst.measure(messages=800 if quick else 4000)
    if name == "storage":
        return await storage.measure(sizes.storage_answers, 50, backends)
    if name == "boards":
        return await boards.measure(
            sizes.board_users,
            sizes.board_events,
            sizes.board_samples,
            sizes.naive_samples,
            backends,
            board_urls,
        )
    if name == "memory":
        return await memory.measure(sizes.memory_guilds, sizes.memory_questions)
    if name == "scaleout":
        return await scaleout.measure(sizes.scaleout_seconds, sizes.scaleout_concurrency)
    if name == "learning":
        return learning.measure(learners=sizes.learners)
    if name == "peer":
        return await peer.measure(peer.QUICK if sizes is QUICK else peer.FULL)
    raise ValueError(name)


async def run(
    sizes: Sizes, runs: int, only: Sequence[str]
) -> tuple[dict[str, Section], list[str], list[str]]:
    backends = ["sqlite"]
    notes: list[str] = []
    if await _postgres_reachable():
        backends.append("postgres")
    else:
        notes.append(f"PostgreSQL unreachable at {PG_ADMIN_URL}: its figures are skipped.")
    sections = _figures(backends)
    board_urls: dict[str, str] = {}
    if "boards" in only:
        began = time.perf_counter()
        say(
            f"== preparing the leaderboard databases ({sizes.board_users:,} players, "
            f"{sizes.board_events:,} events; built once, then cached)"
        )
        board_urls = await boards.prepare(sizes.board_users, sizes.board_events, backends)
        say(f"   ready in {time.perf_counter() - began:.0f} s")
    for name in only:
        section = sections[name]
        if name == "scaleout" and "postgres" not in backends:
            section.skipped = "needs PostgreSQL"
            continue
        if name == "peer" and sizes is QUICK and not peer.ready():
            section.skipped = peer.skip_reason()  # CI never installs Red
            continue
        began = time.perf_counter()
        count = min(runs, sizes.board_runs) if name == "boards" else runs
        if name == "learning":
            count = 1  # fixed seeds: every run is the same simulation
        if name == "peer":
            count = min(runs, (peer.QUICK if sizes is QUICK else peer.FULL).runs)
        for number in range(1, count + 1):
            say(f"== {name}: run {number} of {count}")
            section.runs.append(await _run_section(name, sizes, backends, board_urls))
        section.seconds = time.perf_counter() - began
        section.measured = datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes")
        section.machine = _where()
    return sections, notes, backends


def _fmt(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def _rows(section: Section) -> list[tuple[str, str, str, str, str, str]]:
    rows = []
    for figure in section.figures:
        values = [r[figure.key] for r in section.runs if figure.key in r]
        if not values:
            continue
        middle = statistics.median(values)
        spread = (
            f"{_fmt(min(values), figure.digits)} – {_fmt(max(values), figure.digits)}"
            if len(values) > 1
            else ""
        )
        verdict = ""
        if figure.meets is not None:
            verdict = "met" if figure.meets(middle) else "**missed**"
        unit = f" {figure.unit}" if figure.unit and figure.unit != "×" else ""
        shown = _fmt(middle, figure.digits) + ("×" if figure.unit == "×" else unit)
        rows.append((figure.label, shown, spread, str(len(values)), figure.target, verdict))
    return rows


def print_table(sections: dict[str, Section], notes: list[str]) -> None:
    for section in sections.values():
        if not section.runs and not section.skipped:
            continue
        print(f"\n{section.title}" + (f"  ({section.seconds:.0f} s)" if section.runs else ""))
        if section.skipped:
            print(f"  skipped: {section.skipped}")
            continue
        for label, shown, spread, _n, target, verdict in _rows(section):
            extra = f"  [{spread}]" if spread else ""
            goal = f"  target {target}: {verdict}" if target else ""
            print(f"  {label:<62} {shown:>14}{extra}{goal}")
    for note in notes:
        print(f"\nnote: {note}")


def write_doc(sections: dict[str, Section], notes: list[str], sizes: Sizes, runs: int) -> None:
    info = machine()
    lines = [
        "# Benchmarks",
        "",
        "Written by `python -m bench` (every section; `python -m bench --quick` is the smoke",
        "run in `scripts/test` and writes nothing). Figures, not pass/fail: each is the",
        f"median over {runs} runs (fewer where the runs column says so: the leaderboards'",
        "naive aggregates take most of a minute each), the range shows the lowest and",
        "highest run, and every ratio is between two figures measured in the same run. The",
        "machine is shared and noisy; compare ratios more than absolute rates.",
        "",
        "- Measured: each section says when (`python -m bench` measures them all;"
        " `--only SECTION --write` measures some again and keeps the others)",
        f"- Written on: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory,"
        f" {info['platform']}",
        f"- Python {info['python']}; SQLite {__import__('sqlite3').sqlite_version};"
        " PostgreSQL on the same machine (loopback)",
        f"- Sizes: {sizes.e2e_answers:,} answers per end-to-end run at"
        f" {sizes.e2e_concurrency} in flight; {sizes.storage_answers:,} per storage run;"
        f" boards at {sizes.board_users:,} players and {sizes.board_events:,} events;"
        f" memory with {sizes.memory_guilds:,} guilds and {sizes.memory_questions:,} open"
        f" questions; scale-out {sizes.scaleout_seconds:g} s per measurement",
        "",
    ]
    legacy = _legacy_blocks()
    for section in sections.values():
        lines += [f"## {section.title}", ""]
        if section.skipped:
            lines += [f"Skipped: {section.skipped}.", ""]
            continue
        if not section.runs:
            if section.title in legacy:  # measured before the record was kept
                lines += [legacy[section.title], ""]
            else:
                lines += ["Not run.", ""]
            continue
        when = section.measured.replace("T", " ").split("+")[0]
        lines += [f"Measured {when} UTC on {section.machine} ({section.seconds / 60:.1f} min).", ""]
        lines += ["| figure | median | range | runs | target | |", "|---|---:|---:|---:|---|---|"]
        for label, shown, spread, n, target, verdict in _rows(section):
            lines.append(f"| {label} | {shown} | {spread} | {n} | {target} | {verdict} |")
        lines.append("")
    for note in notes:
        lines += [f"Note: {note}", ""]
    notes_file = ROOT / "bench" / "NOTES.md"
    if notes_file.exists():
        lines += [notes_file.read_text().strip(), ""]
    DOC.write_text("\n".join(lines))
    say(f"wrote {DOC.relative_to(ROOT)}")


def _save(sections: dict[str, Section], notes: list[str], runs: int, backends: list[str]) -> None:
    """Keep the figures of every section measured (the others as they were)."""
    kept = json.loads(RECORD.read_text())["sections"] if RECORD.exists() else {}
    for name, section in sections.items():
        if section.runs or section.skipped:
            kept[name] = {
                "runs": section.runs,
                "skipped": section.skipped,
                "seconds": section.seconds,
                "measured": section.measured,
                "machine": section.machine,
            }
    record = {"runs": runs, "notes": notes, "backends": backends, "sections": kept}
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def _load() -> tuple[dict[str, Section], list[str], int]:
    if not RECORD.exists():
        return _figures(["sqlite", "postgres"]), [], FULL.runs
    saved = json.loads(RECORD.read_text())
    sections = _figures(saved["backends"])
    for name, data in saved["sections"].items():
        if name in sections:
            sections[name].runs = data["runs"]
            sections[name].skipped = data["skipped"]
            sections[name].seconds = data["seconds"]
            sections[name].measured = data["measured"]
            sections[name].machine = data["machine"]
    return sections, saved["notes"], saved["runs"]


def _where() -> str:
    info = machine()
    return f"{info['cpus']} CPUs ({info['cpu']})"


def _legacy_blocks() -> dict[str, str]:
    """Section blocks of the current document whose figures predate the record: kept
    verbatim (they say when they were measured) until measured again."""
    if not DOC.exists():
        return {}
    text = DOC.read_text()
    dated = re.search(r"^- Date: (.+?) UTC", text, re.MULTILINE)
    where = re.search(r"^- Machine: (\d+ CPUs \(.*?\))", text, re.MULTILINE)
    blocks: dict[str, str] = {}
    for match in re.finditer(r"^## (\d.*?)\n\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL):
        body = match.group(2).strip()
        if body.startswith("|") and dated:
            on = f" on {where.group(1)}" if where else ""
            body = f"Measured {dated.group(1)} UTC{on} (an earlier run).\n\n{body}"
        if body.startswith(("|", "Measured")):
            blocks[match.group(1)] = body
    return blocks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, same code paths; print only (under two minutes)",
    )
    parser.add_argument("--runs", type=int, help="runs per figure (default 5, quick 2)")
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only this section (repeatable)"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="do not write docs/BENCHMARKS.md after a full run"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="with --only: record these sections' figures and write docs/BENCHMARKS.md",
    )
    parser.add_argument(
        "--doc-only",
        action="store_true",
        help="write docs/BENCHMARKS.md again from the last full run's figures",
    )
    args = parser.parse_args(argv)
    if args.doc_only:
        sections, notes, runs = _load()
        print_table(sections, notes)
        write_doc(sections, notes, FULL, runs)
        return 0
    sizes = QUICK if args.quick else FULL
    runs = args.runs or sizes.runs
    only = args.only or list(SECTIONS)
    began = time.perf_counter()
    sections, notes, backends = asyncio.run(run(sizes, runs, only))
    seconds = time.perf_counter() - began
    print_table(sections, notes)
    print(f"\n{'quick' if args.quick else 'full'} run: {seconds:.0f} s")
    if not args.quick and not args.no_write and (not args.only or args.write):
        _save(sections, notes, runs, backends)
        recorded, notes, _runs = _load()
        write_doc(recorded, notes, sizes, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
