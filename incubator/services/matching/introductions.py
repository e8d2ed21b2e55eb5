"""Matching runs, their review, and the double opt-in introductions they become.

A run proposes matches for one cohort and one kind of counterpart; the manager pins,
removes, swaps and adds, then publishes. Each published match is an introduction both
sides answer: accepted by both, it shows contact details; declined by either, it keeps the
reason and the venture can be matched again. Nothing is deleted: runs are discarded and
matches ended, with a reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from sqlalchemy import String, cast, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from incubator import permissions
from incubator.extensions import db
from incubator.models import (
    Cohort,
    Match,
    MatchingRun,
    MatchKind,
    MatchStatus,
    MentorProfile,
    Organisation,
    OrganisationMember,
    User,
    Venture,
    VentureMember,
    VentureStatus,
    utcnow,
)
from incubator.services import audit, history, locks, mail, versions
from incubator.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from incubator.services.matching import runs as scoring

DRAFT, PUBLISHED, DISCARDED = "draft", "published", "discarded"
METHODS = ("optimal", "stable")
# What holds a counterpart's place: an introduction waiting for answers, or an accepted one.
HOLDS_CAPACITY = (MatchStatus.INTRODUCED, MatchStatus.ACCEPTED)
LIVE = (MatchStatus.PROPOSED, MatchStatus.INTRODUCED, MatchStatus.ACCEPTED)
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
REMOVED_IN_REVIEW = "removed in review"
KIND_NOUNS = {
    MatchKind.MENTOR: "mentor",
    MatchKind.FUNDER: "funder",
    MatchKind.PARTNER: "partner organisation",
}


def _check_manager(by: User | None, what: str) -> None:
    if not permissions.is_manager(by):
        raise NotAllowed(f"Only a program manager can {what}.")


def parse_kind(value: str) -> MatchKind:
    try:
        return MatchKind(value)
    except ValueError:
        raise InvalidInput(f"Unknown kind of match {value!r}.") from None


def counterpart_key(kind: str, counterpart_id: int) -> str:
    """The key the live-pair index uses: "user:<id>" or "org:<id>"."""
    return f"org:{counterpart_id}" if kind == MatchKind.PARTNER else f"user:{counterpart_id}"


def key_id(key: str) -> int:
    return int(key.partition(":")[2])


def counterpart_name(match: Match) -> str:
    if match.kind == MatchKind.PARTNER:
        return match.organisation.name if match.organisation else "?"
    return match.counterpart.name if match.counterpart else "?"


def _match_state(match: Match) -> dict:
    return {
        "venture_id": match.venture_id,
        "kind": match.kind,
        "counterpart": match.counterpart_key,
        "status": match.status,
        "score": match.score,
        "pinned": match.pinned,
        "decline_reason": match.decline_reason,
    }


def _flush_pairs(what: str) -> None:
    """Flush; the live-pair index turns a duplicate into a message, not a server error."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(f"{what}: that venture and counterpart already have a live match.") from None


# Looking things up ----------------------------------------------------------------------------


def get_run(run_id: int) -> MatchingRun:
    run = db.session.get(MatchingRun, run_id)
    if run is None:
        raise NotFound("There is no such matching run.")
    return run


def get_match(match_id: int) -> Match:
    match = db.session.get(Match, match_id)
    if match is None:
        raise NotFound("There is no such match.")
    return match


def runs_of(cohort: Cohort) -> list[MatchingRun]:
    return list(
        db.session.scalars(
            select(MatchingRun)
            .where(MatchingRun.cohort_id == cohort.id)
            .order_by(MatchingRun.created_at.desc(), MatchingRun.id.desc())
        )
    )


def latest_drafts(cohort: Cohort) -> dict[str, MatchingRun]:
    """The draft under review for each kind, if any."""
    drafts: dict[str, MatchingRun] = {}
    for run in runs_of(cohort):
        if run.status == DRAFT and run.kind not in drafts:
            drafts[run.kind] = run
    return drafts


def run_matches(run: MatchingRun, *, live_only: bool = True) -> list[Match]:
    statement = (
        select(Match)
        .options(
            selectinload(Match.venture),
            selectinload(Match.counterpart),
            selectinload(Match.organisation),
        )
        .where(Match.run_id == run.id)
    )
    if live_only:
        statement = statement.where(Match.status.in_(LIVE))
    matches = list(db.session.scalars(statement))
    return sorted(matches, key=lambda m: (m.venture.name, -m.score, m.id))


