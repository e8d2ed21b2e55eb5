"""Forms for a mentor's availability: one slot, a weekly series (published, changed or
withdrawn as a whole), withdrawing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields import TimeField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from incubator.forms import ConfirmBox, whole_number
from incubator.services.mentoring.slots import MAX_SLOT_MINUTES, MIN_SLOT_MINUTES, WEEKDAYS

LENGTH_MESSAGE = f"A slot lasts from {MIN_SLOT_MINUTES} to {MAX_SLOT_MINUTES} minutes."
LOCATION_HELP = "Leave empty to use the link or place on your profile."


def _minutes(label: str) -> IntegerField:
    return whole_number(
        label,
        30,
        LENGTH_MESSAGE,
        least=MIN_SLOT_MINUTES,
        most=MAX_SLOT_MINUTES,
        missing="Enter the length in minutes.",
    )


class SlotForm(FlaskForm):
    date = DateField("Date", validators=[InputRequired(message="Enter a date.")])
    time = TimeField("Start time", validators=[InputRequired(message="Enter a start time.")])
    minutes = _minutes("Length (minutes)")
    location = StringField(
        "Place or video link", validators=[Optional(), Length(max=500)], description=LOCATION_HELP
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Publish slot")


class SeriesForm(FlaskForm):
    weekday = SelectField(
        "Every", choices=[(number, f"{day}s") for number, day in enumerate(WEEKDAYS)], coerce=int
    )
    start_time = TimeField("From", validators=[InputRequired(message="Enter a start time.")])
    end_time = TimeField("Until", validators=[InputRequired(message="Enter an end time.")])
    slot_minutes = _minutes("Each slot (minutes)")
    starts_on = DateField("First date", validators=[InputRequired(message="Enter a date.")])
    ends_on = DateField("Last date", validators=[InputRequired(message="Enter a date.")])
    location = StringField(
        "Place or video link", validators=[Optional(), Length(max=500)], description=LOCATION_HELP
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Publish series")

    def validate_end_time(self, field) -> None:
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("The block must end after it starts, on the same day.")

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The last date must be on or after the first.")


class WithdrawForm(FlaskForm):
    submit = SubmitField("Withdraw")


class SeriesEditForm(FlaskForm):
    """A series changed from now on: its first date stays; booked slots are not moved."""

    weekday = SelectField(
        "Every", choices=[(number, f"{day}s") for number, day in enumerate(WEEKDAYS)], coerce=int
    )
    start_time = TimeField("From", validators=[InputRequired(message="Enter a start time.")])
    end_time = TimeField("Until", validators=[InputRequired(message="Enter an end time.")])
    slot_minutes = _minutes("Each slot (minutes)")
    ends_on = DateField("Last date", validators=[InputRequired(message="Enter a date.")])
    location = StringField(
        "Place or video link", validators=[Optional(), Length(max=500)], description=LOCATION_HELP
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save series")

    def validate_end_time(self, field) -> None:
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("The block must end after it starts, on the same day.")


class WithdrawSeriesForm(FlaskForm):
    confirm = ConfirmBox(
        "Yes, withdraw the free slots of this series",
        "Tick the box to confirm the withdrawal.",
    )
    submit = SubmitField("Withdraw the series")
