from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from incubator.forms import TimeZoneField


def strip(value: str | None) -> str | None:
    """Drop the spaces phones and copy-paste add around an address."""
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(
        "Email", filters=[strip], validators=[InputRequired(), Email(), Length(max=254)]
    )
    password = PasswordField("Password", validators=[InputRequired(), Length(max=128)])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class NewPasswordMixin:
    password = PasswordField("New password", validators=[InputRequired(), Length(max=128)])
    confirm = PasswordField(
        "Repeat the new password",
        validators=[InputRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField("Current password", validators=[InputRequired(), Length(max=128)])
    end_other_sessions = BooleanField("Sign me out on every other device", default=True)
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email", filters=[strip], validators=[InputRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField("Set new password")


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField("Your name", validators=[InputRequired(), Length(max=120)])
    time_zone = TimeZoneField()
    submit = SubmitField("Create my account")


class EndOtherLoginSessionsForm(FlaskForm):
    submit = SubmitField("Sign out every other device")


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    time_zone = TimeZoneField()
    submit = SubmitField("Save profile")
