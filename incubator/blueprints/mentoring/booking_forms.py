"""Forms for booking, changing, noting and rating mentor sessions, and calendar feeds."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from incubator.models import BookingStatus
from incubator.services.mentoring.booking import AGENDA_MAX


class BookingForm(FlaskForm):
    # The field names are part of the page's contract: the concurrency test posts them.
    venture_id = SelectField(_l("Venture"), coerce=int, validators=[InputRequired()])
    agenda = TextAreaField(
        _l("Agenda"),
        description=_l("What you want to cover, so the mentor can prepare."),
        validators=[
            InputRequired(message=_l("Write a short agenda so the mentor can prepare.")),
            Length(max=AGENDA_MAX),
        ],
    )
    submit = SubmitField(_l("Book this session"))


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("The other side sees it."),
        validators=[
            InputRequired(message=_l("Give a reason; the other side sees it.")),
            Length(max=2000),
        ],
    )
    # Mentors only (the route removes it for founders): otherwise the time closes with the
    # session, so a cancelled meeting does not turn into free time by surprise.
    keep_open = BooleanField(
        _l("Keep this time open for other founders"),
        description=_l("Leave unticked to close the time along with the session."),
    )
    submit = SubmitField(_l("Cancel the session"))


class RescheduleForm(FlaskForm):
    # The choices are the times free when the page was drawn; one taken since then is
    # refused by the booking rules with the "just taken" message, not as a bad choice.
    slot_id = RadioField(
        _l("New time"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose a new time."))],
    )
    submit = SubmitField(_l("Move the session"))


class OutcomeForm(FlaskForm):
    status = SelectField(
        _l("How it went"),
        choices=[
            (BookingStatus.COMPLETED.value, _l("Completed")),
            (BookingStatus.NO_SHOW.value, _l("No-show")),
        ],
    )
    submit = SubmitField(_l("Record"))


class NotesForm(FlaskForm):
    shared_notes = TextAreaField(
        _l("Shared notes"),
        description=_l("The venture's founders see these."),
        validators=[Optional(), Length(max=20000)],
    )
    private_notes = TextAreaField(
        _l("Private notes"),
        description=_l("Only you see these."),
        validators=[Optional(), Length(max=20000)],
    )
    submit = SubmitField(_l("Save notes"))


class RatingForm(FlaskForm):
    score = RadioField(
        _l("Rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save rating"))


class CalendarFeedForm(FlaskForm):
    create = SubmitField(_l("Create a new subscription URL"))
    revoke = SubmitField(_l("Revoke my subscription URL"))
