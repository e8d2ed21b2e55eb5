from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

from incubator.blueprints.hackathons.labels import placement_choices
from incubator.forms import CheckboxesField, ConfirmBox, VersionField
from incubator.models import RubricCriterion


class CriterionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    description = TextAreaField(
        _l("What judges look for"), validators=[Optional(), Length(max=2000)]
    )
    weight = DecimalField(
        _l("Weight"),
        default=1,
        places=None,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
        description=_l("More than 0, at most 100; weights are relative to each other."),
    )
    scale_min = IntegerField(
        _l("Lowest score"), default=1, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    scale_max = IntegerField(
        _l("Highest score"), default=5, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    submit = SubmitField(_l("Add criterion"))


class EditCriterionForm(CriterionForm):
    version = VersionField()
    submit = SubmitField(_l("Save criterion"))


class RemoveCriterionForm(FlaskForm):
    confirm = ConfirmBox(
        _l("Yes, remove this criterion"), _l("Tick the box to confirm the removal.")
    )
    submit = SubmitField(_l("Remove"))


class AssignForm(FlaskForm):
    # No InputRequired: browsers would then demand every box; the service asks for one.
    judges = CheckboxesField(_l("Judges"), coerce=int)
    scope = SelectField(_l("Submissions"), choices=[("all", _l("Every submitted submission"))])
    submit = SubmitField(_l("Assign judges"))


class UnassignForm(FlaskForm):
    force = BooleanField(_l("Even if scored"))
    submit = SubmitField(_l("Remove"))


class PlacementForm(FlaskForm):
    placement = SelectField(_l("Placement"), choices=placement_choices)
    normalise = HiddenField()
    submit = SubmitField(_l("Save"))


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
        choices = [("", _("Choose a score"))] + [
            (str(value), str(value))
            for value in range(criterion.scale_min, criterion.scale_max + 1)
        ]
        setattr(
            ScoreForm,
            score_field_name(criterion),
            # The service checks the range and gives the message; a refused choice here
            # would only say "Not a valid choice".
            SelectField(
                _(
                    "%(criterion)s (%(lowest)s to %(highest)s, weight %(weight)s)",
                    criterion=criterion.name,
                    lowest=criterion.scale_min,
                    highest=criterion.scale_max,
                    weight=f"{criterion.weight:g}",
                ),
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
                _("Comment on %(criterion)s (optional)", criterion=criterion.name),
                validators=[Optional(), Length(max=2000)],
                render_kw={"rows": 2},
            ),
        )
    ScoreForm.submit = SubmitField(_l("Save scores"))
    return ScoreForm(**kwargs)
