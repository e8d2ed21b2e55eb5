"""Forms for booking, changing, noting and rating mentor sessions, and calendar feeds."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from incubator.models import BookingStatus
from incubator.services.mentoring.booking import AGENDA_MAX


class BookingForm(FlaskForm):
    # The field names are part of the page's contract: the concurrency test posts them.
    venture_id = SelectField("Venture", coerce=int, validators=[InputRequired()])
    agenda = TextAreaField(
        "Agenda",
        description="What you want to cover, so the mentor can prepare.",
        validators=[
            InputRequired(message="Write a short agenda so the mentor can prepare."),
            Length(max=AGENDA_MAX),
        ],
    )
    submit = SubmitField("Book this session")


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        description="The other side sees it.",
        validators=[
            InputRequired(message="Give a reason; the other side sees it."),
            Length(max=2000),
        ],
    )
    # Mentors only (the route removes it for founders): otherwise the time closes with the
    # session, so a cancelled meeting does not turn into free time by surprise.
    keep_open = BooleanField(
        "Keep this time open for other founders",
        description="Leave unticked to close the time along with the session.",
    )
    submit = SubmitField("Cancel the session")


class RescheduleForm(FlaskForm):
    # The choices are the times free when the page was drawn; one taken since then is
    # refused by the booking rules with the "just taken" message, not as a bad choice.
    slot_id = RadioField(
        "New time",
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(message="Choose a new time.")],
    )
    submit = SubmitField("Move the session")


class OutcomeForm(FlaskForm):
    status = SelectField(
        "How it went",
        choices=[
            (BookingStatus.COMPLETED.value, "Completed"),
            (BookingStatus.NO_SHOW.value, "No-show"),
        ],
    )
    submit = SubmitField("Record")


class NotesForm(FlaskForm):
    shared_notes = TextAreaField(
        "Shared notes",
        description="The venture's founders see these.",
        validators=[Optional(), Length(max=20000)],
    )
    private_notes = TextAreaField(
        "Private notes",
        description="Only you see these.",
        validators=[Optional(), Length(max=20000)],
    )
    submit = SubmitField("Save notes")


class RatingForm(FlaskForm):
    score = RadioField(
        "Rating",
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        validators=[InputRequired(message="Choose a rating from 1 to 5.")],
    )
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save rating")


class CalendarFeedForm(FlaskForm):
    create = SubmitField("Create a new subscription URL")
    revoke = SubmitField("Revoke my subscription URL")
