"""Matching runs: proposing matches for a cohort, the manager's review, and publishing.

A run proposes matches for one cohort and one kind of counterpart (mentors, funders or
partners). `run_matching` loads the facts (facts.py), scores every pair (scoring.py) and
computes both options (assignment.py): the highest total score and, where both sides
ranked each other after office hours, the stable one; the chosen one is stored as a draft.
The manager pins, removes, swaps and adds, then publishes: each match becomes an
introduction (introductions.py). Nothing is deleted: runs are set aside and matches
ended, with a reason.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import defer, selectinload

from incubator.extensions import db, rows_changed
from incubator.i18n import N_
from incubator.models import (
    Cohort,
    Match,
    MatchingRun,
    MatchKind,
    MatchStatus,
    Organisation,
    User,
    Venture,
    VentureStatus,
    utcnow,
)
from incubator.services import audit, history, locks, versions
from incubator.services.errors import Conflict, InvalidInput
from incubator.services.matching import (
    assignment,
    capacity,
    facts,
    reasons,
    review_memory,
    scoring,
    stamps,
)
from incubator.services.matching.facts import counterpart_key, key_id
from incubator.services.matching.introductions import (
    LIVE,
    PENDING,
    counterpart_name,
    flush_pairs,
    insert_matches,
    mail_introduction,
    match_state,
    match_values,
    new_match,
    parse_kind,
    require_manager,
)

DRAFT, PUBLISHED, DISCARDED = "draft", "published", "discarded"
METHODS = ("optimal", "stable")
REMOVED_IN_REVIEW = "removed in review"
# Refusals that name the kind of counterpart: a whole sentence for each kind.
NOT_OPEN = {
    MatchKind.MENTOR: N_(
        "That mentor is not open to matching (no profile, or not accepting ventures)."
    ),
    MatchKind.FUNDER: N_(
        "That funder is not open to matching (no profile, or not accepting ventures)."
    ),
    MatchKind.PARTNER: N_(
        "That partner organisation is not open to matching (no profile, or not accepting ventures)."
    ),
}
PAIRED_TWICE = {
    MatchKind.MENTOR: N_(
        "%(venture)s already has a match with that mentor: the swap would pair them twice."
    ),
    MatchKind.FUNDER: N_(
        "%(venture)s already has a match with that funder: the swap would pair them twice."
    ),
    MatchKind.PARTNER: N_(
        "%(venture)s already has a match with that partner organisation: the swap would pair "
        "them twice."
    ),
}
NO_ROOM = {
    MatchKind.MENTOR: N_("That mentor has no room left: every place is taken."),
    MatchKind.FUNDER: N_("That funder has no room left: every place is taken."),
    MatchKind.PARTNER: N_("That partner organisation has no room left: every place is taken."),
}
REVIEW_ONLY = N_("Only a program manager can review a proposal.")
# A match's status inside a sentence.
STATUS_WORDS: dict[str, str] = {
    MatchStatus.PROPOSED: N_("proposed"),
    MatchStatus.INTRODUCED: N_("introduced"),
    MatchStatus.ACCEPTED: N_("accepted"),
    MatchStatus.DECLINED: N_("declined"),
    MatchStatus.ENDED: N_("ended"),
}


# Looking things up ----------------------------------------------------------------------------


def runs_of(cohort: Cohort) -> list[MatchingRun]:
    """A cohort's runs, the latest first, without their comparisons (`summary`, read when
    asked for): a run of a thousand ventures keeps a row for each."""
    return runs_and_drafts(cohort)[0]


def latest_drafts(cohort: Cohort) -> dict[str, MatchingRun]:
    """The draft under review for each kind, if any."""
    return runs_and_drafts(cohort)[1]


def runs_and_drafts(cohort: Cohort) -> tuple[list[MatchingRun], dict[str, MatchingRun]]:
    """A cohort's runs, the latest first, and the draft under review for each kind, in one
    query (`cohort_runs`)."""
    found = cohort_runs(cohort)
    return found.runs, found.drafts


@dataclass(frozen=True)
class CohortRuns:
    """A cohort's runs, the latest first; the draft under review for each kind; and the
    cohort's matching stamps as read with them (`stamps.key_column`: None, keep nothing)."""

    runs: list[MatchingRun]
    drafts: dict[str, MatchingRun]
    stamp: str | None


