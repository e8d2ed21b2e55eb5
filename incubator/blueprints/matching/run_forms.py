"""Forms for matching runs, their review, and the answers to an introduction."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from incubator.forms import ConfirmBox, VersionField, whole_number
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


BOUND_MOST = 20


def _bound(label: str, default: int) -> IntegerField:
    """A bound on the matches per venture: a whole number from 0 to 20."""
    return whole_number(
        label,
        default,
        f"Between 0 and {BOUND_MOST}.",
        most=BOUND_MOST,
        missing="Enter a whole number.",
    )


class RunForm(FlaskForm):
    kind = SelectField("Match ventures with", choices=list(KIND_LABELS.items()))
    method = SelectField(
        "Proposal to keep",
        choices=list(METHOD_LABELS.items()),
        description="Both are computed and compared; this is the one stored for review. "
        "Stable needs rankings from an office-hours day and falls back to the highest score.",
    )
    # The service gives the message for 0, for bounds out of order and for bounds the room
    # cannot meet; the form only asks for whole numbers in a sensible range. The page fills
    # in bounds that can be met for the kind chosen.
    min_per_venture = _bound("At least, per venture", default=1)
    max_per_venture = _bound("At most, per venture", default=2)
    submit = SubmitField("Propose matches")


class ReviewForm(FlaskForm):
    """Pin or remove one proposed match: the button, and the version of the draft the page
    showed (an edit made on an older page is refused)."""

    version = VersionField()
    submit = SubmitField("Go")


class RemoveForm(ReviewForm):
    """Remove one proposed match; the review page's button sends it as a `ReviewForm`."""

    # Set by the confirmation page of a removal that lowers the draft's total.
    lowering_confirmed = HiddenField()


class SwapForm(FlaskForm):
    other_id = SelectField("Swap counterparts with", coerce=int, validators=[InputRequired()])
    version = VersionField()
    # Set by the confirmation page of a swap that lowers a score.
    lowering_confirmed = HiddenField()
    submit = SubmitField("Swap")


class AddMatchForm(FlaskForm):
    venture_id = SelectField("Venture", coerce=int, validators=[InputRequired()])
    counterpart_id = SelectField("Match with", coerce=int, validators=[InputRequired()])
    version = VersionField()
    submit = SubmitField("Add match")


class PublishForm(FlaskForm):
    confirm = ConfirmBox("Yes, introduce every match in this proposal and mail both sides")
    submit = SubmitField("Publish introductions")


class AnswerForm(FlaskForm):
    reason = TextAreaField("Reason (needed to decline)", validators=[Optional(), Length(max=2000)])
    # Unticked, the reason stays with the program team (the page names the other side).
    share_reason = BooleanField("Share my reason with the other side")
    accept = SubmitField("Accept")
    decline = SubmitField("Decline")

    def validate(self, extra_validators=None) -> bool:
        """Valid only with one of the two buttons pressed: an answer is one or the other."""
        return super().validate(extra_validators) and bool(self.accept.data or self.decline.data)
