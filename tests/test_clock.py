"""The one clock (incubator/clock.py): now, the program's calendar, weeks, zones.

And the rule that keeps it the only one: nothing else reads the wall clock or builds the
program's zone from config.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incubator import clock
from incubator.blueprints.auth.login import sign_in
from incubator.models import utcnow
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
LA = ZoneInfo("America/Los_Angeles")

# The instants `make test-clocks` runs the whole suite at: a Sunday evening in Los Angeles
# (Monday in UTC), half an hour before each clock change, the Saturday after spring-forward,
# the Sunday evening of the fall-back day, and a leap day.
INSTANTS = [
    "2026-12-07T07:30Z",
    "2027-03-14T09:30Z",
    "2027-03-20T07:30Z",
    "2027-11-07T08:30Z",
    "2027-11-08T07:30Z",
    "2028-02-29T12:00Z",
]


@pytest.fixture
def program(_app):
    """An app context, for the program's zone, without a database."""
    with _app.app_context():
        yield _app


def at(instant: str):
    """Stop the clock at an instant for the with-block."""
    return time_machine.travel(datetime.fromisoformat(instant), tick=False)


# now and today --------------------------------------------------------------------------------


def test_now_is_aware_utc_and_is_what_the_models_stamp(program):
    with at("2027-03-20T07:30Z"):
        assert clock.now() == datetime(2027, 3, 20, 7, 30, tzinfo=UTC)
        assert clock.now().utcoffset() == timedelta(0)
        assert utcnow() == clock.now()


def test_program_zone_comes_from_config(program, monkeypatch):
    assert clock.program_zone() == LA
    monkeypatch.setitem(program.config, "DEFAULT_TIME_ZONE", "America/Chicago")
    assert clock.program_zone() == ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("instant", "program_day", "utc_day"),
    [
        # 23:30 on a Sunday in Los Angeles is already Monday in UTC.
        ("2026-12-07T07:30Z", date(2026, 12, 6), date(2026, 12, 7)),
        ("2027-11-08T07:30Z", date(2027, 11, 7), date(2027, 11, 8)),
        # 00:30 PDT on a Saturday: both calendars agree.
        ("2027-03-20T07:30Z", date(2027, 3, 20), date(2027, 3, 20)),
        # 1:30 AM before the clocks change, in standard and in daylight time.
        ("2027-03-14T09:30Z", date(2027, 3, 14), date(2027, 3, 14)),
        ("2027-11-07T08:30Z", date(2027, 11, 7), date(2027, 11, 7)),
        ("2028-02-29T12:00Z", date(2028, 2, 29), date(2028, 2, 29)),
    ],
)
def test_today_is_the_program_calendars_day_not_utcs(program, instant, program_day, utc_day):
    with at(instant):
        assert clock.today() == program_day
        assert clock.program_date(clock.now()) == program_day
        assert clock.today(ZoneInfo("UTC")) == utc_day


def test_today_in_another_zone(program):
    with at("2026-12-07T07:30Z"):
        assert clock.today(ZoneInfo("America/New_York")) == date(2026, 12, 7)
        assert clock.today(ZoneInfo("Pacific/Honolulu")) == date(2026, 12, 6)


def test_the_last_hour_before_midnight_stays_on_its_day_across_the_fall_back(program):
    # 1:30 AM happens twice on 2027-11-07; both are on the 7th, and so is 23:59 PST.
    first = datetime(2027, 11, 7, 8, 30, tzinfo=UTC)
    second = datetime(2027, 11, 7, 9, 30, tzinfo=UTC)
    assert clock.program_date(first) == clock.program_date(second) == date(2027, 11, 7)
    assert clock.program_date(datetime(2027, 11, 8, 7, 59, tzinfo=UTC)) == date(2027, 11, 7)
    assert clock.program_date(datetime(2027, 11, 8, 8, 0, tzinfo=UTC)) == date(2027, 11, 8)


# Weeks ----------------------------------------------------------------------------------------


def test_week_bounds_run_monday_to_monday_on_the_program_calendar(program):
    with at("2026-12-07T07:30Z"):
        # Sunday evening in Los Angeles: still the week that began on Monday Nov 30.
        assert clock.week_bounds() == (date(2026, 11, 30), date(2026, 12, 7))
    assert clock.week_bounds(date(2026, 12, 7)) == (date(2026, 12, 7), date(2026, 12, 14))
    assert clock.week_start(date(2028, 2, 29)) == date(2028, 2, 28)


