"""Form pieces shared by several blueprints."""

from __future__ import annotations

from zoneinfo import available_timezones

from wtforms import SelectField, SelectMultipleField, widgets
from wtforms.validators import StopValidation

from incubator.models import ROLE_LABELS, Role

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


def time_zone_choices() -> list[tuple[str, str]]:
    rest = sorted(available_timezones() - set(COMMON_ZONES))
    return [(zone, zone.replace("_", " ")) for zone in COMMON_ZONES + rest]


def role_choices(include_admin: bool) -> list[tuple[str, str]]:
    return [
        (str(role), ROLE_LABELS[role]) for role in Role if include_admin or role is not Role.ADMIN
    ]


class TimeZoneField(SelectField):
    def __init__(self, label: str = "Time zone", **kwargs):
        kwargs.setdefault("default", "America/Los_Angeles")
        super().__init__(label, choices=time_zone_choices(), **kwargs)


class AtLeastOne:
    """Require one ticked box; unlike InputRequired it puts no `required` on every checkbox."""

    def __init__(self, message: str = "Choose at least one."):
        self.message = message

    def __call__(self, form, field) -> None:
        if not field.data:
            raise StopValidation(self.message)


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