def cohort_introductions(cohort: Cohort) -> list[Match]:
    """Every match past review in a cohort, for the manager: answers, declines, ends."""
    return list(
        db.session.scalars(
            select(Match)
            .options(
                selectinload(Match.venture),
                selectinload(Match.counterpart),
                selectinload(Match.organisation),
            )
            .where(Match.cohort_id == cohort.id, Match.status != MatchStatus.PROPOSED)
            .where(Match.introduced_at.is_not(None))
            .order_by(Match.introduced_at.desc(), Match.id.desc())
        )
    )


# Capacity -------------------------------------------------------------------------------------


def _taken_in_run(run: MatchingRun) -> tuple[Counter[str], Counter[int]]:
    """Proposed places in a draft: per counterpart key and per venture."""
    rows = db.session.execute(
        select(Match.counterpart_key, Match.venture_id).where(
            Match.run_id == run.id, Match.status == MatchStatus.PROPOSED
        )
    ).all()
    return Counter(key for key, _ in rows), Counter(venture_id for _, venture_id in rows)


def _venture_live(venture_id: int, kind: str) -> set[str]:
    """Counterparts this venture already has a live match with."""
    return set(
        db.session.scalars(
            select(Match.counterpart_key).where(
                Match.venture_id == venture_id, Match.kind == kind, Match.status.in_(LIVE)
            )
        )
    )


# Running matching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """One method's answer: pairs (venture id, counterpart key), total score, blocking pairs."""

    method: str
    pairs: list[tuple[int, str]]
    total_score: float
    blocking_pairs: int | None


def _check_bounds(min_per_venture: int, max_per_venture: int) -> None:
    if max_per_venture < 1:
        raise InvalidInput(
            "“At most, per venture” is 0, so no venture could be matched: make it 1 or more."
        )
    if min_per_venture < 0:
        raise InvalidInput("“At least, per venture” cannot be negative.")
    if min_per_venture > max_per_venture:
        raise InvalidInput(
            f"“At least, per venture” ({min_per_venture}) is more than “at most” "
            f"({max_per_venture})."
        )


def _active_ventures(cohort: Cohort) -> list[Venture]:
    return list(
        db.session.scalars(
            select(Venture)
            .where(Venture.cohort_id == cohort.id, Venture.status == VentureStatus.ACTIVE)
            .order_by(Venture.name)
        )
    )


def _check_matchable(cohort: Cohort, kind: MatchKind) -> list[Venture]:
    ventures = _active_ventures(cohort)
    if not ventures:
        raise InvalidInput(
            f"{cohort.name} has no active ventures, so there is nobody to match. "
            "Add or promote ventures into the cohort first."
        )
    without_needs = [venture.name for venture in ventures if not venture.needs]
    if without_needs:
        raise InvalidInput(
            "These ventures list no needs, so no match can be scored for them: "
            f"{', '.join(without_needs)}. Add their needs on each venture's profile first."
        )
    return ventures


def _in_cohort_facts(cohort: Cohort, kind: MatchKind) -> tuple[scoring.CohortFacts, set[str]]:
    """The facts with this cohort's own live introductions taken out of capacity, and the
    pairs (as "venture id|key") to keep out: introduced or accepted already, or declined."""
    facts = scoring.build_facts(cohort, kind)
    rows = db.session.execute(
        select(Match.venture_id, Match.counterpart_key, Match.status).where(
            Match.cohort_id == cohort.id,
            Match.kind == kind,
            Match.status.in_((*HOLDS_CAPACITY, MatchStatus.DECLINED)),
        )
    ).all()
    held = [(venture_id, key) for venture_id, key, status in rows if status in HOLDS_CAPACITY]
    places = Counter(key for _, key in held)
    counterparts = [
        replace(c, capacity=max(c.capacity - places[c.key], 0)) for c in facts.counterparts
    ]
    if facts.counterparts and not any(c.capacity for c in counterparts):
        noun = KIND_NOUNS[kind]
        raise InvalidInput(
            f"No {noun} has room: every {noun} has capacity 0 or is already fully matched. "
            "Raise a capacity before matching."
        )
    return (
        scoring.CohortFacts(facts.ventures, counterparts, facts.rankings),
        {f"{venture_id}|{key}" for venture_id, key, _ in rows},
    )


