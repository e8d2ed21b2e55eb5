"""The questions about you: each optional, each with "prefer not to say"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from incubator.forms import CheckboxesField, SkippableRadioField, SkippableSelectField
from incubator.models import (
    PREFER_NOT_TO_SAY,
    AgeBand,
    Gender,
    ImmigrantHistory,
    RaceEthnicity,
    YesNo,
)
from incubator.models.labels import LabelledEnum
from incubator.services.inclusion import labels
from incubator.services.inclusion.demographics import (
    DETAIL_MAX,
    SELF_DESCRIBED_MAX,
    AnswersInput,
)

NO_ANSWER = ("", _l("I'd rather skip this question"))


def _choices(choices: type[LabelledEnum]) -> list[tuple[str, str]]:
    """An enum's answers, with skipping the question first."""
    return [NO_ANSWER, *labels.choices(choices)]


class AboutYouForm(FlaskForm):
    race_ethnicity = CheckboxesField(
        _l("Race and ethnicity (choose all that apply)"),
        choices=[
            *labels.choices(RaceEthnicity),
            (PREFER_NOT_TO_SAY, _l("Prefer not to say")),
        ],
    )
    race_ethnicity_detail = StringField(
        _l("In your own words, if you like (for example Mexican, Korean, Lebanese, Navajo Nation)"),
        validators=[Length(max=DETAIL_MAX)],
    )
    gender = SkippableRadioField(_l("Gender"), choices=_choices(Gender), default="")
    gender_self_described = StringField(
        _l("If in your own words: the term you use"), validators=[Length(max=SELF_DESCRIBED_MAX)]
    )
    age_band = SkippableSelectField(_l("Age"), choices=_choices(AgeBand), default="")
    la_resident = SkippableRadioField(
        _l("Do you live in the City of Los Angeles?"), choices=_choices(YesNo), default=""
    )
    immigrant_history = SkippableRadioField(
        _l("Are you an immigrant or the child of immigrants?"),
        choices=_choices(ImmigrantHistory),
        default="",
    )
    submit = SubmitField(_l("Save my answers"))

    def answers(self) -> AnswersInput:
        return AnswersInput(
            race_ethnicity=list(self.race_ethnicity.data or []),
            race_ethnicity_detail=self.race_ethnicity_detail.data or "",
            gender=self.gender.data or None,
            gender_self_described=self.gender_self_described.data or "",
            age_band=self.age_band.data or None,
            la_resident=self.la_resident.data or None,
            immigrant_history=self.immigrant_history.data or None,
        )
