from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, ValidationError

from incubator.forms import TimeZoneField
from incubator.models import HackathonStatus
from incubator.vocabulary import CHALLENGE_AREAS


class HackathonForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=160)])
    theme = StringField("Theme", validators=[InputRequired(), Length(max=200)])
    starts_on = DateField("Starts on", validators=[InputRequired(message="Enter a start date.")])
    ends_on = DateField("Ends on", validators=[InputRequired(message="Enter an end date.")])
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    time_zone = TimeZoneField()
    status = SelectField(
        "Status", choices=[(s.value, s.value.capitalize()) for s in HackathonStatus]
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    registration_open = BooleanField("Registration is open (the public registration page)")
    registration_capacity = IntegerField(
        "Places (empty for no limit; beyond them, a waiting list)",
        validators=[Optional(), NumberRange(min=1, message="At least 1 place, or leave it empty.")],
    )
    submit = SubmitField("Save hackathon")

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The end date must be on or after the start date.")


def _area_choices():
    return [("", "—")] + [(area, area) for area in CHALLENGE_AREAS]


class ChallengeForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    problem_statement = TextAreaField(
        "Problem statement", validators=[InputRequired(), Length(max=5000)]
    )
    challenge_area = SelectField("Challenge area", choices=_area_choices(), validate_choice=True)
    organisation_id = SelectField("Posted by", coerce=int)
    dataset_links = TextAreaField(
        "Dataset links (one per line)", validators=[Optional(), Length(max=5000)]
    )
    submit = SubmitField("Save challenge")


class ProposeChallengeForm(ChallengeForm):
    hackathon_id = SelectField("Hackathon", coerce=int)
    submit = SubmitField("Propose challenge")


class ChallengeDecisionForm(FlaskForm):
    approve = BooleanField()
    note = TextAreaField("Reason or note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save decision")


class SubmissionForm(FlaskForm):
    title = StringField("Project title", validators=[InputRequired(), Length(max=200)])
    team_name = StringField("Team name", validators=[InputRequired(), Length(max=200)])
    tagline = StringField("Tagline", validators=[Optional(), Length(max=300)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=20000)])
    challenge_id = SelectField("Challenge", coerce=int)
    demo_url = StringField("Demo link", validators=[Optional(), URL(), Length(max=500)])
    repository_url = StringField("Repository link", validators=[Optional(), URL(), Length(max=500)])
    video_url = StringField("Video link", validators=[Optional(), URL(), Length(max=500)])
    members = TextAreaField(
        "Team members, one per line: Name <email>",
        validators=[Optional(), Length(max=5000)],
    )
    submit = SubmitField("Save submission")
