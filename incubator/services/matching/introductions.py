"""Introductions: the matches a published run or a re-match makes, and what becomes of them.

Each introduction is double opt-in: both sides answer it; accepted by both, it shows
contact details; declined by either, it keeps the reason and the venture can be matched
again (`rematch`). Either side or a manager can end a live match, with a reason. Nothing
is deleted.

Also here, for runs.py as well: what a match is called, its audit state, a new proposed
match, and the mail that introduces both sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from incubator import permissions
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Cohort,
    Match,
    MatchingRun,
    MatchKind,
    MatchStatus,
    MentorProfile,
    OrganisationMember,
    User,
    Venture,
    VentureMember,
    utcnow,
)
from incubator.services import audit, history, locks, mail
from incubator.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from incubator.services.matching import facts, reasons, scoring
from incubator.services.matching.facts import HOLDS_CAPACITY, key_id

LIVE = (MatchStatus.PROPOSED, MatchStatus.INTRODUCED, MatchStatus.ACCEPTED)
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
# Refusals that name a kind of counterpart or a status: a whole sentence for each.
NOBODY_LEFT = {
    MatchKind.MENTOR: N_(
        "No mentor with room is left for %(venture)s that it has not already been introduced to."
    ),
    MatchKind.FUNDER: N_(
        "No funder with room is left for %(venture)s that it has not already been introduced to."
    ),
    MatchKind.PARTNER: N_(
        "No partner organisation with room is left for %(venture)s that it has not already "
        "been introduced to."
    ),
}
NOT_LIVE: dict[str, str] = {
    MatchStatus.PROPOSED: N_("This match is proposed; only a live introduction can end."),
    MatchStatus.DECLINED: N_("This match is declined; only a live introduction can end."),
    MatchStatus.ENDED: N_("This match is ended; only a live introduction can end."),
}


# A match --------------------------------------------------------------------------------------


def require_manager(by: User | None, refusal: str) -> None:
    """Refuse anyone but a program manager with `refusal` (marked with N_), which says what
    only a manager can do."""
    if not permissions.is_manager(by):
        raise NotAllowed(_(refusal))


def parse_kind(value: str) -> MatchKind:
    """The kind of counterpart a form or a caller names; an unknown one is refused."""
    try:
        return MatchKind(value)
    except ValueError:
        raise InvalidInput(_("Unknown kind of match %(kind)s.", kind=repr(value))) from None


def counterpart_name(match: Match) -> str:
    """The mentor's, funder's or partner organisation's name."""
    if match.kind == MatchKind.PARTNER:
        return match.organisation.name if match.organisation else "?"
    return match.counterpart.name if match.counterpart else "?"


def match_state(match: Match) -> dict:
    """What the audit trail keeps of a match before and after a change."""
    return {
        "venture_id": match.venture_id,
        "kind": match.kind,
        "counterpart": match.counterpart_key,
        "status": match.status,
        "score": match.score,
        "pinned": match.pinned,
        "decline_reason": match.decline_reason,
    }


