"""Forms for funder and partner profiles, pilots and investments."""

from __future__ import annotations

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from incubator.forms import CheckboxesField, same_choices, whole_number
from incubator.models import FunderType, Stage
from incubator.services.matching.counterparts import FOCUS_AREAS, MAX_CAPACITY, MAX_CHEQUE
from incubator.services.matching.outcomes import (
    INSTRUMENT_LABELS,
    MAX_INVESTMENT,
    PILOT_STATUS_LABELS,
    STARTING_STATUSES,
)
from incubator.vocabulary import CHALLENGE_AREAS, NEIGHBOURHOODS, OFFERS

CHEQUE_MESSAGE = _l("Enter a whole number of dollars from 0 to %(most)s.", most=f"{MAX_CHEQUE:,}")
CAPACITY_MESSAGE = _l("Enter a whole number from 0 to %(most)s.", most=MAX_CAPACITY)
REACHED_MESSAGE = _l("Enter a whole number, 0 or more.")
# The words for the kinds of funder and the stages, as the forms show them.
FUNDER_TYPE_LABELS = {
    FunderType.ANGEL: _l("Angel"),
    FunderType.FUND: _l("Fund"),
    FunderType.FOUNDATION: _l("Foundation"),
    FunderType.PUBLIC_GRANT: _l("Public grant"),
}
STAGE_LABELS = {
    Stage.CONCEPT: _l("Concept"),
    Stage.PROTOTYPE: _l("Prototype"),
    Stage.PILOT: _l("Pilot"),
    Stage.LAUNCH: _l("Launch"),
    Stage.ADOPTION: _l("Adoption"),
}


def _capitalised(word: str) -> str:
    """A word of the program's lists in the request's language, as a choice's label ("Data")."""
    return gettext(word).capitalize()


class FunderProfileForm(FlaskForm):
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=160)])
    funder_type = SelectField(
        _l("Kind of funder"),
        choices=[(str(kind), label) for kind, label in FUNDER_TYPE_LABELS.items()],
    )
    stages = CheckboxesField(
        _l("Stages you fund"),
        choices=[(str(stage), label) for stage, label in STAGE_LABELS.items()],
        description=_l("Leave all unticked to see ventures at every stage."),
    )
    cheque_min = whole_number(_l("Smallest cheque (USD)"), 0, CHEQUE_MESSAGE, most=MAX_CHEQUE)
    cheque_max = whole_number(_l("Largest cheque (USD)"), 0, CHEQUE_MESSAGE, most=MAX_CHEQUE)
    focus_areas = CheckboxesField(
        _l("Focus areas"),
        choices=same_choices(FOCUS_AREAS),
        description=_l("Challenge and impact areas; leave all unticked to see every venture."),
    )
    open_to_civic = BooleanField(_l("Open to civic and public-sector products"), default=True)
    capacity = whole_number(
        _l("Ventures you can take introductions to at once"), 5, CAPACITY_MESSAGE, most=MAX_CAPACITY
    )
    submit = SubmitField(_l("Save profile"))


class PartnerProfileForm(FlaskForm):
    neighbourhoods = CheckboxesField(
        _l("Neighbourhoods you serve"), choices=same_choices(NEIGHBOURHOODS)
    )
    challenge_areas = CheckboxesField(_l("Challenge areas"), choices=same_choices(CHALLENGE_AREAS))
    offers = CheckboxesField(
        _l("What you can offer a venture"),
        choices=[(offer, LazyString(_capitalised, offer)) for offer in OFFERS],
    )
    capacity = whole_number(
        _l("Pilots you can host at once"), 2, CAPACITY_MESSAGE, most=MAX_CAPACITY
    )
    submit = SubmitField(_l("Save profile"))


class PilotForm(FlaskForm):
    organisation_id = SelectField(_l("Partner organisation"), coerce=int)
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    starts_on = DateField(
        _l("Starts on"), validators=[InputRequired(message=_l("Enter a start date."))]
    )
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    status = SelectField(
        _l("Status"), choices=[(str(s), PILOT_STATUS_LABELS[s]) for s in STARTING_STATUSES]
    )
    residents_reached = whole_number(_l("Residents or users reached"), 0, REACHED_MESSAGE)
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=10_000)])
    submit = SubmitField(_l("Add pilot"))


class PilotUpdateForm(PilotForm):
    """The status choices are the pilot's own and those it may move to, set per pilot."""

    submit = SubmitField(_l("Save pilot"))


class InvestmentForm(FlaskForm):
    funder_id = SelectField(_l("Funder on the platform"), coerce=int)
    funder_name = StringField(
        _l("Or an outside funder"),
        validators=[Optional(), Length(max=160)],
        description=_l("Name the funder when they are not on the platform."),
    )
    amount = DecimalField(
        _l("Amount (USD)"),
        places=2,
        validators=[
            InputRequired(message=_l("Enter the amount in dollars.")),
            NumberRange(
                min=0.01,
                max=MAX_INVESTMENT,
                message=_l("Enter an amount from $0.01 to $%(most)s.", most=f"{MAX_INVESTMENT:,}"),
            ),
        ],
    )
    instrument = SelectField(
        _l("Instrument"), choices=[(str(key), label) for key, label in INSTRUMENT_LABELS.items()]
    )
    invested_on = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date."))])
    submit = SubmitField(_l("Record investment"))
