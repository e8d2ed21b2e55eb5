"""Booking mentor sessions: the database refuses double bookings; these rules do the rest."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from incubator import clock, permissions
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Booking,
    BookingStatus,
    SessionRating,
    Slot,
    SlotStatus,
    User,
    Venture,
    VentureStatus,
    utcnow,
)
from incubator.services import audit, locks, notifications
from incubator.services.errors import Conflict, InvalidInput, NotAllowed, SlotTaken
from incubator.services.mentoring import calendars
from incubator.services.mentoring.session_text import (
    MOVED_REASON,
    cancel_reason_text,
    number_text,
    status_text,
)
from incubator.services.mentoring.times import local_text

# Translated where it is raised (N_ marks it for the catalogue).
SLOT_TAKEN = N_("That slot was just taken by someone else. Choose another free time.")
AGENDA_MAX = 5000


def _week_bounds(moment: datetime) -> tuple[datetime, datetime]:
    return clock.week_instants(clock.program_date(moment))


def _check_bookable(slot: Slot, venture: Venture, founder: User, now: datetime) -> None:
    config = current_app.config
    if not permissions.may_book_for(founder, venture):
        raise NotAllowed(_("Only the venture's founders can book sessions for it."))
    if venture.status != VentureStatus.ACTIVE:
        raise InvalidInput(
            _("%(venture)s is archived; it cannot book sessions.", venture=venture.name)
        )
    if slot.mentor_id == founder.id:
        raise InvalidInput(_("You cannot book a session with yourself."))
    if slot.status != SlotStatus.OPEN:
        raise SlotTaken(_("The mentor withdrew that slot. Choose another free time."))
    notice = timedelta(minutes=config["BOOKING_MIN_NOTICE_MINUTES"])
    if slot.starts_at <= now:
        raise InvalidInput(_("That slot has already started; choose one in the future."))
    if slot.starts_at < now + notice:
        minutes = config["BOOKING_MIN_NOTICE_MINUTES"]
        raise InvalidInput(
            ngettext(
                "Sessions must be booked at least %(num)d minute ahead.",
                "Sessions must be booked at least %(num)d minutes ahead.",
                minutes,
            )
        )
    taken = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.slot_id == slot.id, Booking.status != BookingStatus.CANCELLED
        )
    )
    if taken:
        raise SlotTaken(_(SLOT_TAKEN))
    overlapping = db.session.scalar(
        select(Booking).where(
            Booking.founder_id == founder.id,
            Booking.status == BookingStatus.BOOKED,
            Booking.starts_at < slot.ends_at,
            Booking.ends_at > slot.starts_at,
        )
    )
    if overlapping is not None:
        raise Conflict(
            _(
                "You already have a session at that time (with %(mentor)s); cancel or move "
                "it first.",
                mentor=overlapping.mentor.name,
            )
        )
    week_start, week_end = _week_bounds(slot.starts_at)
    limit = config["BOOKING_MAX_PER_MENTOR_PER_WEEK"]
    that_week = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.founder_id == founder.id,
            Booking.mentor_id == slot.mentor_id,
            Booking.status != BookingStatus.CANCELLED,
            Booking.starts_at >= week_start,
            Booking.starts_at < week_end,
        )
    )
    if that_week >= limit:
        raise Conflict(
            ngettext(
                "You already have %(num)d session with %(mentor)s that week; the limit is "
                "%(limit)d.",
                "You already have %(num)d sessions with %(mentor)s that week; the limit is "
                "%(limit)d.",
                that_week,
                mentor=slot.mentor.name,
                limit=limit,
            )
        )


def _insert(booking: Booking) -> None:
    """Insert, turning the database's refusals into messages for people."""
    try:
        with db.session.begin_nested():
            db.session.add(booking)
            db.session.flush()
    except IntegrityError as error:
        text = str(error.orig)
        if "ex_bookings_founder_overlap" in text:
            raise Conflict(_("You already have a session at that time.")) from None
        # PostgreSQL names the index; SQLite names the column ("bookings.slot_id"). A foreign
        # key error also mentions slot_id, so match neither more loosely than this.
        if "uq_bookings_slot_id_active" in text or "bookings.slot_id" in text:
            raise SlotTaken(_(SLOT_TAKEN)) from None
        raise