def _propose(
    cohort: Cohort,
    kind: MatchKind,
    min_per_venture: int,
    max_per_venture: int,
    pinned: list[Match],
) -> tuple[dict[str, Proposal], dict[tuple[int, str], scoring.Scored]]:
    """Both methods' proposals (stable only where both sides ranked each other) and the
    score and reasons of every proposed pair."""
    facts, held = _in_cohort_facts(cohort, kind)
    table = scoring.score_all(facts.ventures, facts.counterparts, facts.rankings)
    row_of = {venture.id: row for row, venture in enumerate(table.ventures)}
    column_of = {counterpart.key: column for column, counterpart in enumerate(table.counterparts)}
    forbidden = [
        (row_of[venture.id], column_of[key])
        for venture in table.ventures
        for key in column_of
        if f"{venture.id}|{key}" in held
    ]
    fixed = [
        (row_of[m.venture_id], column_of[m.counterpart_key])
        for m in pinned
        if m.venture_id in row_of and m.counterpart_key in column_of
    ]
    capacities = table.capacities
    optimal = scoring.assign(
        table.scores, capacities, min_per_venture, max_per_venture, fixed, forbidden
    )
    prefs = scoring.preferences(table)
    # Pairs that may not be made are acceptable to neither side.
    excluded = set(forbidden)
    venture_prefs = [
        [c for c in line if (v, c) not in excluded] for v, line in enumerate(prefs.ventures)
    ]
    counterpart_prefs = [
        [v for v in line if (v, c) not in excluded] for c, line in enumerate(prefs.counterparts)
    ]

    def blocking(pairs: list[tuple[int, int]]) -> int:
        return scoring.blocking_pairs(
            pairs, venture_prefs, counterpart_prefs, capacities, max_per_venture
        )

    results = [("optimal", optimal)]
    if any(rank.mutual for rank in facts.rankings.values()):
        results.append(
            (
                "stable",
                _stable_with_pins(
                    venture_prefs, counterpart_prefs, capacities, max_per_venture, fixed, table
                ),
            )
        )
    proposals = {}
    explained: dict[tuple[int, str], scoring.Scored] = {}
    for method, assignment in results:
        pairs = []
        for row, column in assignment.pairs:
            key = (table.ventures[row].id, table.counterparts[column].key)
            pairs.append(key)
            explained.setdefault(key, table.explain(row, column))
        proposals[method] = Proposal(
            method, pairs, round(assignment.total, 3), blocking(assignment.pairs)
        )
    return proposals, explained


def _stable_with_pins(venture_prefs, counterpart_prefs, capacities, max_per_venture, fixed, table):
    """Deferred acceptance around the pinned pairs: they keep their places, the rest compete."""
    if not fixed:
        return scoring.stable(
            venture_prefs, counterpart_prefs, capacities, max_per_venture, table.scores
        )
    left = list(capacities)
    for _, column in fixed:
        left[column] = max(left[column] - 1, 0)
    pinned = set(fixed)
    free_prefs = [[c for c in line if (v, c) not in pinned] for v, line in enumerate(venture_prefs)]
    found = scoring.stable(free_prefs, counterpart_prefs, left, max_per_venture, table.scores)
    pairs = sorted(set(found.pairs) | pinned)
    total = float(sum(table.scores[pair] for pair in pairs))
    return scoring.Assignment(pairs, total)


