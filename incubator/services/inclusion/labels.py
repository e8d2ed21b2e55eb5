"""The words people read for the choices of registration and of the questions about you (the
labelled enums of models/inclusion.py, and the kinds of organisation), in their language.

The models keep the English labels, which the exports and the funnel's groups use as they
are; the messages below mark them for the catalogue, and `label` translates one where it is
shown. tests/test_i18n_inclusion.py checks that every label of these enums is marked here.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from incubator.i18n import N_
from incubator.models import (
    AgeBand,
    Background,
    Gender,
    ImmigrantHistory,
    OrganisationKind,
    RaceEthnicity,
    RegistrationStatus,
    YesNo,
)
from incubator.models.labels import LabelledEnum

ENUMS: tuple[type[LabelledEnum], ...] = (
    Background,
    RegistrationStatus,
    RaceEthnicity,
    Gender,
    AgeBand,
    YesNo,
    ImmigrantHistory,
    OrganisationKind,
)

MESSAGES = (
    # Background
    N_("Technologist"),
    N_("Data scientist"),
    N_("Designer"),
    N_("Public servant"),
    N_("Community member"),
    N_("Student"),
    N_("Other"),
    # RegistrationStatus
    N_("Confirmed"),
    N_("On the waiting list"),
    N_("Waiting for consent"),
    N_("Cancelled"),
    # RaceEthnicity: the 2024 federal standard's seven categories
    N_("American Indian or Alaska Native"),
    N_("Asian"),
    N_("Black or African American"),
    N_("Hispanic or Latino"),
    N_("Middle Eastern or North African"),
    N_("Native Hawaiian or Pacific Islander"),
    N_("White"),
    # Gender
    N_("Woman"),
    N_("Man"),
    N_("Non-binary"),
    N_("In my own words"),
    N_("Prefer not to say"),
    # AgeBand
    N_("Under 18"),
    N_("18 to 24"),
    N_("25 to 34"),
    N_("35 to 44"),
    N_("45 to 54"),
    N_("55 to 64"),
    N_("65 or older"),
    # YesNo
    N_("Yes"),
    N_("No"),
    # ImmigrantHistory
    N_("I am an immigrant"),
    N_("I am the child of immigrants"),
    N_("Neither"),
    # OrganisationKind
    N_("City department"),
    N_("Nonprofit"),
    N_("Business"),
    N_("Resident group"),
    N_("Foundation"),
    # Where a registrant lives when it is none of the city's neighbourhoods (OUTSIDE_THE_CITY)
    N_("Outside the city"),
)


def label(choice: LabelledEnum) -> str:
    """A choice's label in the request's language."""
    return gettext(choice.label)


def choices(enum_class: type[LabelledEnum]) -> list[tuple[str, str]]:
    """A form's choices from an enum: stored values, labels translated when the form is shown
    (the form classes are made at import, before any request)."""
    return [(member.value, _l(member.label)) for member in enum_class]
