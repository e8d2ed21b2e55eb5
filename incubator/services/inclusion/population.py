"""The City of Los Angeles' population shares for the funnel's groups, from a published
source with its year (incubator/data/la_population.json), to set beside who takes part.

Only figures checked against their table are shipped; a group without one shows "no
published figure" rather than an estimate. Each breakdown's note says how the Census
categories differ from the questions asked here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "la_population.json"


@dataclass(frozen=True)
class Comparison:
    """The city's shares for one breakdown's groups, by the groups' labels."""

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
        note=found["note"],
        shares={label: count / total for label, count in found["counts"].items()},
    )
