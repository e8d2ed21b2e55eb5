"""Forms for funder and partner profiles, pilots and investments."""

from __future__ import annotations

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
    STARTING_STATUSES,
)
from incubator.vocabulary import CHALLENGE_AREAS, NEIGHBOURHOODS, OFFERS

CHEQUE_MESSAGE = f"Enter a whole number of dollars from 0 to {MAX_CHEQUE:,}."
CAPACITY_MESSAGE = f"Enter a whole number from 0 to {MAX_CAPACITY}."
REACHED_MESSAGE = "Enter a whole number, 0 or more."


class FunderProfileForm(FlaskForm):
    organisation = StringField("Organisation", validators=[Optional(), Length(max=160)])
    funder_type = SelectField(
        "Kind of funder", choices=[(str(kind), kind.label) for kind in FunderType]
    )
    stages = CheckboxesField(
        "Stages you fund",
        choices=[(str(stage), stage.label) for stage in Stage],
        description="Leave all unticked to see ventures at every stage.",
    )
    cheque_min = whole_number("Smallest cheque (USD)", 0, CHEQUE_MESSAGE, most=MAX_CHEQUE)
    cheque_max = whole_number("Largest cheque (USD)", 0, CHEQUE_MESSAGE, most=MAX_CHEQUE)
    focus_areas = CheckboxesField(
        "Focus areas",
        choices=[(area, area) for area in FOCUS_AREAS],
        description="Challenge and impact areas; leave all unticked to see every venture.",
    )
    open_to_civic = BooleanField("Open to civic and public-sector products", default=True)
    capacity = whole_number(
        "Ventures you can take introductions to at once", 5, CAPACITY_MESSAGE, most=MAX_CAPACITY
    )
    submit = SubmitField("Save profile")


class PartnerProfileForm(FlaskForm):
    neighbourhoods = CheckboxesField(
        "Neighbourhoods you serve", choices=same_choices(NEIGHBOURHOODS)
    )
    challenge_areas = CheckboxesField("Challenge areas", choices=same_choices(CHALLENGE_AREAS))
    offers = CheckboxesField(
        "What you can offer a venture", choices=[(o, o.capitalize()) for o in OFFERS]
    )
    capacity = whole_number("Pilots you can host at once", 2, CAPACITY_MESSAGE, most=MAX_CAPACITY)
    submit = SubmitField("Save profile")


class PilotForm(FlaskForm):
    organisation_id = SelectField("Partner organisation", coerce=int)
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    starts_on = DateField("Starts on", validators=[InputRequired(message="Enter a start date.")])
    ends_on = DateField("Ends on", validators=[Optional()])
    status = SelectField(
        "Status", choices=[(str(s), str(s).capitalize()) for s in STARTING_STATUSES]
    )
    residents_reached = whole_number("Residents or users reached", 0, REACHED_MESSAGE)
    outcome = TextAreaField("Outcome", validators=[Optional(), Length(max=10_000)])
    submit = SubmitField("Add pilot")


class PilotUpdateForm(PilotForm):
    """The status choices are the pilot's own and those it may move to, set per pilot."""

    submit = SubmitField("Save pilot")


class InvestmentForm(FlaskForm):
    funder_id = SelectField("Funder on the platform", coerce=int)
    funder_name = StringField(
        "Or an outside funder",
        validators=[Optional(), Length(max=160)],
        description="Name the funder when they are not on the platform.",
    )
    amount = DecimalField(
        "Amount (USD)",
        places=2,
        validators=[
            InputRequired(message="Enter the amount in dollars."),
            NumberRange(
                min=0.01,
                max=MAX_INVESTMENT,
                message=f"Enter an amount from $0.01 to ${MAX_INVESTMENT:,}.",
            ),
        ],
    )
    instrument = SelectField(
        "Instrument", choices=[(str(key), label) for key, label in INSTRUMENT_LABELS.items()]
    )
    invested_on = DateField("Date", validators=[InputRequired(message="Enter the date.")])
    submit = SubmitField("Record investment")
