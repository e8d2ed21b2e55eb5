"""Moving the clock for a whole test run, and for the servers the run starts.

`INCUBATOR_TEST_CLOCK=2027-03-20T07:30Z` makes the run begin at that instant and tick on
from it (time-machine, which patches the clock functions of this Python process). A process
the run starts (gunicorn serving `bench.wsgi_bench:app`) inherits the variable and calls
`start_from_environment()` too. So that its clock agrees with the run's rather than
restarting at the instant, the first process also leaves the real time at which its
clock read the instant in `INCUBATOR_TEST_CLOCK_ORIGIN`; the others travel to the instant
plus the real time elapsed since.

time-machine is a development dependency: it is imported only when the variable is set.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

CLOCK = "INCUBATOR_TEST_CLOCK"
ORIGIN = "INCUBATOR_TEST_CLOCK_ORIGIN"


def destination() -> datetime | None:
    """The instant INCUBATOR_TEST_CLOCK names (UTC when it names no zone), or None."""
    value = os.environ.get(CLOCK, "").strip()
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{CLOCK}={value!r} is not an ISO 8601 instant") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def start_from_environment() -> Any | None:
    """Start travelling to INCUBATOR_TEST_CLOCK, ticking; returns what stops it, or None."""
    instant = destination()
    if instant is None:
        return None
    import time_machine

    # The real time in nanoseconds, read before travelling.
    real = time.time_ns()
    origin = os.environ.get(ORIGIN)
    if origin is None:
        os.environ[ORIGIN] = str(real)
    else:
        instant += timedelta(microseconds=(real - int(origin)) / 1000)
    journey = time_machine.travel(instant, tick=True)
    journey.start()
    # time-machine starts the ticking at the first reading, so read it now: a clock left to
    # start later lags, and gunicorn workers that disagree by a second refuse each other's
    # signed cookies ("signature age is negative").
    time.time_ns()
    return journey
