"""Forms of the Devpost import: the upload, and the confirmation that applies it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SubmitField


class DevpostUploadForm(FlaskForm):
    file = FileField(
        _l("Devpost projects export (CSV)"),
        validators=[
            FileRequired(message=_l("Choose the CSV file that Devpost exported.")),
            FileAllowed(
                ["csv"], message=_l("Upload a .csv file: the projects export from Devpost.")
            ),
        ],
    )
    submit = SubmitField(_l("Upload and preview"))


class ImportApplyForm(FlaskForm):
    include_drafts = BooleanField(_l("Also import drafts (projects the team has not submitted)"))
    submit = SubmitField(_l("Import"))