def run_matching(
    cohort: Cohort,
    kind: str,
    method: str,
    min_per_venture: int,
    max_per_venture: int,
    *,
    by: User,
) -> MatchingRun:
    """Propose matches for a cohort: both methods computed, the chosen one stored for review."""
    _check_manager(by, "run matching")
    kind = parse_kind(kind)
    if method not in METHODS:
        raise InvalidInput(f"Unknown matching method {method!r}.")
    _check_bounds(min_per_venture, max_per_venture)
    _check_matchable(cohort, kind)
    previous = latest_drafts(cohort).get(kind)
    if previous is not None:
        # Publishing or editing that draft at the same moment queues on its row.
        locks.lock(previous)
        if previous.status != DRAFT:
            raise Conflict(
                f"The proposal under review was just {_run_news(previous, by)}; look at the "
                "runs again before running matching."
            )
    pinned = [m for m in run_matches(previous) if m.pinned] if previous is not None else []
    proposals, explained = _propose(cohort, kind, min_per_venture, max_per_venture, pinned)
    chosen = proposals.get(method) or proposals["optimal"]
    if previous is not None:
        _discard(previous, by, keep=pinned)
    run = MatchingRun(
        cohort_id=cohort.id,
        kind=kind,
        method=chosen.method,
        min_per_venture=min_per_venture,
        max_per_venture=max_per_venture,
        total_score=chosen.total_score,
        blocking_pairs=chosen.blocking_pairs,
        status=DRAFT,
        # Both methods, side by side; None where the stable option needs rankings it lacks.
        summary={
            name: (
                {"total_score": found.total_score, "blocking_pairs": found.blocking_pairs}
                if (found := proposals.get(name))
                else None
            )
            for name in METHODS
        }
        | {"asked_for": method},
        created_by_id=by.id,
    )
    db.session.add(run)
    db.session.flush()
    for match in pinned:
        match.run_id = run.id
    kept = {(m.venture_id, m.counterpart_key) for m in pinned}
    for venture_id, key in chosen.pairs:
        if (venture_id, key) in kept:
            continue
        scored = explained[(venture_id, key)]
        db.session.add(_new_match(run, venture_id, kind, key, scored.score, scored.reasons))
    _flush_pairs("Could not store the proposal")
    audit.record(
        by,
        "matching_run.created",
        "matching_run",
        run.id,
        after={
            "cohort_id": cohort.id,
            "kind": kind,
            "method": run.method,
            "min_per_venture": min_per_venture,
            "max_per_venture": max_per_venture,
            "summary": run.summary,
            "matches": len(chosen.pairs),
        },
    )
    return run


def _new_match(
    run: MatchingRun | None,
    venture_id: int,
    kind: str,
    key: str,
    score: float,
    reasons: list[str],
    *,
    cohort_id: int | None = None,
) -> Match:
    counterpart = key_id(key)
    return Match(
        run_id=run.id if run is not None else None,
        cohort_id=run.cohort_id if run is not None else cohort_id,
        venture_id=venture_id,
        kind=kind,
        counterpart_id=None if kind == MatchKind.PARTNER else counterpart,
        organisation_id=counterpart if kind == MatchKind.PARTNER else None,
        counterpart_key=key,
        score=round(float(score), 3),
        reasons=list(reasons),
        status=MatchStatus.PROPOSED,
    )


def _discard(run: MatchingRun, by: User, *, keep: list[Match]) -> None:
    """Set a draft aside: its proposals end (the pinned ones move to the new run)."""
    kept = {m.id for m in keep}
    ended = 0
    for match in run_matches(run):
        if match.id in kept or match.status != MatchStatus.PROPOSED:
            continue
        match.status = MatchStatus.ENDED
        match.decline_reason = "replaced by a new matching run"
        match.decided_at = utcnow()
        ended += 1
    run.status = DISCARDED
    db.session.flush()
    audit.record(
        by,
        "matching_run.discarded",
        "matching_run",
        run.id,
        after={"ended": ended, "pinned_kept": len(kept)},
    )


# Review ---------------------------------------------------------------------------------------

# The review edits recorded on a run's matches; with the run's own events they say who
# changed the proposal last.
REVIEW_ACTIONS = ("match.pinned", "match.unpinned", "match.removed", "match.swapped", "match.added")


def _proposal_line(run: MatchingRun, venture: Venture) -> str:
    """What a run holds for one venture now, in words."""
    names = [
        counterpart_name(m)
        + (" (pinned)" if m.pinned else "")
        + ("" if m.status == MatchStatus.PROPOSED else f" ({m.status})")
        for m in run_matches(run)
        if m.venture_id == venture.id
    ]
    return ", ".join(names) or "Nothing proposed"


def _stale_review(
    run: MatchingRun, by: User, edits: Callable[[], list[tuple[Venture, str]]]
) -> versions.StaleVersion:
    """The refusal of a review edit made on a page opened before the run's last change:
    theirs is what the draft proposes now for each venture the edit touches, yours the edit."""
    touched = edits()
    theirs = {venture.name: _proposal_line(run, venture) for venture, _ in touched}
    yours = {venture.name: edit for venture, edit in touched}
    advice = (
        "Compare the two versions below, then make your change again on the proposal as it is now."
    )
    if run.status != DRAFT:
        theirs["Proposal"] = "Published" if run.status == PUBLISHED else "Set aside"
        yours["Proposal"] = "Draft under review"
        advice = "Only a draft can be changed; compare the two versions below."
    match_ids = select(cast(Match.id, String)).where(Match.run_id == run.id)
    return versions.refusal(
        "This proposal",
        run.version,
        changed_by=audit.last_actor(
            audit.about("matching_run", run.id),
            audit.about("match", match_ids, *REVIEW_ACTIONS),
        ),
        by=by,
        theirs=theirs,
        yours=yours,
        advice=advice,
    )


