"""Matching: runs for a cohort, their review and publishing, and answering introductions."""

from dataclasses import dataclass, field
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from incubator import i18n, permissions, templating
from incubator.access import roles
from incubator.blueprints.matching import bp
from incubator.blueprints.matching.run_forms import (
    BOUND_MOST,
    KIND_LABELS,
    METHOD_LABELS,
    RUN_STATUS_LABELS,
    STATUS_LABELS,
    AddMatchForm,
    AnswerForm,
    PublishForm,
    RemoveForm,
    ReviewForm,
    ReviewListForm,
    RunForm,
    SwapForm,
    SwapSearchForm,
)
from incubator.forms import ConfirmForm
from incubator.models import Cohort, Match, MatchingRun, MatchKind, MatchStatus, Role, Venture
from incubator.services.matching import (
    capacity,
    facts,
    introductions,
    review_lists,
    review_memory,
    runs,
)
from incubator.services.versions import StaleVersion
from incubator.web import found_or_404, render_edit_page, submit

# What the person who answered an introduction is told, by the status their answer left.
ANSWERED: dict[str, Any] = {
    MatchStatus.ACCEPTED: _l("Both sides accepted: contact details are below."),
    MatchStatus.DECLINED: _l("Declined. Thank you for saying why."),
}
ACCEPTED_FIRST = _l("Accepted. We will let you know when the other side answers.")


@dataclass
class Draft:
    """A draft under review: one page of its matches, filtered and ordered as the links ask,
    and its forms, each carrying the run's version; `section`, all of it written out
    (`_draft_section`)."""

    kind: str
    run: MatchingRun
    listing: review_lists.Listing
    page: review_lists.MatchPage
    list_form: ReviewListForm
    # The comparison's totals (its rows for the ventures on the page are drawn with them).
    summary: dict[str, Any]
    review_form: ReviewForm
    add_form: AddMatchForm
    previous_url: str | None = None
    next_url: str | None = None
    stale: StaleVersion | None = None
    # This page of matches as link arguments: a review form sent from it comes back to it.
    here: dict[str, Any] = field(default_factory=dict)
    section: Markup = field(default_factory=Markup)


@dataclass
class Refusal:
    """A review edit refused as stale: the run, the refusal, and the form as it was sent."""

    run_id: int
    stale: StaleVersion
    add_form: AddMatchForm | None = None


LISTING_ARGS = ("q", "sort", "after", "before")


def _to_runs(cohort_id: int):
    """Back to the review page, on the page of matches the form was sent from."""
    return redirect(url_for("matching.cohort_runs", cohort_id=cohort_id, **_listing_sent()))


def _listing_sent() -> dict[str, Any]:
    """The arguments naming the page of a draft's matches a review form was sent from."""
    return {
        name: value
        for name, value in request.args.items()
        if name.partition("-")[0] in KIND_LABELS and name.partition("-")[2] in LISTING_ARGS
    }


def _swap_choice(other: Match) -> tuple[int, str]:
    return (
        other.id,
        _(
            "%(venture)s with %(counterpart)s (score %(score)s)",
            venture=other.venture.name,
            counterpart=introductions.counterpart_name(other),
            score=f"{other.score:.2f}",
        ),
    )


def _listing(kind: str) -> review_lists.Listing:
    """The page of a draft's matches the link asks for; each draft's arguments are prefixed
    with its kind, so the drafts page apart."""
    sent = [request.args.get(f"{kind}-{name}", "") for name in ("q", "sort", "after", "before")]
    return review_lists.Listing.parse(*sent)


def _listing_args(kind: str, listing: review_lists.Listing, **anchor) -> dict[str, Any]:
    """A page of one draft's matches as link arguments: its filter and order, and `anchor`
    (after= or before= a match id); what is the default is left out."""
    return {
        f"{kind}-q": listing.query or None,
        f"{kind}-sort": listing.sort if listing.sort != review_lists.SORTS[0] else None,
    } | {f"{kind}-{name}": value for name, value in anchor.items()}


def _listing_url(cohort_id: int, kind: str, listing: review_lists.Listing, **anchor) -> str:
    """The review page showing another page of one draft's matches, with the same filter
    and order."""
    args = _listing_args(kind, listing, **anchor)
    return url_for("matching.cohort_runs", cohort_id=cohort_id, _anchor=f"matches-{kind}", **args)