def flush_pairs(refusal: str) -> None:
    """Flush; the live-pair index turns a duplicate into `refusal` (marked with N_), not a
    server error."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(_(refusal)) from None


def match_values(
    run: MatchingRun | None,
    venture_id: int,
    kind: str,
    key: str,
    score: float,
    why: Sequence[scoring.Reason | str],
    *,
    cohort_id: int | None = None,
) -> dict[str, Any]:
    """The columns of a proposed match of a run (or, with `cohort_id`, of no run: a
    re-match), its score rounded as runs show it."""
    counterpart = key_id(key)
    return {
        "run_id": run.id if run is not None else None,
        "cohort_id": run.cohort_id if run is not None else cohort_id,
        "venture_id": venture_id,
        "kind": kind,
        "counterpart_id": None if kind == MatchKind.PARTNER else counterpart,
        "organisation_id": counterpart if kind == MatchKind.PARTNER else None,
        "counterpart_key": key,
        "score": round(float(score), 3),
        "reasons": reasons.stored(why),
        "status": MatchStatus.PROPOSED,
    }


def new_match(
    run: MatchingRun | None,
    venture_id: int,
    kind: str,
    key: str,
    score: float,
    why: Sequence[scoring.Reason | str],
    *,
    cohort_id: int | None = None,
) -> Match:
    """A proposed match (see `match_values`); the caller adds it and flushes with
    `flush_pairs`."""
    return Match(**match_values(run, venture_id, kind, key, score, why, cohort_id=cohort_id))


def insert_matches(rows: list[dict[str, Any]], refusal: str) -> None:
    """Insert proposed matches (`match_values`) in one statement, without building an object
    for each (a run proposes one per seat of every venture); the live-pair index turns a
    duplicate into `refusal` (marked with N_), not a server error."""
    if not rows:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(insert(Match), rows)
    except IntegrityError:
        raise Conflict(_(refusal)) from None


# Introductions a page of the review lists at once.
INTRODUCTIONS_PAGE = 50


def cohort_introductions(
    cohort: Cohort, *, after: int | None = None, size: int | None = None
) -> tuple[list[Match], int | None]:
    """The cohort's matches past review, for the manager (answers, declines, ends), newest
    introduced first, a page at a time (`size`, INTRODUCTIONS_PAGE unless given): the page
    after the introduction `after`, or the first; and the anchor of the next page (None at
    the end). A published run of a thousand ventures leaves a thousand."""
    size = size or INTRODUCTIONS_PAGE
    statement = (
        select(Match)
        .options(
            selectinload(Match.venture),
            selectinload(Match.counterpart),
            selectinload(Match.organisation),
        )
        .where(Match.cohort_id == cohort.id, Match.status != MatchStatus.PROPOSED)
        .where(Match.introduced_at.is_not(None))
    )
    if after is not None:
        anchor = db.session.execute(
            select(Match.introduced_at, Match.id).where(
                Match.id == after, Match.cohort_id == cohort.id, Match.introduced_at.is_not(None)
            )
        ).one_or_none()
        if anchor is not None:
            statement = statement.where(
                or_(
                    Match.introduced_at < anchor.introduced_at,
                    and_(Match.introduced_at == anchor.introduced_at, Match.id < anchor.id),
                )
            )
    found = list(
        db.session.scalars(
            statement.order_by(Match.introduced_at.desc(), Match.id.desc()).limit(size + 1)
        )
    )
    return found[:size], found[size - 1].id if len(found) > size else None


def founders_of(venture: Venture) -> list[User]:
    """Who answers for the venture: its active members."""
    return [member.user for member in venture.members if member.user.active]


def counterpart_people(match: Match) -> list[User]:
    """Who answers for the counterpart: the mentor or funder, or the partner's members."""
    if match.kind == MatchKind.PARTNER:
        if match.organisation is None:
            return []
        return [member.user for member in match.organisation.members if member.user.active]
    return [match.counterpart] if match.counterpart is not None else []


class MailedMatch:
    """A match as its introduction mail reads it: the match itself, but its reasons as
    sentences in the language the mail is written in (the match keeps them as messages)."""

    def __init__(self, match: Match):
        self.match = match

    def __getattr__(self, name: str) -> Any:
        return getattr(self.match, name)

    @property
    def reasons(self) -> list[str]:
        return reasons.sentences(self.match.reasons)


def mail_introduction(match: Match) -> None:
    """Tell both sides they are introduced, and why they were matched."""
    counterpart = counterpart_name(match)
    mailed = MailedMatch(match)
    for founder in founders_of(match.venture):
        mail.send_template(founder, "introduction_venture", match=mailed, counterpart=counterpart)
    for person in counterpart_people(match):
        mail.send_template(person, "introduction_counterpart", match=mailed)


# Answers --------------------------------------------------------------------------------------