def new_booking(
    slot: Slot,
    venture_id: int,
    founder_id: int,
    agenda: str,
    *,
    office_hours_day_id: int | None = None,
) -> Booking:
    """A booked session of a slot (its mentor and times) for a venture, not yet added:
    each gets a new calendar UID that its .ics files keep through every change."""
    return Booking(
        uid=f"{uuid.uuid4()}@accelerate-la",
        slot_id=slot.id,
        venture_id=venture_id,
        founder_id=founder_id,
        mentor_id=slot.mentor_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        agenda=agenda,
        status=BookingStatus.BOOKED,
        office_hours_day_id=office_hours_day_id,
    )


def book(
    slot: Slot, venture: Venture, agenda: str, *, by: User, now: datetime | None = None
) -> Booking:
    """Book a free slot for a venture. The losing side of a race gets SlotTaken."""
    now = now or utcnow()
    agenda = agenda.strip()
    if not agenda:
        raise InvalidInput(_("Write a short agenda so the mentor can prepare."))
    if len(agenda) > AGENDA_MAX:
        raise InvalidInput(
            _("Keep the agenda under %(most)s characters.", most=number_text(AGENDA_MAX))
        )
    # One founder's bookings queue behind their row, so the overlap and weekly-limit checks
    # cannot race; the slot is read again as any edit or withdrawal left it.
    locks.lock(by, slot)
    _check_bookable(slot, venture, by, now)
    booking = new_booking(slot, venture.id, by.id, agenda)
    _insert(booking)
    audit.record(by, "booking.created", "booking", booking.id, after=booking_state(booking))
    notifications.booking_made(booking)
    return booking


def booking_state(booking: Booking) -> dict:
    """What the audit log keeps of a booking before and after a change."""
    return {
        "slot_id": booking.slot_id,
        "venture_id": booking.venture_id,
        "mentor_id": booking.mentor_id,
        "starts_at": booking.starts_at.isoformat(),
        "status": booking.status,
        "sequence": booking.sequence,
    }


def _cancel(booking: Booking, reason: str, by: User, now: datetime) -> None:
    before = booking_state(booking)
    cutoff = timedelta(hours=current_app.config["BOOKING_LATE_CANCEL_HOURS"])
    booking.status = BookingStatus.CANCELLED
    # The relationship, not just the id, so the notification names who cancelled.
    booking.cancelled_by = by
    booking.cancelled_at = now
    booking.cancel_reason = reason
    booking.late_cancellation = booking.starts_at - now < cutoff
    booking.sequence += 1
    db.session.flush()
    audit.record(
        by,
        "booking.cancelled",
        "booking",
        booking.id,
        before=before,
        after={**booking_state(booking), "reason": reason, "late": booking.late_cancellation},
    )


def _when(moment: datetime, viewer: User) -> str:
    local = moment.astimezone(clock.zone_for(viewer))
    return local_text(local, "%a %b %-d, %-I:%M %p")


def what_happened(booking: Booking, viewer: User) -> str:
    """Why a session can no longer be changed, in the words of what someone else did."""
    # Who did it, as the agent of "by ..." in the sentences below.
    who = booking.cancelled_by.name if booking.cancelled_by else _("someone")
    if booking.cancelled_by_id == viewer.id:
        who = _("you")
    if booking.rescheduled_to_id is not None:
        moved_to = db.session.get(Booking, booking.rescheduled_to_id)
        if moved_to is not None:
            return _(
                "This session was moved to %(when)s by %(who)s; open the new session to change it.",
                when=_when(moved_to.starts_at, viewer),
                who=who,
            )
    if booking.status == BookingStatus.CANCELLED:
        if booking.cancel_reason:
            return _(
                "This session was already cancelled by %(who)s (%(reason)s).",
                who=who,
                reason=cancel_reason_text(booking),
            )
        return _("This session was already cancelled by %(who)s.", who=who)
    return _("This session is already marked %(status)s.", status=status_text(booking).lower())


def _lock_session(booking: Booking, *, founder: User | None = None, slot: Slot | None = None):
    """Lock, in the documented order, the founder whose sessions change, the slot that
    changes hands and the session itself, and re-read them (services/locks.py)."""
    locks.lock(founder, booking.slot, slot, booking)


