"""The questions about you: each optional, each with "prefer not to say"."""

from __future__ import annotations

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
from incubator.services.inclusion.demographics import (
    DETAIL_MAX,
    SELF_DESCRIBED_MAX,
    AnswersInput,
)

NO_ANSWER = ("", "I'd rather skip this question")


def _choices(choices: type[LabelledEnum]) -> list[tuple[str, str]]:
    """An enum's answers, with skipping the question first."""
    return [NO_ANSWER, *((choice.value, choice.label) for choice in choices)]


class AboutYouForm(FlaskForm):
    race_ethnicity = CheckboxesField(
        "Race and ethnicity (choose all that apply)",
        choices=[
            *((race.value, race.label) for race in RaceEthnicity),
            (PREFER_NOT_TO_SAY, "Prefer not to say"),
        ],
    )
    race_ethnicity_detail = StringField(
        "In your own words, if you like (for example Mexican, Korean, Lebanese, Navajo Nation)",
        validators=[Length(max=DETAIL_MAX)],
    )
    gender = SkippableRadioField("Gender", choices=_choices(Gender), default="")
    gender_self_described = StringField(
        "If in your own words: the term you use", validators=[Length(max=SELF_DESCRIBED_MAX)]
    )
    age_band = SkippableSelectField("Age", choices=_choices(AgeBand), default="")
    la_resident = SkippableRadioField(
        "Do you live in the City of Los Angeles?", choices=_choices(YesNo), default=""
    )
    immigrant_history = SkippableRadioField(
        "Are you an immigrant or the child of immigrants?",
        choices=_choices(ImmigrantHistory),
        default="",
    )
    submit = SubmitField("Save my answers")

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