def _chosen(name: str, choices, default: str) -> str:
    value = request.args.get(name, "")
    return value if value in choices else default


def _bound_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and int(value) <= BOUND_MOST else None


class _RoomRows:
    """The rows each kind's room and add form are drawn from (runs.room_rows), read at most
    once a request, and not at all where the worker kept them under the cohort's matching
    stamps as read with its runs."""

    def __init__(self, cohort: Cohort, found: runs.CohortRuns) -> None:
        self.cohort = cohort
        self.found = found
        self.read: dict[str, facts.RoomRows] = {}

    def __call__(self, kind: str) -> facts.RoomRows:
        if kind not in self.read:
            self.read[kind] = runs.room_rows(self.cohort, kind, self.found.drafts, self.found.stamp)
        return self.read[kind]


def _fill_run_form(
    form: RunForm, cohort: Cohort, drafts: dict[str, MatchingRun], rows: _RoomRows
) -> capacity.Room | None:
    """The run form as first shown: the kind and method the link asks for (mentors, highest
    score by default) and bounds that can be met for that kind, unless the link gives them
    (the "fill in values that work" links)."""
    form.kind.data = _chosen("kind", KIND_LABELS, MatchKind.MENTOR)
    form.method.data = _chosen("method", METHOD_LABELS, "optimal")
    room = runs.room(cohort, form.kind.data, drafts, rows(form.kind.data))
    low, high = (room.min_per_venture, room.max_per_venture) if room else capacity.DEFAULT_BOUNDS
    asked_low, asked_high = _bound_arg("min_per_venture"), _bound_arg("max_per_venture")
    form.min_per_venture.data = low if asked_low is None else asked_low
    form.max_per_venture.data = high if asked_high is None else asked_high
    return room


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@roles(Role.MANAGER)
def cohort_runs(cohort_id: int):
    cohort = found_or_404(Cohort, cohort_id)
    form = RunForm()
    proposed = submit(
        form,
        lambda: runs.run_matching(
            cohort,
            form.kind.data,
            form.method.data,
            form.min_per_venture.data,
            form.max_per_venture.data,
            by=current_user,
        ),
        lambda run: ngettext(
            "Proposed %(num)d match. Review it, then publish.",
            "Proposed %(num)d matches. Review them, then publish.",
            len(runs.run_matches(run)),
        ),
        flash_errors=True,
    )
    if proposed:
        return _to_runs(cohort_id)
    # Read once for the room, the drafts the page shows and the list of runs.
    found = runs.cohort_runs(cohort)
    drafts = found.drafts
    rows = _RoomRows(cohort, found)
    if form.is_submitted():
        kind = form.kind.data
        room = runs.room(cohort, kind, drafts, rows(kind)) if kind in KIND_LABELS else None
    else:
        room = _fill_run_form(form, cohort, drafts, rows)
    refusal = proposed.refusal
    refill = None
    if isinstance(refusal, capacity.RoomRefused):
        refill = {"kind": form.kind.data, "method": form.method.data, **refusal.refill}
    return _runs_page(cohort, form, room=room, refill=refill, read=found, rows=rows)


def _add_form(run: MatchingRun, **kwargs) -> AddMatchForm:
    add_form = AddMatchForm(prefix=f"add-{run.id}", **kwargs)
    add_form.venture_id.choices, add_form.counterpart_id.choices = runs.add_choices(run)
    return add_form


@dataclass(frozen=True)
class _Link:
    """The address of a review button for any match id, built once (`_link`): `url_for` for
    each of fifty rows and three buttons would cost the page several milliseconds."""

    head: str
    tail: str

    def __call__(self, match_id: int) -> str:
        return f"{self.head}{match_id}{self.tail}"


def _link(endpoint: str, **args: Any) -> _Link:
    marker = "2147483647"
    head, _marker, tail = url_for(endpoint, match_id=int(marker), **args).partition(marker)
    return _Link(head, tail)


# Where each row's review forms put the view's own form token and the draft's version: a tag
# no escaped name can spell.
REVIEW_FIELDS = Markup("<review-fields/>")


# Where a kept form puts the view's own form token (a tag no escaped text can spell).
FORM_TOKEN = Markup("<form-token/>")