def cohort_runs(cohort: Cohort) -> CohortRuns:
    """A cohort's runs and drafts with its matching stamps, in one query (two for a cohort
    without runs). No run's comparison (`summary`, a row per venture) is read: a draft's is
    read when the review page keeps nothing of it under the stamps
    (review_memory.comparison)."""
    rows = db.session.execute(
        select(MatchingRun, stamps.key_column(cohort.id))
        .where(MatchingRun.cohort_id == cohort.id)
        .order_by(MatchingRun.created_at.desc(), MatchingRun.id.desc())
        .options(defer(MatchingRun.summary))
    ).all()
    found: list[MatchingRun] = [row[0] for row in rows]
    drafts: dict[str, MatchingRun] = {}
    for run in found:
        if run.status == DRAFT:
            drafts.setdefault(run.kind, run)
    return CohortRuns(found, drafts, rows[0][1] if rows else stamps.key(cohort.id))


def run_matches(run: MatchingRun, *, live_only: bool = True) -> list[Match]:
    """A run's matches (only those still in play, unless asked), by venture, best first."""
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
    """One method's answer: pairs (venture id, counterpart key), total score, blocking pairs,
    and each venture's score (the sum over its pairs), by venture id."""

    method: str
    pairs: list[tuple[int, str]]
    total_score: float
    blocking_pairs: int | None
    per_venture: dict[int, float]


def _check_bounds(min_per_venture: int, max_per_venture: int) -> None:
    """Refuse bounds per venture no run can keep, in the words of the run form."""
    if max_per_venture < 1:
        raise InvalidInput(
            _("“At most, per venture” is 0, so no venture could be matched: make it 1 or more.")
        )
    if min_per_venture < 0:
        raise InvalidInput(_("“At least, per venture” cannot be negative."))
    if min_per_venture > max_per_venture:
        raise InvalidInput(
            _(
                "“At least, per venture” (%(low)d) is more than “at most” (%(high)d).",
                low=min_per_venture,
                high=max_per_venture,
            )
        )


def _active_ventures(cohort: Cohort) -> list[tuple[str, list[str] | None]]:
    """The names and needs of the cohort's active ventures, by name."""
    rows = db.session.execute(
        select(Venture.name, Venture.needs)
        .where(Venture.cohort_id == cohort.id, Venture.status == VentureStatus.ACTIVE)
        .order_by(Venture.name)
    )
    return [(name, needs) for name, needs in rows]


def _check_matchable(cohort: Cohort, kind: MatchKind) -> None:
    """Refuse a cohort without active ventures or with ventures that list no needs: the
    message names what to fix."""
    ventures = _active_ventures(cohort)
    if not ventures:
        raise InvalidInput(
            _(
                "%(cohort)s has no active ventures, so there is nobody to match. "
                "Add or promote ventures into the cohort first.",
                cohort=cohort.name,
            )
        )
    without_needs = [name for name, needs in ventures if not needs]
    if without_needs:
        raise InvalidInput(
            _(
                "These ventures list no needs, so no match can be scored for them: "
                "%(ventures)s. Add their needs on each venture's profile first.",
                ventures=", ".join(without_needs),
            )
        )


def _pinned(run: MatchingRun | None) -> list[Match]:
    """A draft's pinned matches (those a new run keeps), read alone: a draft of thousands
    may pin a few."""
    if run is None:
        return []
    return list(
        db.session.scalars(
            select(Match)
            .where(Match.run_id == run.id, Match.status.in_(LIVE), Match.pinned.is_(True))
            .order_by(Match.id)
        )
    )


def room(
    cohort: Cohort,
    kind: str,
    drafts: Mapping[str, MatchingRun] | None = None,
    rows: facts.RoomRows | None = None,
) -> capacity.Room | None:
    """What the run form offers for a kind (capacity.offered), counting the pinned matches
    of the draft under review, which a new run keeps; `drafts`, the cohort's
    `latest_drafts`, and `rows`, the kind's `room_rows`, when the caller has read them
    already. Kept by the worker under the rows as read (review_memory.room)."""
    kind = parse_kind(kind)
    if rows is None:
        rows = room_rows(cohort, kind, latest_drafts(cohort) if drafts is None else drafts)
    return review_memory.room(rows, rows.pinned)


