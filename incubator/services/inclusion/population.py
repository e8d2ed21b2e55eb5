"""The City of Los Angeles' population shares for the funnel's groups, from a published
source with its year (incubator/data/la_population.json), to set beside who takes part.

Only figures checked against their table are shipped; a group without one shows "no
published figure" rather than an estimate. Each breakdown's note (NOTES, here so that the
catalogue has it) says how the Census categories differ from the questions asked here: a
breakdown with figures needs one, and a newer table its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import gettext

from incubator.i18n import N_

DATA = Path(__file__).resolve().parents[2] / "data" / "la_population.json"


# How the table's categories differ from the questions asked here, by breakdown.
NOTES = {
    "gender": N_(
        "The Census asks sex, not gender: women are compared with the female and men with the "
        "male population; non-binary and self-described people have no published figure."
    ),
    "age_band": N_(
        "Shares of all residents, children included. Under 18 and 18 to 24 have no figure "
        "here: the table's 15 to 19 band straddles 18. 55 to 64 adds the 55 to 59 and 60 to "
        "64 bands; 65 or older the 65 to 74, 75 to 84 and 85 and over bands."
    ),
    "youth": N_(
        "Shares of all residents, children included: under 25 adds the table's bands from "
        "under 5 to 20 to 24."
    ),
    "race": N_(
        "The Census 2000 asked Hispanic or Latino origin apart from race and had no Middle "
        "Eastern or North African category (those residents were counted as White), so only "
        "Hispanic or Latino (of any race) matches a category of the 2024 standard asked here. "
        "The race categories, counted there as one race alone, do not match answers that "
        "allow several races and have no published figure here."
    ),
}


@dataclass(frozen=True)
class Comparison:
    """The city's shares for one breakdown's groups, by the groups' (English) labels; the
    note in the request's language."""

    source: str
    year: int
    geography: str
    note: str
    shares: dict[str, float]

    def share(self, label: str) -> float | None:
        """The group's share of the city's residents, or None: no published figure."""
        return self.shares.get(label)


@cache
def _published() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def comparison(breakdown: str) -> Comparison | None:
    """The city's shares for a breakdown (`funnel.Breakdown` value), or None when no group
    of it has a published figure (backgrounds, neighbourhoods, partners, hackathons)."""
    published = _published()
    found = published["breakdowns"].get(str(breakdown))
    if found is None:
        return None
    total = published["total"]
    return Comparison(
        source=published["source"],
        year=published["year"],
        geography=published["geography"],
        note=gettext(NOTES[str(breakdown)]),
        shares={label: count / total for label, count in found["counts"].items()},
    )