def _kept_form(form: FlaskForm, action: str = "", *, token_in: bool = True) -> Markup:
    """A form of the page (`render_form`) drawn once per worker for its class, the values it
    shows, its address and the language, each view putting in its own form token (left to
    the caller, as `FORM_TOKEN`, without `token_in`); a form with errors is drawn each
    time."""
    csrf = getattr(form, "csrf_token", None)
    token = getattr(csrf, "current_token", None)
    if form.errors:
        return templating.fragment("matching/_form.html", form=form, action=action)

    def draw() -> Markup:
        drawn = templating.fragment("matching/_form.html", form=form, action=action)
        return drawn.replace(token, FORM_TOKEN) if token else drawn

    shown = tuple((name, repr(value)) for name, value in form.data.items() if name != "csrf_token")
    key = ("form", type(form).__name__, i18n.current_language(), action, shown)
    kept = review_memory.remembered(key, draw)
    return kept.replace(FORM_TOKEN, token) if token and token_in else kept


def _match_rows(matches: list[review_lists.Listed], links: dict[str, _Link]) -> Markup:
    """The rows of a page of matches, drawn once per worker for exactly these rows (every
    column they show), the language and the page's links; each view puts in its own form
    token and version where `REVIEW_FIELDS` stands."""
    key = ("match rows", i18n.current_language(), tuple(matches), tuple(links.items()))
    return review_memory.remembered(
        key,
        lambda: templating.fragment(
            "matching/_match_rows.html",
            matches=matches,
            links=links,
            review_fields=REVIEW_FIELDS,
            row_words=_row_words(),
            said=review_memory.sentences,
        ),
    )


def _add_options(add_form: AddMatchForm, rows: facts.RoomRows | None) -> tuple[Markup, Markup]:
    """The add form's options written out: as sent, for a refused form; otherwise the
    cohort's ventures and counterparts as read, kept under those rows."""
    if rows is None:
        return (
            templating.options(add_form.venture_id.choices or [], add_form.venture_id.data),
            templating.options(add_form.counterpart_id.choices or [], add_form.counterpart_id.data),
        )
    return review_memory.remembered(
        ("add options", rows),
        lambda: (
            templating.options(rows.venture_choices),
            templating.options(rows.counterpart_choices),
        ),
    )


def _draft(
    kind: str,
    run: MatchingRun,
    refusal: Refusal | None,
    rows: facts.RoomRows | None,
    stamp: str | None,
) -> Draft:
    """A draft's page of matches and its review forms at the run's version; a refused form
    keeps what was sent. `stamp`, the cohort's matching stamps as read with the run."""
    # The run (and its version) was read before its matches, so the forms never carry a
    # version newer than the proposal the page shows.
    version = run.version
    listing = _listing(kind)
    page = review_memory.page(
        stamp, (run.id, listing), lambda: review_lists.draft_page(run, listing)
    )
    comparison = review_memory.comparison(run, stamp)
    kept = refusal if refusal is not None and refusal.run_id == run.id else None
    sent = kept.add_form if kept else None
    add_form = sent or AddMatchForm(prefix=f"add-{run.id}", formdata=None)
    review_form = ReviewForm(formdata=None)
    for versioned in (review_form, add_form):
        versioned.version.data = version
    list_form = ReviewListForm(
        formdata=None, prefix=kind, data={"q": listing.query, "sort": listing.sort}
    )
    here = _listing_args(kind, listing, after=listing.after, before=listing.before)
    draft = Draft(
        kind,
        run,
        listing,
        page,
        list_form,
        comparison.summary,
        review_form,
        add_form,
        previous_url=(
            _listing_url(run.cohort_id, kind, listing, before=page.previous_before)
            if page.previous_before is not None
            else None
        ),
        next_url=(
            _listing_url(run.cohort_id, kind, listing, after=page.next_after)
            if page.next_after is not None
            else None
        ),
        stale=kept.stale if kept else None,
        here=here,
    )
    # What the section shows, beyond what its forms carry: every column of the run it shows,
    # the page of matches, and what the comparison and the add form's lists are kept under
    # (the stamps, for this run and kind). A refused form is drawn each time.
    key = (
        None
        if kept is not None or stamp is None
        else (
            "draft section",
            i18n.current_language(),
            stamp,
            run.id,
            run.cohort_id,
            kind,
            run.method,
            run.min_per_venture,
            run.max_per_venture,
            run.total_score,
            listing,
            page.found,
            page.live,
            page.next_after,
            page.previous_before,
            tuple(page.matches),
        )
    )
    draft.section = _draft_section(draft, comparison, None if sent else rows, key)
    return draft