def _review_edit(
    run: MatchingRun | None,
    expected_version: int | None,
    by: User,
    edits: Callable[[], list[tuple[Venture, str]]],
) -> None:
    """Lock the draft, refuse an edit made on a page opened before its last change (another
    edit, publishing, a new run), and count the edit as the run's next version.

    `edits` describes the edit for each venture it touches, for the refusal.
    """
    _check_manager(by, "review a proposal")
    if run is None:
        return
    locks.lock(run)
    refuse = partial(_stale_review, run, by, edits)
    versions.check(run.version, expected_version, refuse)
    with versions.saving(refuse):
        # The edit changes the run's matches, not its row: the version moves on regardless.
        run.version += 1


def _counterpart_label(kind: str, counterpart_id: int) -> str:
    holder: Organisation | User | None
    if kind == MatchKind.PARTNER:
        holder = db.session.get(Organisation, counterpart_id)
    else:
        holder = db.session.get(User, counterpart_id)
    return holder.name if holder is not None else "?"


def _run_news(run: MatchingRun, viewer: User) -> str:
    """What became of a run that is no longer a draft ("published by Maya Manager at 3:02
    PM"), for a manager whose edit or publish came second."""
    if run.status == PUBLISHED:
        event = history.last_event("matching_run", run.id, "matching_run.published")
        who = history.who(event.actor if event else None, viewer)
        return f"published by {who} at {history.when(run.published_at, viewer)}"
    event = history.last_event("matching_run", run.id, "matching_run.discarded")
    who = history.who(event.actor if event else None, viewer)
    at = history.when(event.created_at if event else None, viewer)
    return f"set aside at {at}, when {who} ran matching again"


def _check_reviewable(match: Match, by: User, what: str) -> MatchingRun:
    _check_manager(by, what)
    run = match.run
    # Review edits and publishing queue on the run's row: an edit lands before the run is
    # published, or sees that it was.
    locks.lock(run, match)
    if run is None or run.status != DRAFT:
        news = f"this run was {_run_news(run, by)}" if run is not None else "it has no run"
        raise InvalidInput(f"Only a draft proposal can be changed: {news}.")
    if match.status != MatchStatus.PROPOSED:
        raise InvalidInput("That match is no longer in the proposal.")
    return run


def pin(match: Match, *, by: User, expected_version: int | None = None) -> bool:
    """Pin a proposed match, or unpin it: a pinned match stays when matching is run again."""
    _check_reviewable(match, by, "review a proposal")
    _review_edit(
        match.run,
        expected_version,
        by,
        lambda: [(match.venture, f"Change the pin on {counterpart_name(match)}")],
    )
    match.pinned = not match.pinned
    db.session.flush()
    audit.record(
        by,
        "match.pinned" if match.pinned else "match.unpinned",
        "match",
        match.id,
        after=_match_state(match),
    )
    return match.pinned


def remove(match: Match, *, by: User, expected_version: int | None = None) -> None:
    """Take a match out of the proposal; it stays on record as ended."""
    _check_reviewable(match, by, "review a proposal")
    _review_edit(
        match.run,
        expected_version,
        by,
        lambda: [(match.venture, f"Remove {counterpart_name(match)}")],
    )
    if match.pinned:
        raise InvalidInput("That match is pinned: unpin it before removing it.")
    before = _match_state(match)
    match.status = MatchStatus.ENDED
    match.decline_reason = REMOVED_IN_REVIEW
    match.decided_at = utcnow()
    db.session.flush()
    audit.record(by, "match.removed", "match", match.id, before=before, after=_match_state(match))


def _counterpart_facts(cohort: Cohort, kind: str) -> dict[str, scoring.CounterpartFacts]:
    facts, _ = _in_cohort_facts(cohort, MatchKind(kind))
    return {counterpart.key: counterpart for counterpart in facts.counterparts}