def cancel(
    booking: Booking,
    reason: str,
    *,
    by: User,
    keep_open: bool = False,
    now: datetime | None = None,
) -> None:
    """Either side cancels with a reason; inside the cutoff it is recorded as late.

    The slot goes back to other founders when a founder cancels; when the mentor cancels it
    closes, unless the mentor keeps it open. An office-hours meeting never becomes free time.
    """
    now = now or utcnow()
    if not permissions.may_change_booking(by, booking):
        raise NotAllowed(_("Only the mentor and the venture's founders can cancel this session."))
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give a reason; the other side sees it."))
    _lock_session(booking)
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(what_happened(booking, by))
    if booking.ends_at <= now:
        raise InvalidInput(_("This session is over; mark it completed or a no-show instead."))
    _cancel(booking, reason, by, now)
    slot = booking.slot
    by_mentor = booking.mentor_id == by.id
    if slot.office_hours_day_id is not None or (by_mentor and not keep_open):
        slot.status = SlotStatus.WITHDRAWN
        db.session.flush()
        audit.record(by, "slot.closed", "slot", slot.id, after={"after_booking": booking.id})
    notifications.booking_cancelled(booking)


def reschedule(
    booking: Booking, new_slot: Slot, *, by: User, now: datetime | None = None
) -> Booking:
    """Move a session to another free slot in one step.

    The old booking is cancelled and the new one inserted in the same transaction, so if the
    new slot cannot be had the caller's rollback leaves the old one exactly as it was.
    """
    now = now or utcnow()
    if not permissions.may_reschedule_booking(by, booking):
        raise NotAllowed(_("Only the venture's founders can move this session."))
    if new_slot.id == booking.slot_id:
        raise InvalidInput(_("Choose a different slot."))
    if new_slot.mentor_id != booking.mentor_id:
        raise InvalidInput(_("A session moves to another time with the same mentor."))
    _lock_session(booking, founder=by, slot=new_slot)
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(what_happened(booking, by))
    if booking.starts_at <= now:
        raise InvalidInput(_("Only an upcoming booked session can be moved."))
    before = booking_state(booking)
    _cancel(booking, MOVED_REASON, by, now)
    new = new_booking(new_slot, booking.venture_id, by.id, booking.agenda)
    _check_bookable(new_slot, booking.venture, by, now)
    _insert(new)
    booking.rescheduled_to_id = new.id
    db.session.flush()
    audit.record(
        by,
        "booking.created",
        "booking",
        new.id,
        after={**booking_state(new), "moved_from": booking.id},
    )
    audit.record(
        by,
        "booking.rescheduled",
        "booking",
        booking.id,
        before=before,
        after={**booking_state(new), "booking_id": new.id},
    )
    if booking.slot.office_hours_day_id is not None:
        # The meeting's time was set aside for the office-hours day, not offered to all.
        booking.slot.status = SlotStatus.WITHDRAWN
        db.session.flush()
    notifications.booking_rescheduled(booking, new)
    return new


def _mentor_only(booking: Booking, by: User, refusal: str) -> None:
    if not permissions.may_record_session(by, booking):
        raise NotAllowed(refusal)


def mark_outcome(booking: Booking, status: str, *, by: User, now: datetime | None = None) -> None:
    """The mentor marks a session that has started as completed or a no-show."""
    now = now or utcnow()
    _mentor_only(booking, by, _("Only the session's mentor can record how it went."))
    if status not in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        raise InvalidInput(_("A session ends completed or as a no-show."))
    _lock_session(booking)
    if booking.status == BookingStatus.CANCELLED:
        raise Conflict(
            " ".join((what_happened(booking, by), _("A cancelled session has no outcome.")))
        )
    if booking.starts_at > now:
        raise InvalidInput(_("The session has not started yet."))
    before = booking_state(booking)
    booking.status = status
    booking.completed_at = now if status == BookingStatus.COMPLETED else None
    db.session.flush()
    audit.record(
        by, f"booking.{status}", "booking", booking.id, before=before, after=booking_state(booking)
    )


def save_notes(booking: Booking, shared: str, private: str, *, by: User) -> None:
    """Shared notes go to the venture's founders; private notes stay with the mentor."""
    _mentor_only(booking, by, _("Only the session's mentor can write notes."))
    _lock_session(booking)
    if booking.status == BookingStatus.CANCELLED:
        raise Conflict(
            " ".join((what_happened(booking, by), _("A cancelled session has no notes.")))
        )
    if len(shared) > 20000 or len(private) > 20000:
        raise InvalidInput(_("Notes are limited to 20,000 characters."))
    booking.shared_notes = shared.strip()
    booking.private_notes = private.strip()
    db.session.flush()
    # The audit keeps that notes changed, not their private text.
    audit.record(
        by,
        "booking.notes_saved",
        "booking",
        booking.id,
        after={
            "shared_length": len(booking.shared_notes),
            "private_length": len(booking.private_notes),
        },
    )