# Where a draft's section puts the add form's hidden fields (a tag no escaped text can spell).
ADD_FIELDS = Markup("<add-fields/>")


def _draft_section(
    draft: Draft,
    comparison: review_memory.Comparison,
    rows: facts.RoomRows | None,
    key: tuple[Any, ...] | None,
) -> Markup:
    """A draft's section of the page, drawn once per worker under `key` (everything it
    shows), or each time without one; each view puts in its own form tokens and version."""
    publish = PublishForm()

    def draw() -> Markup:
        here = draft.here
        links = {
            "pin": _link("matching.pin", **here),
            "remove": _link("matching.remove", **here),
            "swap": _link("matching.swap"),
        }
        return templating.fragment(
            "matching/_draft.html",
            draft=draft,
            scores=review_lists.scores_on_page(comparison, draft.page, draft.listing),
            add_fields=ADD_FIELDS,
            add_options=_add_options(draft.add_form, rows),
            match_rows=_match_rows(draft.page.matches, links),
            publish_form=_kept_form(
                publish, url_for("matching.publish", run_id=draft.run.id), token_in=False
            ),
            kind_labels=KIND_LABELS,
            method_labels=METHOD_LABELS,
        )

    drawn = draw() if key is None else review_memory.remembered(key, draw)
    token = getattr(getattr(publish, "csrf_token", None), "current_token", None)
    drawn = drawn.replace(REVIEW_FIELDS, draft.review_form.hidden_tag()).replace(
        ADD_FIELDS, draft.add_form.hidden_tag()
    )
    return drawn.replace(FORM_TOKEN, token) if token else drawn


def _runs_page(
    cohort: Cohort,
    form: RunForm,
    refusal: Refusal | None = None,
    *,
    room: capacity.Room | None = None,
    refill: dict | None = None,
    read: runs.CohortRuns | None = None,
    rows: _RoomRows | None = None,
):
    """The cohort's runs, the drafts under review with their forms, the introductions; with
    a refusal, 409 and the refused draft showing who changed it and the two versions. `room`
    is what the chosen kind has room for; `refill`, run-form values that would work after
    bounds were refused; `read`, the cohort's runs and latest drafts, and `rows`, what rooms
    and add forms are drawn from, if read already."""
    found = runs.cohort_runs(cohort) if read is None else read
    all_runs, drafts = found.runs, found.drafts
    rows = _RoomRows(cohort, found) if rows is None else rows
    under_review = [
        _draft(kind, run, refusal, rows(kind), found.stamp) for kind, run in drafts.items()
    ]
    # A page of the cohort's introductions, newest first (`introductions-after=<match id>`).
    sent_after = request.args.get("introductions-after", "")
    after = int(sent_after) if sent_after.isdigit() else None
    introduced, next_after = introductions.cohort_introductions(cohort, after=after)
    return render_edit_page(
        "matching/runs.html",
        refusal.stale if refusal else None,
        cohort=cohort,
        run_form=_kept_form(form),
        runs=all_runs,
        drafts=under_review,
        refusal=refusal,
        room=room,
        refill=refill,
        introduced=introduced,
        older_introductions=(
            url_for(
                "matching.cohort_runs",
                cohort_id=cohort.id,
                _anchor="introductions",
                **(_listing_sent() | {"introductions-after": next_after}),
            )
            if next_after is not None
            else None
        ),
        newest_introductions=(
            url_for(
                "matching.cohort_runs",
                cohort_id=cohort.id,
                _anchor="introductions",
                **_listing_sent(),
            )
            if after is not None
            else None
        ),
        rematch_form=ConfirmForm(),
        kind_labels=KIND_LABELS,
        method_labels=METHOD_LABELS,
        status_labels=STATUS_LABELS,
        run_status_labels=RUN_STATUS_LABELS,
        decline_reason=_decline_reason,
    )


def _row_words() -> dict[str, str]:
    """The sentences each row of matches says with its names, translated once for the page
    and filled in per row (the template escapes what it fills in)."""
    return {
        "pair": _("%(venture)s with %(counterpart)s"),
        "swap_label": _(
            "Swap the counterpart of %(pair)s with another match: venture or counterpart name"
        ),
    }


