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

    real = time_machine.escape_hatch.time
    journey = time_machine.travel(instant, tick=True)
    traveller = journey.start()
    # Every process's clock reads the instant plus the real time elapsed since the origin
    # (the real time at which the first process started), to the microsecond. Gunicorn's
    # workers sign their cookies with the second: a worker whose clock lagged another's by
    # a few milliseconds refused, now and then, a cookie the other had just signed
    # ("signature age is negative") and signed the person out. Starting the journey takes a
    # while, and longer on a busy machine, so the clock is read against the real time after
    # it started, and shifted to where it should be (time-machine ticks from its first
    # reading: this one). The readings are taken again if the process was held up between
    # them, which would blur the comparison.
    for _attempt in range(20):
        before = real.time_ns()
        travelled = time.time_ns()
        after = real.time_ns()
        if after - before < 50_000:
            break
    now = (before + after) // 2
    origin = int(os.environ.setdefault(ORIGIN, str(now)))
    instant_ns = int(instant.timestamp()) * 1_000_000_000 + instant.microsecond * 1000
    traveller.shift(timedelta(microseconds=(instant_ns + now - origin - travelled) / 1000))
    return journey
