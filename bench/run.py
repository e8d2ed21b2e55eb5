"""`make bench`: seed a throw-away database, serve the app under gunicorn, measure its pages.

    .venv/bin/python -m bench.run --scale 500 --database postgresql --markdown

Each page is reported with requests per second, p50 and p95 latency and SQL queries per
request, each beside its ratio to the floor (/healthz, the app's trivial endpoint). The
table goes to stdout, progress to stderr. The server and the database are removed at the
end, also on an error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from bench import scenarios
from bench.load import WARMUP_PER_SESSION, Measurement, measure, signed_in_session
from bench.server import Gunicorn, create_bench_app
from incubator import clock
from incubator.extensions import db
from incubator.services.pipeline import facts, stamps
from tests.postgres import PostgresServer

MAX_REQUESTS = 100_000
MAX_CONCURRENCY = 64
MAX_WORKERS = 32


def _bounded(low: int, high: int):
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def _page_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in scenarios.PAGES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown page(s) {', '.join(unknown)}; known: {', '.join(scenarios.PAGES)}"
        )
    return names


def _scale_list(text: str) -> list[int]:
    parse = _bounded(1, 1_000_000)
    try:
        scales = [parse(part.strip().replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"scales are whole numbers: {error}") from error
    if not scales:
        raise argparse.ArgumentTypeError("give at least one scale")
    return scales


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600 seconds")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Measure the app's pages under gunicorn against seeded synthetic data.",
    )
    parser.add_argument(
        "--scale", type=_bounded(1, 1_000_000), default=500, help="people to seed (500)"
    )
    parser.add_argument(
        "--scales",
        type=_scale_list,
        default=None,
        help="several scales in one command, e.g. 10,500,2000,10000: a throw-away database "
        "and server each, one table with a column per scale (instead of --scale)",
    )
    parser.add_argument(
        "--requests",
        type=_bounded(1, MAX_REQUESTS),
        default=200,
        help="measured requests per page, after a short warm-up (200)",
    )
    parser.add_argument(
        "--warmup",
        type=_bounded(0, 100),
        default=WARMUP_PER_SESSION,
        help=f"unmeasured requests per client session before a page is measured "
        f"({WARMUP_PER_SESSION})",
    )
    parser.add_argument(
        "--page-seconds",
        type=_seconds,
        default=None,
        help="stop measuring a page after this many seconds (each client thread having made "
        "at least one request), so that a slow page does not take hours (no limit)",
    )
    parser.add_argument(
        "--concurrency",
        type=_bounded(1, MAX_CONCURRENCY),
        default=4,
        help="client threads, each with its own signed-in session (4)",
    )
    parser.add_argument(
        "--workers", type=_bounded(1, MAX_WORKERS), default=2, help="gunicorn workers (2)"
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--pages",
        type=_page_names,
        default=None,
        help=f"comma-separated pages to measure (all); the floor, {scenarios.FLOOR}, always "
        f"runs. Known: {', '.join(scenarios.PAGES)}",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print a Markdown table for the README"
    )
    parser.add_argument(
        "--scorecard-ventures",
        type=_bounded(1, 1_000_000),
        default=None,
        help="ventures behind the scorecard pages (10,000; with --scales, each column's scale)",
    )
    parser.add_argument(
        "--scorecard-observations",
        type=_bounded(1, 20_000_000),
        default=scenarios.SCALES["scorecard_observations"],
        help="figures on the scorecard (1,000,000)",
    )
    parser.add_argument(
        "--inclusion-registrations",
        type=_bounded(1, 2_000_000),
        default=scenarios.SCALES["inclusion_registrations"],
        help="registrations behind the inclusion funnel pages (100,000)",
    )
    parser.add_argument(
        "--people",
        type=_bounded(1, 1_000_000),
        default=None,
        help="people to seed, whatever the scale (the scale): they go through the services, "
        "about 10 ms each",
    )
    parser.add_argument(
        "--matching-ventures",
        type=_bounded(2, 100_000),
        default=scenarios.SCALES["matching_ventures"],
        help="ventures in the matching run behind the review page, with half as many mentors "
        "(1,000)",
    )
    parser.add_argument(
        "--office-hours",
        action="store_true",
        help="instead of pages, time the office-hours generator on 40 ventures x 60 mentors "
        "(5 runs; python -m bench.office_hours takes other sizes)",
    )
    parser.add_argument(
        "--matching",
        action="store_true",
        help="instead of pages, time scoring and assignment for 1,000 ventures x 500 mentors "
        "(capacity 3, 3 runs; python -m bench.matching takes other sizes)",
    )
    return parser.parse_args(argv)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# The throw-away database ---------------------------------------------------------------------


@contextmanager
def throwaway_database(kind: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database that is gone when the block ends."""
    if kind == "sqlite":
        # The file lives in the caller's temporary directory and goes with it.
        yield f"sqlite:///{directory / 'bench.sqlite'}"
        return
    server = PostgresServer()
    try:
        server.start()
        yield server.create_database("incubator_bench")
    finally:
        server.stop()