def _decline_reason(match: Match) -> str:
    """Why a match was declined or ended, as the manager reads it: which side declined (the
    match keeps it in English before the reason) or that it was removed in review."""
    side, _colon, reason = match.decline_reason.partition(": ")
    if side == "Venture" and reason:
        return _("Venture: %(reason)s", reason=reason)
    if side == "Counterpart" and reason:
        return _("Counterpart: %(reason)s", reason=reason)
    if match.decline_reason == runs.REMOVED_IN_REVIEW:
        return _("removed in review")
    return match.decline_reason


def _refused(run: MatchingRun | None, stale: StaleVersion, **kept):
    if run is None:  # Only a run has a version to be stale; a match without one is gone.
        abort(404)
    return _runs_page(run.cohort, RunForm(formdata=None), Refusal(run.id, stale, **kept))


def _reviewed(run: MatchingRun | None, cohort_id: int, form, edit, success, **kept):
    """Act on a posted review form: an edit made on a page older than the draft's last
    change shows the page again with both versions (409); otherwise back to the runs."""
    done = submit(form, edit, success, flash_errors=True)
    if done.stale:
        return _refused(run, done.stale, **kept)
    return _to_runs(cohort_id)


def _review_match(match_id: int, change, success):
    """A review button on one match of a draft: `change(match, by=..., expected_version=...)`
    is the service call, made at the version the page showed."""
    match = found_or_404(Match, match_id)
    form = ReviewForm()
    return _reviewed(
        match.run,
        match.cohort_id,
        form,
        lambda: change(match, by=current_user, expected_version=form.version.data),
        success,
    )


@bp.route("/runs/matches/<int:match_id>/pin", methods=["POST"])
@roles(Role.MANAGER)
def pin(match_id: int):
    return _review_match(
        match_id,
        runs.pin,
        lambda pinned: (
            _("Pinned: it stays if you run matching again.") if pinned else _("Unpinned.")
        ),
    )


def _asked_first(form: RemoveForm | SwapForm, preview_of, **page):
    """The confirmation page of a review edit that lowers a score, saying by how much;
    None when the edit lowers nothing, was confirmed, or will be refused anyway (`preview_of`
    gives None). `page` names the edit on that page: `noun`, `confirm` (the button),
    `action` and `carried` (fields the confirmation sends again)."""
    if form.lowering_confirmed.data == "yes" or not form.validate_on_submit():
        return None
    preview = preview_of()
    if preview is None or not preview.lowered:
        return None
    # Nothing is written until the manager has seen by how much the scores fall.
    form.lowering_confirmed.data = "yes"
    return render_template("matching/confirm_lowering.html", preview=preview, form=form, **page)


@bp.route("/runs/matches/<int:match_id>/remove", methods=["POST"])
@roles(Role.MANAGER)
def remove(match_id: int):
    match = found_or_404(Match, match_id)
    form = RemoveForm()
    confirmed = form.lowering_confirmed.data == "yes"
    asked = _asked_first(
        form,
        lambda: runs.remove_preview(match, by=current_user),
        match=match,
        noun="removal",
        confirm=_("Remove anyway"),
        action=url_for("matching.remove", match_id=match.id, **_listing_sent()),
        carried={},
    )
    if asked is not None:
        return asked
    return _reviewed(
        match.run,
        match.cohort_id,
        form,
        lambda: runs.remove(
            match,
            by=current_user,
            expected_version=form.version.data,
            lowering_confirmed=confirmed,
        ),
        _("Removed from the proposal."),
    )


def _swap_page(match: Match, form: SwapForm, stale: StaleVersion | None = None):
    """The choice of the match to swap counterparts with: a search by venture or counterpart
    name and one page of the matches it finds (never the whole draft); with `stale`, 409 and
    the two versions, the choice kept."""
    run = match.run
    if run is None or (stale is None and not review_lists.under_review(match)):
        return render_template("matching/swap.html", match=match, closed=True)
    version = run.version
    search = SwapSearchForm(request.args, prefix="")
    listing = review_lists.Listing.parse(
        search.q.data or "", "", request.args.get("after", ""), request.args.get("before", "")
    )
    candidates = review_lists.swap_candidates(match, listing, keep=form.other_id.data)
    form.other_id.choices = [_swap_choice(other) for other in candidates.matches]
    if stale is None:
        form.version.data = version

    def more(**anchor) -> str:
        return url_for("matching.swap", match_id=match.id, q=listing.query or None, **anchor)

    return render_edit_page(
        "matching/swap.html",
        stale,
        match=match,
        form=form,
        search=search,
        listing=listing,
        candidates=candidates,
        previous_url=(
            more(before=candidates.previous_before)
            if candidates.previous_before is not None
            else None
        ),
        next_url=more(after=candidates.next_after) if candidates.next_after is not None else None,
    )


