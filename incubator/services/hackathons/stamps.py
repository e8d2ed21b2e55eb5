"""A hackathon's judging stamp, and what a worker keeps under it: the results page's tally
(every submission ranked) and the page as drawn, so that a manager's next look at the results
costs one query for the stamp instead of ranking a thousand submissions and drawing fifty
with every judge's score.

The stamp (`JudgingStamp`, one row per hackathon) is a random value the database writes
anew, in the writing transaction, whenever anything the results page shows changes: triggers
(migration 0020_judging) on scores, judge assignments, submissions (status, title, team,
challenge, placement: any column), rubric criteria, challenges, new hackathons and judges'
names. Triggers rather than the services' own calls, so that no way of writing is missed:
the scores' Core upsert, a bulk DELETE, a cascade (a judge's account removed takes their
assignments and scores), a seeder or a restore writing around the services. A random value
cannot come round again, so an UPDATE that leaves every count and total as it was (a score
changed from 3 to 4 while another goes from 4 to 3), a row deleted and another inserted with
the same id (SQLite reuses the highest), or two commits in the other order than their
writes all still give another stamp, where counts, largest ids and latest times would not.

A reader reads the stamp first (one row by its key) and files what it draws under it, in its
own worker's memory (`remembered`, a small LRU): another worker, or this one after a change
anywhere, reads another stamp and draws again. Reading the stamp before the rows means a
reading is never older than its stamp (under READ COMMITTED the rows may be newer, never
older), so nothing kept is shown after a change has committed. A hackathon without a stamp
is drawn on every request.

On PostgreSQL a transaction writes a hackathon's stamp once, at its first change (a setting
local to the transaction remembers it): after that its stamp no longer changes with each of
its writes, so a transaction that has written reads its own stamp as "written here" and
keeps nothing it draws.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, func, literal, select, true

from incubator.extensions import db
from incubator.kept import Kept
from incubator.models import Hackathon, JudgingStamp

__all__ = ["Reading", "forget", "reading", "remembered"]

T = TypeVar("T")

# Values kept per worker: the drawn pages of the ways managers look at the results (raw or
# normalised, a page, a language) of the few hackathons being judged, about 200 KB each; and
# the tallies of two hackathons: each a few numbers for every judge and submission (about
# 2 MB at 1,000 submissions scored by 5 judges) and its two rankings of them.
PAGES = 16
TALLIES = 6
# What the PostgreSQL triggers set for the rest of a transaction once they have written a
# hackathon's stamp (migration 0020_judging).
WRITTEN = "written"

_PAGES = Kept(PAGES)
_TALLIES = Kept(TALLIES)


@dataclass(frozen=True)
class Reading:
    """The hackathon's stamp as read now: `key` names everything drawn from it (None when
    the hackathon has no stamp, or this transaction has changed it, and nothing is kept)."""

    key: tuple[Hashable, ...] | None


def reading(hackathon: Hackathon) -> Reading:
    """Read the hackathon's judging stamp (one query)."""
    written_here: ColumnElement[str]
    if db.session.get_bind().dialect.name == "postgresql":
        written_here = func.current_setting(f"judging_stamps.h{hackathon.id}", true())
    else:
        # Every write gives SQLite's stamp a new value: nothing to remember.
        written_here = literal("")
    row = db.session.execute(
        select(JudgingStamp.stamp, written_here).where(JudgingStamp.hackathon_id == hackathon.id)
    ).one_or_none()
    if row is None or row[1] == WRITTEN:
        return Reading(None)
    return Reading((hackathon.id, row[0]))


def remembered(found: Reading, part: Hashable, make: Callable[[], T], *, tally: bool = False) -> T:
    """`make()`'s value for this part of the reading (a page, or with `tally` a tally), made
    once per stamp in this worker; made every time when there is no stamp to file it under."""
    if found.key is None:
        return make()
    return (_TALLIES if tally else _PAGES).get((found.key, part), make)


def forget() -> None:
    """Drop what this worker keeps (the tests' way to start from nothing)."""
    _PAGES.clear()
    _TALLIES.clear()