@dataclass
class Seeded:
    context: scenarios.Context
    database: str
    rows: dict[str, int]
    seconds: float = 0.0


def seed(database_url: str, scale: int, secret_key: str, pages: list[str] | None = None) -> Seeded:
    """Migrate the empty database and run the seeders the pages need; returns the pages'
    context."""
    began = time.perf_counter()
    app = create_bench_app(database_url, secret_key)
    with app.app_context():
        upgrade()
        # Seeding sends thousands of mails to the outbox; their log lines are noise here.
        logging.getLogger("incubator").setLevel(logging.WARNING)
        context: scenarios.Context = {}
        names = pages if pages is not None else list(scenarios.PAGES)
        for seeder in scenarios.SEEDERS:
            if not scenarios.needed(seeder, names):
                continue
            progress(f"seeding: {seeder.__name__}")
            started = time.perf_counter()
            found = seeder(scale) or {}
            context["notes"] = context.get("notes", []) + found.pop("notes", [])
            context.update(found)
            db.session.commit()
            progress(f"seeded {seeder.__name__} in {time.perf_counter() - started:.1f} s")
        # Seeders put rows in around the services: every derived row and every cohort's stamp
        # is written again, as `flask pipeline-facts rebuild` does after a restore.
        facts.rebuild()
        stamps.rebuild()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Autovacuum vacuums and analyzes bulk-loaded tables within a minute or so (the
            # planner's row estimates, index-only scans); do it now, so that the pages are
            # measured as they run a minute after such a load, not in the gap before.
            db.session.remove()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as vacuum:
                vacuum.execute(text("VACUUM ANALYZE"))
        if db.engine.dialect.name == "sqlite":
            database = f"SQLite {db.session.scalar(text('select sqlite_version()'))}"
        else:
            version = db.session.scalar(text("show server_version")).split()[0]
            database = f"PostgreSQL {version}"
        rows = {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
        db.engine.dispose()
    counted = {name: count for name, count in rows.items() if count}
    return Seeded(context, database, counted, time.perf_counter() - began)


# Measuring -----------------------------------------------------------------------------------


@dataclass
class Row:
    page: scenarios.Page
    path: str
    measurement: Measurement


def measure_pages(
    base_url: str,
    pages: list[scenarios.Page],
    context: scenarios.Context,
    args: argparse.Namespace,
    stop: threading.Event,
    after_page: Callable[[], None] = lambda: None,
) -> list[Row]:
    sessions_by_role: dict[str | None, list] = {}
    rows = []
    try:
        for page in pages:
            if page.role not in sessions_by_role:
                email, password = scenarios.login_for(page.role) if page.role else (None, None)
                sessions_by_role[page.role] = [
                    signed_in_session(base_url, email, password) for _ in range(args.concurrency)
                ]
            path = page.path_for(context)
            progress(f"measuring {page.name} ({path}) as {page.role or 'signed out'}")
            result = measure(
                base_url + path,
                sessions_by_role[page.role],
                args.requests,
                stop,
                warmup=args.warmup,
                budget=args.page_seconds,
            )
            rows.append(Row(page, path, result))
            after_page()
        if rows and rows[0].page.name == scenarios.FLOOR and len(rows) > 1:
            # The floor again after the pages, its samples pooled with the first: measured
            # once, right after seeding, it moved from 2 to 5 ms between runs, and every
            # ratio with it.
            progress(f"measuring {scenarios.FLOOR} again")
            first = rows[0]
            again = measure(
                base_url + first.path,
                sessions_by_role[first.page.role],
                args.requests,
                stop,
                warmup=args.warmup,
                budget=args.page_seconds,
            )
            rows[0] = Row(
                first.page,
                first.path,
                Measurement(
                    first.measurement.elapsed + again.elapsed,
                    first.measurement.samples + again.samples,
                ),
            )
    finally:
        for sessions in sessions_by_role.values():
            for session in sessions:
                session.close()
    return rows


# Reporting -----------------------------------------------------------------------------------


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}x" if floor else "n/a"


def _size(result: Measurement) -> str:
    """The mean body in KB, and as sent when compressed: "8,300" or "8,300 (gz 900)"."""
    size, wire = result.size / 1024, result.wire / 1024
    return f"{size:,.0f} (gz {wire:,.0f})" if wire < size * 0.95 else f"{size:,.0f}"


def _megabytes(peaks: list[int]) -> str:
    return ", ".join(f"{peak / 1024 / 1024:,.0f}" for peak in peaks) if peaks else "n/a"


def table(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    floor = rows[0].measurement
    header = [
        "page",
        "as",
        "path",
        "requests",
        "errors",
        "req/s (x slower)",
        "p50 ms (x floor)",
        "p95 ms (x floor)",
        "queries/req",
        "KB/resp",
    ]
    lines = []
    for row in rows:
        result = row.measurement
        queries = "n/a" if result.queries is None else f"{result.queries:.1f}"
        p50, p95 = result.percentile_ms(50), result.percentile_ms(95)
        lines.append(
            [
                row.page.name,
                row.page.role or "-",
                row.path,
                str(result.requests),
                str(result.errors),
                f"{result.rps:.0f} ({_ratio(floor.rps, result.rps)})",
                f"{p50:.1f} ({_ratio(p50, floor.percentile_ms(50))})",
                f"{p95:.1f} ({_ratio(p95, floor.percentile_ms(95))})",
                queries,
                _size(result),
            ]
        )
    return header, lines


def machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model, memory = "", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = f" ({line.split(':', 1)[1].strip()})"
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
                break
    except OSError:
        pass
    return f"{cpus} CPUs{model}{memory}, {platform.system()} {platform.machine()}"


def describe(args: argparse.Namespace, seeded: Seeded) -> str:
    rows = ", ".join(f"{name} {count:,}" for name, count in sorted(seeded.rows.items()))
    return (
        f"{clock.now().date().isoformat()}, {machine()}, Python {platform.python_version()}, "
        f"{seeded.database}. Scale {args.scale} (rows: {rows}); gunicorn {args.workers} sync "
        f"workers; {args.concurrency} client thread(s) on the same machine; {args.requests} "
        "requests per page after a warm-up. Ratios compare each page with the floor "
        f"(/{scenarios.FLOOR}, measured first and again last): how many times fewer requests "
        "per second, how many times the latency."
    )


def render_markdown(
    header: list[str], lines: list[list[str]], description: str, left: int = 3
) -> str:
    """A Markdown table after a line saying when and on what it ran; the first `left`
    columns are text, the others figures."""
    escaped = [[cell.replace("|", "\\|") for cell in line] for line in [header, *lines]]
    out = [f"Measured {description}", ""]
    out.append("| " + " | ".join(escaped[0]) + " |")
    out.append("|" + "|".join("---" if i < left else "---:" for i in range(len(header))) + "|")
    out += ["| " + " | ".join(line) + " |" for line in escaped[1:]]
    return "\n".join(out)


def render_text(header: list[str], lines: list[list[str]], description: str, left: int = 3) -> str:
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def format_line(line: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) if i < left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        )

    out = [format_line(header), format_line(["-" * width for width in widths])]
    out += [format_line(line) for line in lines]
    return "\n".join([*out, "", description])


# The whole run -------------------------------------------------------------------------------


def _exit_on_sigterm(_signum, _frame) -> None:
    # SystemExit unwinds the with-blocks, so the server and the database are still removed.
    raise SystemExit(143)


def chosen_pages(names: list[str] | None) -> list[scenarios.Page]:
    names = [name for name in (names or scenarios.PAGES) if name != scenarios.FLOOR]
    return [scenarios.PAGES[scenarios.FLOOR], *(scenarios.PAGES[name] for name in names)]


@dataclass
class ScaleRun:
    """What one scale's throw-away database and server measured."""

    scale: int
    rows: list[Row]
    seeded: Seeded
    # Each gunicorn worker's peak resident memory, in bytes, largest first; more than
    # --workers of them when gunicorn restarted a worker after a timeout.
    worker_peaks: list[int]


def run_scale(
    args: argparse.Namespace,
    scale: int,
    pages: list[scenarios.Page],
    stop: threading.Event,
) -> ScaleRun:
    """Seed a throw-away database at `scale`, serve it, measure the pages; both are removed
    when it returns or fails."""
    secret_key = secrets.token_hex(32)
    with (
        tempfile.TemporaryDirectory(prefix="incubator-bench-") as directory,
        throwaway_database(args.database, Path(directory)) as database_url,
    ):
        progress(f"seeding scale {scale} into a throw-away {args.database} database")
        scorecard_ventures = args.scorecard_ventures
        if scorecard_ventures is None:
            scorecard_ventures = scale if args.scales else scenarios.SCORECARD_VENTURES
        scenarios.SCALES["scorecard_ventures"] = scorecard_ventures
        scenarios.SCALES["scorecard_observations"] = args.scorecard_observations
        scenarios.SCALES["inclusion_registrations"] = args.inclusion_registrations
        scenarios.SCALES["matching_ventures"] = args.matching_ventures
        scenarios.SCALES["people"] = args.people or 0
        seeded = seed(database_url, scale, secret_key, [page.name for page in pages])
        progress(f"seeded in {seeded.seconds:.1f} s; starting gunicorn with {args.workers} workers")
        log_path = Path(directory) / "gunicorn.log"
        # Read after every page, so that a worker restarted after a timeout keeps its peak.
        peaks: dict[int, int] = {}
        with Gunicorn(database_url, secret_key, args.workers, log_path) as server:
            rows = measure_pages(
                server.base_url,
                pages,
                seeded.context,
                args,
                stop,
                lambda: peaks.update(server.worker_peak_memory()),
            )
    return ScaleRun(scale, rows, seeded, sorted(peaks.values(), reverse=True))


def scales_table(runs: list[ScaleRun]) -> tuple[list[str], list[list[str]]]:
    """One row per page, one column per scale: p50 and p95 as multiples of the floor, with
    the p50 in ms, the mean response size and the queries per request."""
    header = ["page", "as", *(f"{run.scale:,}" for run in runs)]
    lines = []
    for number, first in enumerate(runs[0].rows):
        cells = []
        for run in runs:
            row = run.rows[number]
            result, floor = row.measurement, run.rows[0].measurement
            p50, p95 = result.percentile_ms(50), result.percentile_ms(95)
            queries = "" if result.queries is None else f", {result.queries:.0f} q"
            cell = (
                f"{_ratio(p50, floor.percentile_ms(50))} / {_ratio(p95, floor.percentile_ms(95))} "
                f"({p50:,.0f} ms, {_size(result)} KB{queries})"
            )
            if result.errors:
                cell += f" {result.errors} of {result.requests} failed"
            cells.append(cell)
        lines.append([first.page.name, first.page.role or "-", *cells])
    lines.append(["worker peak RSS, MB", "-", *(_megabytes(run.worker_peaks) for run in runs)])
    lines.append(["seeding", "-", *(f"{run.seeded.seconds:,.0f} s" for run in runs)])
    return header, lines


def describe_scales(args: argparse.Namespace, runs: list[ScaleRun]) -> str:
    largest = runs[-1]
    rows = ", ".join(f"{name} {count:,}" for name, count in sorted(largest.seeded.rows.items()))
    return (
        f"{clock.now().date().isoformat()}, {machine()}, Python {platform.python_version()}, "
        f"{largest.seeded.database}. Scales {', '.join(f'{run.scale:,}' for run in runs)}: "
        + (f"{args.people:,} people and the scale's" if args.people else "people seeded, and")
        + " ventures in the pipeline cohort; gunicorn "
        f"{args.workers} sync workers; {args.concurrency} client thread(s) on the same machine; "
        f"up to {args.requests} requests per page after a warm-up of {args.warmup} per thread"
        + (f", or {args.page_seconds:g} s a page" if args.page_seconds else "")
        + ". Each cell: p50 / p95 as multiples of the floor's "
        f"(/{scenarios.FLOOR}, measured first and again last) in the same run (p50 in ms, "
        "mean response in KB, queries per request). Worker peak RSS is each gunicorn "
        "worker's VmHWM, read after every page; more figures than workers when gunicorn "
        "restarted one after a timeout. "
        f"Rows at scale {largest.scale:,}: {rows}."
    )


def _report_errors(rows: list[Row]) -> bool:
    failed = [row for row in rows if row.measurement.errors]
    for row in failed:
        statuses = ", ".join(
            f"{s}: {n}" for s, n in sorted(row.measurement.statuses.items(), key=str)
        )
        progress(f"errors on {row.page.name} ({row.path}): {statuses}")
    if any(row.measurement.queries is None for row in rows):
        progress("no X-Query-Count header came back: is QUERY_COUNT_HEADER on?")
    return bool(failed)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.office_hours:
        from bench import office_hours

        return office_hours.main([])
    if args.matching:
        from bench import matching

        return matching.main([])
    pages = chosen_pages(args.pages)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    stop = threading.Event()
    runs: list[ScaleRun] = []
    try:
        for scale in args.scales or [args.scale]:
            runs.append(run_scale(args, scale, pages, stop))
            if args.scales:
                # Each scale's own table as it is done, in case a later one never finishes.
                header, lines = table(runs[-1].rows)
                progress(
                    render_text(
                        header, lines, f"scale {scale:,}: {_megabytes(runs[-1].worker_peaks)} MB"
                    )
                )
    except KeyboardInterrupt:
        stop.set()
        progress("interrupted; the server and the throw-away database are removed")
        return 130
    finally:
        stop.set()

    render = render_markdown if args.markdown else render_text
    notes = [
        f"at scale {run.scale:,}, {note}" if args.scales else note
        for run in runs
        for note in run.seeded.context.get("notes", [])
    ]
    if args.scales:
        header, lines = scales_table(runs)
        description = describe_scales(args, runs)
    else:
        run = runs[0]
        header, lines = table(run.rows)
        description = describe(args, run.seeded)
        description += (
            f" Seeded in {run.seeded.seconds:.1f} s. Worker peak RSS after every page: "
            f"{_megabytes(run.worker_peaks)} MB."
        )
    for note in notes:
        description += f" {note[0].upper()}{note[1:]}."
    print(render(header, lines, description, left=2 if args.scales else 3))
    failed = [_report_errors(run.rows) for run in runs]
    return 1 if any(failed) else 0


if __name__ == "__main__":
    sys.exit(main())