@bp.route("/runs/matches/<int:match_id>/swap", methods=["GET", "POST"])
@roles(Role.MANAGER)
def swap(match_id: int):
    match = found_or_404(Match, match_id)
    form = SwapForm(prefix=f"swap-{match_id}")
    if request.method == "GET":
        return _swap_page(match, SwapForm(prefix=f"swap-{match_id}", formdata=None))
    confirmed = form.lowering_confirmed.data == "yes"
    asked = _asked_first(
        form,
        lambda: runs.swap_preview(match, found_or_404(Match, form.other_id.data), by=current_user),
        match=match,
        noun="swap",
        confirm=_("Swap anyway"),
        action=url_for("matching.swap", match_id=match.id),
        carried={form.other_id.name: form.other_id.data},
    )
    if asked is not None:
        return asked
    done = submit(
        form,
        lambda: runs.swap(
            match,
            found_or_404(Match, form.other_id.data),
            by=current_user,
            expected_version=form.version.data,
            lowering_confirmed=confirmed,
        ),
        _("Swapped and scored again."),
        flash_errors=True,
    )
    if done.stale:
        return _swap_page(match, form, done.stale)
    return _to_runs(match.cohort_id)


@bp.route("/runs/<int:run_id>/matches", methods=["POST"])
@roles(Role.MANAGER)
def add(run_id: int):
    run = found_or_404(MatchingRun, run_id)
    form = _add_form(run)
    return _reviewed(
        run,
        run.cohort_id,
        form,
        lambda: runs.add(
            run,
            found_or_404(Venture, form.venture_id.data),
            form.counterpart_id.data,
            by=current_user,
            expected_version=form.version.data,
        ),
        lambda match: _(
            "Added: %(venture)s with %(counterpart)s.",
            venture=match.venture.name,
            counterpart=introductions.counterpart_name(match),
        ),
        add_form=form,
    )


@bp.route("/runs/<int:run_id>/publish", methods=["POST"])
@roles(Role.MANAGER)
def publish(run_id: int):
    run = found_or_404(MatchingRun, run_id)
    submit(
        PublishForm(),
        lambda: runs.publish(run, by=current_user),
        lambda matches: ngettext(
            "Published: %(num)d introduction mailed to both sides.",
            "Published: %(num)d introductions mailed to both sides.",
            len(matches),
        ),
        flash_errors=True,
    )
    return _to_runs(run.cohort_id)


@bp.route("/matches/<int:match_id>/rematch", methods=["POST"])
@roles(Role.MANAGER)
def rematch(match_id: int):
    match = found_or_404(Match, match_id)
    submit(
        ConfirmForm(),
        lambda: introductions.rematch(match.venture, match.kind, by=current_user),
        lambda again: _(
            "%(venture)s introduced to %(counterpart)s.",
            venture=match.venture.name,
            counterpart=introductions.counterpart_name(again),
        ),
    )
    return _to_runs(match.cohort_id)


@bp.route("/mine")
@roles(Role.FOUNDER, Role.MENTOR, Role.FUNDER, Role.PARTNER)
def my_matches():
    return render_template(
        "matching/mine.html",
        introductions=introductions.introductions_for(current_user),
        form=AnswerForm(),
        status_labels=STATUS_LABELS,
    )


@bp.route("/matches/<int:match_id>/answer", methods=["POST"])
@roles(Role.FOUNDER, Role.MENTOR, Role.FUNDER, Role.PARTNER)
def answer(match_id: int):
    # Someone who is neither side learns nothing, not even that the match exists.
    match = found_or_404(Match, match_id, permissions.may_view_match)
    permissions.require(
        permissions.may_answer_match(current_user, match),
        _("Only the two sides of an introduction answer it."),
    )
    form = AnswerForm()
    submit(
        form,
        # The status this answer left, read in its transaction: once committed, the other
        # side's answer may change it at any moment.
        lambda: (
            introductions.answer(
                match,
                bool(form.accept.data),
                form.reason.data or "",
                by=current_user,
                share_reason=bool(form.share_reason.data) and not form.accept.data,
            ).status
        ),
        lambda status: str(ANSWERED.get(status, ACCEPTED_FIRST)),
        flash_errors=True,
    )
    return redirect(url_for("matching.my_matches"))
