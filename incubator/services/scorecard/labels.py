"""The scorecard's words and numbers as a person reads them, in the request's language: the
labels of its choices (units, kinds of area, data sources' geographies...) and its figures,
months and quarters.

Figures keep their English digits and, in another language, take its decimal and grouping
marks (es_US writes them as English does); months are Babel's ("Oct 2026", "oct 2026"),
quarters the catalogue's ("Q4 2026", "T4 2026"). Outside a request (the CLI) everything reads
in English.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel import dates, numbers
from flask_babel import gettext

from incubator import i18n
from incubator.i18n import N_
from incubator.models import (
    Derivation,
    Geography,
    ImpactAreaKind,
    KpiAggregation,
    PilotSitePlacement,
    RevisionAction,
    SourceGeography,
    SourceStatus,
    Unit,
    UpdateFrequency,
)
from incubator.services.scorecard.cityscore import Direction, Status
from incubator.services.scorecard.periods import Frequency

# The labels of the scorecard's choices (cityscore's and periods' English ones, and the
# models'), marked here for extraction and translated where shown.
STATUSES = {
    Status.ON_TRACK: N_("On track"),
    Status.WATCH: N_("Watch"),
    Status.OFF_TRACK: N_("Off track"),
    Status.NO_TARGET: N_("No target"),
    Status.NO_DATA: N_("No data"),
}
DIRECTIONS = {Direction.HIGHER: N_("Higher is better"), Direction.LOWER: N_("Lower is better")}
FREQUENCIES = {
    Frequency.MONTHLY: N_("Monthly"),
    Frequency.QUARTERLY: N_("Quarterly"),
    Frequency.ANNUAL: N_("Annual"),
}
AREA_KINDS = {
    ImpactAreaKind.PROMISE_ZONE: N_("Promise Zone goal"),
    ImpactAreaKind.HACKATHON_THEME: N_("Hackathon theme"),
    ImpactAreaKind.CIVIC_PILOTS: N_("Civic pilots"),
    ImpactAreaKind.OTHER: N_("Other"),
}
UNITS = {Unit.COUNT: N_("Count"), Unit.USD: N_("US dollars"), Unit.PERCENT: N_("Percent")}
SOURCE_GEOGRAPHIES = {
    SourceGeography.CITY: N_("City"),
    SourceGeography.COUNCIL_DISTRICT: N_("Council district"),
    SourceGeography.NEIGHBOURHOOD: N_("Neighbourhood"),
    SourceGeography.CENSUS_TRACT: N_("Census tract"),
    SourceGeography.ADDRESS: N_("Address"),
}
SOURCE_STATUSES = {
    SourceStatus.IN_USE: N_("In use"),
    SourceStatus.CANDIDATE: N_("Could feed it"),
    SourceStatus.REQUESTED: N_("Requested"),
}
UPDATE_FREQUENCIES = {
    UpdateFrequency.DAILY: N_("Daily"),
    UpdateFrequency.WEEKLY: N_("Weekly"),
    UpdateFrequency.MONTHLY: N_("Monthly"),
    UpdateFrequency.QUARTERLY: N_("Quarterly"),
    UpdateFrequency.ANNUAL: N_("Annual"),
    UpdateFrequency.IRREGULAR: N_("Irregular"),
}
AGGREGATIONS = {
    KpiAggregation.SUM: N_("added up over the period's weeks"),
    KpiAggregation.LEVEL: N_("its latest value at the period's end"),
    KpiAggregation.CHANGE: N_("its growth over the period"),
}
# How a pilot's site was placed in its neighbourhood.
PLACEMENTS = {
    PilotSitePlacement.POINT: N_("its coordinates"),
    PilotSitePlacement.NAME: N_("the address"),
    PilotSitePlacement.CHOSEN: N_("a manager"),
    PilotSitePlacement.OUTSIDE: N_("its coordinates"),
}
# What became of a figure's earlier value ("corrected Mar 2, 2026 by ...").
REVISIONS = {
    RevisionAction.CORRECTED: N_("corrected"),
    RevisionAction.WITHDRAWN: N_("withdrawn"),
    RevisionAction.REDERIVED: N_("rederived"),
    RevisionAction.RESTORED: N_("restored"),
}
GEOGRAPHIES = {
    Geography.CITY: N_("City of Los Angeles"),
    Geography.NEIGHBOURHOOD: N_("Neighbourhood"),
    Geography.PROMISE_ZONE: N_("Promise Zone"),
    Geography.REST_OF_CITY: N_("Rest of the city"),
}
DERIVATIONS = {
    Derivation.VENTURES_SUPPORTED: N_("ventures in cohorts, from their stage history"),
    Derivation.CAPITAL_RAISED: N_("investments recorded for the ventures"),
    Derivation.CITY_PILOTS_SIGNED: N_("pilots with city departments, by start date and site"),
    Derivation.PILOTS_ADOPTED: N_("pilots marked adopted, by end date and site"),
    Derivation.RESIDENTS_SERVED: N_("residents the pilots reached, by end date and site"),
    Derivation.ONE_YEAR_SURVIVAL: N_("graduated ventures still active a year later"),
    Derivation.CHECK_IN_KPIS: N_("ventures' check-in KPIs mapped to this metric"),
}


def _label(labels: dict, value: str | None) -> str:
    """The translated label of a stored choice; the value itself when it is not one."""
    if not value:
        return ""
    found = labels.get(value)
    return gettext(found) if found is not None else str(value)


def status(value: str) -> str:
    return _label(STATUSES, value)


def direction(value: str) -> str:
    return _label(DIRECTIONS, value)


def frequency(value: str) -> str:
    return _label(FREQUENCIES, value)


def area_kind(value: str) -> str:
    return _label(AREA_KINDS, value)


def unit(value: str) -> str:
    return _label(UNITS, value)


def source_geography(value: str) -> str:
    return _label(SOURCE_GEOGRAPHIES, value)


def source_status(value: str) -> str:
    return _label(SOURCE_STATUSES, value)


def update_frequency(value: str) -> str:
    return _label(UPDATE_FREQUENCIES, value)


def aggregation(value: str) -> str:
    return _label(AGGREGATIONS, value)


def placement(value: str) -> str:
    return _label(PLACEMENTS, value)


def revision(value: str) -> str:
    return _label(REVISIONS, value)


def geography(value: str) -> str:
    return _label(GEOGRAPHIES, value)


def derivation(value: str | None) -> str | None:
    """What a metric's figures are derived from; None for figures entered by hand (or a
    derivation this version does not know)."""
    if value is None or value not in DERIVATIONS:
        return None
    return gettext(DERIVATIONS[Derivation(value)])


# Numbers and periods --------------------------------------------------------------------------


def localized(english: str) -> str:
    """Digits written the English way ("1,234.5") with the current language's marks."""
    marks = _marks(i18n.format_locale())
    return english if marks is None else english.translate(marks)


