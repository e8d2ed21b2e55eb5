from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
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
from incubator.services.cohorts.ventures import cohort_status_label
from incubator.services.pipeline.checkins import STANDARD_KPIS, kpi_label
from incubator.services.scorecard.catalogue import impact_area_choices
from incubator.vocabulary import CHALLENGE_AREAS, LANGUAGES, NEEDS, NEIGHBOURHOODS


class CohortForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=160)])
    starts_on = DateField(
        _l("Starts on"), validators=[InputRequired(message=_l("Enter a start date."))]
    )
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(message=_l("Enter an end date."))])
    capacity = whole_number(
        _l("Capacity (ventures)"),
        12,
        _l("Capacity must be between 1 and 500."),
        least=1,
        most=500,
        missing=_l("Enter a whole number."),
    )
    status = SelectField(
        _l("Status"),
        choices=[
            (status.value, LazyString(cohort_status_label, status)) for status in CohortStatus
        ],
    )
    showcase_published = BooleanField(_l("Show this cohort on the public showcase"))
    submit = SubmitField(_l("Save cohort"))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


class VentureForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=160)])
    one_liner = StringField(_l("One-liner"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    challenge_area = SelectField(
        _l("Challenge area"), choices=[("", "—"), *same_choices(CHALLENGE_AREAS)]
    )
    website = StringField(_l("Website"), validators=[Optional(), URL(), Length(max=500)])
    # The scorecard's impact areas, which managers edit: set when the form is made.
    impact_areas = CheckboxesField(_l("Impact areas"), choices=[])
    neighbourhoods = CheckboxesField(
        _l("Neighbourhoods served"), choices=same_choices(NEIGHBOURHOODS)
    )
    needs = CheckboxesField(_l("What the team needs"), choices=same_choices(NEEDS))
    languages = CheckboxesField(_l("Languages the team works in"), choices=same_choices(LANGUAGES))
    shared_kpis = CheckboxesField(
        _l("KPIs shared with funders"),
        choices=[(key, LazyString(kpi_label, key)) for key in STANDARD_KPIS],
    )
    submit = SubmitField(_l("Save venture"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        venture = kwargs.get("obj")
        current = list(venture.impact_areas or []) if venture is not None else []
        self.impact_areas.choices = [(name, name) for name in impact_area_choices(current)]


class EditVentureForm(VentureForm):
    version = VersionField()


class MemberForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    # Left empty, the service stores the default role (FOUNDER), which each reader then sees
    # in their own language; the placeholder says so in the manager's.
    role_in_team = StringField(
        _l("Role in the team"),
        validators=[Length(max=80)],
        render_kw={"placeholder": _l("Founder")},
    )
    submit = SubmitField(_l("Add to team"))


class ArchiveForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=2000)])
    confirm = ConfirmBox(_l("Yes, archive this venture"))
    submit = SubmitField(_l("Archive venture"))


class CohortChoiceForm(FlaskForm):
    cohort_id = SelectField(_l("Cohort"), coerce=int)
    submit = SubmitField(_l("Promote"))
