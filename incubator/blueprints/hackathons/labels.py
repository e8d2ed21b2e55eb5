"""The words the hackathon and judging pages show for stored values (a hackathon's, a
challenge's and a submission's status, where a submission came from, a placement) and for a
hackathon's dates, in the request's language."""

from __future__ import annotations

from datetime import date

from babel import dates
from flask_babel import gettext

from incubator import i18n
from incubator.blueprints.hackathons import bp
from incubator.models import HackathonStatus, Placement
from incubator.vocabulary import CHALLENGE_AREAS


def status_labels() -> dict[str, str]:
    """Each status value -> its words. The statuses of hackathons, challenges and
    submissions never share a value, so one table serves all three."""
    return {
        "planned": gettext("Planned"),
        "open": gettext("Open"),
        "judging": gettext("Judging"),
        "closed": gettext("Closed"),
        "proposed": gettext("Proposed"),
        "approved": gettext("Approved"),
        "declined": gettext("Declined"),
        "draft": gettext("Draft"),
        "submitted": gettext("Submitted"),
    }


def placement_labels() -> dict[str, str]:
    """Each placement value -> its words (Placement.label in the request's language)."""
    return {
        Placement.WINNER: gettext("Winner"),
        Placement.RUNNER_UP: gettext("Runner-up"),
        Placement.HONOURABLE_MENTION: gettext("Honourable mention"),
    }


@bp.app_template_filter("hackathon_status")
def status_label(value: str | None) -> str:
    """A hackathon's, challenge's or submission's status in words ("Open", "Abierto")."""
    if not value:
        return ""
    return status_labels().get(value, str(value))


def hackathon_status_choices() -> list[tuple[str, str]]:
    return [(str(status), status_label(status)) for status in HackathonStatus]


@bp.app_template_filter("submission_source")
def source_label(value: str | None) -> str:
    """Where a submission came from, in words."""
    if value == "devpost":
        return gettext("imported from Devpost")
    if value == "manual":
        return gettext("entered by hand")
    return str(value or "")


@bp.app_template_filter("placement_label")
def placement_label(value: str | None) -> str:
    """A placement in words ("Runner-up"); empty for none."""
    if not value:
        return ""
    return placement_labels().get(value, Placement(value).label)


def placement_choices() -> list[tuple[str, str]]:
    """The placements a manager can give, after none."""
    return [("", gettext("No placement"))] + [
        (str(placement), placement_label(placement)) for placement in Placement
    ]


@bp.app_template_filter("challenge_area")
def challenge_area_label(area: str | None) -> str:
    """A challenge area in words; one no longer in the vocabulary, as it was stored."""
    if not area:
        return ""
    return gettext(area) if area in CHALLENGE_AREAS else area


def challenge_area_choices() -> list[tuple[str, str]]:
    """The challenge areas to choose from, after none."""
    return [("", "—")] + [(area, challenge_area_label(area)) for area in CHALLENGE_AREAS]


@bp.app_template_filter("hackathon_dates")
def date_range(starts_on: date, ends_on: date) -> str:
    """A hackathon's days as one range in the request's language, the year said once when
    both days share it (Babel's interval format: "Mar 2" to "5, 2026", joined by a dash);
    plain spaces where CLDR puts thin ones, as around the dash the pages used before."""
    interval = dates.format_interval(starts_on, ends_on, "yMMMd", locale=i18n.format_locale())
    return interval.replace("\u2009", " ").replace("\u202f", " ")
