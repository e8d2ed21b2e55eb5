"""Forms of the Devpost import: the upload, and the confirmation that applies it."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SubmitField


class DevpostUploadForm(FlaskForm):
    file = FileField(
        "Devpost projects export (CSV)",
        validators=[
            FileRequired(message="Choose the CSV file that Devpost exported."),
            FileAllowed(["csv"], message="Upload a .csv file: the projects export from Devpost."),
        ],
    )
    submit = SubmitField("Upload and preview")


class ImportApplyForm(FlaskForm):
    include_drafts = BooleanField("Also import drafts (projects the team has not submitted)")
    submit = SubmitField("Import")
