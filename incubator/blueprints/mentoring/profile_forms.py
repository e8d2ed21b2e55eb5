"""Forms for mentor profiles."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from incubator.forms import (
    CheckboxesField,
    TimeZoneField,
    VersionField,
    whole_number,
)
from incubator.services.mentoring.profiles import MAX_CAPACITY, MAX_TAG_LENGTH, MAX_TAGS
from incubator.vocabulary import CHALLENGE_AREAS, LANGUAGES

CAPACITY_MESSAGE = _l("Enter a whole number of ventures from 0 to %(most)d.", most=MAX_CAPACITY)


class TagsField(StringField):
    """Tags typed as one comma-separated line, read back as a list (cleaned by the service)."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = re.split(r"[,\n]", valuelist[0]) if valuelist else []


class MentorProfileForm(FlaskForm):
    bio = TextAreaField(_l("About you"), validators=[Optional(), Length(max=5000)])
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=160)],
        render_kw={"autocomplete": "organization"},
    )
    expertise = TagsField(
        _l("Expertise"),
        description=_l(
            "Separate with commas, e.g. fundraising, product design, city procurement. "
            "Up to %(tags)d, each at most %(length)d characters.",
            tags=MAX_TAGS,
            length=MAX_TAG_LENGTH,
        ),
    )
    # The stored values stay English; their labels are read in the page's language.
    challenge_areas = CheckboxesField(
        _l("Sectors and challenge areas"), choices=[(area, _l(area)) for area in CHALLENGE_AREAS]
    )
    languages = CheckboxesField(
        _l("Languages you mentor in"), choices=[(name, _l(name)) for name in LANGUAGES]
    )
    time_zone = TimeZoneField(
        _l("Time zone"),
        description=_l("You enter your availability in this zone; founders see it in theirs."),
    )
    capacity = whole_number(
        _l("Ventures you can take on at once"), 3, CAPACITY_MESSAGE, most=MAX_CAPACITY
    )
    meeting_link = StringField(
        _l("Video meeting link"),
        validators=[Optional(), Length(max=500)],
        description=_l("Starts with https://. Used for slots that name no place of their own."),
    )
    meeting_place = StringField(_l("Or a place to meet"), validators=[Optional(), Length(max=200)])
    accepting = BooleanField(_l("Accepting new ventures"), default=True)
    # 0 until the first save: a mentor without a profile is at version 0.
    version = VersionField(_l("Version"), default=0)
    submit = SubmitField(_l("Save profile"))
