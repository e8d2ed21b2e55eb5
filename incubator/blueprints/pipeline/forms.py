from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from incubator.forms import CheckboxesField, VersionField
from incubator.models import Stage
from incubator.services.pipeline.checkins import ASK_KINDS, ask_kind_label, kpi_label
from incubator.services.pipeline.stages import stage_label

# Labels translated when a form is drawn, in the language of its request.
STAGE_CHOICES = [(stage.value, LazyString(stage_label, stage)) for stage in Stage]
UNKNOWN_STAGE = _l("Unknown stage: choose concept, prototype, pilot, launch or adoption.")
CONFIDENCE_RANGE = _l("Confidence is a number from 1 to 5.")
ZERO_OR_MORE = _l("Enter 0 or more.")
WHOLE_DAYS = _l("Enter a whole number of days.")


def _stage_field(label: LazyString) -> SelectField:
    return SelectField(label, choices=STAGE_CHOICES, invalid_choice_message=UNKNOWN_STAGE)


class MilestoneForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    stage = _stage_field(_l("Stage"))
    due_on = DateField(_l("Due on"), validators=[Optional()])
    owner_id = SelectField(
        _l("Owner"),
        coerce=int,
        invalid_choice_message=_l("The owner must be one of the venture's founders."),
    )
    submit = SubmitField(_l("Save milestone"))


class EditMilestoneForm(MilestoneForm):
    version = VersionField()


class EvidenceForm(FlaskForm):
    evidence_url = StringField(
        _l("Evidence link"),
        validators=[
            Optional(),
            URL(message=_l("Evidence must be a full link (https://…).")),
            Length(max=500),
        ],
    )
    evidence_note = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Mark done"))

    def validate_evidence_note(self, field):
        if not (field.data or "").strip() and not (self.evidence_url.data or "").strip():
            raise ValidationError(_l("Add evidence: a link to it, a note on it, or both."))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Send back"))


class StageForm(FlaskForm):
    stage = _stage_field(_l("Move to"))
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    # The stage the page showed: a move decided on a page another move made stale is refused.
    seen_stage = HiddenField(validators=[Optional(), Length(max=16)])
    submit = SubmitField(_l("Move venture"))


class KpiForm(FlaskForm):
    name = StringField(_l("KPI name"), validators=[InputRequired(), Length(max=80)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Track this KPI"))


def _count(label: LazyString) -> IntegerField:
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(min=0, message=ZERO_OR_MORE)],
    )


def _money(label: LazyString) -> DecimalField:
    return DecimalField(
        label,
        places=2,
        validators=[Optional(), NumberRange(min=0, message=ZERO_OR_MORE)],
    )


def _kpi(key: str) -> LazyString:
    return LazyString(kpi_label, key)


class CheckInForm(FlaskForm):
    week_start = DateField(_l("Week of (Monday)"), validators=[InputRequired()])
    summary = TextAreaField(
        _l("Summary of the week"), validators=[InputRequired(), Length(max=5000)]
    )
    progress = TextAreaField(_l("Progress"), validators=[Optional(), Length(max=5000)])
    blockers = TextAreaField(_l("Blockers"), validators=[Optional(), Length(max=5000)])
    ask_kinds = CheckboxesField(
        _l("Help you need"),
        choices=[(kind, LazyString(ask_kind_label, kind)) for kind in ASK_KINDS],
    )
    asks = TextAreaField(_l("What help, exactly"), validators=[Optional(), Length(max=5000)])
    confidence = SelectField(
        _l("Confidence for the coming weeks"),
        coerce=int,
        default=3,
        invalid_value_message=CONFIDENCE_RANGE,
        invalid_choice_message=CONFIDENCE_RANGE,
        choices=[
            (1, _l("1 · very low")),
            (2, _l("2 · low")),
            (3, _l("3 · fair")),
            (4, _l("4 · good")),
            (5, _l("5 · very good")),
        ],
    )
    users_reached = _count(_kpi("users_reached"))
    active_pilots = _count(_kpi("active_pilots"))
    revenue = _money(_kpi("revenue"))
    funding_raised = _money(_kpi("funding_raised"))
    team_size = _count(_kpi("team_size"))
    # The check-in the page showed for its week ("" for none): a post that finds another one
    # saved meanwhile says whose it replaced.
    seen_check_in = HiddenField(validators=[Optional(), Length(max=20)])
    # The week the page was opened for: a post for another week is refused, so that no form
    # lands on a week whose check-in it did not show.
    seen_week = HiddenField(validators=[Optional(), Length(max=10)])
    submit = SubmitField(_l("Save check-in"))


class HiddenStageField(SelectField):
    """A stage the page chooses rather than the person: hidden, still checked as a choice."""

    widget = HiddenInput()

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class StagePlanForm(FlaskForm):
    """One stage's expected time; the page shows one per stage, each with its version."""

    stage = HiddenStageField(
        _l("Stage"), choices=STAGE_CHOICES, invalid_choice_message=UNKNOWN_STAGE
    )
    expected_days = IntegerField(
        _l("Expected days in stage"),
        validators=[InputRequired(message=WHOLE_DAYS), NumberRange(min=1, max=3650)],
    )
    version = VersionField()
    submit = SubmitField(_l("Save"))


class TemplateForm(FlaskForm):
    stage = _stage_field(_l("Stage"))
    title = StringField(_l("Milestone"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    due_after_days = IntegerField(
        _l("Due after entering the stage (days)"),
        default=30,
        validators=[InputRequired(message=WHOLE_DAYS), NumberRange(min=0, max=3650)],
    )
    submit = SubmitField(_l("Add default milestone"))
