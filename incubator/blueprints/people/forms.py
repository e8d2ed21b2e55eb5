from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, SubmitField
from wtforms.validators import AnyOf, Email, InputRequired, Length

from incubator.blueprints.auth.forms import strip
from incubator.forms import AtLeastOne, CheckboxesField, ConfirmBox, role_choices
from incubator.templating import role_label


def _translated_roles(include_admin: bool) -> list[tuple[str, str]]:
    """The roles to tick, each named in the request's language."""
    return [(value, role_label(value)) for value, _english in role_choices(include_admin)]


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email"), filters=[strip], validators=[InputRequired(), Email(), Length(max=254)]
    )
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    roles = CheckboxesField(_l("Roles"), validators=[AtLeastOne(_l("Choose at least one role."))])
    submit = SubmitField(_l("Send invitation"))

    def __init__(self, *args, include_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = _translated_roles(include_admin)


class RolesForm(FlaskForm):
    roles = CheckboxesField(_l("Roles"), validators=[AtLeastOne(_l("Choose at least one role."))])
    submit = SubmitField(_l("Save roles"))

    def __init__(self, *args, include_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = _translated_roles(include_admin)


class ActivationForm(FlaskForm):
    """Activate ("1") or deactivate ("0") an account."""

    active = HiddenField(validators=[InputRequired(), AnyOf(["0", "1"])])
    submit = SubmitField()


class ResendInvitationForm(FlaskForm):
    submit = SubmitField(_l("Send the invitation again"))


class RetryMailForm(FlaskForm):
    confirm = ConfirmBox(_l("Yes, send this mail again"))
    submit = SubmitField(_l("Send again"))