@pytest.mark.parametrize(
    ("day", "starts", "ends", "hours"),
    [
        # Spring forward on Sunday 2027-03-14: the week is an hour short.
        (
            date(2027, 3, 14),
            datetime(2027, 3, 8, 8, tzinfo=UTC),
            datetime(2027, 3, 15, 7, tzinfo=UTC),
            167,
        ),
        # Fall back on Sunday 2027-11-07: an hour long.
        (
            date(2027, 11, 7),
            datetime(2027, 11, 1, 7, tzinfo=UTC),
            datetime(2027, 11, 8, 8, tzinfo=UTC),
            169,
        ),
        (
            date(2028, 2, 29),
            datetime(2028, 2, 28, 8, tzinfo=UTC),
            datetime(2028, 3, 6, 8, tzinfo=UTC),
            168,
        ),
    ],
)
def test_week_instants_follow_local_midnights_across_clock_changes(
    program, day, starts, ends, hours
):
    assert clock.week_instants(day) == (starts, ends)
    assert ends - starts == timedelta(hours=hours)


def test_week_instants_in_a_viewers_zone(program):
    new_york = ZoneInfo("America/New_York")
    with at("2026-12-07T07:30Z"):
        # Already Monday in New York: its new week has begun, the program's has not.
        assert clock.week_instants(zone=new_york) == (
            datetime(2026, 12, 7, 5, tzinfo=UTC),
            datetime(2026, 12, 14, 5, tzinfo=UTC),
        )
        assert clock.week_instants() == (
            datetime(2026, 11, 30, 8, tzinfo=UTC),
            datetime(2026, 12, 7, 8, tzinfo=UTC),
        )


@pytest.mark.parametrize("instant", INSTANTS)
def test_now_lies_in_todays_week_at_every_awkward_instant(program, instant):
    with at(instant):
        monday, next_monday = clock.week_bounds()
        starts, ends = clock.week_instants()
        assert monday <= clock.today() < next_monday
        assert monday.weekday() == 0
        assert starts <= clock.now() < ends
        assert starts.astimezone(LA).time() == time(0) == ends.astimezone(LA).time()
        assert clock.program_date(starts) == monday
        assert clock.program_date(ends) == next_monday


def test_days_and_wall_times_become_utc_instants(program):
    assert clock.at(date(2027, 3, 14)) == datetime(2027, 3, 14, 8, tzinfo=UTC)
    assert clock.at(date(2027, 3, 14), time(15)) == datetime(2027, 3, 14, 22, tzinfo=UTC)
    assert clock.at(date(2027, 3, 14), zone=ZoneInfo("UTC")) == datetime(2027, 3, 14, tzinfo=UTC)
    start, end = clock.day_instants(date(2027, 3, 14))
    assert end - start == timedelta(hours=23)
    start, end = clock.day_instants(date(2027, 11, 7))
    assert end - start == timedelta(hours=25)


# Zones ----------------------------------------------------------------------------------------


def test_a_persons_zone_else_the_programs(program):
    assert clock.zone_for(SimpleNamespace(time_zone="America/New_York")) == ZoneInfo(
        "America/New_York"
    )
    assert clock.zone_for(SimpleNamespace(time_zone="Mars/Olympus_Mons")) == LA
    assert clock.zone_for(SimpleNamespace(time_zone="")) == LA
    assert clock.zone_for(None) == LA
    assert clock.zone_named("Nowhere", default=ZoneInfo("UTC")) == ZoneInfo("UTC")
    assert clock.is_zone("Pacific/Honolulu")
    assert not clock.is_zone("Mars/Olympus_Mons")


def test_the_viewers_zone_is_the_signed_in_persons(db, app):
    person = factories.user("founder", time_zone="Pacific/Honolulu")
    db.session.commit()
    assert clock.viewer_zone() == LA
    with app.test_request_context():
        assert clock.viewer_zone() == LA
        sign_in(person, remember=False)
        assert clock.viewer_zone() == ZoneInfo("Pacific/Honolulu")


# Nothing else reads the clock -----------------------------------------------------------------

