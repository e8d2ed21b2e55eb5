"""Form pieces shared by several blueprints."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from zoneinfo import available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    widgets,
)
from wtforms.validators import InputRequired, NumberRange, StopValidation

from incubator.i18n import time_zone_name
from incubator.models import ROLE_LABELS, Role
from incubator.services.errors import StaleEdit

# The zones people here are likeliest to pick come first.
COMMON_ZONES = [
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "Pacific/Honolulu",
    "America/Anchorage",
    "UTC",
]


# Default labels and messages of the shared fields, translated where they are shown.
TICK_TO_CONFIRM = _l("Tick the box to confirm.")
TIME_ZONE = _l("Time zone")
CHOOSE_ONE = _l("Choose at least one.")
VERSION = _l("Version")


# Names in the zone database that are no place's time: the machine's own, and a placeholder.
NOT_ZONES = {"localtime", "Factory"}


def time_zone_choices() -> list[tuple[str, str]]:
    """Every zone this server knows, the common ones first, each named in the language of
    the request (i18n.time_zone_name). Called when a form is made, so in its request."""
    rest = sorted(available_timezones() - set(COMMON_ZONES) - NOT_ZONES)
    return [(zone, time_zone_name(zone)) for zone in COMMON_ZONES + rest]


def role_choices(include_admin: bool) -> list[tuple[str, str]]:
    return [
        (str(role), _(ROLE_LABELS[role]))
        for role in Role
        if include_admin or role is not Role.ADMIN
    ]


def same_choices(values: Iterable[str]) -> list[tuple[str, Any]]:
    """Choices from a vocabulary list (incubator/vocabulary.py): stored as the English word,
    shown in the page's language (lazily, as forms declare their choices at import)."""
    return [(value, _l(value)) for value in values]


def whole_number(
    label: Any,
    default: int,
    message: Any,
    least: int = 0,
    most: int | None = None,
    missing: Any = None,
) -> IntegerField:
    """A required whole number from `least` (to `most`): `message` for one out of bounds,
    `missing` (by default the same message) for one left empty or not a number."""
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired(message=missing or message),
            NumberRange(min=least, max=most, message=message),
        ],
    )


class ConfirmBox(BooleanField):
    """A box to tick before a step that cannot be undone; the form is refused without it."""

    def __init__(self, label: Any, message: Any = TICK_TO_CONFIRM, **kwargs):
        super().__init__(label, validators=[InputRequired(message=message)], **kwargs)


class TimeZoneField(SelectField):
    def __init__(self, label: Any = TIME_ZONE, **kwargs):
        kwargs.setdefault("default", "America/Los_Angeles")
        super().__init__(label, choices=time_zone_choices(), **kwargs)


class AtLeastOne:
    """Require one ticked box; unlike InputRequired it puts no `required` on every checkbox."""

    def __init__(self, message: Any = CHOOSE_ONE):
        self.message = message

    def __call__(self, form, field) -> None:
        if not field.data:
            raise StopValidation(self.message)


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class VersionField(HiddenField):
    """The version of the object an edit form was opened at, filled when the form is
    rendered; the service refuses a save from an older version (services/versions.py)."""

    data: int | None

    def __init__(self, label: Any = VERSION, **kwargs):
        kwargs.setdefault(
            "validators",
            [
                InputRequired(
                    message=_l(
                        "This form does not say which version it was opened at. Reload "
                        "the page and make your change again."
                    )
                )
            ],
        )
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0])
            except ValueError:
                self.data = None
                raise ValueError(
                    _("The form's version is not a number; reload the page.")
                ) from None


def _shown(value: Any, choices: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple):
        return ", ".join(_shown(item, choices) for item in value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return choices.get(str(value), str(value))


def stale_rows(error: StaleEdit, form=None) -> list[tuple[str, str, str]]:
    """The fields of a refused stale edit as (label, their saved value, your unsaved value),
    labelled and worded as the form shows them (a choice's label rather than its value)."""
    rows = []
    for key, yours in error.yours.items():
        field = form._fields.get(key) if form is not None else None
        label = field.label.text if field is not None else key
        choices: dict[str, str] = {}
        if field is not None and getattr(field, "choices", None):
            choices = {str(choice.value): str(choice.label) for choice in field.iter_choices()}
        rows.append((label, _shown(error.theirs.get(key), choices), _shown(yours, choices)))
    return rows


class ConfirmForm(FlaskForm):
    """A button that does one thing: nothing to check but the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class _Skippable(Field):
    """A question one may skip: its "" choice is the skip. An answer on record as NULL shows
    as skipped; without this no button is checked, a browser posts nothing for the question,
    and the field refuses the form as "Not a valid choice"."""

    def process_data(self, value: Any) -> None:
        super().process_data("" if value is None else value)


class SkippableRadioField(_Skippable, RadioField):
    pass


class SkippableSelectField(_Skippable, SelectField):
    pass
