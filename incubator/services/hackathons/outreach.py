"""Outreach partners: organisations (nonprofits, businesses, city departments) that spread
the word about a hackathon, each with a referral link of its own.

The link is the public registration page with `?via=<code>`; a registration made through it
records the partner (`Registration.referred_by`). The code is random (not guessable), so a
partner cannot be credited with another's referrals by guessing its link. What a partner may
see of the people it referred is the suppressed funnel (`services/inclusion/`), never a list.
"""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.extensions import db
from incubator.models import Hackathon, Organisation, OrganisationKind, OutreachPartner, User
from incubator.services import audit, mail
from incubator.services.errors import InvalidInput


def _referral_code() -> str:
    # 12 random bytes: 16 URL-safe characters.
    return secrets.token_urlsafe(12)


def partners_of(hackathon: Hackathon) -> list[OutreachPartner]:
    """The hackathon's outreach partners, by organisation name."""
    return list(
        db.session.scalars(
            select(OutreachPartner)
            .join(Organisation, OutreachPartner.organisation_id == Organisation.id)
            .options(selectinload(OutreachPartner.organisation))
            .where(OutreachPartner.hackathon_id == hackathon.id)
            .order_by(Organisation.name)
        )
    )


def referral_link(partner: OutreachPartner) -> str:
    """The partner's link to the public registration page, on the app's public address."""
    return mail.link("registration.register", hackathon_id=partner.hackathon_id, via=partner.code)


def partner_by_code(hackathon: Hackathon, code: str) -> OutreachPartner | None:
    """The partner of this hackathon whose referral code this is; None for an unknown code
    (a link to another hackathon, mistyped or made up: the registration simply has none)."""
    return db.session.scalar(
        select(OutreachPartner).where(
            OutreachPartner.hackathon_id == hackathon.id, OutreachPartner.code == code
        )
    )


def organisations() -> list[Organisation]:
    """Every organisation, to choose a partner from."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def _organisation(organisation_id: int | None, new_name: str, kind: str) -> Organisation:
    """The chosen organisation, or a new one of this name (an existing name is reused)."""
    name = new_name.strip()
    if organisation_id:
        chosen = db.session.get(Organisation, organisation_id)
        if chosen is None:
            raise InvalidInput(_("That organisation does not exist."))
        return chosen
    if not name:
        raise InvalidInput(_("Choose an organisation, or type the name of a new one."))
    if kind not in {str(k) for k in OrganisationKind}:
        raise InvalidInput(_("Unknown kind of organisation %(kind)r.", kind=kind))
    existing = db.session.scalar(select(Organisation).where(Organisation.name == name[:160]))
    if existing is not None:
        return existing
    created = Organisation(name=name[:160], kind=kind)
    db.session.add(created)
    db.session.flush()
    return created


def add_partner(
    hackathon: Hackathon,
    organisation_id: int | None,
    new_name: str = "",
    kind: str = OrganisationKind.NONPROFIT,
    *,
    by: User,
) -> OutreachPartner:
    """Make an organisation an outreach partner of the hackathon, with a new referral code."""
    organisation = _organisation(organisation_id, new_name, kind)
    clash = db.session.scalar(
        select(OutreachPartner).where(
            OutreachPartner.hackathon_id == hackathon.id,
            OutreachPartner.organisation_id == organisation.id,
        )
    )
    if clash is not None:
        raise InvalidInput(
            _(
                "%(organisation)s is already an outreach partner of this hackathon.",
                organisation=organisation.name,
            )
        )
    partner = OutreachPartner(
        hackathon=hackathon, organisation=organisation, code=_referral_code(), created_by_id=by.id
    )
    db.session.add(partner)
    db.session.flush()
    audit.record(
        by,
        "outreach_partner.added",
        "outreach_partner",
        partner.id,
        after={"hackathon_id": hackathon.id, "organisation_id": organisation.id},
    )
    return partner