def room_rows(
    cohort: Cohort, kind: str, drafts: Mapping[str, MatchingRun], stamp: str | None = None
) -> facts.RoomRows:
    """What a kind's room and add form are drawn from, with the pins of its draft under
    review (`drafts`, the cohort's `latest_drafts`): one query; none where the worker kept
    them under the cohort's matching stamps as read with the drafts (`stamp`, from
    `cohort_runs`) for this kind and draft."""
    kind = parse_kind(kind)
    draft = drafts.get(kind)
    draft_id = draft.id if draft is not None else None
    return review_memory.room_rows(
        stamp, (cohort.id, kind, draft_id), lambda: facts.room_rows(cohort, kind, draft_id)
    )


def _propose(
    scored: capacity.ScoredCohort,
    min_per_venture: int,
    max_per_venture: int,
    *,
    explain: bool = True,
) -> tuple[dict[str, Proposal], dict[tuple[int, str], scoring.Scored]]:
    """Both methods' proposals (stable only where both sides ranked each other) and, unless
    `explain` is False, the score and reasons of every proposed pair."""
    table = scored.table
    with facts.unmatchable_as_invalid_input():
        options = assignment.options(
            table, min_per_venture, max_per_venture, scored.fixed, scored.forbidden
        )
    proposals = {}
    explained: dict[tuple[int, str], scoring.Scored] = {}
    for method, option in options.items():
        pairs = []
        per_venture: dict[int, float] = defaultdict(float)
        for row, column in option.assignment.pairs:
            key = (table.ventures[row].id, table.counterparts[column].key)
            pairs.append(key)
            per_venture[key[0]] += float(table.scores[row, column])
            if explain and key not in explained:
                explained[key] = table.explain(row, column)
        proposals[method] = Proposal(
            method,
            pairs,
            round(option.assignment.total, 3),
            option.blocking_pairs,
            {venture: round(score, 3) for venture, score in per_venture.items()},
        )
    return proposals, explained


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
    require_manager(by, N_("Only a program manager can run matching."))
    kind = parse_kind(kind)
    if method not in METHODS:
        raise InvalidInput(_("Unknown matching method %(method)s.", method=repr(method)))
    _check_bounds(min_per_venture, max_per_venture)
    _check_matchable(cohort, kind)
    previous = latest_drafts(cohort).get(kind)
    if previous is not None:
        # Publishing or editing that draft at the same moment queues on its row.
        locks.lock(previous)
        if previous.status != DRAFT:
            raise Conflict(
                _(
                    "The proposal under review was just %(news)s; look at the runs again "
                    "before running matching.",
                    news=_run_news(previous, by),
                )
            )
    pinned = _pinned(previous) if previous is not None else []
    scored = capacity.score_cohort(cohort, kind, pinned)
    capacity.check(scored, kind, min_per_venture, max_per_venture)
    proposals = _propose(scored, min_per_venture, max_per_venture, explain=False)[0]
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
        summary={"asked_for": method},
        created_by_id=by.id,
    )
    db.session.add(run)
    db.session.flush()
    for match in pinned:
        match.run_id = run.id
    kept = {(m.venture_id, m.counterpart_key) for m in pinned}
    table = scored.table
    row_of = {venture.id: row for row, venture in enumerate(table.ventures)}
    column_of = {c.key: column for column, c in enumerate(table.counterparts)}
    rows = []
    # Only the chosen proposal's pairs are explained: the other method's are not stored.
    for venture_id, key in chosen.pairs:
        if (venture_id, key) in kept:
            continue
        why = table.explain(row_of[venture_id], column_of[key])
        rows.append(match_values(run, venture_id, kind, key, why.score, why.reasons))
    insert_matches(
        rows,
        N_("Could not store the proposal: that venture and counterpart already have a live match."),
    )
    # The draft is the chosen proposal, so its blocking pairs are the method's.
    run.summary = _summary(run, proposals, scored.table, chosen.blocking_pairs)
    db.session.flush()
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