def _venture_facts(venture: Venture) -> scoring.VentureFacts:
    return scoring.VentureFacts(
        id=venture.id,
        name=venture.name,
        needs=tuple(venture.needs or ()),
        challenge_area=venture.challenge_area or "",
        stage=venture.stage or "",
        impact_areas=tuple(venture.impact_areas or ()),
        neighbourhoods=tuple(venture.neighbourhoods or ()),
        languages=tuple(venture.languages or ()),
    )


def _score(venture: Venture, kind: str, key: str) -> tuple[float, list[str]]:
    """The score and reasons of one pair, as matching scores them."""
    facts = scoring.build_facts(venture.cohort, kind)
    counterpart = next((c for c in facts.counterparts if c.key == key), None)
    if counterpart is None:
        raise InvalidInput(
            f"That {KIND_NOUNS[MatchKind(kind)]} is not open to matching (no profile, or not "
            "accepting ventures)."
        )
    scored = scoring.score(
        _venture_facts(venture), counterpart, facts.rankings, scoring.weights_from_config()
    )
    if not scored.eligible:
        raise InvalidInput(f"{venture.name} cannot be matched there: {'; '.join(scored.reasons)}.")
    return round(scored.score, 3), scored.reasons


def swap(match_a: Match, match_b: Match, *, by: User, expected_version: int | None = None) -> None:
    """Exchange the counterparts of two proposed matches of one draft, scoring both again."""
    locks.lock(match_a.run, match_b.run, match_a, match_b)
    # A run published meanwhile says so before a stale version would.
    run = _check_reviewable(match_a, by, "review a proposal")
    _check_reviewable(match_b, by, "review a proposal")
    _review_edit(
        match_a.run,
        expected_version,
        by,
        lambda: [
            (match_a.venture, f"Swap {counterpart_name(match_a)} for {counterpart_name(match_b)}"),
            (match_b.venture, f"Swap {counterpart_name(match_b)} for {counterpart_name(match_a)}"),
        ],
    )
    if match_b.run_id != run.id:
        raise InvalidInput("Only two matches of the same proposal can be swapped.")
    if match_a.id == match_b.id:
        raise InvalidInput("Choose two different matches to swap.")
    if match_a.pinned or match_b.pinned:
        raise InvalidInput("A pinned match keeps its counterpart: unpin it before swapping.")
    if (
        match_a.venture_id == match_b.venture_id
        or match_a.counterpart_key == match_b.counterpart_key
    ):
        raise InvalidInput(
            "Swapping those two would change nothing: choose another venture's match."
        )
    key_a, key_b = match_a.counterpart_key, match_b.counterpart_key
    for match, key in ((match_a, key_b), (match_b, key_a)):
        if key in _venture_live(match.venture_id, match.kind):
            raise InvalidInput(
                f"{match.venture.name} already has a match with that "
                f"{KIND_NOUNS[MatchKind(match.kind)]}: the swap would pair them twice."
            )
    before = {"a": _match_state(match_a), "b": _match_state(match_b)}
    # Each counterpart keeps the same number of ventures, so capacity is unchanged; the
    # keys are cleared first so no moment holds the same pair twice.
    for match, key in ((match_a, key_b), (match_b, key_a)):
        _set_counterpart(match, key)
    for match in (match_a, match_b):
        match.score, match.reasons = _score(match.venture, match.kind, match.counterpart_key)
        match.score = round(float(match.score), 3)
        match.pinned = False
    _flush_pairs("Could not swap")
    _refresh_total(run)
    audit.record(
        by,
        "match.swapped",
        "match",
        match_a.id,
        before=before,
        after={"a": _match_state(match_a), "b": _match_state(match_b)},
    )


def _set_counterpart(match: Match, key: str) -> None:
    counterpart = key_id(key)
    match.counterpart_key = key
    if match.kind == MatchKind.PARTNER:
        match.organisation = db.session.get(Organisation, counterpart)
    else:
        match.counterpart = db.session.get(User, counterpart)


def _capacity_left(run: MatchingRun, key: str) -> int:
    """Places left: capacity less live introductions anywhere and this draft's proposals."""
    counterpart = _counterpart_facts(run.cohort, run.kind).get(key)
    if counterpart is None:
        raise InvalidInput(
            f"That {KIND_NOUNS[MatchKind(run.kind)]} is not open to matching (no profile, or "
            "not accepting ventures)."
        )
    return counterpart.capacity - _taken_in_run(run)[0][key]


