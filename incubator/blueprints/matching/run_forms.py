"""Forms for matching runs, their review, and the answers to an introduction."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from incubator.forms import VersionField
from incubator.models import MatchKind

KIND_LABELS = {
    MatchKind.MENTOR: "Mentors",
    MatchKind.FUNDER: "Funders",
    MatchKind.PARTNER: "Partners (pilot sites)",
}
METHOD_LABELS = {
    "optimal": "Highest total score",
    "stable": "Stable (both sides' rankings respected)",
}


class RunForm(FlaskForm):
    kind = SelectField("Match ventures with", choices=list(KIND_LABELS.items()))
    method = SelectField(
        "Proposal to keep",
        choices=list(METHOD_LABELS.items()),
        description="Both are computed and compared; this is the one stored for review. "
        "Stable needs rankings from an office-hours day and falls back to the highest score.",
    )
    # The service gives the message for 0 and for bounds out of order; the form only asks
    # for whole numbers in a sensible range.
    min_per_venture = IntegerField(
        "At least, per venture",
        default=1,
        validators=[
            InputRequired(message="Enter a whole number."),
            NumberRange(min=0, max=20, message="Between 0 and 20."),
        ],
    )
    max_per_venture = IntegerField(
        "At most, per venture",
        default=2,
        validators=[
            InputRequired(message="Enter a whole number."),
            NumberRange(min=0, max=20, message="Between 0 and 20."),
        ],
    )
    submit = SubmitField("Propose matches")


class ReviewForm(FlaskForm):
    """Pin or remove one proposed match: the button, and the version of the draft the page
    showed (an edit made on an older page is refused)."""

    version = VersionField()
    submit = SubmitField("Go")


class RematchForm(FlaskForm):
    """Introduce a declined venture to someone else: the button is the whole form."""

    submit = SubmitField("Re-match")


class SwapForm(FlaskForm):
    other_id = SelectField("Swap counterparts with", coerce=int, validators=[InputRequired()])
    version = VersionField()
    submit = SubmitField("Swap")


class AddMatchForm(FlaskForm):
    venture_id = SelectField("Venture", coerce=int, validators=[InputRequired()])
    counterpart_id = SelectField("Match with", coerce=int, validators=[InputRequired()])
    version = VersionField()
    submit = SubmitField("Add match")


class PublishForm(FlaskForm):
    confirm = BooleanField(
        "Yes, introduce every match in this proposal and mail both sides",
        validators=[InputRequired(message="Tick the box to confirm.")],
    )
    submit = SubmitField("Publish introductions")


class AnswerForm(FlaskForm):
    reason = TextAreaField("Reason (needed to decline)", validators=[Optional(), Length(max=2000)])
    accept = SubmitField("Accept")
    decline = SubmitField("Decline")