SOURCES = ["incubator", "tests", "bench", "config.py", "wsgi.py"]
# Calls that read the wall clock, by the dotted name they are called through.
WALL_CLOCK = {
    "datetime.now",
    "datetime.today",
    "datetime.utcnow",
    "datetime.datetime.now",
    "datetime.datetime.today",
    "datetime.datetime.utcnow",
    "date.today",
    "datetime.date.today",
    "time.time",
    "time.time_ns",
    "time.localtime",
    "time.gmtime",
    "datetime.fromtimestamp",
    "datetime.utcfromtimestamp",
    "date.fromtimestamp",
    # The database's clock: PostgreSQL's server keeps the real time under a moved test clock.
    "func.now",
    "func.current_date",
    "func.current_timestamp",
    "sa.func.now",
}
# Where reading it is the point: the clock itself, and the test runs' time travel, which
# reads the real time before it moves the clock.
ALLOWED = {
    "incubator/clock.py": {"datetime.now", "ZoneInfo"},
    "tests/travel.py": {"time.time_ns"},
}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _mentions_config(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Constant) and n.value == "DEFAULT_TIME_ZONE")
        or (isinstance(n, ast.Attribute) and n.attr == "config")
        for n in ast.walk(node)
    )


def clock_readings() -> list[str]:
    """file:line and what it does, for every reading of the clock outside incubator/clock.py."""
    found = []
    files = []
    for source in SOURCES:
        path = ROOT / source
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    for path in files:
        name = path.relative_to(ROOT).as_posix()
        allowed = ALLOWED.get(name, set())
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=name)
        here = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            called = _dotted(node.func)
            if called in WALL_CLOCK and called not in allowed:
                here.append((node.lineno, f"{called}() reads the wall clock; use clock.now()"))
            elif (
                called.split(".")[-1] == "ZoneInfo"
                and "ZoneInfo" not in allowed
                # The app asks the clock for every zone; tests and the benchmark may build a
                # named zone for their data, but never the program's from config.
                and (name.startswith("incubator/") or _mentions_config(node))
            ):
                here.append((node.lineno, "ZoneInfo() built here; use clock.program_zone()"))
        found += [f"{name}:{line}: {what}" for line, what in sorted(here, key=lambda h: h[0])]
    return found


def test_only_the_clock_module_reads_the_clock_or_builds_the_programs_zone():
    found = clock_readings()
    assert not found, "\n".join(found)


def test_the_search_finds_what_it_forbids(tmp_path, monkeypatch):
    (tmp_path / "incubator").mkdir()
    (tmp_path / "incubator" / "late.py").write_text(
        "import datetime\nfrom zoneinfo import ZoneInfo\n"
        "def late(app):\n"
        "    today = datetime.date.today()\n"
        "    return datetime.datetime.now(ZoneInfo('UTC')), today\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_late.py").write_text(
        "import time\nfrom zoneinfo import ZoneInfo\n"
        "NEW_YORK = ZoneInfo('America/New_York')\n"
        "def test_late(app):\n"
        "    return ZoneInfo(app.config['DEFAULT_TIME_ZONE']), time.time()\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)

    assert clock_readings() == [
        "incubator/late.py:4: datetime.date.today() reads the wall clock; use clock.now()",
        "incubator/late.py:5: datetime.datetime.now() reads the wall clock; use clock.now()",
        "incubator/late.py:5: ZoneInfo() built here; use clock.program_zone()",
        "tests/test_late.py:5: ZoneInfo() built here; use clock.program_zone()",
        "tests/test_late.py:5: time.time() reads the wall clock; use clock.now()",
    ]


# Calendar days as people read them --------------------------------------------------------------


def test_a_day_shows_its_year_only_outside_the_current_year(program):
    # 11:30 PM on Dec 31 in Los Angeles (already Jan 1 in UTC), then half past midnight.
    with at("2027-01-01T07:30Z"):
        assert clock.day_label(date(2026, 12, 28)) == "Dec 28"
        assert clock.day_label(date(2027, 1, 4)) == "Jan 4, 2027"
        assert clock.day_label(date(2026, 3, 2), weekday=True) == "Mon, Mar 2"
    with at("2027-01-01T08:30Z"):
        assert clock.day_label(date(2026, 12, 28)) == "Dec 28, 2026"
        assert clock.day_label(date(2027, 1, 4)) == "Jan 4"
        assert clock.day_label(date(2026, 3, 2), weekday=True) == "Mon, Mar 2, 2026"
    assert clock.day_label(date(2028, 2, 28), as_of=date(2028, 2, 29)) == "Feb 28"
    assert clock.day_label(date(2028, 2, 28), as_of=date(2029, 1, 1)) == "Feb 28, 2028"
