from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
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
        _l("Email"),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254)],
        render_kw=USERNAME,
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(), Length(max=128)], render_kw=CURRENT_PASSWORD
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class NewPasswordMixin:
    password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(max=128)], render_kw=NEW_PASSWORD
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw=NEW_PASSWORD,
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(), Length(max=128)],
        render_kw=CURRENT_PASSWORD,
    )
    end_other_sessions = BooleanField(_l("Sign me out on every other device"), default=True)
    submit = SubmitField(_l("Change password"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254)],
        render_kw=USERNAME,
    )
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField(_l("Set new password"))


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField(
        _l("Your name"), validators=[InputRequired(), Length(max=120)], render_kw=NAME
    )
    time_zone = TimeZoneField()
    submit = SubmitField(_l("Create my account"))


class EndOtherLoginSessionsForm(FlaskForm):
    submit = SubmitField(_l("Sign out every other device"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)], render_kw=NAME)
    time_zone = TimeZoneField(_l("Time zone"))
    # Left out of a post: no preference. The accounts service refuses a code not configured.
    preferred_language = SelectField(_l("Language"), validate_choice=False)
    submit = SubmitField(_l("Save profile"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The configured languages, each in its own name (and said in its own language: lang);
        # none: the browser's language.
        self.preferred_language.choices = [
            ("", _l("The language my browser asks for")),
            *(
                (code, name, {"lang": code})
                for code, name in current_app.config["LANGUAGES"].items()
            ),
        ]