def add(
    run: MatchingRun,
    venture: Venture,
    counterpart_id: int,
    *,
    by: User,
    expected_version: int | None = None,
) -> Match:
    """Add a pair the algorithm did not propose, within capacity and the venture's maximum."""
    _review_edit(
        run,
        expected_version,
        by,
        lambda: [(venture, f"Add {_counterpart_label(run.kind, counterpart_id)}")],
    )
    if run.status != DRAFT:
        raise InvalidInput(
            f"Only a draft proposal can be changed: this run was {_run_news(run, by)}."
        )
    if venture.cohort_id != run.cohort_id:
        raise InvalidInput(f"{venture.name} is not in this cohort.")
    key = counterpart_key(run.kind, counterpart_id)
    if key in _venture_live(venture.id, run.kind):
        raise InvalidInput(f"{venture.name} already has a match with that counterpart.")
    if _capacity_left(run, key) < 1:
        raise InvalidInput(
            f"That {KIND_NOUNS[MatchKind(run.kind)]} has no room left: every place is taken."
        )
    if _taken_in_run(run)[1][venture.id] >= run.max_per_venture:
        raise InvalidInput(
            f"{venture.name} already has {run.max_per_venture} matches, the most this run allows."
        )
    score, reasons = _score(venture, run.kind, key)
    match = _new_match(run, venture.id, run.kind, key, score, reasons)
    db.session.add(match)
    _flush_pairs("Could not add the match")
    _refresh_total(run)
    audit.record(by, "match.added", "match", match.id, after=_match_state(match))
    return match


def add_choices(run: MatchingRun) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """What a pair can be added from, as (id, name): the cohort's active ventures and the
    counterparts open to matching; `add` checks room and the venture's maximum."""
    facts = scoring.build_facts(run.cohort, run.kind)
    return (
        [(venture.id, venture.name) for venture in facts.ventures],
        [(key_id(counterpart.key), counterpart.name) for counterpart in facts.counterparts],
    )


def _refresh_total(run: MatchingRun) -> None:
    """The total of what the draft now proposes; the blocking-pair count was the algorithm's."""
    run.total_score = round(sum(m.score for m in run_matches(run)), 3)
    db.session.flush()


# Publishing -----------------------------------------------------------------------------------


def publish(run: MatchingRun, *, by: User) -> list[Match]:
    """Introduce every proposed match of a draft and mail both sides why they were matched."""
    _check_manager(by, "publish matches")
    # A second publish (another manager, a double click) waits here and finds it published;
    # review edits hold the same lock, so none lands halfway through.
    locks.lock(run)
    if run.status != DRAFT:
        raise Conflict(f"This run was already {_run_news(run, by)}.")
    matches = [m for m in run_matches(run) if m.status == MatchStatus.PROPOSED]
    if not matches:
        raise InvalidInput("The proposal has no matches left to publish.")
    now = utcnow()
    for match in matches:
        match.status = MatchStatus.INTRODUCED
        match.introduced_at = now
        match.venture_answer = PENDING
        match.counterpart_answer = PENDING
    run.status = PUBLISHED
    run.published_at = now
    db.session.flush()
    for match in matches:
        _mail_introduction(match)
    audit.record(
        by,
        "matching_run.published",
        "matching_run",
        run.id,
        after={"introduced": [m.id for m in matches]},
    )
    return matches


def founders_of(venture: Venture) -> list[User]:
    return [member.user for member in venture.members if member.user.active]


def counterpart_people(match: Match) -> list[User]:
    """Who answers for the counterpart: the mentor or funder, or the partner's members."""
    if match.kind == MatchKind.PARTNER:
        if match.organisation is None:
            return []
        return [member.user for member in match.organisation.members if member.user.active]
    return [match.counterpart] if match.counterpart is not None else []


def _mail_introduction(match: Match) -> None:
    counterpart = counterpart_name(match)
    for founder in founders_of(match.venture):
        mail.send_template(founder, "introduction_venture", match=match, counterpart=counterpart)
    for person in counterpart_people(match):
        mail.send_template(person, "introduction_counterpart", match=match)


# Answers --------------------------------------------------------------------------------------