def rate(booking: Booking, score: int, comment: str, *, by: User) -> SessionRating:
    """Either side rates a completed session 1 to 5; rating again replaces the first."""
    if not permissions.may_rate_booking(by, booking):
        raise NotAllowed(_("Only the mentor and the venture's founders rate this session."))
    side = "mentor" if permissions.is_session_mentor(by, booking) else "founder"
    _lock_session(booking)
    if booking.status != BookingStatus.COMPLETED:
        raise InvalidInput(_("Only a completed session can be rated."))
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(_("A rating is a whole number from 1 to 5."))
    rating = db.session.scalar(
        select(SessionRating).where(
            SessionRating.booking_id == booking.id, SessionRating.rater_id == by.id
        )
    )
    if rating is None:
        fresh = SessionRating(
            booking_id=booking.id,
            rater_id=by.id,
            side=side,
            score=score,
            comment=comment.strip()[:2000],
        )
        try:
            # A double-clicked submit on PostgreSQL: the unique key keeps one rating.
            with db.session.begin_nested():
                db.session.add(fresh)
                db.session.flush()
            rating = fresh
        except IntegrityError:
            # The other submit's rating is there: the unique key refused this one for it.
            rating = db.session.scalars(
                select(SessionRating).where(
                    SessionRating.booking_id == booking.id, SessionRating.rater_id == by.id
                )
            ).one()
    rating.score = score
    rating.comment = comment.strip()[:2000]
    db.session.flush()
    audit.record(by, "booking.rated", "booking", booking.id, after={"side": side, "score": score})
    return rating


@dataclass
class MentorRatings:
    mentor: User
    # Sessions held or still to come: cancelled bookings (a move leaves one) do not count.
    sessions: int
    completed: int
    no_shows: int
    # Cancelled by the mentor inside the cutoff; a founder's late cancel is not the mentor's.
    late_cancellations: int
    # Founders' ratings of completed sessions, and their average.
    ratings: int
    average: float | None
    # Ratings of sessions marked a no-show (given before the mark, while the session was
    # completed): kept apart, out of the average and its count.
    no_show_ratings: int = 0


