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
from incubator.services.pipeline.checkins import ASK_KINDS, STANDARD_KPIS

STAGE_CHOICES = [(stage.value, stage.label) for stage in Stage]
UNKNOWN_STAGE = "Unknown stage: choose concept, prototype, pilot, launch or adoption."
CONFIDENCE_RANGE = "Confidence is a number from 1 to 5."


def _stage_field(label: str) -> SelectField:
    return SelectField(label, choices=STAGE_CHOICES, invalid_choice_message=UNKNOWN_STAGE)


class MilestoneForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    stage = _stage_field("Stage")
    due_on = DateField("Due on", validators=[Optional()])
    owner_id = SelectField(
        "Owner",
        coerce=int,
        invalid_choice_message="The owner must be one of the venture's founders.",
    )
    submit = SubmitField("Save milestone")


class EditMilestoneForm(MilestoneForm):
    version = VersionField()


class EvidenceForm(FlaskForm):
    evidence_url = StringField(
        "Evidence link",
        validators=[
            Optional(),
            URL(message="Evidence must be a full link (https://…)."),
            Length(max=500),
        ],
    )
    evidence_note = TextAreaField("What was done", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Mark done")

    def validate_evidence_note(self, field):
        if not (field.data or "").strip() and not (self.evidence_url.data or "").strip():
            raise ValidationError("Add evidence: a link to it, a note on it, or both.")


class ReviewForm(FlaskForm):
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Send back")


class StageForm(FlaskForm):
    stage = _stage_field("Move to")
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)])
    # The stage the page showed: a move decided on a page another move made stale is refused.
    seen_stage = HiddenField(validators=[Optional(), Length(max=16)])
    submit = SubmitField("Move venture")


class KpiForm(FlaskForm):
    name = StringField("KPI name", validators=[InputRequired(), Length(max=80)])
    unit = StringField("Unit", validators=[Optional(), Length(max=40)])
    submit = SubmitField("Track this KPI")


def _count(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(min=0, message="Enter 0 or more.")],
    )


def _money(label: str) -> DecimalField:
    return DecimalField(
        label,
        places=2,
        validators=[Optional(), NumberRange(min=0, message="Enter 0 or more.")],
    )


class CheckInForm(FlaskForm):
    week_start = DateField("Week of (Monday)", validators=[InputRequired()])
    summary = TextAreaField("Summary of the week", validators=[InputRequired(), Length(max=5000)])
    progress = TextAreaField("Progress", validators=[Optional(), Length(max=5000)])
    blockers = TextAreaField("Blockers", validators=[Optional(), Length(max=5000)])
    ask_kinds = CheckboxesField(
        "Help you need", choices=[(kind, kind.capitalize()) for kind in ASK_KINDS]
    )
    asks = TextAreaField("What help, exactly", validators=[Optional(), Length(max=5000)])
    confidence = SelectField(
        "Confidence for the coming weeks",
        coerce=int,
        default=3,
        invalid_value_message=CONFIDENCE_RANGE,
        invalid_choice_message=CONFIDENCE_RANGE,
        choices=[
            (1, "1 · very low"),
            (2, "2 · low"),
            (3, "3 · fair"),
            (4, "4 · good"),
            (5, "5 · very good"),
        ],
    )
    users_reached = _count(STANDARD_KPIS["users_reached"])
    active_pilots = _count(STANDARD_KPIS["active_pilots"])
    revenue = _money(STANDARD_KPIS["revenue"])
    funding_raised = _money(STANDARD_KPIS["funding_raised"])
    team_size = _count(STANDARD_KPIS["team_size"])
    # The check-in the page showed for its week ("" for none): a post that finds another one
    # saved meanwhile says whose it replaced.
    seen_check_in = HiddenField(validators=[Optional(), Length(max=20)])
    # The week the page was opened for: a post for another week is refused, so that no form
    # lands on a week whose check-in it did not show.
    seen_week = HiddenField(validators=[Optional(), Length(max=10)])
    submit = SubmitField("Save check-in")


class HiddenStageField(SelectField):
    """A stage the page chooses rather than the person: hidden, still checked as a choice."""

    widget = HiddenInput()

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class StagePlanForm(FlaskForm):
    """One stage's expected time; the page shows one per stage, each with its version."""

    stage = HiddenStageField("Stage", choices=STAGE_CHOICES, invalid_choice_message=UNKNOWN_STAGE)
    expected_days = IntegerField(
        "Expected days in stage",
        validators=[
            InputRequired(message="Enter a whole number of days."),
            NumberRange(min=1, max=3650),
        ],
    )
    version = VersionField()
    submit = SubmitField("Save")


class TemplateForm(FlaskForm):
    stage = _stage_field("Stage")
    title = StringField("Milestone", validators=[InputRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    due_after_days = IntegerField(
        "Due after entering the stage (days)",
        default=30,
        validators=[
            InputRequired(message="Enter a whole number of days."),
            NumberRange(min=0, max=3650),
        ],
    )
    submit = SubmitField("Add default milestone")