def answer(match: Match, accept: bool, reason: str = "", *, by: User) -> Match:
    """One side's answer: both accepting makes the match; either declining ends it, with why."""
    if not permissions.may_view_match(by, match):
        raise NotFound("There is no such match.")
    if not permissions.may_answer_match(by, match):
        raise NotAllowed("Only the two sides of an introduction answer it.")
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
        raise InvalidInput(
            f"Your side has already answered this introduction: {who} "
            f"{getattr(match, field)} it at {at}."
        )
    reason = (reason or "").strip()
    if not accept and not reason:
        raise InvalidInput("Say briefly why you decline: it helps the team find a better match.")
    before = _match_state(match)
    setattr(match, field, ACCEPTED if accept else DECLINED)
    if not accept:
        match.status = MatchStatus.DECLINED
        match.decline_reason = f"{'Venture' if side == 'venture' else 'Counterpart'}: {reason}"
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
        after={**_match_state(match), "side": side},
    )
    if match.status in (MatchStatus.ACCEPTED, MatchStatus.DECLINED):
        _mail_outcome(match)
    return match


def _answered(match: Match, viewer: User) -> str:
    """How an introduction was settled, for someone whose answer came too late."""
    at = history.when(match.decided_at, viewer)
    if match.status == MatchStatus.ACCEPTED:
        return f"This introduction was already accepted by both sides at {at}."
    action = "match.declined" if match.status == MatchStatus.DECLINED else "match.ended"
    event = history.last_event("match", match.id, action)
    who = history.who(event.actor if event else None, viewer)
    reason = match.decline_reason.partition(": ")[2] if action == "match.declined" else ""
    reason = reason or match.decline_reason
    return f"This introduction was already {match.status} by {who} at {at}: “{reason}”."


def _mail_outcome(match: Match) -> None:
    if match.status == MatchStatus.ACCEPTED:
        kind = "introduction_accepted"
    else:
        kind = "introduction_declined"
    counterpart = counterpart_name(match)
    for person in [*founders_of(match.venture), *counterpart_people(match)]:
        mail.send_template(person, kind, match=match, counterpart=counterpart)


def end(match: Match, reason: str, *, by: User) -> None:
    """End a live match (a manager, or either side), keeping the reason."""
    if not permissions.may_end_match(by, match):
        raise NotAllowed("Only the program team or one side of the match can end it.")
    locks.lock(match)
    if match.status not in HOLDS_CAPACITY:
        raise InvalidInput(f"This match is {match.status}; only a live introduction can end.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for ending the match.")
    before = _match_state(match)
    match.status = MatchStatus.ENDED
    match.decline_reason = reason
    match.decided_at = utcnow()
    db.session.flush()
    audit.record(by, "match.ended", "match", match.id, before=before, after=_match_state(match))


def rematch(venture: Venture, kind: str, *, by: User) -> Match:
    """Introduce a venture to the best remaining counterpart with room; not one who declined."""
    _check_manager(by, "re-match a venture")
    kind = parse_kind(kind)
    # Two re-matches of one venture queue here, so the second sees the first's introduction.
    locks.lock(venture)
    if not venture.needs:
        raise InvalidInput(f"{venture.name} lists no needs, so no match can be scored for it.")
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
        raise InvalidInput(
            f"No {KIND_NOUNS[kind]} with room is left for {venture.name} that it has not "
            "already been introduced to."
        )
    key, score, reasons = best
    match = _new_match(None, venture.id, kind, key, score, reasons, cohort_id=venture.cohort_id)
    match.status = MatchStatus.INTRODUCED
    match.introduced_at = utcnow()
    db.session.add(match)
    _flush_pairs("Could not re-match")
    audit.record(by, "match.rematched", "match", match.id, after=_match_state(match))
    _mail_introduction(match)
    return match


def _best_counterpart(
    venture: Venture, kind: str, *, exclude: set[str]
) -> tuple[str, float, list[str]] | None:
    """The highest-scoring eligible counterpart with room that is not excluded."""
    facts, _ = _in_cohort_facts(venture.cohort, MatchKind(kind))
    mine = _venture_facts(venture)
    weights = scoring.weights_from_config()
    best = None
    for counterpart in facts.counterparts:
        if counterpart.key in exclude or counterpart.capacity < 1:
            continue
        scored = scoring.score(mine, counterpart, facts.rankings, weights)
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
        found.append(_introduction(match, side))
    return found


def _introduction(match: Match, side: str) -> Introduction:
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
        meeting_link=meeting_link,
        mentor_id=mentor_id,
    )
