from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from incubator.forms import CheckboxesField, ConfirmBox, VersionField
from incubator.models import Placement, RubricCriterion


class CriterionForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    description = TextAreaField("What judges look for", validators=[Optional(), Length(max=2000)])
    weight = DecimalField(
        "Weight",
        default=1,
        places=None,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
        description="More than 0, at most 100; weights are relative to each other.",
    )
    scale_min = IntegerField(
        "Lowest score", default=1, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    scale_max = IntegerField(
        "Highest score", default=5, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    submit = SubmitField("Add criterion")


class EditCriterionForm(CriterionForm):
    version = VersionField()
    submit = SubmitField("Save criterion")


class RemoveCriterionForm(FlaskForm):
    confirm = ConfirmBox("Yes, remove this criterion", "Tick the box to confirm the removal.")
    submit = SubmitField("Remove")


class AssignForm(FlaskForm):
    # No InputRequired: browsers would then demand every box; the service asks for one.
    judges = CheckboxesField("Judges", coerce=int)
    scope = SelectField("Submissions", choices=[("all", "Every submitted submission")])
    submit = SubmitField("Assign judges")


class UnassignForm(FlaskForm):
    force = BooleanField("Even if scored")
    submit = SubmitField("Remove")


PLACEMENT_CHOICES = [("", "No placement")] + [
    (str(placement), placement.label) for placement in Placement
]


class PlacementForm(FlaskForm):
    placement = SelectField("Placement", choices=PLACEMENT_CHOICES)
    normalise = HiddenField()
    submit = SubmitField("Save")


class ScoreFormBase(FlaskForm):
    """Fields are added per rubric criterion by score_form()."""


def score_field_name(criterion: RubricCriterion) -> str:
    return f"criterion_{criterion.id}"


def comment_field_name(criterion: RubricCriterion) -> str:
    return f"comment_{criterion.id}"


def score_form(criteria: list[RubricCriterion], **kwargs) -> FlaskForm:
    """A form with a score select and a comment for each criterion, in rubric order."""

    class ScoreForm(ScoreFormBase):
        pass

    for criterion in criteria:
        choices = [("", "Choose a score")] + [
            (str(value), str(value))
            for value in range(criterion.scale_min, criterion.scale_max + 1)
        ]
        scale = f"{criterion.scale_min} to {criterion.scale_max}"
        setattr(
            ScoreForm,
            score_field_name(criterion),
            # The service checks the range and gives the message; a refused choice here
            # would only say "Not a valid choice".
            SelectField(
                f"{criterion.name} ({scale}, weight {criterion.weight:g})",
                choices=choices,
                validate_choice=False,
                description=criterion.description,
                render_kw={"required": True},
            ),
        )
        setattr(
            ScoreForm,
            comment_field_name(criterion),
            TextAreaField(
                f"Comment on {criterion.name} (optional)",
                validators=[Optional(), Length(max=2000)],
                render_kw={"rows": 2},
            ),
        )
    ScoreForm.submit = SubmitField("Save scores")
    return ScoreForm(**kwargs)