def _discard(run: MatchingRun, by: User, *, keep: list[Match]) -> None:
    """Set a draft aside: its proposals end (the pinned ones move to the new run)."""
    kept = {m.id for m in keep}
    # One statement for the whole draft: a run holds a match per seat of every venture.
    ended = rows_changed(
        update(Match)
        .where(
            Match.run_id == run.id,
            Match.status == MatchStatus.PROPOSED,
            Match.id.not_in(kept),
        )
        .values(
            status=MatchStatus.ENDED,
            decline_reason="replaced by a new matching run",
            decided_at=utcnow(),
        )
    )
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
        _("%(counterpart)s (pinned)", counterpart=counterpart_name(m))
        if m.pinned
        else counterpart_name(m)
        if m.status == MatchStatus.PROPOSED
        else _(
            "%(counterpart)s (%(status)s)",
            counterpart=counterpart_name(m),
            status=_(STATUS_WORDS[m.status]),
        )
        for m in run_matches(run)
        if m.venture_id == venture.id
    ]
    return ", ".join(names) or _("Nothing proposed")


def _stale_review(
    run: MatchingRun, by: User, edits: Callable[[], list[tuple[Venture, str]]]
) -> versions.StaleVersion:
    """The refusal of a review edit made on a page opened before the run's last change:
    theirs is what the draft proposes now for each venture the edit touches, yours the edit."""
    touched = edits()
    theirs = {venture.name: _proposal_line(run, venture) for venture, _ in touched}
    yours = {venture.name: edit for venture, edit in touched}
    advice = _(
        "Compare the two versions below, then make your change again on the proposal as it is now."
    )
    if run.status != DRAFT:
        published = run.status == PUBLISHED
        theirs[_("Proposal")] = pgettext("a proposal", "Published") if published else _("Set aside")
        yours[_("Proposal")] = _("Draft under review")
        advice = _("Only a draft can be changed; compare the two versions below.")
    match_ids = select(cast(Match.id, String)).where(Match.run_id == run.id)
    return versions.refusal(
        _("This proposal"),
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
    require_manager(by, REVIEW_ONLY)
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
        return _(
            "published by %(who)s at %(at)s", who=who, at=history.when(run.published_at, viewer)
        )
    event = history.last_event("matching_run", run.id, "matching_run.discarded")
    who = history.who(event.actor if event else None, viewer)
    at = history.when(event.created_at if event else None, viewer)
    return _("set aside at %(at)s, when %(who)s ran matching again", at=at, who=who)


def _check_reviewable(match: Match, by: User, refusal: str) -> MatchingRun:
    require_manager(by, refusal)
    run = match.run
    # Review edits and publishing queue on the run's row: an edit lands before the run is
    # published, or sees that it was.
    locks.lock(run, match)
    if run is None:
        raise InvalidInput(_("Only a draft proposal can be changed: it has no run."))
    if run.status != DRAFT:
        raise InvalidInput(
            _(
                "Only a draft proposal can be changed: this run was %(news)s.",
                news=_run_news(run, by),
            )
        )
    if match.status != MatchStatus.PROPOSED:
        raise InvalidInput(_("That match is no longer in the proposal."))
    return run


def pin(match: Match, *, by: User, expected_version: int | None = None) -> bool:
    """Pin a proposed match, or unpin it: a pinned match stays when matching is run again."""
    run = _check_reviewable(match, by, REVIEW_ONLY)
    _review_edit(
        run,
        expected_version,
        by,
        lambda: [
            (
                match.venture,
                _("Change the pin on %(counterpart)s", counterpart=counterpart_name(match)),
            )
        ],
    )
    match.pinned = not match.pinned
    db.session.flush()
    _compare_again(run)
    audit.record(
        by,
        "match.pinned" if match.pinned else "match.unpinned",
        "match",
        match.id,
        after=match_state(match),
    )
    return match.pinned


def _counterpart_facts(cohort: Cohort, kind: str) -> dict[str, scoring.CounterpartFacts]:
    """The counterparts of a kind open to matching, by key, with the room they have left."""
    cohort_facts = facts.facts_with_room(cohort, MatchKind(kind))[0]
    return {counterpart.key: counterpart for counterpart in cohort_facts.counterparts}


def _score(venture: Venture, kind: str, key: str) -> tuple[float, list[scoring.Reason]]:
    """The score and reasons of one pair, as matching scores them."""
    cohort_facts = facts.build_facts(venture.cohort, kind)
    counterpart = next((c for c in cohort_facts.counterparts if c.key == key), None)
    if counterpart is None:
        raise InvalidInput(_(NOT_OPEN[MatchKind(kind)]))
    scored = scoring.score(
        facts.venture_facts(venture),
        counterpart,
        cohort_facts.rankings,
        facts.weights_from_config(),
    )
    if not scored.eligible:
        # The reasons are sentences; the one about the stage says why.
        raise InvalidInput(
            _(
                "%(venture)s cannot be matched there. %(reasons)s",
                venture=venture.name,
                reasons=" ".join(reasons.sentences(scored.reasons)),
            )
        )
    return round(scored.score, 3), scored.reasons


@dataclass(frozen=True)
class ScoreChange:
    """What a review edit does to one match: its venture, its counterpart and score before
    and after."""

    venture: str
    counterpart_before: str
    counterpart_after: str
    before: float
    after: float
    reasons: list[scoring.Reason]

    @property
    def lowered(self) -> bool:
        return self.after < self.before


@dataclass(frozen=True)
class ReviewPreview(ABC):
    """A review edit's effect on the matches it touches, shown before it is saved when it
    lowers a score; `effect` says by how much in a sentence."""

    changes: list[ScoreChange]

    @property
    def lowered(self) -> list[ScoreChange]:
        return [change for change in self.changes if change.lowered]

    @property
    def total_change(self) -> float:
        return round(sum(change.after - change.before for change in self.changes), 3)

    @property
    @abstractmethod
    def effect(self) -> str:
        """The edit's effect in a sentence; each kind of edit says it its own way."""


@dataclass(frozen=True)
class SwapPreview(ReviewPreview):
    """A swap's effect on both matches."""

    @property
    def effect(self) -> str:
        lowered = [
            _(
                "%(venture)s from %(before).2f to %(after).2f",
                venture=change.venture,
                before=change.before,
                after=change.after,
            )
            for change in self.lowered
        ]
        return _(
            "This swap lowers %(lowered)s (total %(change)s)",
            lowered=reasons.joined(lowered),
            change=f"{self.total_change:+.2f}",
        )


@dataclass(frozen=True)
class RemovePreview(ReviewPreview):
    """A removal's effect: the draft's total before it, and how many matches the venture
    keeps."""

    draft_total: float
    others_kept: int

    @property
    def effect(self) -> str:
        (change,) = self.changes
        after = self.draft_total + self.total_change
        values = {
            "venture": change.venture,
            "counterpart": change.counterpart_before,
            "before": f"{self.draft_total:.2f}",
            "after": f"{after:.2f}",
            "change": f"{self.total_change:+.2f}",
        }
        if not self.others_kept:
            return _(
                "Removing %(venture)s \N{EN DASH} %(counterpart)s lowers the draft's total from "
                "%(before)s to %(after)s (%(change)s); %(venture)s is left with none",
                **values,
            )
        return ngettext(
            "Removing %(venture)s \N{EN DASH} %(counterpart)s lowers the draft's total from "
            "%(before)s to %(after)s (%(change)s); %(venture)s keeps %(num)d other match",
            "Removing %(venture)s \N{EN DASH} %(counterpart)s lowers the draft's total from "
            "%(before)s to %(after)s (%(change)s); %(venture)s keeps %(num)d other matches",
            self.others_kept,
            **values,
        )


class LowersScores(InvalidInput):
    """A review edit that lowers a score (a swap, a removal), sent without the manager
    confirming it."""

    def __init__(self, preview: ReviewPreview):
        super().__init__(_("%(effect)s. Confirm it to make it.", effect=preview.effect))
        self.preview = preview


def _check_swap(match_a: Match, match_b: Match, run: MatchingRun) -> None:
    """Refuse a swap that is not one: another draft's match, a pinned one, the same venture
    or counterpart, or one that would pair a venture with a counterpart twice."""
    if match_b.run_id != run.id:
        raise InvalidInput(_("Only two matches of the same proposal can be swapped."))
    if match_a.id == match_b.id:
        raise InvalidInput(_("Choose two different matches to swap."))
    if match_a.pinned or match_b.pinned:
        raise InvalidInput(_("A pinned match keeps its counterpart: unpin it before swapping."))
    if (
        match_a.venture_id == match_b.venture_id
        or match_a.counterpart_key == match_b.counterpart_key
    ):
        raise InvalidInput(
            _("Swapping those two would change nothing: choose another venture's match.")
        )
    key_a, key_b = match_a.counterpart_key, match_b.counterpart_key
    for match, key in ((match_a, key_b), (match_b, key_a)):
        if key in _venture_live(match.venture_id, match.kind):
            raise InvalidInput(_(PAIRED_TWICE[MatchKind(match.kind)], venture=match.venture.name))


def _swap_changes(match_a: Match, match_b: Match) -> SwapPreview:
    """Both matches scored again with each other's counterpart, nothing written."""
    changes = []
    for match, other in ((match_a, match_b), (match_b, match_a)):
        score, why = _score(match.venture, match.kind, other.counterpart_key)
        changes.append(
            ScoreChange(
                match.venture.name,
                counterpart_name(match),
                counterpart_name(other),
                round(float(match.score), 3),
                round(float(score), 3),
                why,
            )
        )
    return SwapPreview(changes)


def _draft_of(*matches: Match) -> MatchingRun | None:
    """The draft of these proposed matches, for a preview; None when an edit of them would
    be refused anyway (the edit itself says why)."""
    run = matches[0].run
    if run is None or run.status != DRAFT:
        return None
    if any(match.status != MatchStatus.PROPOSED for match in matches):
        return None
    return run


def swap_preview(match_a: Match, match_b: Match, *, by: User) -> SwapPreview | None:
    """What a swap would do to both scores, read before asking the manager to confirm a swap
    that lowers one; None for a swap `swap` would refuse (it says why)."""
    require_manager(by, REVIEW_ONLY)
    run = _draft_of(match_a, match_b)
    if run is None:
        return None
    try:
        _check_swap(match_a, match_b, run)
        return _swap_changes(match_a, match_b)
    except InvalidInput:
        return None


def swap(
    match_a: Match,
    match_b: Match,
    *,
    by: User,
    expected_version: int | None = None,
    lowering_confirmed: bool = False,
) -> SwapPreview:
    """Exchange the counterparts of two proposed matches of one draft, scoring both again.

    A swap that lowers either score is refused (`LowersScores`, saying by how much) unless
    the manager confirmed it after seeing that.
    """
    locks.lock(match_a.run, match_b.run, match_a, match_b)
    # A run published meanwhile says so before a stale version would.
    run = _check_reviewable(match_a, by, REVIEW_ONLY)
    _check_reviewable(match_b, by, REVIEW_ONLY)
    _review_edit(
        match_a.run,
        expected_version,
        by,
        lambda: [
            (match_a.venture, _swap_edit(match_a, match_b)),
            (match_b.venture, _swap_edit(match_b, match_a)),
        ],
    )
    _check_swap(match_a, match_b, run)
    preview = _swap_changes(match_a, match_b)
    if preview.lowered and not lowering_confirmed:
        raise LowersScores(preview)
    before = {"a": match_state(match_a), "b": match_state(match_b)}
    key_a, key_b = match_a.counterpart_key, match_b.counterpart_key
    # Each counterpart keeps the same number of ventures, so capacity is unchanged.
    for match, key, change in (
        (match_a, key_b, preview.changes[0]),
        (match_b, key_a, preview.changes[1]),
    ):
        _set_counterpart(match, key)
        match.score, match.reasons = change.after, reasons.stored(change.reasons)
        match.pinned = False
    flush_pairs(N_("Could not swap: that venture and counterpart already have a live match."))
    _compare_again(run)
    audit.record(
        by,
        "match.swapped",
        "match",
        match_a.id,
        before=before,
        after={"a": match_state(match_a), "b": match_state(match_b)},
    )
    return preview


def _swap_edit(match: Match, other: Match) -> str:
    """A swap as the refusal of a stale one names it for one venture."""
    return _(
        "Swap %(counterpart)s for %(other)s",
        counterpart=counterpart_name(match),
        other=counterpart_name(other),
    )


def _set_counterpart(match: Match, key: str) -> None:
    counterpart = key_id(key)
    match.counterpart_key = key
    if match.kind == MatchKind.PARTNER:
        match.organisation = db.session.get(Organisation, counterpart)
    else:
        match.counterpart = db.session.get(User, counterpart)


def _remove_changes(match: Match, run: MatchingRun) -> RemovePreview:
    """A removal's effect on the draft, nothing written."""
    draft = [m for m in run_matches(run) if m.status == MatchStatus.PROPOSED]
    change = ScoreChange(
        match.venture.name,
        counterpart_name(match),
        _("No match"),
        round(float(match.score), 3),
        0.0,
        [],
    )
    return RemovePreview(
        [change],
        draft_total=round(sum(float(m.score) for m in draft), 3),
        others_kept=sum(1 for m in draft if m.venture_id == match.venture_id and m.id != match.id),
    )


def remove_preview(match: Match, *, by: User) -> RemovePreview | None:
    """What removing a match would do to the draft's total, read before asking the manager
    to confirm a removal that lowers it; None for a removal `remove` would refuse."""
    require_manager(by, REVIEW_ONLY)
    run = _draft_of(match)
    if run is None or match.pinned:
        return None
    return _remove_changes(match, run)


def remove(
    match: Match,
    *,
    by: User,
    expected_version: int | None = None,
    lowering_confirmed: bool = False,
) -> RemovePreview:
    """Take a match out of the proposal; it stays on record as ended.

    Removing a match that scores more than 0 lowers the draft's total: it is refused
    (`LowersScores`, saying by how much) unless the manager confirmed it after seeing that.
    """
    run = _check_reviewable(match, by, REVIEW_ONLY)
    _review_edit(
        run,
        expected_version,
        by,
        lambda: [(match.venture, _("Remove %(counterpart)s", counterpart=counterpart_name(match)))],
    )
    if match.pinned:
        raise InvalidInput(_("That match is pinned: unpin it before removing it."))
    preview = _remove_changes(match, run)
    if preview.lowered and not lowering_confirmed:
        raise LowersScores(preview)
    before = match_state(match)
    match.status = MatchStatus.ENDED
    match.decline_reason = REMOVED_IN_REVIEW
    match.decided_at = utcnow()
    db.session.flush()
    _compare_again(run)
    audit.record(by, "match.removed", "match", match.id, before=before, after=match_state(match))
    return preview


def _capacity_left(run: MatchingRun, key: str) -> int:
    """Places left: capacity less live introductions anywhere and this draft's proposals."""
    counterpart = _counterpart_facts(run.cohort, run.kind).get(key)
    if counterpart is None:
        raise InvalidInput(_(NOT_OPEN[MatchKind(run.kind)]))
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
        lambda: [
            (
                venture,
                _("Add %(counterpart)s", counterpart=_counterpart_label(run.kind, counterpart_id)),
            )
        ],
    )
    if run.status != DRAFT:
        raise InvalidInput(
            _(
                "Only a draft proposal can be changed: this run was %(news)s.",
                news=_run_news(run, by),
            )
        )
    if venture.cohort_id != run.cohort_id:
        raise InvalidInput(_("%(venture)s is not in this cohort.", venture=venture.name))
    key = counterpart_key(run.kind, counterpart_id)
    if key in _venture_live(venture.id, run.kind):
        raise InvalidInput(
            _("%(venture)s already has a match with that counterpart.", venture=venture.name)
        )
    if _capacity_left(run, key) < 1:
        raise InvalidInput(_(NO_ROOM[MatchKind(run.kind)]))
    if _taken_in_run(run)[1][venture.id] >= run.max_per_venture:
        raise InvalidInput(
            ngettext(
                "%(venture)s already has %(num)d match, the most this run allows.",
                "%(venture)s already has %(num)d matches, the most this run allows.",
                run.max_per_venture,
                venture=venture.name,
            )
        )
    score, why = _score(venture, run.kind, key)
    match = new_match(run, venture.id, run.kind, key, score, why)
    db.session.add(match)
    flush_pairs(
        N_("Could not add the match: that venture and counterpart already have a live match.")
    )
    _compare_again(run)
    audit.record(by, "match.added", "match", match.id, after=match_state(match))
    return match


