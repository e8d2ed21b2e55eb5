"""The benchmark (`make bench`) still runs: several scales in one command, each seeded into a
throw-away database of the suite's kind (INCUBATOR_TEST_DB) and served by gunicorn, make one
table with a column per scale, p50 and p95 as multiples of each scale's floor, and the
workers' peak memory. Tiny scales and a few requests: this proves the script works, never
how fast a page is."""

from __future__ import annotations

import re
import signal
import threading

import pytest

from bench import run, scenarios
from bench.load import Measurement, Sample
from incubator.extensions import limiter
from tests.conftest import BACKEND

NEW_PAGES = ["cohorts", "mentors", "showcase_cohort", "judging_results", "matching_review"]


@pytest.fixture
def scales_restored():
    """run.main sets the scenarios' own scales and a SIGTERM handler, and the app it seeds
    with (the development configuration) switches on the rate limiter every app shares; put
    all three back."""
    scales = dict(scenarios.SCALES)
    handler = signal.getsignal(signal.SIGTERM)
    limiter_state = dict(vars(limiter))
    yield
    scenarios.SCALES.clear()
    scenarios.SCALES.update(scales)
    signal.signal(signal.SIGTERM, handler)
    vars(limiter).clear()
    vars(limiter).update(limiter_state)


def test_several_scales_make_one_table_with_a_column_per_scale(scales_restored, capsys):
    code = run.main(
        [
            "--scales",
            "2,6",
            "--database",
            BACKEND,
            "--requests",
            "2",
            "--warmup",
            "0",
            "--concurrency",
            "1",
            "--page-seconds",
            "30",
            "--matching-ventures",
            "4",
            "--pages",
            ",".join(["home", "board", *NEW_PAGES]),
            "--markdown",
        ]
    )

    out = capsys.readouterr().out
    assert code == 0, out
    assert "| page | as | 2 | 6 |" in out
    rows = {line.split(" | ")[0].lstrip("| "): line for line in out.splitlines() if "|" in line}
    for name in ["healthz", "home", "board", *NEW_PAGES]:
        cells = rows[name].strip("| ").split(" | ")[2:]
        assert len(cells) == 2, rows[name]
        for cell in cells:
            # "p50x / p95x (ms, KB, queries)", and no failed requests.
            assert re.match(r"^\d+\.\d\dx / \d+\.\d\dx \(\d[\d,]* ms, ", cell), cell
            assert "failed" not in cell
    assert rows["healthz"].count("1.00x / 1.00x") == 2
    peaks = rows["worker peak RSS, MB"].strip("| ").split(" | ")[2:]
    for cell in peaks:
        megabytes = [int(value.replace(",", "")) for value in cell.split(", ")]
        assert len(megabytes) == 2 and all(value > 10 for value in megabytes), cell
    # The matching run behind the review page went through the service at each scale.
    assert out.count("the review page shows the last run's 4 matches") == 2


def _measured(*milliseconds: float) -> Measurement:
    return Measurement(1.0, [Sample(ms / 1000, 200, 3, 2048, 2048) for ms in milliseconds])


def _run(scale: int, floor: Measurement, board: Measurement) -> run.ScaleRun:
    pages = [scenarios.PAGES[scenarios.FLOOR], scenarios.PAGES["board"]]
    return run.ScaleRun(
        scale,
        [
            run.Row(page, page.name, result)
            for page, result in zip(pages, [floor, board], strict=True)
        ],
        run.Seeded({}, "SQLite", {}, 1.0),
        [200 * 1024 * 1024, 150 * 1024 * 1024],
    )


def test_each_scale_is_compared_with_its_own_floor():
    runs = [
        _run(10, _measured(*[2.0] * 20), _measured(*[10.0] * 19, 30.0)),
        _run(10_000, _measured(*[4.0] * 20), _measured(*[400.0] * 20)),
    ]

    header, lines = run.scales_table(runs)

    assert header == ["page", "as", "10", "10,000"]
    board = lines[1]
    assert board[2].startswith("5.00x / ")
    assert board[3] == "100.00x / 100.00x (400 ms, 2 KB, 3 q)"
    assert lines[-2] == ["worker peak RSS, MB", "-", "200, 150", "200, 150"]


def test_scales_must_be_whole_numbers():
    with pytest.raises(SystemExit):
        run.parse_args(["--scales", "10,ten"])
    assert run.parse_args(["--scales", "10, 500,2_000"]).scales == [10, 500, 2000]


def test_the_floor_is_measured_before_the_pages_and_again_after_and_pooled(monkeypatch):
    """Measured once, right after seeding, the floor moved between runs and every ratio
    with it: its samples before and after the pages are pooled."""
    measured: list[str] = []
    timings = {"/healthz": [2.0, 6.0], "/scorecard/": [20.0]}

    def fake_measure(url, sessions, requests, stop, **kwargs):
        path = url.removeprefix("http://bench")
        measured.append(path)
        return _measured(timings[path].pop(0))

    monkeypatch.setattr(run, "measure", fake_measure)
    args = run.parse_args(["--requests", "1", "--concurrency", "1"])
    pages = [scenarios.PAGES[scenarios.FLOOR], scenarios.PAGES["scorecard"]]

    rows = run.measure_pages("http://bench", pages, {}, args, threading.Event())

    assert measured == ["/healthz", "/scorecard/", "/healthz"]
    assert [row.page.name for row in rows] == [scenarios.FLOOR, "scorecard"]
    assert sorted(sample.seconds for sample in rows[0].measurement.samples) == [0.002, 0.006]
    assert rows[0].measurement.elapsed == 2.0