def mentor_rating_summary() -> list[MentorRatings]:
    """Per mentor: sessions, outcomes and the founders' average rating, in aggregate only.

    The average counts completed sessions only: a rating of a session later marked a no-show
    says nothing about a meeting that did not happen, so it is counted apart.
    """
    counts: defaultdict[int, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_mentor = Booking.cancelled_by_id == Booking.mentor_id
    for mentor_id, status, late, number in db.session.execute(
        select(
            Booking.mentor_id,
            Booking.status,
            Booking.late_cancellation & by_mentor,
            func.count(),
        ).group_by(Booking.mentor_id, Booking.status, Booking.late_cancellation & by_mentor)
    ):
        if status != BookingStatus.CANCELLED:
            counts[mentor_id]["sessions"] += number
        counts[mentor_id][status] += number
        if late:
            counts[mentor_id]["late"] += number
    completed = Booking.status == BookingStatus.COMPLETED
    # (mentor id, ratings, average, no-show ratings): the average is a float or a Decimal
    # (by database), None when every rating is of a no-show.
    rated: Sequence[tuple[int, int, float | Decimal | None, int]] = db.session.execute(
        select(
            Booking.mentor_id,
            func.count(case((completed, SessionRating.id))),
            func.avg(case((completed, SessionRating.score))),
            func.count(case((Booking.status == BookingStatus.NO_SHOW, SessionRating.id))),
        )
        .join(SessionRating, SessionRating.booking_id == Booking.id)
        .where(SessionRating.side == "founder")
        .group_by(Booking.mentor_id)
    ).all()
    averages = {
        mentor_id: (number, float(average) if average is not None else None, no_shows)
        for mentor_id, number, average, no_shows in rated
    }
    mentors = db.session.scalars(select(User).where(User.id.in_(list(counts)))).all()
    rows = []
    for mentor in sorted(mentors, key=lambda m: (m.name, m.id)):
        number, average, no_show_ratings = averages.get(mentor.id, (0, None, 0))
        row = counts[mentor.id]
        rows.append(
            MentorRatings(
                mentor,
                row["sessions"],
                row[BookingStatus.COMPLETED],
                row[BookingStatus.NO_SHOW],
                row["late"],
                number,
                round(average, 2) if average is not None else None,
                no_show_ratings,
            )
        )
    return rows


def sessions_for(
    user: User, *, upcoming: bool, now: datetime | None = None, limit: int = 50
) -> list[Booking]:
    """A person's sessions as mentor or as a founder of the venture, soonest or latest first."""
    now = now or utcnow()
    venture_ids = permissions.founder_venture_ids(user)
    statement = (
        select(Booking)
        .options(selectinload(Booking.mentor), selectinload(Booking.venture))
        .where((Booking.mentor_id == user.id) | Booking.venture_id.in_(venture_ids))
    )
    if upcoming:
        statement = statement.where(Booking.ends_at > now).order_by(Booking.starts_at)
    else:
        statement = statement.where(Booking.ends_at <= now).order_by(Booking.starts_at.desc())
    return list(db.session.scalars(statement.limit(limit)))


def get_booking(booking_id: int) -> Booking | None:
    """A booking with what its page shows: mentor, slot, venture and its founders."""
    return db.session.scalar(
        select(Booking)
        .options(*calendars.with_both_sides(), joinedload(Booking.cancelled_by))
        .where(Booking.id == booking_id)
    )


def bookable_ventures(user: User) -> list[Venture]:
    """The active ventures a founder can book sessions for."""
    return list(
        db.session.scalars(
            select(Venture)
            .where(
                Venture.id.in_(permissions.founder_venture_ids(user)),
                Venture.status == VentureStatus.ACTIVE,
            )
            .order_by(Venture.name, Venture.id)
        )
    )


def _no_live_booking():
    return ~exists().where(Booking.slot_id == Slot.id, Booking.status != BookingStatus.CANCELLED)


def free_slots(
    mentor_id: int, *, now: datetime | None = None, limit: int = 5, exclude: int | None = None
) -> list[Slot]:
    """A mentor's next open, unbooked slots that can still be booked (after the minimum notice)."""
    now = now or utcnow()
    earliest = now + timedelta(minutes=current_app.config["BOOKING_MIN_NOTICE_MINUTES"])
    statement = (
        select(Slot)
        .where(
            Slot.mentor_id == mentor_id,
            Slot.status == SlotStatus.OPEN,
            Slot.starts_at >= earliest,
            _no_live_booking(),
        )
        .order_by(Slot.starts_at, Slot.id)
        .limit(limit)
    )
    if exclude is not None:
        statement = statement.where(Slot.id != exclude)
    return list(db.session.scalars(statement))


def is_free(slot: Slot, *, now: datetime | None = None) -> bool:
    """Whether a slot is open, not booked and far enough ahead to book."""
    now = now or utcnow()
    notice = timedelta(minutes=current_app.config["BOOKING_MIN_NOTICE_MINUTES"])
    if slot.status != SlotStatus.OPEN or slot.starts_at < now + notice:
        return False
    return not db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.slot_id == slot.id, Booking.status != BookingStatus.CANCELLED
        )
    )


@dataclass(frozen=True)
class BookingActions:
    """What a person may do with a session now; the page shows the matching forms."""

    cancel: bool
    reschedule: bool
    record_outcome: bool
    write_notes: bool
    read_private_notes: bool
    rate: bool


def actions_for(user: User, booking: Booking, *, now: datetime | None = None) -> BookingActions:
    now = now or utcnow()
    records = permissions.may_record_session(user, booking)
    booked = booking.status == BookingStatus.BOOKED
    return BookingActions(
        cancel=permissions.may_change_booking(user, booking) and booked and booking.ends_at > now,
        reschedule=permissions.may_reschedule_booking(user, booking)
        and booked
        and booking.starts_at > now,
        record_outcome=records
        and booking.status != BookingStatus.CANCELLED
        and booking.starts_at <= now,
        write_notes=records and booking.status != BookingStatus.CANCELLED,
        read_private_notes=permissions.may_read_private_notes(user, booking),
        rate=permissions.may_rate_booking(user, booking)
        and booking.status == BookingStatus.COMPLETED,
    )


def rating_by(booking: Booking, user: User) -> SessionRating | None:
    """The rating this person gave the session, if any."""
    return db.session.scalar(
        select(SessionRating).where(
            SessionRating.booking_id == booking.id, SessionRating.rater_id == user.id
        )
    )