def answer(
    match: Match, accept: bool, reason: str = "", *, by: User, share_reason: bool = False
) -> Match:
    """One side's answer: both accepting makes the match; either declining ends it, with why.

    The reason for declining stays with the program team unless `share_reason`: then the
    other side reads it too (on its page and in the mail).
    """
    if not permissions.may_view_match(by, match):
        raise NotFound(_("There is no such match."))
    if not permissions.may_answer_match(by, match):
        raise NotAllowed(_("Only the two sides of an introduction answer it."))
    side = permissions.match_side(by, match)
    # Both sides answering at once queue on the match: the second sees the first's answer,
    # so two acceptances make an accepted match and no answer is lost.
    locks.lock(match)
    if match.status != MatchStatus.INTRODUCED:
        raise InvalidInput(_answered(match, by))
    field = "venture_answer" if side == "venture" else "counterpart_answer"
    if getattr(match, field) != PENDING:
        event = history.last_event("match", match.id, "match.accepted", "match.declined")
        who = history.who(event.actor if event else None, by)
        at = history.when(event.created_at if event else None, by)
        if getattr(match, field) == ACCEPTED:
            raise InvalidInput(
                _(
                    "Your side has already answered this introduction: %(who)s accepted it at "
                    "%(at)s.",
                    who=who,
                    at=at,
                )
            )
        raise InvalidInput(
            _(
                "Your side has already answered this introduction: %(who)s declined it at %(at)s.",
                who=who,
                at=at,
            )
        )
    reason = (reason or "").strip()
    if not accept and not reason:
        raise InvalidInput(_("Say briefly why you decline: it helps the team find a better match."))
    before = match_state(match)
    setattr(match, field, ACCEPTED if accept else DECLINED)
    if not accept:
        match.status = MatchStatus.DECLINED
        match.decline_reason = f"{'Venture' if side == 'venture' else 'Counterpart'}: {reason}"
        match.decline_reason_shared = share_reason
        match.decided_at = utcnow()
    elif match.venture_answer == ACCEPTED and match.counterpart_answer == ACCEPTED:
        match.status = MatchStatus.ACCEPTED
        match.decided_at = utcnow()
    db.session.flush()
    audit.record(
        by,
        f"match.{'accepted' if accept else 'declined'}",
        "match",
        match.id,
        before=before,
        after={**match_state(match), "side": side},
    )
    if match.status in (MatchStatus.ACCEPTED, MatchStatus.DECLINED):
        _mail_outcome(match)
    return match


def _answered(match: Match, viewer: User) -> str:
    """How an introduction was settled, for someone whose answer came too late."""
    at = history.when(match.decided_at, viewer)
    if match.status == MatchStatus.ACCEPTED:
        return _("This introduction was already accepted by both sides at %(at)s.", at=at)
    declined = match.status == MatchStatus.DECLINED
    event = history.last_event("match", match.id, "match.declined" if declined else "match.ended")
    who = history.who(event.actor if event else None, viewer)
    reason = decline_reason_for(viewer, match)
    if declined and reason:
        return _(
            "This introduction was already declined by %(who)s at %(at)s: “%(reason)s”.",
            who=who,
            at=at,
            reason=reason,
        )
    if declined:
        return _("This introduction was already declined by %(who)s at %(at)s.", who=who, at=at)
    if reason:
        return _(
            "This introduction was already ended by %(who)s at %(at)s: “%(reason)s”.",
            who=who,
            at=at,
            reason=reason,
        )
    return _("This introduction was already ended by %(who)s at %(at)s.", who=who, at=at)


def decline_reason_for(viewer: User, match: Match) -> str:
    """The reason a declined or ended introduction gives, as this person may read it: a
    reason for declining only for the program team, the side that declined, and the other
    side when it was shared; "" otherwise."""
    if match.status == MatchStatus.DECLINED:
        if not permissions.may_read_decline_reason(viewer, match):
            return ""
        return match.decline_reason.partition(": ")[2] or match.decline_reason
    return match.decline_reason


def _mail_outcome(match: Match) -> None:
    if match.status == MatchStatus.ACCEPTED:
        kind = "introduction_accepted"
    else:
        kind = "introduction_declined"
    counterpart = counterpart_name(match)
    declined_by = permissions.declining_side(match)
    for side, people in (
        ("venture", founders_of(match.venture)),
        ("counterpart", counterpart_people(match)),
    ):
        for person in people:
            mail.send_template(
                person,
                kind,
                match=match,
                counterpart=counterpart,
                # Each side reads the reason only as the page would show it to them.
                reason=decline_reason_for(person, match),
                own_side_declined=declined_by == side,
            )


def end(match: Match, reason: str, *, by: User) -> None:
    """End a live match (a manager, or either side), keeping the reason."""
    if not permissions.may_end_match(by, match):
        raise NotAllowed(_("Only the program team or one side of the match can end it."))
    locks.lock(match)
    if match.status not in HOLDS_CAPACITY:
        raise InvalidInput(_(NOT_LIVE.get(match.status, NOT_LIVE[MatchStatus.ENDED])))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give a reason for ending the match."))
    before = match_state(match)
    match.status = MatchStatus.ENDED
    match.decline_reason = reason
    match.decided_at = utcnow()
    db.session.flush()
    audit.record(by, "match.ended", "match", match.id, before=before, after=match_state(match))


