"""The neighbourhoods as the database holds them, and the sites where pilots take place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.extensions import db
from incubator.models import (
    Neighbourhood,
    Pilot,
    PilotSite,
    PilotSitePlacement,
    Role,
    User,
)
from incubator.services import audit
from incubator.services.errors import InvalidInput, NotAllowed, NotFound
from incubator.services.scorecard import geography, names

MAX_SITES_PER_PILOT = 50


def neighbourhoods() -> list[Neighbourhood]:
    return list(db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)))


def neighbourhood_choices() -> list[tuple[int, str]]:
    """(id, name) of every neighbourhood, for a form's list; those of the Promise Zone say so."""
    return [
        (
            n.id,
            _("%(neighbourhood)s (Promise Zone)", neighbourhood=n.name)
            if n.promise_zone
            else n.name,
        )
        for n in neighbourhoods()
    ]


def get_neighbourhood(neighbourhood_id: int) -> Neighbourhood:
    found = db.session.get(Neighbourhood, neighbourhood_id)
    if found is None:
        raise NotFound(_("There is no such neighbourhood."))
    return found


def neighbourhood_named(name: str) -> Neighbourhood | None:
    return db.session.scalar(select(Neighbourhood).where(Neighbourhood.name == name))


# Pilot sites ----------------------------------------------------------------------------------


@dataclass
class SiteInput:
    label: str = ""
    address: str = ""
    # "34.0537, -118.2427": latitude first, as maps show them (longitude first is understood).
    coordinates: str = ""
    neighbourhood_id: int | None = None


@dataclass
class SitePlaced:
    site: PilotSite
    message: str


def _site_state(site: PilotSite) -> dict[str, Any]:
    return {
        "pilot_id": site.pilot_id,
        "label": site.label,
        "address": site.address,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "neighbourhood_id": site.neighbourhood_id,
        "placement": site.placement,
    }


def _check_manager(by: User) -> None:
    if not by.has_role(Role.MANAGER, Role.ADMIN):
        raise NotAllowed(_("Only a program manager records where pilots take place."))


def add_site(pilot: Pilot, data: SiteInput, *, by: User) -> SitePlaced:
    """Record a place a pilot runs and put it in its neighbourhood.

    Coordinates decide by point in polygon (and override a chosen neighbourhood); without
    them, a chosen neighbourhood, or else an address that names one. No address is sent to
    a geocoding service: the app works offline and sends residents' addresses nowhere.
    """
    _check_manager(by)
    label = " ".join(data.label.split())[:120]
    address = " ".join(data.address.split())
    if len(address) > 300:
        raise InvalidInput(_("The address is limited to 300 characters."))
    if len(pilot_sites(pilot)) >= MAX_SITES_PER_PILOT:
        raise InvalidInput(_("A pilot has at most %(num)d sites.", num=MAX_SITES_PER_PILOT))
    coordinates = (
        geography.parse_coordinates(data.coordinates) if data.coordinates.strip() else None
    )
    if data.coordinates.strip() and coordinates is None:
        raise InvalidInput(
            _("Enter the coordinates as latitude, longitude, e.g. 34.0537, -118.2427.")
        )
    if coordinates is None:
        coordinates = geography.parse_coordinates(address)
    chosen = get_neighbourhood(data.neighbourhood_id) if data.neighbourhood_id else None
    if not (address or coordinates or chosen):
        raise InvalidInput(_("Give the site's address, its coordinates or its neighbourhood."))
    site = PilotSite(pilot_id=pilot.id, label=label, address=address, created_by_id=by.id)
    if coordinates is not None:
        longitude, latitude = coordinates
        site.longitude, site.latitude = longitude, latitude
        placed = geography.locator().place(longitude, latitude)
        found = neighbourhood_named(placed.name) if placed.name else None
        if found is None:
            site.placement = PilotSitePlacement.OUTSIDE
            message = _(
                "%(coordinates)s is outside the City of Los Angeles; the site is kept but counts "
                "in no neighbourhood.",
                coordinates=f"{latitude:.5f}, {longitude:.5f}",
            )
        else:
            site.placement = PilotSitePlacement.POINT
            site.neighbourhood = found
            message = _("The coordinates are in %(neighbourhood)s.", neighbourhood=found.name)
            if chosen is not None and chosen.id != found.id:
                message = _(
                    "The coordinates are in %(neighbourhood)s. (not %(chosen)s, which was "
                    "chosen: the coordinates decide)",
                    neighbourhood=found.name,
                    chosen=chosen.name,
                )
    elif chosen is not None:
        site.placement = PilotSitePlacement.CHOSEN
        site.neighbourhood = chosen
        message = _("The site is in %(neighbourhood)s, as chosen.", neighbourhood=chosen.name)
    else:
        site.neighbourhood, message = _place_by_name(address)
        site.placement = PilotSitePlacement.NAME
    db.session.add(site)
    db.session.flush()
    audit.record(by, "pilot_site.added", "pilot", pilot.id, after=_site_state(site))
    return SitePlaced(site, message)


def _place_by_name(address: str) -> tuple[Neighbourhood, str]:
    found = names.match_names(address, geography.neighbourhood_names()).names
    if len(found) == 1:
        neighbourhood = neighbourhood_named(found[0])
        if neighbourhood is not None:
            return neighbourhood, _(
                "The address names %(neighbourhood)s.", neighbourhood=neighbourhood.name
            )
    if len(found) > 1:
        raise InvalidInput(
            _(
                "The address names %(neighbourhoods)s; choose the site's neighbourhood or give "
                "its coordinates.",
                neighbourhoods=", ".join(found),
            )
        )
    raise InvalidInput(
        _(
            "The app cannot place that address: give the site's coordinates (from any map) or "
            "choose its neighbourhood."
        )
    )


def remove_site(site: PilotSite, *, by: User) -> None:
    _check_manager(by)
    state = _site_state(site)
    db.session.delete(site)
    db.session.flush()
    audit.record(by, "pilot_site.removed", "pilot", state["pilot_id"], before=state)


def pilot_sites(pilot: Pilot) -> list[PilotSite]:
    return list(
        db.session.scalars(
            select(PilotSite)
            .options(selectinload(PilotSite.neighbourhood))
            .where(PilotSite.pilot_id == pilot.id)
            .order_by(PilotSite.id)
        )
    )
