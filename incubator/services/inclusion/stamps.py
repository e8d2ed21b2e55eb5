"""The hackathons' funnel stamps, and the funnels a worker keeps under them, so that a look at
the inclusion funnel costs one query for the stamps instead of counting every registration.

The stamp (`FunnelStamp`, one row per hackathon) is a random value the database writes anew,
in the writing transaction, whenever anything the funnel counts of that hackathon changes:
triggers (migration 0023_inclusion) on registrations, demographic answers, outreach partners
and their organisations' names, submissions and their members, ventures, venture members,
investments, pilots and hackathons. Triggers rather than the services' own calls, so that no
way of writing is missed (a Core statement, a bulk DELETE, a cascade, a seeder).

A reader reads the stamps first (one query) and keeps the funnel it builds under them, in its
own worker's memory (a small LRU): one hackathon's funnel under that hackathon's stamp; every
other scope (all hackathons, the public section, a cohort, a partner's referrals), which adds
up the hackathons' funnels, under every hackathon's stamp. The key also names the scope and
the language (the funnel over time names the hackathons' months). What is kept is the funnel
itself, aggregated and suppressed, the same for a manager and a visitor: nothing personal,
and each page is still drawn per request with its own frame, breakdown and choosers. Reading
the stamps before the rows means a funnel is never older than its key, so nothing kept is
shown after a change has committed.

On PostgreSQL a transaction writes a hackathon's stamp once, at its first change (a setting
local to the transaction remembers it): a transaction that has written reads no key and keeps
nothing it builds. A hackathon without a stamp is counted on every request.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import ColumnElement, func, literal, select, true

from incubator.extensions import db
from incubator.i18n import format_locale
from incubator.kept import Kept
from incubator.models import FunnelStamp

__all__ = ["forget", "key_for", "remembered"]

T = TypeVar("T")

# Funnels kept per worker: every breakdown's table of a scope in a language, a few KB each
# (neighbourhoods are the longest: about 120 rows). The scopes looked at are a handful.
FUNNELS = 32
# What the PostgreSQL triggers set for the rest of a transaction once they have written a
# hackathon's stamp (migration 0023_inclusion).
WRITTEN = "written"

_FUNNELS = Kept(FUNNELS)


def key_for(hackathon_id: int | None) -> tuple[Hashable, ...] | None:
    """The stamps a funnel is kept under (one query): one hackathon's, or with None every
    hackathon's. None when there is nothing to keep it under (that hackathon has no stamp, or
    this transaction has changed one)."""
    written_here: ColumnElement[str]
    if db.session.get_bind().dialect.name == "postgresql":
        written_here = func.current_setting(
            func.concat("funnel_stamps.h", FunnelStamp.hackathon_id), true()
        )
    else:
        # Every write gives SQLite's stamp a new value: nothing to remember.
        written_here = literal("")
    query = select(FunnelStamp.hackathon_id, FunnelStamp.stamp, written_here)
    if hackathon_id is not None:
        query = query.where(FunnelStamp.hackathon_id == hackathon_id)
    rows = db.session.execute(query.order_by(FunnelStamp.hackathon_id)).all()
    if (hackathon_id is not None and not rows) or any(row[2] == WRITTEN for row in rows):
        return None
    return tuple((row[0], row[1]) for row in rows)


def remembered(key: Hashable, make: Callable[[], T]) -> T:
    """`make()`'s funnel under the key (its scope and the stamps read for it, `key_for`), made
    once per key and language in this worker."""
    return _FUNNELS.get((key, format_locale()), make)


def forget() -> None:
    """Drop what this worker keeps (the tests' way to start from nothing)."""
    _FUNNELS.clear()
