"""Forms for a mentor's availability: one slot, a weekly series (published, changed or
withdrawn as a whole), withdrawing."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields import TimeField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from incubator.forms import ConfirmBox, whole_number
from incubator.services.mentoring.slots import (
    MAX_SLOT_MINUTES,
    MIN_SLOT_MINUTES,
    WEEKDAYS_PLURAL,
)

LENGTH_MESSAGE = _l(
    "A slot lasts from %(least)d to %(most)d minutes.",
    least=MIN_SLOT_MINUTES,
    most=MAX_SLOT_MINUTES,
)
LOCATION_HELP = _l("Leave empty to use the link or place on your profile.")
# "Every ..." in a series form, Monday first.
EVERY_WEEKDAY = [_l(name) for name in WEEKDAYS_PLURAL]


def _minutes(label: str) -> IntegerField:
    return whole_number(
        label,
        30,
        LENGTH_MESSAGE,
        least=MIN_SLOT_MINUTES,
        most=MAX_SLOT_MINUTES,
        missing=_l("Enter the length in minutes."),
    )


class SlotForm(FlaskForm):
    date = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter a date."))])
    time = TimeField(
        _l("Start time"), validators=[InputRequired(message=_l("Enter a start time."))]
    )
    minutes = _minutes(_l("Length (minutes)"))
    location = StringField(
        _l("Place or video link"),
        validators=[Optional(), Length(max=500)],
        description=LOCATION_HELP,
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Publish slot"))


class SeriesForm(FlaskForm):
    weekday = SelectField(_l("Every"), choices=list(enumerate(EVERY_WEEKDAY)), coerce=int)
    start_time = TimeField(
        lazy_pgettext("a start time", "From"),
        validators=[InputRequired(message=_l("Enter a start time."))],
    )
    end_time = TimeField(_l("Until"), validators=[InputRequired(message=_l("Enter an end time."))])
    slot_minutes = _minutes(_l("Each slot (minutes)"))
    starts_on = DateField(_l("First date"), validators=[InputRequired(message=_l("Enter a date."))])
    ends_on = DateField(_l("Last date"), validators=[InputRequired(message=_l("Enter a date."))])
    location = StringField(
        _l("Place or video link"),
        validators=[Optional(), Length(max=500)],
        description=LOCATION_HELP,
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Publish series"))

    def validate_end_time(self, field) -> None:
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_("The block must end after it starts, on the same day."))

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_("The last date must be on or after the first."))


class WithdrawForm(FlaskForm):
    submit = SubmitField(_l("Withdraw"))


class SeriesEditForm(FlaskForm):
    """A series changed from now on: its first date stays; booked slots are not moved."""

    weekday = SelectField(_l("Every"), choices=list(enumerate(EVERY_WEEKDAY)), coerce=int)
    start_time = TimeField(
        lazy_pgettext("a start time", "From"),
        validators=[InputRequired(message=_l("Enter a start time."))],
    )
    end_time = TimeField(_l("Until"), validators=[InputRequired(message=_l("Enter an end time."))])
    slot_minutes = _minutes(_l("Each slot (minutes)"))
    ends_on = DateField(_l("Last date"), validators=[InputRequired(message=_l("Enter a date."))])
    location = StringField(
        _l("Place or video link"),
        validators=[Optional(), Length(max=500)],
        description=LOCATION_HELP,
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save series"))

    def validate_end_time(self, field) -> None:
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_("The block must end after it starts, on the same day."))


class WithdrawSeriesForm(FlaskForm):
    confirm = ConfirmBox(
        _l("Yes, withdraw the free slots of this series"),
        _l("Tick the box to confirm the withdrawal."),
    )
    submit = SubmitField(_l("Withdraw the series"))
