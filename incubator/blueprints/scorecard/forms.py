"""The scorecard managers' forms; their labels, help and choices read in the request's language."""

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
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
from incubator.models import KpiKind
from incubator.services.pipeline.checkins import STANDARD_KPIS
from incubator.services.scorecard import labels

CODE_HELP = _l("Lower-case letters, digits and underscores; used in links and downloads.")


def _choices(labelled: dict) -> list[tuple[str, LazyString]]:
    """A select's choices from a dict of stored values and their (English) labels."""
    return [(str(value), _l(label)) for value, label in labelled.items()]


def _capitalized(label: str) -> LazyString:
    """A label translated when shown, with a capital first letter."""
    return LazyString(lambda: gettext(label).capitalize())


class AreaForm(FlaskForm):
    code = StringField(
        _l("Code"), validators=[InputRequired(), Length(max=40)], description=CODE_HELP
    )
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=80)])
    kind = SelectField(_l("Kind"), choices=_choices(labels.AREA_KINDS))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    position = IntegerField(
        _l("Position"), default=0, validators=[InputRequired(), NumberRange(min=-1000, max=1000)]
    )
    active = BooleanField(
        _l("Active (offered to ventures and shown on the scorecard)"), default=True
    )
    submit = SubmitField(_l("Save impact area"))


def _optional_float(label: str, **kwargs) -> FloatField:
    return FloatField(label, validators=[Optional()], **kwargs)


class MetricForm(FlaskForm):
    code = StringField(
        _l("Code"), validators=[InputRequired(), Length(max=40)], description=CODE_HELP
    )
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    impact_area_id = SelectField(_l("Impact area"), coerce=int)
    description = TextAreaField(
        _l("What it counts and how"), validators=[Optional(), Length(max=4000)]
    )
    unit = SelectField(_l("Unit"), choices=_choices(labels.UNITS))
    unit_label = StringField(
        _l("What is counted"),
        validators=[Optional(), Length(max=40)],
        description=_l("For counts: jobs, ventures, residents…"),
    )
    direction = SelectField(_l("Direction"), choices=_choices(labels.DIRECTIONS))
    frequency = SelectField(_l("Reporting frequency"), choices=_choices(labels.FREQUENCIES))
    derivation = SelectField(
        _l("Where the figures come from"),
        choices=[
            ("", _l("Entered by hand (a department's figure, a survey)")),
            *(
                (d.value, _l("Derived: %(records)s", records=_l(records)))
                for d, records in labels.DERIVATIONS.items()
            ),
        ],
        description=_l("Fixed once the metric is made."),
    )
    baseline_value = _optional_float(_l("Baseline"))
    baseline_on = DateField(_l("Baseline measured on"), validators=[Optional()])
    target_value = _optional_float(
        _l("Target"), description=_l("The value for a period, per period.")
    )
    target_on = DateField(_l("Target to be met by"), validators=[Optional()])
    iris_code = StringField(
        _l("IRIS+ code"),
        validators=[Optional(), Length(max=6)],
        description=_l("Two capital letters and four digits, e.g. PI3687 for jobs created."),
    )
    reference_value = _optional_float(
        _l("Reference figure"),
        description=_l("A national or regional figure to read the local one by."),
    )
    reference_label = StringField(_l("What the reference figure is"), validators=[Length(max=200)])
    reference_source = StringField(_l("Its source"), validators=[Length(max=300)])
    reference_year = IntegerField(
        _l("Its year"), validators=[Optional(), NumberRange(min=1900, max=2100)]
    )
    published = BooleanField(_l("Published on the public scorecard"), default=True)
    position = IntegerField(
        _l("Position in its area"),
        default=0,
        validators=[InputRequired(), NumberRange(min=-1000, max=1000)],
    )
    submit = SubmitField(_l("Save metric"))


class ObservationForm(FlaskForm):
    period_start = SelectField(_l("Period"), validate_choice=False)
    geography = SelectField(_l("Place"), choices=_choices(labels.GEOGRAPHIES))
    neighbourhood_id = SelectField(
        _l("Neighbourhood (when the place is a neighbourhood)"), coerce=int, validate_choice=False
    )
    value = FloatField(_l("Figure"), validators=[InputRequired(message=_l("Enter the figure."))])
    denominator = FloatField(
        _l("Denominator"),
        validators=[Optional()],
        description=_l("For a rate: the figure is the count, this the whole it is out of."),
    )
    data_source_id = SelectField(_l("Data source"), coerce=int, validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Enter figure"))


class CorrectionForm(FlaskForm):
    value = FloatField(
        _l("Corrected figure"), validators=[InputRequired(message=_l("Enter the figure."))]
    )
    denominator = FloatField(_l("Denominator"), validators=[Optional()])
    data_source_id = SelectField(_l("Data source"), coerce=int, validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    reason = TextAreaField(
        _l("Why it is corrected"), validators=[InputRequired(), Length(max=2000)]
    )
    submit = SubmitField(_l("Correct figure"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Why it is withdrawn"), validators=[InputRequired(), Length(max=2000)]
    )
    submit = SubmitField(_l("Withdraw figure"))


class SourceForm(FlaskForm):
    department = StringField(
        _l("Department or organisation"), validators=[InputRequired(), Length(max=160)]
    )
    name = StringField(_l("Dataset"), validators=[InputRequired(), Length(max=200)])
    url = StringField(_l("Link"), validators=[Optional(), URL(), Length(max=500)])
    update_frequency = SelectField(_l("Updated"), choices=_choices(labels.UPDATE_FREQUENCIES))
    geography = SelectField(_l("Finest geography"), choices=_choices(labels.SOURCE_GEOGRAPHIES))
    licence = StringField(_l("Licence"), validators=[Optional(), Length(max=160)])
    contact = StringField(
        _l("Contact"),
        validators=[Optional(), Length(max=200)],
        description=_l("Inside the city only; never shown on the public scorecard."),
    )
    status = SelectField(_l("Status"), choices=_choices(labels.SOURCE_STATUSES))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
    metric_ids = CheckboxesField(_l("Metrics it feeds or could feed"), coerce=int, choices=[])
    submit = SubmitField(_l("Save data source"))


class KpiMappingForm(FlaskForm):
    metric_id = SelectField(_l("Metric"), coerce=int)
    kpi_kind = SelectField(
        _l("Kind of KPI"),
        choices=[
            (KpiKind.STANDARD.value, _l("A standard KPI")),
            (KpiKind.CUSTOM.value, _l("A custom KPI")),
        ],
    )
    standard_kpi = SelectField(
        _l("Standard KPI"),
        choices=[(name, _l(str(label))) for name, label in STANDARD_KPIS.items()],
    )
    custom_name = StringField(
        _l("Custom KPI name"),
        validators=[Optional(), Length(max=80)],
        description=_l("Every venture's own KPI of this name, compared without case."),
    )
    aggregation = SelectField(
        _l("Counted as"),
        choices=[(value, _capitalized(label)) for value, label in labels.AGGREGATIONS.items()],
    )
    submit = SubmitField(_l("Map KPI"))


class SiteForm(FlaskForm):
    label = StringField(_l("Site"), validators=[Optional(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    coordinates = StringField(
        _l("Coordinates"),
        validators=[Optional(), Length(max=60)],
        description=_l("Latitude, longitude, as any map shows them: 34.0537, -118.2427."),
    )
    neighbourhood_id = SelectField(
        _l("Neighbourhood, if there are no coordinates"), coerce=int, validate_choice=False
    )
    submit = SubmitField(_l("Add site"))


class RefreshForm(FlaskForm):
    submit = SubmitField(_l("Refresh derived figures"))
