"""Forms for office-hours days: setting a day up, publishing it, ranking afterwards."""

from __future__ import annotations

import re
from datetime import time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Form,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from incubator.forms import AtLeastOne, CheckboxesField, ConfirmBox, TimeZoneField, whole_number
from incubator.models import User, Venture

PERIOD = re.compile(
    r"^(?P<h1>\d{1,2})[:.](?P<m1>\d{2})\s*(?:-|\u2013|\u2014|to)\s*(?P<h2>\d{1,2})[:.](?P<m2>\d{2})$"
)
SEPARATORS = re.compile(r"[\n,;]+")
NO_BREAKS = {"none", "no", "-"}
DEFAULT_WINDOWS = "09:00-17:00"
DEFAULT_BREAKS = "12:00-13:00"


def _clock(hours: str, minutes: str, text: str) -> time:
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(
            _("“%(text)s” has a time that does not exist on a clock.", text=text)
        ) from None


def parse_periods(text: str | None) -> list[tuple[time, time]]:
    """Time ranges written one to a line (or comma-separated), like 09:00-12:00."""
    periods = []
    for part in SEPARATORS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        found = PERIOD.match(part)
        if found is None:
            raise ValueError(_("“%(text)s” is not a time range like 09:00-12:00.", text=part))
        start = _clock(found["h1"], found["m1"], part)
        end = _clock(found["h2"], found["m2"], part)
        periods.append((start, end))
    return periods


class CohortChoiceForm(Form):
    """Step one, by GET: which cohort the day is for (its ventures fill step two)."""

    cohort_id = SelectField(_l("Cohort"), coerce=int, validators=[InputRequired()])


class NewDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Choose the date."))])
    time_zone = TimeZoneField()
    meeting_minutes = whole_number(
        _l("Meeting length (minutes)"),
        20,
        _l("Meetings last from 5 to 120 minutes."),
        least=5,
        most=120,
        missing=_l("Enter a whole number of minutes."),
    )
    location = StringField(_l("Location"), validators=[Optional(), Length(max=500)])
    default_windows = TextAreaField(
        _l("Mentors' hours"),
        default=DEFAULT_WINDOWS,
        description=_l(
            "One time range to a line, like 09:00-12:00. Used for every mentor "
            "whose own hours below are left blank."
        ),
        validators=[InputRequired(message=_l("Give the hours, such as 09:00-17:00."))],
    )
    default_breaks = TextAreaField(
        _l("Breaks"),
        default=DEFAULT_BREAKS,
        description=_l("Times nobody meets, like a lunch break. Leave blank for none."),
    )
    mentors = CheckboxesField(
        _l("Mentors"), coerce=int, validators=[AtLeastOne(_l("Choose mentors."))]
    )
    ventures = CheckboxesField(
        _l("Ventures"), coerce=int, validators=[AtLeastOne(_l("Choose at least one venture."))]
    )
    submit = SubmitField(_l("Plan the day"))

    # Filled by validate(): mentor id -> (windows, breaks) for every ticked mentor.
    mentor_hours: dict[int, tuple[list[tuple[time, time]], list[tuple[time, time]]]]

    def windows_field(self, mentor_id: int):
        return self[f"windows_{mentor_id}"]

    def breaks_field(self, mentor_id: int):
        return self[f"breaks_{mentor_id}"]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.mentor_hours = {}
        defaults = {}
        for name in ("default_windows", "default_breaks"):
            try:
                defaults[name] = parse_periods(self[name].data)
            except ValueError as error:
                self[name].errors.append(str(error))
                valid = False
        if not valid:
            return False
        for mentor_id in self.mentors.data or []:
            windows_field, breaks_field = (
                self.windows_field(mentor_id),
                self.breaks_field(mentor_id),
            )
            try:
                windows = parse_periods(windows_field.data) or defaults["default_windows"]
            except ValueError as error:
                windows_field.errors.append(str(error))
                valid = False
                continue
            text = (breaks_field.data or "").strip()
            if text.lower() in NO_BREAKS:
                breaks = []
            else:
                try:
                    breaks = parse_periods(text) if text else defaults["default_breaks"]
                except ValueError as error:
                    breaks_field.errors.append(str(error))
                    valid = False
                    continue
            self.mentor_hours[mentor_id] = (windows, breaks)
        return valid


def new_day_form(mentors: list[User], ventures: list[Venture], **kwargs) -> NewDayForm:
    """The set-up form with a row of hours for each mentor and the cohort's ventures."""

    class DayForm(NewDayForm):
        pass

    for mentor in mentors:
        setattr(
            DayForm,
            f"windows_{mentor.id}",
            StringField(_("%(name)s's hours", name=mentor.name), validators=[Length(max=400)]),
        )
        setattr(
            DayForm,
            f"breaks_{mentor.id}",
            StringField(_("%(name)s's breaks", name=mentor.name), validators=[Length(max=400)]),
        )
    form = DayForm(**kwargs)
    form.mentors.choices = [(m.id, m.name) for m in mentors]
    form.ventures.choices = [(v.id, v.name) for v in ventures]
    if not form.is_submitted():
        form.ventures.data = [v.id for v in ventures]
    return form


class PlanAgainForm(FlaskForm):
    submit = SubmitField(_l("Plan again"))


class PublishForm(FlaskForm):
    confirm = ConfirmBox(
        _l("Yes, book every meeting in this plan and tell the mentors and founders")
    )
    submit = SubmitField(_l("Publish as bookings"))


class RankingForm(FlaskForm):
    """One rank select per person met; `ordered_ids` is the result, best first."""

    choice = HiddenField()
    submit = SubmitField(_l("Save ranking"))
    ordered_ids: list[int]

    def rank_field(self, option_id: int):
        return self[f"rank_{option_id}"]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        ranked: dict[int, int] = {}
        for field in self:
            if not field.name.startswith("rank_") or not field.data:
                continue
            rank = int(field.data)
            if rank in ranked:
                field.errors.append(
                    _("Rank %(rank)d is given twice; give each a different rank.", rank=rank)
                )
                return False
            ranked[rank] = int(field.name.removeprefix("rank_"))
        if not ranked:
            self.submit.errors.append(_("Rank at least one."))
            return False
        self.ordered_ids = [ranked[rank] for rank in sorted(ranked)]
        return True


def ranking_form(options: list[tuple[int, str]], saved: list[int], choice: str, formdata=None):
    """A form ranking `options` (id, name): from `formdata` if this is the one sent, else
    filled with the saved order."""

    class Ranking(RankingForm):
        pass

    numbers = [("", _("Not ranked"))] + [(str(n), str(n)) for n in range(1, len(options) + 1)]
    for option_id, name in options:
        setattr(Ranking, f"rank_{option_id}", SelectField(name, choices=numbers))
    form = Ranking(formdata=formdata)
    form.choice.data = choice
    if formdata is None:
        for rank, option_id in enumerate(saved, start=1):
            if f"rank_{option_id}" in form:
                form.rank_field(option_id).data = str(rank)
    return form
