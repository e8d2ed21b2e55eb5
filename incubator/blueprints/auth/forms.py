from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from incubator.forms import TimeZoneField


def strip(value: str | None) -> str | None:
    """Drop the spaces phones and copy-paste add around an address."""
    return value.strip() if isinstance(value, str) else value


# Autocomplete names (WCAG 1.3.5) let browsers and password managers fill in what they know.
USERNAME = {"autocomplete": "username"}
CURRENT_PASSWORD = {"autocomplete": "current-password"}
NEW_PASSWORD = {"autocomplete": "new-password"}
NAME = {"autocomplete": "name"}


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254)],
        render_kw=USERNAME,
    )
    password = PasswordField(
        "Password", validators=[InputRequired(), Length(max=128)], render_kw=CURRENT_PASSWORD
    )
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class NewPasswordMixin:
    password = PasswordField(
        "New password", validators=[InputRequired(), Length(max=128)], render_kw=NEW_PASSWORD
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[InputRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw=NEW_PASSWORD,
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField(
        "Current password",
        validators=[InputRequired(), Length(max=128)],
        render_kw=CURRENT_PASSWORD,
    )
    end_other_sessions = BooleanField("Sign me out on every other device", default=True)
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254)],
        render_kw=USERNAME,
    )
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField("Set new password")


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField("Your name", validators=[InputRequired(), Length(max=120)], render_kw=NAME)
    time_zone = TimeZoneField()
    submit = SubmitField("Create my account")


class EndOtherLoginSessionsForm(FlaskForm):
    submit = SubmitField("Sign out every other device")


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)], render_kw=NAME)
    time_zone = TimeZoneField()
    submit = SubmitField("Save profile")
