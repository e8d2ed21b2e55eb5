"""Forms for matching runs, their review, and the answers to an introduction."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from incubator.forms import ConfirmBox, VersionField, whole_number
from incubator.models import MatchKind, MatchStatus

KIND_LABELS = {
    MatchKind.MENTOR: _l("Mentors"),
    MatchKind.FUNDER: _l("Funders"),
    MatchKind.PARTNER: _l("Partners (pilot sites)"),
}
METHOD_LABELS = {
    "optimal": _l("Highest total score"),
    "stable": _l("Stable (both sides' rankings respected)"),
}
STATUS_LABELS = {
    MatchStatus.PROPOSED: lazy_pgettext("a match", "Proposed"),
    MatchStatus.INTRODUCED: _l("Introduced"),
    MatchStatus.ACCEPTED: _l("Accepted"),
    MatchStatus.DECLINED: lazy_pgettext("a match", "Declined"),
    MatchStatus.ENDED: _l("Ended"),
}
# A run's status (runs.DRAFT, PUBLISHED, DISCARDED).
RUN_STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": lazy_pgettext("a proposal", "Published"),
    "discarded": _l("Discarded"),
}


BOUND_MOST = 20


def _bound(label, default: int) -> IntegerField:
    """A bound on the matches per venture: a whole number from 0 to 20."""
    return whole_number(
        label,
        default,
        _l("Between 0 and %(most)s.", most=BOUND_MOST),
        most=BOUND_MOST,
        missing=_l("Enter a whole number."),
    )


class RunForm(FlaskForm):
    kind = SelectField(_l("Match ventures with"), choices=list(KIND_LABELS.items()))
    method = SelectField(
        _l("Proposal to keep"),
        choices=list(METHOD_LABELS.items()),
        description=_l(
            "Both are computed and compared; this is the one stored for review. "
            "Stable needs rankings from an office-hours day and falls back to the highest score."
        ),
    )
    # The service gives the message for 0, for bounds out of order and for bounds the room
    # cannot meet; the form only asks for whole numbers in a sensible range. The page fills
    # in bounds that can be met for the kind chosen.
    min_per_venture = _bound(_l("At least, per venture"), default=1)
    max_per_venture = _bound(_l("At most, per venture"), default=2)
    submit = SubmitField(_l("Propose matches"))


class ReviewForm(FlaskForm):
    """Pin or remove one proposed match: the button, and the version of the draft the page
    showed (an edit made on an older page is refused)."""

    version = VersionField()
    submit = SubmitField(_l("Go"))


class RemoveForm(ReviewForm):
    """Remove one proposed match; the review page's button sends it as a `ReviewForm`."""

    # Set by the confirmation page of a removal that lowers the draft's total.
    lowering_confirmed = HiddenField()


class SwapForm(FlaskForm):
    # The choices are one page of the draft's matches; the service refuses a match that
    # cannot be swapped, so any match id is taken.
    other_id = SelectField(
        _l("Swap counterparts with"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired()],
    )
    version = VersionField()
    # Set by the confirmation page of a swap that lowers a score.
    lowering_confirmed = HiddenField()
    submit = SubmitField(_l("Swap"))


SORT_LABELS = {
    "venture": _l("Venture"),
    "counterpart": _l("Counterpart"),
    "score": _l("Lowest score first"),
}


class ReviewListForm(FlaskForm):
    """The filter above a draft's matches, sent by GET: a name to look for, and the order."""

    class Meta:
        csrf = False

    q = SearchField(_l("Venture or counterpart name"), validators=[Optional(), Length(max=100)])
    sort = SelectField(_l("Order by"), choices=list(SORT_LABELS.items()), validate_choice=False)
    submit = SubmitField(_l("Show"))


class SwapSearchForm(FlaskForm):
    """The search for the match to swap with, sent by GET."""

    class Meta:
        csrf = False

    q = SearchField(_l("Venture or counterpart name"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Search"))


class AddMatchForm(FlaskForm):
    venture_id = SelectField(_l("Venture"), coerce=int, validators=[InputRequired()])
    counterpart_id = SelectField(_l("Match with"), coerce=int, validators=[InputRequired()])
    version = VersionField()
    submit = SubmitField(_l("Add match"))


class PublishForm(FlaskForm):
    confirm = ConfirmBox(_l("Yes, introduce every match in this proposal and mail both sides"))
    submit = SubmitField(_l("Publish introductions"))


class AnswerForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (needed to decline)"), validators=[Optional(), Length(max=2000)]
    )
    # Unticked, the reason stays with the program team (the page names the other side).
    share_reason = BooleanField(_l("Share my reason with the other side"))
    accept = SubmitField(_l("Accept"))
    decline = SubmitField(_l("Decline"))

    def validate(self, extra_validators=None) -> bool:
        """Valid only with one of the two buttons pressed: an answer is one or the other."""
        return super().validate(extra_validators) and bool(self.accept.data or self.decline.data)
