"""The registration forms: the public one, and the program team's."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional

from incubator.forms import AtLeastOne, CheckboxesField, ConfirmBox, same_choices
from incubator.models import Background, OrganisationKind
from incubator.services.hackathons.registrations import ACCESSIBILITY_MAX, RESIDENCES
from incubator.vocabulary import LANGUAGES


class RegistrationForm(FlaskForm):
    # Autocomplete names (WCAG 1.3.5): the registrant's own name and address.
    name = StringField(
        "Your name",
        validators=[InputRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = StringField(
        "Email address",
        validators=[InputRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    backgrounds = CheckboxesField(
        "What you bring (choose all that apply)",
        choices=[(str(b), b.label) for b in Background],
        validators=[AtLeastOne("Choose at least one; 'Other' is fine.")],
    )
    first_civic_hackathon = BooleanField("This is my first civic hackathon")
    residence = SelectField(
        "Where you live",
        choices=[("", "Choose a neighbourhood…"), *same_choices(RESIDENCES)],
        validators=[InputRequired(message="Choose a neighbourhood, or outside the city.")],
    )
    preferred_language = SelectField(
        "Preferred language", choices=same_choices(LANGUAGES), default="English"
    )
    accessibility_needs = TextAreaField(
        "Accessibility needs (optional): anything that helps you take part",
        validators=[Optional(), Length(max=ACCESSIBILITY_MAX)],
    )
    looking_for_team = BooleanField("I am looking for a team")
    under_18 = RadioField(
        "Your age",
        choices=[("no", "18 or older"), ("yes", "Under 18")],
        validators=[InputRequired(message="Say whether you are under 18.")],
    )
    guardian_name = StringField(
        "Under 18: a parent's or guardian's name", validators=[Optional(), Length(max=120)]
    )
    guardian_email = StringField(
        "Under 18: their email address", validators=[Optional(), Email(), Length(max=254)]
    )
    via = HiddenField()
    submit = SubmitField("Register")


class CheckInForm(FlaskForm):
    """One tap: check a person in, or undo it; `search` brings the page back as it was."""

    undo = HiddenField()
    search = HiddenField()


class ConsentForm(FlaskForm):
    given_by = StringField(
        "Who gave consent (parent's or guardian's name)",
        validators=[InputRequired(), Length(max=120)],
    )
    confirm = ConfirmBox("I have the parent's or guardian's consent for this participant")
    submit = SubmitField("Record consent")


class OutreachPartnerForm(FlaskForm):
    organisation_id = SelectField("Organisation", coerce=int)
    new_name = StringField(
        "…or a new organisation's name", validators=[Optional(), Length(max=160)]
    )
    kind = SelectField(
        "Kind of new organisation",
        choices=[(str(k), k.label) for k in OrganisationKind],
        default=OrganisationKind.NONPROFIT.value,
    )
    submit = SubmitField("Add outreach partner")
