"""The registration forms: the public one, and the program team's."""

from flask_babel import lazy_gettext as _l
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
from incubator.models.inclusion import OUTSIDE_THE_CITY
from incubator.services.hackathons.registrations import ACCESSIBILITY_MAX, RESIDENCES
from incubator.services.inclusion import labels
from incubator.vocabulary import LANGUAGES

# Neighbourhoods are names, shown as they are; "outside the city" is words.
RESIDENCE_CHOICES = [
    *same_choices(name for name in RESIDENCES if name != OUTSIDE_THE_CITY),
    (OUTSIDE_THE_CITY, _l(OUTSIDE_THE_CITY)),
]


class RegistrationForm(FlaskForm):
    # Autocomplete names (WCAG 1.3.5): the registrant's own name and address.
    name = StringField(
        _l("Your name"),
        validators=[InputRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = StringField(
        _l("Email address"),
        validators=[InputRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    backgrounds = CheckboxesField(
        _l("What you bring (choose all that apply)"),
        choices=labels.choices(Background),
        validators=[AtLeastOne(_l("Choose at least one; 'Other' is fine."))],
    )
    first_civic_hackathon = BooleanField(_l("This is my first civic hackathon"))
    residence = SelectField(
        _l("Where you live"),
        choices=[("", _l("Choose a neighbourhood…")), *RESIDENCE_CHOICES],
        validators=[InputRequired(message=_l("Choose a neighbourhood, or outside the city."))],
    )
    preferred_language = SelectField(
        _l("Preferred language"),
        choices=[(name, _l(name)) for name in LANGUAGES],
        default="English",
    )
    accessibility_needs = TextAreaField(
        _l("Accessibility needs (optional): anything that helps you take part"),
        validators=[Optional(), Length(max=ACCESSIBILITY_MAX)],
    )
    looking_for_team = BooleanField(_l("I am looking for a team"))
    under_18 = RadioField(
        _l("Your age"),
        choices=[("no", _l("18 or older")), ("yes", _l("Under 18"))],
        validators=[InputRequired(message=_l("Say whether you are under 18."))],
    )
    guardian_name = StringField(
        _l("Under 18: a parent's or guardian's name"), validators=[Optional(), Length(max=120)]
    )
    guardian_email = StringField(
        _l("Under 18: their email address"), validators=[Optional(), Email(), Length(max=254)]
    )
    via = HiddenField()
    submit = SubmitField(_l("Register"))


class CheckInForm(FlaskForm):
    """One tap: check a person in, or undo it; `search` brings the page back as it was."""

    undo = HiddenField()
    search = HiddenField()


class ConsentForm(FlaskForm):
    given_by = StringField(
        _l("Who gave consent (parent's or guardian's name)"),
        validators=[InputRequired(), Length(max=120)],
    )
    confirm = ConfirmBox(
        _l("I have the parent's or guardian's consent for this participant"),
        message=_l("Tick the box to confirm."),
    )
    submit = SubmitField(_l("Record consent"))


class OutreachPartnerForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    new_name = StringField(
        _l("…or a new organisation's name"), validators=[Optional(), Length(max=160)]
    )
    kind = SelectField(
        _l("Kind of new organisation"),
        choices=labels.choices(OrganisationKind),
        default=OrganisationKind.NONPROFIT.value,
    )
    submit = SubmitField(_l("Add outreach partner"))
