from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from incubator.forms import CheckboxesField, ConfirmBox, VersionField, same_choices, whole_number
from incubator.models import CohortStatus
from incubator.services.pipeline.checkins import STANDARD_KPIS
from incubator.services.scorecard.catalogue import impact_area_choices
from incubator.vocabulary import CHALLENGE_AREAS, LANGUAGES, NEEDS, NEIGHBOURHOODS


class CohortForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=160)])
    starts_on = DateField("Starts on", validators=[InputRequired(message="Enter a start date.")])
    ends_on = DateField("Ends on", validators=[InputRequired(message="Enter an end date.")])
    capacity = whole_number(
        "Capacity (ventures)",
        12,
        "Capacity must be between 1 and 500.",
        least=1,
        most=500,
        missing="Enter a whole number.",
    )
    status = SelectField("Status", choices=[(s.value, s.value.capitalize()) for s in CohortStatus])
    showcase_published = BooleanField("Show this cohort on the public showcase")
    submit = SubmitField("Save cohort")

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The end date must be on or after the start date.")


class VentureForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=160)])
    one_liner = StringField("One-liner", validators=[Optional(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=20000)])
    challenge_area = SelectField(
        "Challenge area", choices=[("", "—"), *same_choices(CHALLENGE_AREAS)]
    )
    website = StringField("Website", validators=[Optional(), URL(), Length(max=500)])
    # The scorecard's impact areas, which managers edit: set when the form is made.
    impact_areas = CheckboxesField("Impact areas", choices=[])
    neighbourhoods = CheckboxesField("Neighbourhoods served", choices=same_choices(NEIGHBOURHOODS))
    needs = CheckboxesField("What the team needs", choices=same_choices(NEEDS))
    languages = CheckboxesField("Languages the team works in", choices=same_choices(LANGUAGES))
    shared_kpis = CheckboxesField("KPIs shared with funders", choices=list(STANDARD_KPIS.items()))
    submit = SubmitField("Save venture")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        venture = kwargs.get("obj")
        current = list(venture.impact_areas or []) if venture is not None else []
        self.impact_areas.choices = [(name, name) for name in impact_area_choices(current)]


class EditVentureForm(VentureForm):
    version = VersionField()


class MemberForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    role_in_team = StringField("Role in the team", default="Founder", validators=[Length(max=80)])
    submit = SubmitField("Add to team")


class ArchiveForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[InputRequired(), Length(max=2000)])
    confirm = ConfirmBox("Yes, archive this venture")
    submit = SubmitField("Archive venture")


class CohortChoiceForm(FlaskForm):
    cohort_id = SelectField("Cohort", coerce=int)
    submit = SubmitField("Promote")
