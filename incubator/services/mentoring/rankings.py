"""Rankings after an office-hours day: founders rank the mentors their venture met, mentors
the ventures they met, and matching reads both (mutual rankings score higher)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator import permissions
from incubator.extensions import db
from incubator.models import (
    Booking,
    BookingStatus,
    OfficeHoursDay,
    OfficeHoursRanking,
    Role,
    User,
    Venture,
    utcnow,
)
from incubator.services import audit
from incubator.services.errors import InvalidInput, NotAllowed
from incubator.services.mentoring.office_hours import PUBLISHED

# Meetings that happened, or will, for the purpose of ranking the people met.
MET = (BookingStatus.BOOKED, BookingStatus.COMPLETED)


@dataclass
class RankingChoice:
    """What one person may rank after a day: the mentors their venture met, or the ventures
    they met as a mentor, with the order saved so far."""

    side: str  # "founder" or "mentor"
    venture: Venture | None  # the founder's venture
    options: list[tuple[int, str]]  # (id, name) of who was met
    saved: list[int] = field(default_factory=list)


def _met_bookings(day: OfficeHoursDay, now: datetime) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .options(selectinload(Booking.mentor), selectinload(Booking.venture))
            .where(
                Booking.office_hours_day_id == day.id,
                Booking.status.in_([str(s) for s in MET]),
                Booking.starts_at <= now,
            )
            .order_by(Booking.starts_at)
        )
    )


def ranking_choices(
    day: OfficeHoursDay, user: User, *, now: datetime | None = None
) -> list[RankingChoice]:
    """What the user may rank: one choice as a mentor, one per venture of theirs that met."""
    now = now or utcnow()
    bookings = _met_bookings(day, now)
    saved_rows = db.session.scalars(
        select(OfficeHoursRanking)
        .where(OfficeHoursRanking.day_id == day.id, OfficeHoursRanking.ranker_id == user.id)
        .order_by(OfficeHoursRanking.rank)
    ).all()
    choices = []
    as_mentor = [b for b in bookings if b.mentor_id == user.id]
    if as_mentor and user.has_role(Role.MENTOR):
        options = {b.venture_id: b.venture.name for b in as_mentor}
        saved = [r.venture_id for r in saved_rows if r.side == "mentor"]
        choices.append(RankingChoice("mentor", None, sorted(options.items(), key=_by_name), saved))
    if user.has_role(Role.FOUNDER):
        mine = set(db.session.scalars(permissions.founder_venture_ids(user)))
        by_venture: dict[int, list[Booking]] = defaultdict(list)
        for booking in bookings:
            if booking.venture_id in mine:
                by_venture[booking.venture_id].append(booking)
        for rows in sorted(by_venture.values(), key=lambda rows: rows[0].venture.name):
            venture = rows[0].venture
            options = {b.mentor_id: b.mentor.name for b in rows}
            saved = [
                r.mentor_id
                for r in saved_rows
                if r.side == "founder" and r.venture_id == venture.id
            ]
            choices.append(
                RankingChoice("founder", venture, sorted(options.items(), key=_by_name), saved)
            )
    return choices


def _by_name(option: tuple[int, str]) -> tuple[str, int]:
    return option[1].lower(), option[0]


def save_ranking(
    day: OfficeHoursDay,
    ranker: User,
    ordered_ids: Sequence[int],
    *,
    side: str | None = None,
    venture_id: int | None = None,
    now: datetime | None = None,
) -> list[OfficeHoursRanking]:
    """Rank, best first, the mentors one's venture met (a founder) or the ventures met (a
    mentor); saving again replaces the earlier ranking. Someone who took part in more than
    one way says which with `side` ("mentor" or "founder") and, for a founder, venture_id."""
    if day.status != PUBLISHED:
        raise InvalidInput(_("This day has not been published; there is nobody to rank yet."))
    choice = _ranking_choice(day, ranker, side, venture_id, now)
    ordered = list(ordered_ids)
    _check_ranked_ids(choice, ordered)
    existing, rows = _replace_ranking(day, ranker, choice, ordered)
    audit.record(
        ranker,
        "office_hours.ranked",
        "office_hours_day",
        day.id,
        before={"ranked": choice.saved} if existing else None,
        after={
            "side": choice.side,
            "venture_id": choice.venture.id if choice.venture else None,
            "ranked": ordered,
        },
    )
    return rows


def _ranking_choice(
    day: OfficeHoursDay,
    ranker: User,
    side: str | None,
    venture_id: int | None,
    now: datetime | None,
) -> RankingChoice:
    """The one way the ranker took part that a ranking is for, or why there is none."""
    choices = ranking_choices(day, ranker, now=now)
    if not choices:
        raise NotAllowed(_("You had no meetings that day (yet), so there is nobody to rank."))
    if side is not None:
        choices = [c for c in choices if c.side == side]
    if venture_id is not None:
        choices = [c for c in choices if c.venture is not None and c.venture.id == venture_id]
    if not choices:
        raise NotAllowed(_("You did not meet anyone that day in that way."))
    if len(choices) > 1:
        raise InvalidInput(_("Say which of your ventures this ranking is for."))
    return choices[0]


def _check_ranked_ids(choice: RankingChoice, ordered: list[int]) -> None:
    if not ordered:
        raise InvalidInput(_("Rank at least one person you met."))
    if len(set(ordered)) != len(ordered):
        raise InvalidInput(_("Give each one a different rank."))
    allowed = {option_id for option_id, _ in choice.options}
    strangers = [i for i in ordered if i not in allowed]
    if strangers:
        raise InvalidInput(
            _("You can rank only the mentors your venture met that day.")
            if choice.side == "founder"
            else _("You can rank only the ventures you met that day.")
        )


def _replace_ranking(
    day: OfficeHoursDay, ranker: User, choice: RankingChoice, ordered: list[int]
) -> tuple[Sequence[OfficeHoursRanking], list[OfficeHoursRanking]]:
    """Delete the ranker's earlier ranking for this choice and store the new one; returns
    the rows deleted and the rows stored."""
    # A founder ranks for one venture; a mentor's choice has none (it ranks ventures).
    venture = choice.venture if choice.side == "founder" else None
    existing = db.session.scalars(
        select(OfficeHoursRanking).where(
            OfficeHoursRanking.day_id == day.id,
            OfficeHoursRanking.ranker_id == ranker.id,
            OfficeHoursRanking.side == choice.side,
            *([OfficeHoursRanking.venture_id == venture.id] if venture is not None else []),
        )
    ).all()
    for row in existing:
        db.session.delete(row)
    db.session.flush()
    rows = []
    for rank, other_id in enumerate(ordered, start=1):
        if venture is not None:
            mentor_id, ranked_venture = other_id, venture.id
        else:
            mentor_id, ranked_venture = ranker.id, other_id
        rows.append(
            OfficeHoursRanking(
                day_id=day.id,
                ranker_id=ranker.id,
                side=choice.side,
                mentor_id=mentor_id,
                venture_id=ranked_venture,
                rank=rank,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return existing, rows


def rankings(day: OfficeHoursDay) -> list[OfficeHoursRanking]:
    """Every ranking of a day, for matching: by side and ranker (and a founder's venture),
    best first."""
    rows = db.session.scalars(
        select(OfficeHoursRanking).where(OfficeHoursRanking.day_id == day.id)
    ).all()
    return sorted(
        rows,
        key=lambda r: (r.side, r.ranker_id, r.venture_id if r.side == "founder" else 0, r.rank),
    )