@lru_cache(maxsize=64)
def _marks(locale: str) -> dict[int, str | int | None] | None:
    """A locale's decimal and group marks in place of English's, None where they are the
    same (asked for each of a page's thousand figures)."""
    decimal, group = numbers.get_decimal_symbol(locale), numbers.get_group_symbol(locale)
    if (decimal, group) == (".", ","):
        return None
    # Swapped in one pass, since a language may swap the two marks ("1.234,5").
    marks: dict[str, str | int | None] = {",": group, ".": decimal}
    return str.maketrans(marks)


def number(value: float) -> str:
    """A figure as managers enter it: up to six significant digits ("12,500", "0.25")."""
    return localized(f"{value:,.6g}")


def month(day: date) -> str:
    """ "Oct 2026"."""
    return _month(day, i18n.format_locale())


@lru_cache(maxsize=4096)
def _month(day: date, locale: str) -> str:
    return dates.format_skeleton("yMMM", day, locale=locale)


def full_month(day: date) -> str:
    """ "October 2026"."""
    return dates.format_skeleton("yMMMM", day, locale=i18n.format_locale())


def period(start: date, frequency: str) -> str:
    """A reporting period as periods.label names it in English: "Oct 2026", "Q4 2026" or
    "2026"."""
    kind = Frequency(frequency)
    if kind is Frequency.MONTHLY:
        return month(start)
    if kind is Frequency.QUARTERLY:
        return gettext("Q%(quarter)d %(year)d", quarter=(start.month - 1) // 3 + 1, year=start.year)
    return str(start.year)


def source_credit() -> str:
    """The neighbourhood boundaries' credit (geography.SOURCE_CREDIT, in the language)."""
    return gettext(
        'Neighbourhood boundaries: "Mapping L.A." (Los Angeles Times), as published by the City '
        "of Los Angeles on its GeoHub."
    )
