from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField


class LanguageForm(FlaskForm):
    """The switch on every page: a language of the LANGUAGES setting, and the page to go
    back to."""

    language = SelectField(_l("Language"))
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = list(current_app.config["LANGUAGES"].items())