def rematch(venture: Venture, kind: str, *, by: User) -> Match:
    """Introduce a venture to the best remaining counterpart with room; not one who declined."""
    require_manager(by, N_("Only a program manager can re-match a venture."))
    kind = parse_kind(kind)
    # Two re-matches of one venture queue here, so the second sees the first's introduction.
    locks.lock(venture)
    if not venture.needs:
        raise InvalidInput(
            _("%(venture)s lists no needs, so no match can be scored for it.", venture=venture.name)
        )
    tried = set(
        db.session.scalars(
            select(Match.counterpart_key).where(
                Match.venture_id == venture.id,
                Match.kind == kind,
                or_(Match.status.in_(LIVE), Match.status == MatchStatus.DECLINED),
            )
        )
    )
    best = _best_counterpart(venture, kind, exclude=tried)
    if best is None:
        raise InvalidInput(_(NOBODY_LEFT[kind], venture=venture.name))
    key, score, why = best
    match = new_match(None, venture.id, kind, key, score, why, cohort_id=venture.cohort_id)
    match.status = MatchStatus.INTRODUCED
    match.introduced_at = utcnow()
    db.session.add(match)
    flush_pairs(N_("Could not re-match: that venture and counterpart already have a live match."))
    audit.record(by, "match.rematched", "match", match.id, after=match_state(match))
    mail_introduction(match)
    return match


def _best_counterpart(
    venture: Venture, kind: str, *, exclude: set[str]
) -> tuple[str, float, list[scoring.Reason]] | None:
    """The highest-scoring eligible counterpart with room that is not excluded."""
    cohort_facts = facts.facts_with_room(venture.cohort, MatchKind(kind))[0]
    mine = facts.venture_facts(venture)
    weights = facts.weights_from_config()
    best = None
    for counterpart in cohort_facts.counterparts:
        if counterpart.key in exclude or counterpart.capacity < 1:
            continue
        scored = scoring.score(mine, counterpart, cohort_facts.rankings, weights)
        if not scored.eligible:
            continue
        if best is None or scored.score > best[1]:
            best = (counterpart.key, round(scored.score, 3), scored.reasons)
    return best


# What each person sees ------------------------------------------------------------------------


@dataclass(frozen=True)
class Introduction:
    """A match as one of its sides sees it."""

    match: Match
    side: str  # "venture" or "counterpart"
    other_name: str
    my_answer: str
    contacts: list[tuple[str, str]]  # (name, email), only once accepted
    reason: str  # why it was declined or ended, as this person may read it ("" if not)
    reasons: list[str]  # why they were matched, in the reader's language
    meeting_link: str | None
    mentor_id: int | None  # for booking, once an accepted mentor match


def introductions_for(user: User) -> list[Introduction]:
    """The introductions the user answers for: as a founder, a counterpart, or a partner."""
    venture_ids = permissions.founder_venture_ids(user)
    organisation_ids = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user.id
    )
    matches = db.session.scalars(
        select(Match)
        .options(
            selectinload(Match.venture)
            .selectinload(Venture.members)
            .selectinload(VentureMember.user),
            selectinload(Match.counterpart),
            selectinload(Match.organisation),
        )
        .where(Match.status != MatchStatus.PROPOSED, Match.introduced_at.is_not(None))
        .where(
            or_(
                Match.venture_id.in_(venture_ids),
                Match.counterpart_id == user.id,
                Match.organisation_id.in_(organisation_ids),
            )
        )
        .order_by(Match.introduced_at.desc(), Match.id.desc())
    )
    found = []
    for match in matches:
        side = permissions.match_side(user, match)
        if side is None:
            continue
        found.append(_introduction(match, side, user))
    return found


def _introduction(match: Match, side: str, viewer: User) -> Introduction:
    accepted = match.status == MatchStatus.ACCEPTED
    if side == "venture":
        other = counterpart_name(match)
        people = counterpart_people(match)
        my_answer = match.venture_answer
    else:
        other = match.venture.name
        people = founders_of(match.venture)
        my_answer = match.counterpart_answer
    meeting_link = None
    mentor_id = None
    if accepted and match.kind == MatchKind.MENTOR and side == "venture":
        mentor_id = match.counterpart_id
        profile = db.session.get(MentorProfile, match.counterpart_id)
        meeting_link = profile.meeting_link if profile else None
    return Introduction(
        match=match,
        side=side,
        other_name=other,
        my_answer=my_answer,
        contacts=[(p.name, p.email) for p in people] if accepted else [],
        reason=decline_reason_for(viewer, match),
        reasons=reasons.sentences(match.reasons),
        meeting_link=meeting_link,
        mentor_id=mentor_id,
    )