def add_choices(run: MatchingRun) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """What a pair can be added from, as (id, name): the cohort's active ventures and the
    counterparts open to matching; `add` checks room and the venture's maximum."""
    return facts.choices(run.cohort, run.kind)


def _summary(
    run: MatchingRun,
    proposals: dict[str, Proposal],
    table: scoring.ScoreTable | None,
    draft_blocking: int | None,
    unavailable: str = "",
) -> dict[str, Any]:
    """The comparison the review page shows: the draft as it is now (total, blocking pairs,
    matches) beside each method's proposal with the same pins (None where the stable one
    needs rankings it lacks), and each venture's score in each; `unavailable` says why the
    methods could not be computed again."""
    # Only the columns the comparison needs: a run holds a match per seat of every venture.
    draft = db.session.execute(
        select(Match.venture_id, Match.score, Venture.name)
        .join(Venture, Venture.id == Match.venture_id)
        .where(Match.run_id == run.id, Match.status == MatchStatus.PROPOSED)
    ).all()
    names = {venture.id: venture.name for venture in table.ventures} if table else {}
    names |= {venture_id: name for venture_id, _score, name in draft}
    scores: dict[int, float] = dict.fromkeys(names, 0.0)
    for venture_id, score, _name in draft:
        scores[venture_id] += score
    summary: dict[str, Any] = {
        name: (
            {"total_score": found.total_score, "blocking_pairs": found.blocking_pairs}
            if (found := proposals.get(name))
            else None
        )
        for name in METHODS
    }
    summary["asked_for"] = run.summary.get("asked_for", run.method)
    summary["unavailable"] = unavailable
    summary["draft"] = {
        "total_score": round(sum(scores.values()), 3),
        "blocking_pairs": draft_blocking,
        "matches": len(draft),
    }
    summary["per_venture"] = [
        {
            "venture_id": venture_id,
            "name": names[venture_id],
            "draft": round(scores[venture_id], 3),
        }
        | {
            name: (
                found.per_venture.get(venture_id, 0.0) if (found := proposals.get(name)) else None
            )
            for name in METHODS
        }
        for venture_id in sorted(names, key=lambda venture_id: (names[venture_id], venture_id))
    ]
    return summary


