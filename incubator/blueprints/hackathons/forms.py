from flask_babel import lazy_gettext as _l
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

from incubator.blueprints.hackathons.labels import (
    challenge_area_choices,
    hackathon_status_choices,
)
from incubator.forms import TimeZoneField


class HackathonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=160)])
    theme = StringField(_l("Theme"), validators=[InputRequired(), Length(max=200)])
    starts_on = DateField(
        _l("Starts on"), validators=[InputRequired(message=_l("Enter a start date."))]
    )
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(message=_l("Enter an end date."))])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    time_zone = TimeZoneField()
    status = SelectField(_l("Status"), choices=hackathon_status_choices)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    registration_open = BooleanField(_l("Registration is open (the public registration page)"))
    registration_capacity = IntegerField(
        _l("Places (empty for no limit; beyond them, a waiting list)"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("At least 1 place, or leave it empty.")),
        ],
    )
    submit = SubmitField(_l("Save hackathon"))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


class ChallengeForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    problem_statement = TextAreaField(
        _l("Problem statement"), validators=[InputRequired(), Length(max=5000)]
    )
    challenge_area = SelectField(
        _l("Challenge area"), choices=challenge_area_choices, validate_choice=True
    )
    organisation_id = SelectField(_l("Posted by"), coerce=int)
    dataset_links = TextAreaField(
        _l("Dataset links (one per line)"), validators=[Optional(), Length(max=5000)]
    )
    submit = SubmitField(_l("Save challenge"))


class ProposeChallengeForm(ChallengeForm):
    hackathon_id = SelectField(_l("Hackathon"), coerce=int)
    submit = SubmitField(_l("Propose challenge"))


class ChallengeDecisionForm(FlaskForm):
    approve = BooleanField()
    note = TextAreaField(_l("Reason or note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save decision"))


class SubmissionForm(FlaskForm):
    title = StringField(_l("Project title"), validators=[InputRequired(), Length(max=200)])
    team_name = StringField(_l("Team name"), validators=[InputRequired(), Length(max=200)])
    tagline = StringField(_l("Tagline"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    challenge_id = SelectField(_l("Challenge"), coerce=int)
    demo_url = StringField(_l("Demo link"), validators=[Optional(), URL(), Length(max=500)])
    repository_url = StringField(
        _l("Repository link"), validators=[Optional(), URL(), Length(max=500)]
    )
    video_url = StringField(_l("Video link"), validators=[Optional(), URL(), Length(max=500)])
    members = TextAreaField(
        _l("Team members, one per line: Name <email>"),
        validators=[Optional(), Length(max=5000)],
    )
    submit = SubmitField(_l("Save submission"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A lazy string passes for markup and would be written out unescaped, and this label
        # has angle brackets in it: it is worded now, as plain text.
        self.members.label.text = str(self.members.label.text)
