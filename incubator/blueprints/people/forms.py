from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, SubmitField
from wtforms.validators import AnyOf, Email, InputRequired, Length

from incubator.blueprints.auth.forms import strip
from incubator.forms import AtLeastOne, CheckboxesField, ConfirmBox, role_choices


class InviteForm(FlaskForm):
    email = EmailField(
        "Email", filters=[strip], validators=[InputRequired(), Email(), Length(max=254)]
    )
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    roles = CheckboxesField("Roles", validators=[AtLeastOne("Choose at least one role.")])
    submit = SubmitField("Send invitation")

    def __init__(self, *args, include_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = role_choices(include_admin)


class RolesForm(FlaskForm):
    roles = CheckboxesField("Roles", validators=[AtLeastOne("Choose at least one role.")])
    submit = SubmitField("Save roles")

    def __init__(self, *args, include_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = role_choices(include_admin)


class ActivationForm(FlaskForm):
    """Activate ("1") or deactivate ("0") an account."""

    active = HiddenField(validators=[InputRequired(), AnyOf(["0", "1"])])
    submit = SubmitField()


class ResendInvitationForm(FlaskForm):
    submit = SubmitField("Send the invitation again")


class RetryMailForm(FlaskForm):
    confirm = ConfirmBox("Yes, send this mail again")
    submit = SubmitField("Send again")