def _compare_again(run: MatchingRun) -> None:
    """After a review edit: the draft's total and blocking pairs, and both methods run again
    with the draft's pins, so the comparison the page shows is the draft's as it is now."""
    draft = [m for m in run_matches(run) if m.status == MatchStatus.PROPOSED]
    pinned = [m for m in draft if m.pinned]
    try:
        scored = capacity.score_cohort(run.cohort, MatchKind(run.kind), pinned)
        proposals = _propose(scored, run.min_per_venture, run.max_per_venture, explain=False)[0]
    except InvalidInput as refusal:
        summary = _summary(run, {}, None, None, unavailable=refusal.message)
    else:
        table = scored.table
        row_of = {venture.id: row for row, venture in enumerate(table.ventures)}
        column_of = {c.key: column for column, c in enumerate(table.counterparts)}
        pairs = [
            (row_of[m.venture_id], column_of[m.counterpart_key])
            for m in draft
            if m.venture_id in row_of and m.counterpart_key in column_of
        ]
        blocking = assignment.draft_blocking_pairs(
            table, pairs, run.max_per_venture, scored.forbidden
        )
        summary = _summary(run, proposals, table, blocking)
    run.summary = summary
    run.total_score = summary["draft"]["total_score"]
    run.blocking_pairs = summary["draft"]["blocking_pairs"]
    db.session.flush()


# Publishing -----------------------------------------------------------------------------------


def publish(run: MatchingRun, *, by: User) -> list[Match]:
    """Introduce every proposed match of a draft and mail both sides why they were matched."""
    require_manager(by, N_("Only a program manager can publish matches."))
    # A second publish (another manager, a double click) waits here and finds it published;
    # review edits hold the same lock, so none lands halfway through.
    locks.lock(run)
    if run.status != DRAFT:
        raise Conflict(_("This run was already %(news)s.", news=_run_news(run, by)))
    matches = [m for m in run_matches(run) if m.status == MatchStatus.PROPOSED]
    if not matches:
        raise InvalidInput(_("The proposal has no matches left to publish."))
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
        mail_introduction(match)
    audit.record(
        by,
        "matching_run.published",
        "matching_run",
        run.id,
        after={"introduced": [m.id for m in matches]},
    )
    return matches
