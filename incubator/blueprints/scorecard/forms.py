from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional

from incubator.forms import CheckboxesField
from incubator.models import (
    Derivation,
    Geography,
    ImpactAreaKind,
    KpiAggregation,
    KpiKind,
    SourceGeography,
    SourceStatus,
    Unit,
    UpdateFrequency,
)
from incubator.services.pipeline.checkins import STANDARD_KPIS
from incubator.services.scorecard.catalogue import DERIVATION_LABELS
from incubator.services.scorecard.cityscore import Direction
from incubator.services.scorecard.observations import GEOGRAPHY_LABELS
from incubator.services.scorecard.periods import Frequency

CODE_HELP = "Lower-case letters, digits and underscores; used in links and downloads."


class AreaForm(FlaskForm):
    code = StringField("Code", validators=[InputRequired(), Length(max=40)], description=CODE_HELP)
    name = StringField("Name", validators=[InputRequired(), Length(max=80)])
    kind = SelectField("Kind", choices=[(k.value, k.label) for k in ImpactAreaKind])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    position = IntegerField(
        "Position", default=0, validators=[InputRequired(), NumberRange(min=-1000, max=1000)]
    )
    active = BooleanField("Active (offered to ventures and shown on the scorecard)", default=True)
    submit = SubmitField("Save impact area")


def _optional_float(label: str, **kwargs) -> FloatField:
    return FloatField(label, validators=[Optional()], **kwargs)


class MetricForm(FlaskForm):
    code = StringField("Code", validators=[InputRequired(), Length(max=40)], description=CODE_HELP)
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    impact_area_id = SelectField("Impact area", coerce=int)
    description = TextAreaField("What it counts and how", validators=[Optional(), Length(max=4000)])
    unit = SelectField("Unit", choices=[(u.value, u.label) for u in Unit])
    unit_label = StringField(
        "What is counted",
        validators=[Optional(), Length(max=40)],
        description="For counts: jobs, ventures, residents…",
    )
    direction = SelectField("Direction", choices=[(d.value, d.label) for d in Direction])
    frequency = SelectField("Reporting frequency", choices=[(f.value, f.label) for f in Frequency])
    derivation = SelectField(
        "Where the figures come from",
        choices=[("", "Entered by hand (a department's figure, a survey)")]
        + [(d.value, f"Derived: {DERIVATION_LABELS[d]}") for d in Derivation],
        description="Fixed once the metric is made.",
    )
    baseline_value = _optional_float("Baseline")
    baseline_on = DateField("Baseline measured on", validators=[Optional()])
    target_value = _optional_float("Target", description="The value for a period, per period.")
    target_on = DateField("Target to be met by", validators=[Optional()])
    iris_code = StringField(
        "IRIS+ code",
        validators=[Optional(), Length(max=6)],
        description="Two capital letters and four digits, e.g. PI3687 for jobs created.",
    )
    reference_value = _optional_float(
        "Reference figure", description="A national or regional figure to read the local one by."
    )
    reference_label = StringField("What the reference figure is", validators=[Length(max=200)])
    reference_source = StringField("Its source", validators=[Length(max=300)])
    reference_year = IntegerField(
        "Its year", validators=[Optional(), NumberRange(min=1900, max=2100)]
    )
    published = BooleanField("Published on the public scorecard", default=True)
    position = IntegerField(
        "Position in its area",
        default=0,
        validators=[InputRequired(), NumberRange(min=-1000, max=1000)],
    )
    submit = SubmitField("Save metric")


class ObservationForm(FlaskForm):
    period_start = SelectField("Period", validate_choice=False)
    geography = SelectField("Place", choices=[(g.value, GEOGRAPHY_LABELS[g]) for g in Geography])
    neighbourhood_id = SelectField(
        "Neighbourhood (when the place is a neighbourhood)", coerce=int, validate_choice=False
    )
    value = FloatField("Figure", validators=[InputRequired(message="Enter the figure.")])
    denominator = FloatField(
        "Denominator",
        validators=[Optional()],
        description="For a rate: the figure is the count, this the whole it is out of.",
    )
    data_source_id = SelectField("Data source", coerce=int, validate_choice=False)
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Enter figure")


class CorrectionForm(FlaskForm):
    value = FloatField("Corrected figure", validators=[InputRequired(message="Enter the figure.")])
    denominator = FloatField("Denominator", validators=[Optional()])
    data_source_id = SelectField("Data source", coerce=int, validate_choice=False)
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    reason = TextAreaField("Why it is corrected", validators=[InputRequired(), Length(max=2000)])
    submit = SubmitField("Correct figure")


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Why it is withdrawn", validators=[InputRequired(), Length(max=2000)])
    submit = SubmitField("Withdraw figure")


class SourceForm(FlaskForm):
    department = StringField(
        "Department or organisation", validators=[InputRequired(), Length(max=160)]
    )
    name = StringField("Dataset", validators=[InputRequired(), Length(max=200)])
    url = StringField("Link", validators=[Optional(), URL(), Length(max=500)])
    update_frequency = SelectField(
        "Updated", choices=[(f.value, f.value.capitalize()) for f in UpdateFrequency]
    )
    geography = SelectField(
        "Finest geography", choices=[(g.value, g.label) for g in SourceGeography]
    )
    licence = StringField("Licence", validators=[Optional(), Length(max=160)])
    contact = StringField(
        "Contact",
        validators=[Optional(), Length(max=200)],
        description="Inside the city only; never shown on the public scorecard.",
    )
    status = SelectField("Status", choices=[(s.value, s.label) for s in SourceStatus])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=4000)])
    metric_ids = CheckboxesField("Metrics it feeds or could feed", coerce=int, choices=[])
    submit = SubmitField("Save data source")


class KpiMappingForm(FlaskForm):
    metric_id = SelectField("Metric", coerce=int)
    kpi_kind = SelectField(
        "Kind of KPI",
        choices=[
            (KpiKind.STANDARD.value, "A standard KPI"),
            (KpiKind.CUSTOM.value, "A custom KPI"),
        ],
    )
    standard_kpi = SelectField("Standard KPI", choices=list(STANDARD_KPIS.items()))
    custom_name = StringField(
        "Custom KPI name",
        validators=[Optional(), Length(max=80)],
        description="Every venture's own KPI of this name, compared without case.",
    )
    aggregation = SelectField(
        "Counted as", choices=[(a.value, a.label.capitalize()) for a in KpiAggregation]
    )
    submit = SubmitField("Map KPI")


class SiteForm(FlaskForm):
    label = StringField("Site", validators=[Optional(), Length(max=120)])
    address = StringField("Address", validators=[Optional(), Length(max=300)])
    coordinates = StringField(
        "Coordinates",
        validators=[Optional(), Length(max=60)],
        description="Latitude, longitude, as any map shows them: 34.0537, -118.2427.",
    )
    neighbourhood_id = SelectField(
        "Neighbourhood, if there are no coordinates", coerce=int, validate_choice=False
    )
    submit = SubmitField("Add site")


class RefreshForm(FlaskForm):
    submit = SubmitField("Refresh derived figures")
