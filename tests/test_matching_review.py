"""The matching review as the manager and both sides use it: bounds the room can meet,
checked before solving; the comparison recomputed after every edit; a swap or a removal
that lowers a score confirmed first; a reason for declining kept with the program team
unless shared."""

from __future__ import annotations

import random
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, text

from incubator import permissions, templating
from incubator.blueprints.matching.run_forms import KIND_LABELS, METHOD_LABELS
from incubator.demo import seed
from incubator.extensions import db as _db
from incubator.models import (
    Cohort,
    Match,
    MatchingRun,
    MatchKind,
    MatchStatus,
    MentorProfile,
    PartnerProfile,
    Role,
    Stage,
    User,
    Venture,
)
from incubator.services.errors import InvalidInput
from incubator.services.matching import (
    assignment,
    capacity,
    facts,
    introductions,
    review_lists,
    review_memory,
    runs,
)
from incubator.services.pipeline import facts as pipeline_facts
from tests import factories
from tests.helpers import count, page, reloaded, without_csrf_tokens

# Scores with the default weights: a venture's one need met earns 5, a shared challenge area
# ("Water and drought", every factory venture's and mentor's) 3.
MET, AREA_ONLY = 8.0, 3.0


def comparison(text: str) -> dict[str, tuple[str, ...]]:
    """The comparison table of a draft as the page shows it: (matches, total, blocking
    pairs) for the draft and (total, blocking pairs) for each method."""
    found: dict[str, tuple[str, ...]] = {}
    draft = re.search(
        r"This draft, as edited \((\d+) match(?:es)?\)</th>\s*"
        r'<td class="text-end">([\d.]+)</td>\s*<td class="text-end">(\S+?)</td>',
        text,
    )
    assert draft, "no draft row in the comparison"
    found["draft"] = draft.groups()
    for label in ("Highest total score", "Stable"):
        row = re.search(
            rf"{label}[^<]*</th>\s*"
            r'(?:<td class="text-end">([\d.]+)</td>\s*<td class="text-end">(\S+?)</td>|'
            r"<td colspan)",
            text,
        )
        assert row, f"no {label} row"
        found[label] = row.groups()
    return found


def per_venture(text: str, venture: str) -> list[str]:
    """A venture's scores in the per-venture table: this draft, then each method."""
    row = re.search(
        rf'<th scope="row" class="fw-normal">{venture}</th>(.*?)</tr>', text, flags=re.S
    )
    assert row, f"no per-venture row for {venture}"
    return re.findall(r'<td class="text-end">([^<]+)</td>', row.group(1))


# Bounds the room can meet --------------------------------------------------------------------


@pytest.fixture
def crowded(db, cohort, manager):
    """Three ventures and two mentors with one place each."""
    for name in ("AquaSave", "BusBuddy", "CivicCity"):
        factories.needy_venture(cohort, name, by=manager)
    for name in ("Ana Mentor", "Ben Mentor"):
        factories.mentor(name, expertise=["Procurement"], capacity=1)
    return cohort


def run_form(**values) -> dict[str, str]:
    fields = {"kind": "mentor", "method": "optimal", "min_per_venture": 1, "max_per_venture": 2}
    return {key: str(value) for key, value in (fields | values).items()}


def test_bounds_the_room_cannot_meet_are_refused_with_the_numbers_and_values_that_work(
    db, client, signed_in_manager, crowded
):
    url = f"/matching/cohorts/{crowded.id}"

    response = client.post(url, data=run_form())

    text = " ".join(page(response).split())
    assert response.status_code == 200
    assert (
        "3 ventures need at least 1 mentor each (3 in all), but the mentors have only 2 "
        "places left. To propose matches, lower “At least, per venture” to 0, or raise every "
        "mentor's capacity by 1 on their profile (2 more places in all)." in text
    )
    assert count(MatchingRun) == 0 and count(Match) == 0
    refill = re.search(r'href="([^"]+)">Fill in at least 0 and at most 2 per venture', text)
    assert refill, "no link that fills in values that work"
    assert parse_qs(urlsplit(refill.group(1)).query) == {
        "kind": ["mentor"],
        "method": ["optimal"],
        "min_per_venture": ["0"],
        "max_per_venture": ["2"],
    }

    filled = page(client.get(refill.group(1)))
    assert re.search(r'name="min_per_venture"[^>]*value="0"', filled)
    proposed = client.post(url, data=run_form(min_per_venture=0))
    assert proposed.status_code == 302
    assert count(MatchingRun) == 1 and count(Match) == 2


def test_the_form_offers_bounds_the_room_can_meet(db, client, signed_in_manager, crowded):
    shown = page(client.get(f"/matching/cohorts/{crowded.id}"))

    assert re.search(r'name="min_per_venture"[^>]*value="0"', shown)
    assert re.search(r'name="max_per_venture"[^>]*value="2"', shown)
    assert "Mentors: 2 places left for 3 ventures; at least 0 and at most 2 per venture" in (
        " ".join(shown.split())
    )
    factories.mentor("Cy Mentor", expertise=["Procurement"], capacity=1)
    _db.session.commit()
    roomier = page(client.get(f"/matching/cohorts/{crowded.id}?kind=mentor"))
    assert re.search(r'name="min_per_venture"[^>]*value="1"', roomier)


def test_the_forms_defaults_can_be_met_on_the_demo_cohorts(db, client, sign_in):
    seed.seed()
    _db.session.commit()
    sign_in(client, "manager@accelerate.la.example", seed.demo_password(Role.MANAGER))
    tried = 0
    for cohort in _db.session.scalars(select(Cohort)):
        for kind in MatchKind:
            url = f"/matching/cohorts/{cohort.id}"
            shown = page(client.get(f"{url}?kind={kind}"))
            if "place" not in shown or not runs.room(cohort, kind):
                continue  # nobody to match in this cohort: running says so
            low = re.search(r'name="min_per_venture"[^>]*value="(\d+)"', shown).group(1)
            high = re.search(r'name="max_per_venture"[^>]*value="(\d+)"', shown).group(1)
            before = count(MatchingRun)

            response = client.post(
                url, data=run_form(kind=kind, min_per_venture=low, max_per_venture=high)
            )

            assert response.status_code == 302, (cohort.name, kind, page(response))
            assert count(MatchingRun) == before + 1
            tried += 1
    assert tried == 3  # the active cohort, each kind


def scored_room(cohort: Cohort, kind: MatchKind, pinned: list[Match]) -> capacity.Room | None:
    """The room the form offered before it stopped scoring pairs: every pair scored, then
    the feasibility of the default bounds over the scored table."""
    low, high = capacity.DEFAULT_BOUNDS
    try:
        scored = capacity.score_cohort(cohort, kind, pinned)
        found = assignment.feasibility(
            scored.table.scores, scored.table.capacities, low, high, scored.fixed, scored.forbidden
        )
    except (InvalidInput, assignment.Unmatchable):
        return None
    return capacity.Room(kind, found.ventures, found.places, found.best_minimum, high)


@pytest.mark.parametrize("seed_number", range(12))
def test_the_room_the_form_offers_is_the_one_every_scored_pair_gives(
    db, cohort, manager, seed_number
):
    # Funders who invest at some stages only, places held by introductions or declined,
    # and pins: what makes some pairs ineligible, forbidden or kept.
    rng = random.Random(seed_number)
    stages = [stage.value for stage in Stage]
    ventures = []
    for number in range(rng.randint(2, 7)):
        venture = factories.needy_venture(cohort, f"Venture {number}", by=manager)
        venture.stage = rng.choice(stages)
        ventures.append(venture)
    funders = [
        factories.funder(
            f"Funder {number}",
            stages=rng.sample(stages, rng.randint(0, 3)),
            capacity=rng.randint(0, 3),
        )
        for number in range(rng.randint(1, 4))
    ]
    for venture in rng.sample(ventures, rng.randint(0, len(ventures))):
        factories.introduction(
            venture,
            rng.choice(funders),
            kind="funder",
            status=rng.choice(["introduced", "accepted", "declined"]),
        )
    _db.session.commit()
    pinned = [
        Match(venture_id=venture.id, counterpart_key=f"user:{rng.choice(funders).id}")
        for venture in rng.sample(ventures, rng.choice([0, 0, 1, 2]))
    ]

    offered = capacity.offered(cohort, MatchKind.FUNDER, pinned)

    assert offered == scored_room(cohort, MatchKind.FUNDER, pinned)


def test_the_room_on_the_demo_cohorts_is_the_one_every_scored_pair_gives(db):
    seed.seed()
    _db.session.commit()
    offered = 0
    for cohort in _db.session.scalars(select(Cohort)):
        for kind in MatchKind:
            draft = runs.latest_drafts(cohort).get(kind)
            pinned = [match for match in runs.run_matches(draft) if match.pinned] if draft else []
            room = runs.room(cohort, kind)
            assert room == scored_room(cohort, kind, pinned)
            offered += room is not None
    assert offered == 3  # the active cohort, each kind


def test_the_demo_shows_a_declined_introduction_with_a_private_reason_and_one_shared(db):
    seed.seed()
    _db.session.commit()

    declined = list(_db.session.scalars(select(Match).where(Match.status == "declined")))

    assert sorted(match.decline_reason_shared for match in declined) == [False, True]
    for match in declined:
        reason = match.decline_reason.partition(": ")[2]
        other_side = (
            match.counterpart
            if permissions.declining_side(match) == "venture"
            else match.venture.members[0].user
        )
        shown = [i.reason for i in introductions.introductions_for(other_side)]
        assert (reason in shown) == match.decline_reason_shared


# The comparison after each edit ---------------------------------------------------------------


@pytest.fixture
def pair_draft(db, cohort, manager):
    """AquaSave needs procurement (Ana), BusBuddy design (Ben): the best draft pairs each
    with the one who meets its need."""
    aqua = factories.needy_venture(cohort, "AquaSave", by=manager)
    bus = factories.needy_venture(cohort, "BusBuddy", needs=("Design",), by=manager)
    ana = factories.mentor("Ana Mentor", expertise=["Procurement"], capacity=1)
    ben = factories.mentor("Ben Mentor", expertise=["Service design"], capacity=1)
    run = runs.run_matching(cohort, "mentor", "optimal", 0, 1, by=manager)
    _db.session.commit()
    return run, aqua, bus, ana, ben


def match_of(run, venture) -> Match:
    _db.session.expire_all()
    return next(m for m in runs.run_matches(run) if m.venture_id == venture.id)


def version(text: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', text).group(1)


def add_match(client, run, venture, counterpart, draft_version) -> None:
    """Add a match to the draft through the review page's add form."""
    add = f"add-{run.id}-"
    client.post(
        f"/matching/runs/{run.id}/matches",
        data={
            add + "venture_id": str(venture.id),
            add + "counterpart_id": str(counterpart.id),
            add + "version": draft_version,
        },
    )


def test_the_comparison_shows_the_new_totals_after_every_edit(
    db, client, signed_in_manager, pair_draft
):
    run, aqua, bus, ana, _ben = pair_draft
    url = f"/matching/cohorts/{run.cohort_id}"
    first = page(client.get(url))
    assert comparison(first)["draft"] == ("2", f"{2 * MET:.2f}", "0")
    assert comparison(first)["Highest total score"] == (f"{2 * MET:.2f}", "0")

    aqua_match, bus_match = match_of(run, aqua), match_of(run, bus)
    prefix = f"swap-{aqua_match.id}-"
    client.post(
        f"/matching/runs/matches/{aqua_match.id}/swap",
        data={
            prefix + "other_id": str(bus_match.id),
            prefix + "version": version(first),
            prefix + "lowering_confirmed": "yes",
        },
    )
    swapped = page(client.get(url))
    # Each would rather have the other's mentor, and each mentor the other venture: 2 pairs.
    assert comparison(swapped)["draft"] == ("2", f"{2 * AREA_ONLY:.2f}", "2")
    assert comparison(swapped)["Highest total score"] == (f"{2 * MET:.2f}", "0")
    assert per_venture(swapped, "AquaSave")[:2] == [f"{AREA_ONLY:.2f}", f"{MET:.2f}"]

    client.post(
        f"/matching/runs/matches/{match_of(run, aqua).id}/pin", data={"version": version(swapped)}
    )
    pinned = page(client.get(url))
    # Run again with AquaSave pinned to Ben, the best is BusBuddy with Ana.
    assert comparison(pinned)["Highest total score"] == (f"{2 * AREA_ONLY:.2f}", "2")
    assert comparison(pinned)["draft"] == ("2", f"{2 * AREA_ONLY:.2f}", "2")

    client.post(
        f"/matching/runs/matches/{match_of(run, bus).id}/remove",
        data={"version": version(pinned), "lowering_confirmed": "yes"},
    )
    removed = page(client.get(url))
    # Unmatched, BusBuddy and Ana would both take each other; Ana would take AquaSave and
    # Ben BusBuddy: 3 blocking pairs.
    assert comparison(removed)["draft"] == ("1", f"{AREA_ONLY:.2f}", "3")
    assert per_venture(removed, "BusBuddy")[:2] == ["0.00", f"{AREA_ONLY:.2f}"]

    add_match(client, run, bus, ana, version(removed))
    added = page(client.get(url))
    assert comparison(added)["draft"] == ("2", f"{2 * AREA_ONLY:.2f}", "2")
    assert reloaded(run).total_score == pytest.approx(2 * AREA_ONLY)
    assert run.summary["draft"]["total_score"] == pytest.approx(2 * AREA_ONLY)


# A swap that lowers scores ----------------------------------------------------------------------


def test_a_swap_that_lowers_scores_says_by_how_much_and_writes_nothing_until_confirmed(
    db, client, signed_in_manager, pair_draft, audit_events
):
    run, aqua, bus, ana, ben = pair_draft
    aqua_match, bus_match = match_of(run, aqua), match_of(run, bus)
    opened = page(client.get(f"/matching/cohorts/{run.cohort_id}"))
    prefix = f"swap-{aqua_match.id}-"
    data = {prefix + "other_id": str(bus_match.id), prefix + "version": version(opened)}
    url = f"/matching/runs/matches/{aqua_match.id}/swap"

    asked = client.post(url, data=data)

    text = " ".join(page(asked).split())
    assert asked.status_code == 200
    assert (
        f"This swap lowers AquaSave from {MET:.2f} to {AREA_ONLY:.2f} and BusBuddy from "
        f"{MET:.2f} to {AREA_ONLY:.2f} (total -{2 * (MET - AREA_ONLY):.2f})." in text
    )
    assert "Swap anyway" in text and "Cancel" in text
    assert (match_of(run, aqua).counterpart_id, match_of(run, bus).counterpart_id) == (
        ana.id,
        ben.id,
    )
    assert reloaded(run).version == int(version(opened))
    assert not audit_events("match.swapped")

    confirmed = client.post(url, data={**data, prefix + "lowering_confirmed": "yes"})

    assert confirmed.status_code == 302
    assert (match_of(run, aqua).counterpart_id, match_of(run, bus).counterpart_id) == (
        ben.id,
        ana.id,
    )
    assert match_of(run, aqua).score == pytest.approx(AREA_ONLY)
    assert len(audit_events("match.swapped")) == 1


def test_a_swap_that_lowers_nothing_is_saved_at_once(
    db, client, signed_in_manager, cohort, manager
):
    for name in ("AquaSave", "BusBuddy"):
        factories.needy_venture(cohort, name, by=manager)
    for name in ("Ana Mentor", "Ben Mentor"):
        factories.mentor(name, expertise=["Procurement"], capacity=1)
    run = runs.run_matching(cohort, "mentor", "optimal", 1, 1, by=manager)
    _db.session.commit()
    first, second = runs.run_matches(run)
    keys = (first.counterpart_key, second.counterpart_key)
    prefix = f"swap-{first.id}-"

    response = client.post(
        f"/matching/runs/matches/{first.id}/swap",
        data={prefix + "other_id": str(second.id), prefix + "version": str(run.version)},
    )

    assert response.status_code == 302
    assert (reloaded(first).counterpart_key, reloaded(second).counterpart_key) == keys[::-1]


def test_the_swap_service_refuses_an_unconfirmed_swap_that_lowers_a_score(db, pair_draft, manager):
    run, aqua, bus, *_ = pair_draft

    with pytest.raises(runs.LowersScores, match=r"lowers AquaSave from 8\.00 to 3\.00"):
        runs.swap(match_of(run, aqua), match_of(run, bus), by=manager)

    _db.session.rollback()
    assert match_of(run, aqua).score == pytest.approx(MET)


# A removal that lowers the draft's total ----------------------------------------------------


def hidden_fields(text: str) -> dict[str, str]:
    """The hidden inputs of a page's form, as the browser would send them again."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", text):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]*)"', tag).group(1)
            value = re.search(r'value="([^"]*)"', tag)
            fields[name] = value.group(1) if value else ""
    return fields


def test_removing_a_match_says_how_much_the_total_falls_and_writes_nothing_until_confirmed(
    db, client, signed_in_manager, pair_draft, audit_events
):
    run, aqua, bus, ana, _ben = pair_draft
    aqua_match = match_of(run, aqua)
    opened = page(client.get(f"/matching/cohorts/{run.cohort_id}"))
    url = f"/matching/runs/matches/{aqua_match.id}/remove"

    asked = client.post(url, data={"version": version(opened)})

    text = " ".join(page(asked).split())
    assert asked.status_code == 200
    assert (
        f"Removing AquaSave \N{EN DASH} Ana Mentor lowers the draft's total from "
        f"{2 * MET:.2f} to {MET:.2f} (-{MET:.2f}); AquaSave is left with none." in text
    )
    assert "Remove anyway" in text and "Cancel" in text
    assert match_of(run, aqua).status == MatchStatus.PROPOSED
    assert reloaded(run).version == int(version(opened))
    assert reloaded(run).total_score == pytest.approx(2 * MET)
    assert not audit_events("match.removed")

    confirmed = client.post(url, data=hidden_fields(page(asked)))

    assert confirmed.status_code == 302
    assert reloaded(aqua_match).status == MatchStatus.ENDED
    assert aqua_match.decline_reason == runs.REMOVED_IN_REVIEW
    assert [m.venture_id for m in runs.run_matches(run)] == [bus.id]
    assert reloaded(run).total_score == pytest.approx(MET)
    assert len(audit_events("match.removed")) == 1
    assert ana.id not in {m.counterpart_id for m in runs.run_matches(run)}


def test_a_removal_says_how_many_matches_the_venture_keeps_and_the_service_refuses_it_unconfirmed(
    db, cohort, manager
):
    aqua = factories.needy_venture(cohort, "AquaSave", by=manager)
    for name in ("Ana Mentor", "Ben Mentor", "Cy Mentor"):
        factories.mentor(name, expertise=["Procurement"], capacity=1)
    run = runs.run_matching(cohort, "mentor", "optimal", 0, 3, by=manager)
    _db.session.commit()
    first = runs.run_matches(run)[0]
    name = introductions.counterpart_name(first)

    with pytest.raises(
        runs.LowersScores,
        match=(
            rf"^Removing AquaSave \N{{EN DASH}} {name} lowers the draft's total from 24\.00 "
            r"to 16\.00 \(-8\.00\); AquaSave keeps 2 other matches\. Confirm it to make it\.$"
        ),
    ):
        runs.remove(first, by=manager)

    _db.session.rollback()
    assert reloaded(first).status == MatchStatus.PROPOSED
    assert len(runs.run_matches(run)) == 3
    runs.remove(first, by=manager, lowering_confirmed=True)
    second = runs.run_matches(run)[0]
    assert runs.remove_preview(second, by=manager).effect.endswith("AquaSave keeps 1 other match")
    assert [m.venture_id for m in runs.run_matches(run)] == [aqua.id, aqua.id]


def test_removing_a_match_that_scores_nothing_is_saved_at_once(
    db, client, signed_in_manager, pair_draft, audit_events
):
    run, aqua, bus, *_ = pair_draft
    aqua_match = match_of(run, aqua)
    # A pair scored 0 (nothing in common, added by hand) lowers no total when removed.
    aqua_match.score = 0.0
    _db.session.commit()

    response = client.post(
        f"/matching/runs/matches/{aqua_match.id}/remove", data={"version": str(run.version)}
    )

    assert response.status_code == 302
    assert reloaded(aqua_match).status == MatchStatus.ENDED
    assert [m.venture_id for m in runs.run_matches(run)] == [bus.id]
    assert len(audit_events("match.removed")) == 1


# A reason for declining ---------------------------------------------------------------------------

REASON = "We already have a funder for this round"


@pytest.fixture
def funder_introduction(db, cohort, manager):
    venture = factories.needy_venture(cohort, "AquaSave", needs=("Funding",), by=manager)
    funder = factories.funder("Fiona Funder")
    match = factories.introduction(venture, funder, kind="funder")
    _db.session.commit()
    return match, venture.members[0].user, funder


def decline(client, sign_in, person, match, *, share: bool):
    sign_in(client, person.email)
    data = {"decline": "Decline", "reason": REASON} | ({"share_reason": "y"} if share else {})
    response = client.post(f"/matching/matches/{match.id}/answer", data=data)
    assert response.status_code == 302
    client.post("/auth/logout")


def seen_by(client, sign_in, person, path: str) -> str:
    sign_in(client, person.email)
    text = page(client.get(path))
    client.post("/auth/logout")
    return text


def test_a_decline_reason_not_shared_stays_with_the_program_team(
    db, client, sign_in, funder_introduction, manager, outbox
):
    match, founder, funder = funder_introduction

    decline(client, sign_in, founder, match, share=False)

    assert reloaded(match).status == MatchStatus.DECLINED
    assert not match.decline_reason_shared
    funder_page = seen_by(client, sign_in, funder, "/matching/mine")
    assert "AquaSave" in funder_page and REASON not in funder_page
    [to_funder] = outbox(funder.email)
    assert "declined" in to_funder.subject and REASON not in to_funder.body
    founder_page = seen_by(client, sign_in, founder, "/matching/mine")
    assert REASON in founder_page and "Only the program team reads it" in founder_page
    [to_founder] = outbox(founder.email)
    assert REASON in to_founder.body
    team_page = seen_by(client, sign_in, manager, f"/matching/cohorts/{match.cohort_id}")
    assert REASON in team_page and "kept with the program team" in team_page


def test_a_shared_decline_reason_reaches_the_other_side(
    db, client, sign_in, funder_introduction, manager, outbox
):
    match, founder, funder = funder_introduction

    decline(client, sign_in, founder, match, share=True)

    assert reloaded(match).decline_reason_shared
    funder_page = seen_by(client, sign_in, funder, "/matching/mine")
    assert REASON in funder_page
    [to_funder] = outbox(funder.email)
    assert REASON in to_funder.body
    team_page = seen_by(client, sign_in, manager, f"/matching/cohorts/{match.cohort_id}")
    assert REASON in team_page and "shared with the other side" in team_page


def test_the_decline_form_asks_whether_to_share_and_shares_nothing_by_default(
    db, client, sign_in, funder_introduction
):
    _match, founder, _funder = funder_introduction

    form = seen_by(client, sign_in, founder, "/matching/mine")

    assert "Share my reason with Fiona Funder" in form
    box = re.search(r'<input[^>]*name="share_reason"[^>]*>', form).group(0)
    assert "checked" not in box


# A draft of any size: a page of its matches, and a swap chosen by searching ----------------------


def seeded_draft(manager, name: str, ventures: int, mentors) -> MatchingRun:
    """A cohort of `ventures` needy ventures and its mentor draft, one mentor each."""
    cohort = factories.cohort(name, by=manager, capacity=max(ventures, 12))
    for number in range(ventures):
        factories.needy_venture(cohort, f"{name} venture {number:03d}", by=manager)
    run = runs.run_matching(cohort, "mentor", "optimal", 1, 1, by=manager)
    _db.session.commit()
    return run


@pytest.fixture
def mentors(db):
    """A hundred mentors with room for two ventures each, whom every draft shares."""
    return [
        factories.mentor(f"Mentor {number:03d}", expertise=["Procurement"], capacity=2)
        for number in range(100)
    ]


def test_the_review_page_grows_linearly_with_the_draft_in_the_same_queries(
    db, client, signed_in_manager, manager, mentors, page_queries
):
    small = seeded_draft(manager, "Small", 50, mentors)
    large = seeded_draft(manager, "Large", 200, mentors)
    urls = [f"/matching/cohorts/{run.cohort_id}" for run in (small, large)]
    assert len(runs.run_matches(large)) == 200
    page_queries(urls)

    queries = page_queries(urls)
    sizes = [len(client.get(url).get_data()) for url in urls]

    # Four times the matches, the same queries and less than five times the bytes; every
    # match in every row offering every other match made it sixteen times.
    assert queries[urls[0]] == queries[urls[1]]
    assert sizes[1] / sizes[0] < 5
    larger = page(client.get(urls[1]))
    assert larger.count("/pin") == review_lists.PAGE_SIZE
    # The only long lists of choices are the add form's: the cohort's ventures and the mentors.
    fixed = len(KIND_LABELS) + len(METHOD_LABELS) + len(review_lists.SORTS)
    assert larger.count("<option") == 200 + len(mentors) + fixed


def test_the_add_forms_long_lists_are_escaped_and_keep_the_choice_sent():
    written = templating.options([(1, "Ana & <b>Ben</b>"), (2, 'Cy "Co"')], 2)

    assert written == (
        '<option value="1">Ana &amp; &lt;b&gt;Ben&lt;/b&gt;</option>'
        '<option selected value="2">Cy &#34;Co&#34;</option>'
    )


def listed(run, listing) -> list[str]:
    """Every page of a draft's matches, followed by its next links, as venture names."""
    names, seen = [], review_lists.draft_page(run, listing, size=3)
    while True:
        names += [match.venture.name for match in seen.matches]
        if seen.next_after is None:
            return names
        listing = review_lists.Listing(listing.query, listing.sort, after=seen.next_after)
        seen = review_lists.draft_page(run, listing, size=3)


def test_the_matches_page_by_keyset_in_each_order_and_are_found_by_name(db, manager, mentors):
    run = seeded_draft(manager, "Paged", 10, mentors)
    matches = runs.run_matches(run)
    by_score = sorted(matches, key=lambda m: (m.score, m.venture.name, m.id))
    by_counterpart = sorted(
        matches, key=lambda m: (introductions.counterpart_name(m), m.venture.name, m.id)
    )

    assert listed(run, review_lists.Listing()) == [m.venture.name for m in matches]
    assert listed(run, review_lists.Listing(sort="score")) == [m.venture.name for m in by_score]
    assert listed(run, review_lists.Listing(sort="counterpart")) == [
        m.venture.name for m in by_counterpart
    ]
    second = review_lists.draft_page(run, review_lists.Listing(after=matches[2].id), size=3)
    back = review_lists.draft_page(run, review_lists.Listing(before=second.previous_before), size=3)
    assert [m.id for m in back.matches] == [m.id for m in matches[:3]]
    assert back.previous_before is None and back.next_after == matches[2].id

    mentor = introductions.counterpart_name(matches[4])
    found = review_lists.draft_page(run, review_lists.Listing(query=mentor.upper()))
    assert [m.id for m in found.matches] == [m.id for m in matches if m.counterpart.name == mentor]
    assert (found.found, found.live) == (len(found.matches), 10)
    named = review_lists.draft_page(run, review_lists.Listing(query="venture 007"))
    assert [m.venture.name for m in named.matches] == ["Paged venture 007"]


def test_the_review_page_links_to_the_next_page_with_the_same_filter(
    db, client, signed_in_manager, manager, mentors, monkeypatch
):
    monkeypatch.setattr(review_lists, "PAGE_SIZE", 4)
    run = seeded_draft(manager, "Linked", 10, mentors)
    url = f"/matching/cohorts/{run.cohort_id}"

    first = page(
        client.get(url, query_string={"mentor-q": "Linked venture", "mentor-sort": "score"})
    )
    link = re.search(r'href="([^"]*mentor-after=\d+[^"]*)" rel="next"', first).group(1)
    second = page(client.get(link))

    query = parse_qs(urlsplit(link).query)
    assert (query["mentor-q"], query["mentor-sort"]) == (["Linked venture"], ["score"])
    assert "4 of the 10 matches found." in first and "4 of the 10 matches found." in second
    assert 'rel="prev"' in second
    rows = re.compile(r"<tr>\s*<td>(Linked venture \d+)</td>")
    assert not set(rows.findall(first)) & set(rows.findall(second))
    assert len(rows.findall(second)) == 4
    # A review button on that page comes back to it.
    pin = re.search(r'<form method="post" action="([^"]*/pin\?[^"]*)"', second).group(1)
    pinned = client.post(pin, data={"version": version(second)})
    assert pinned.status_code == 302
    assert [m.pinned for m in runs.run_matches(run)].count(True) == 1
    assert parse_qs(urlsplit(pinned.headers["Location"]).query) == query
    missing = page(client.get(url, query_string={"mentor-q": "nobody by this name"}))
    assert "No proposed match has a venture or counterpart by that name." in " ".join(
        missing.split()
    )


def test_a_swap_is_chosen_by_searching_the_draft_and_offers_only_matches_it_can_swap_with(
    db, client, signed_in_manager, manager, mentors, audit_events
):
    run = seeded_draft(manager, "Swapped", 30, mentors)
    first, *others = runs.run_matches(run)
    # Two ventures with one mentor have nothing to swap.
    second, third = [m for m in others if m.counterpart_key != first.counterpart_key][:2]
    third.pinned = True
    _db.session.commit()
    url = f"/matching/runs/matches/{first.id}/swap"

    opened = page(client.get(url))
    options = re.findall(r'<option value="(\d+)">', opened)
    searched = page(client.get(url, query_string={"q": second.venture.name}))

    # A page of the others, never the whole draft; not itself, nor a pinned match.
    assert len(options) == review_lists.SWAP_CHOICES
    assert str(first.id) not in options and str(third.id) not in options
    assert re.findall(r'<option value="(\d+)">', searched) == [str(second.id)]
    assert "1 of the 1 match it can be swapped with." in " ".join(searched.split())
    prefix = f"swap-{first.id}-"
    done = client.post(
        url,
        data={
            prefix + "other_id": str(second.id),
            prefix + "version": hidden_fields(searched)[prefix + "version"],
            prefix + "lowering_confirmed": "yes",
        },
    )
    assert done.status_code == 302
    assert reloaded(first).counterpart_key != reloaded(second).counterpart_key
    assert len(audit_events("match.swapped")) == 1


def test_the_swap_candidates_are_the_matches_the_swap_service_would_take(db, cohort, manager):
    for name in ("AquaSave", "BusBuddy", "CivicCity"):
        factories.needy_venture(cohort, name, by=manager)
    for name in ("Ana Mentor", "Ben Mentor", "Cy Mentor"):
        factories.mentor(name, expertise=["Procurement"], capacity=2)
    # Two mentors each: most swaps would pair a venture with a mentor it already has.
    run = runs.run_matching(cohort, "mentor", "optimal", 2, 2, by=manager)
    matches = runs.run_matches(run)
    matches[-1].pinned = True
    _db.session.commit()

    for match in matches[:-1]:
        offered = review_lists.swap_candidates(match, review_lists.Listing()).matches
        taken = [
            other.id
            for other in matches
            if other.id != match.id and runs.swap_preview(match, other, by=manager) is not None
        ]
        assert sorted(other.id for other in offered) == sorted(taken)
    assert any(review_lists.swap_candidates(m, review_lists.Listing()).matches for m in matches)


# What a worker keeps of the review page -----------------------------------------------------------


def profile_of(mentor) -> MentorProfile:
    return _db.session.scalars(select(MentorProfile).filter_by(user_id=mentor.id)).one()


FLASHED = re.compile(r'<div class="alert [^"]*alert-dismissible[^"]*" role="alert">.*?</div>', re.S)


def drawn(client, url: str) -> str:
    """The page as drawn from nothing this worker keeps, without its form tokens and the
    message the last edit flashed."""
    review_memory.forget()
    return shown(client, url)


def shown(client, url: str) -> str:
    """The page as a worker that keeps what it drew shows it, without its form tokens and
    the message the last edit flashed."""
    return " ".join(FLASHED.sub("", without_csrf_tokens(page(client.get(url)))).split())


def test_each_review_edit_shows_on_the_next_view_of_a_page_kept_by_the_worker(
    db, client, signed_in_manager, pair_draft
):
    run, aqua, bus, ana, _ben = pair_draft
    url = f"/matching/cohorts/{run.cohort_id}"
    first = drawn(client, url)
    # Viewed again, the page is the worker's kept comparison, room and lists: the same page.
    assert shown(client, url) == first

    aqua_match, bus_match = match_of(run, aqua), match_of(run, bus)
    prefix = f"swap-{aqua_match.id}-"
    asked = client.post(
        f"/matching/runs/matches/{aqua_match.id}/swap",
        data={prefix + "other_id": str(bus_match.id), prefix + "version": version(first)},
    )
    # Asked first: nothing written, nothing new to show.
    assert shown(client, url) == first
    client.post(f"/matching/runs/matches/{aqua_match.id}/swap", data=hidden_fields(page(asked)))
    swapped = shown(client, url)
    assert comparison(swapped)["draft"] == ("2", f"{2 * AREA_ONLY:.2f}", "2")
    assert swapped == drawn(client, url)

    client.post(
        f"/matching/runs/matches/{match_of(run, aqua).id}/pin", data={"version": version(swapped)}
    )
    pinned = shown(client, url)
    assert comparison(pinned)["Highest total score"] == (f"{2 * AREA_ONLY:.2f}", "2")
    assert "Unpin" in pinned and "Unpin" not in swapped
    assert pinned == drawn(client, url)

    remove = f"/matching/runs/matches/{match_of(run, bus).id}/remove"
    asked = client.post(remove, data={"version": version(pinned)})
    assert shown(client, url) == pinned
    client.post(remove, data=hidden_fields(page(asked)))
    removed = shown(client, url)
    assert comparison(removed)["draft"] == ("1", f"{AREA_ONLY:.2f}", "3")
    assert removed == drawn(client, url)

    add_match(client, run, bus, ana, version(removed))
    added = shown(client, url)
    assert comparison(added)["draft"] == ("2", f"{2 * AREA_ONLY:.2f}", "2")
    assert added == drawn(client, url)

    client.post(f"/matching/runs/{run.id}/publish", data={"confirm": "y"})
    published = shown(client, url)
    assert reloaded(run).status == runs.PUBLISHED
    assert "Draft: Mentors" in added and "Draft: Mentors" not in published
    assert published == drawn(client, url)


def test_the_room_and_the_add_forms_lists_show_a_change_to_what_they_list_at_once(
    db, client, signed_in_manager, pair_draft, manager
):
    run, aqua, _bus, ana, _ben = pair_draft
    url = f"/matching/cohorts/{run.cohort_id}"
    before = shown(client, url)
    assert shown(client, url) == before

    aqua.name = "AquaSave Two"
    _db.session.commit()
    renamed = shown(client, url)
    assert "AquaSave Two</option>" in renamed and "AquaSave Two</option>" not in before
    assert "<td>AquaSave Two</td>" in renamed
    assert renamed == drawn(client, url)

    profile_of(ana).accepting = False
    _db.session.commit()
    closed = shown(client, url)
    assert "Ana Mentor</option>" in renamed and "Ana Mentor</option>" not in closed
    assert closed == drawn(client, url)

    factories.needy_venture(reloaded(run).cohort, "CivicCity", by=manager)
    _db.session.commit()
    grown = shown(client, url)
    room = re.compile(r'<p class="small" id="room">(.*?)</p>', flags=re.S)
    assert room.search(grown).group(1) != room.search(closed).group(1)
    assert "CivicCity</option>" in grown
    assert grown == drawn(client, url)


def test_what_the_room_is_kept_under_changes_with_every_row_it_lists(
    db, cohort, manager, pair_draft
):
    run, aqua, bus, ana, ben = pair_draft
    other = factories.cohort("Fall 2025", by=manager)
    seen = []

    def read() -> facts.RoomRows:
        _db.session.commit()
        rows = runs.room_rows(cohort, "mentor", runs.latest_drafts(cohort))
        assert rows not in seen
        seen.append(rows)
        return rows

    read()
    assert runs.room_rows(cohort, "mentor", runs.latest_drafts(cohort)) == seen[0]
    aqua.needs = ["Design"]
    read()
    bus.stage = Stage.PILOT
    read()
    bus.status = "archived"
    read()
    ben.name = "Benjamin Mentor"
    read()
    profile_of(ben).capacity = 2
    read()
    ana.active = False
    read()
    factories.introduction(factories.needy_venture(other, "Elsewhere", by=manager), ben)
    read()
    match_of(run, aqua).pinned = True
    read()
    factories.introduction(aqua, ben, status="declined")
    assert len(read().held) == 1


def test_a_kept_page_reads_no_room_and_draws_nothing_again_at_any_size_of_draft(
    db, client, signed_in_manager, manager, mentors, count_queries, page_queries, monkeypatch
):
    small = seeded_draft(manager, "Small", 10, mentors)
    large = seeded_draft(manager, "Large", 40, mentors)
    urls = [f"/matching/cohorts/{run.cohort_id}" for run in (small, large)]
    drawn_queries = page_queries(urls)
    for url in urls:
        client.get(url)
    made = []
    monkeypatch.setattr(capacity, "offered_from", lambda *args: made.append(args))
    fragment = templating.fragment
    drawn_parts = []
    monkeypatch.setattr(
        templating,
        "fragment",
        lambda name, **context: drawn_parts.append(name) or fragment(name, **context),
    )
    kept_queries = {}
    for url in urls:
        with count_queries() as counter:
            client.get(url)
        kept_queries[url] = counter
    kept_parts = list(drawn_parts)
    review_memory.forget()
    client.get(urls[0])

    # The worker kept the rows, the room, the comparison, the page of matches and the drafts'
    # sections under the cohort's stamps: nothing was drawn again and neither the room's
    # rows, nor the draft's summary, nor its page of matches were read, the same queries at
    # either size.
    assert len(made) == 1
    assert kept_parts == [] and "matching/_draft.html" in drawn_parts
    for url in urls:
        assert kept_queries[url].count == drawn_queries[url] - 3
        assert not any("json_" in statement.lower() for statement in kept_queries[url].statements)
    assert kept_queries[urls[0]].count == kept_queries[urls[1]].count


def stamp_of(cohort) -> str | None:
    """The cohort's matching stamps as a new transaction reads them with its runs."""
    _db.session.commit()
    return runs.cohort_runs(cohort).stamp


def written(statement: str, **values) -> None:
    """A statement run and committed by another session, as another program would (this
    test's session ends its transaction first: SQLite would wait on its reading)."""
    _db.session.commit()
    with _db.engine.begin() as connection:
        connection.execute(text(statement), values)


@pytest.fixture
def watched(db, cohort, manager, pair_draft):
    """The pair draft, with a funder, a partner organisation, another cohort and a venture
    of it: what each kind of write the stamps watch is made to."""
    run, aqua, bus, ana, ben = pair_draft
    funder = factories.funder("Fay Funder")
    organisation = factories.organisation("Parks Department")
    _db.session.add(PartnerProfile(organisation_id=organisation.id, capacity=2))
    other = factories.cohort("Fall 2025", by=manager)
    elsewhere = factories.needy_venture(other, "Elsewhere", by=manager)
    _db.session.commit()
    return {
        "run": run.id,
        "aqua": aqua.id,
        "bus": bus.id,
        "ana": ana.id,
        "ben": ben.id,
        "funder": funder.id,
        "organisation": organisation.id,
        "other": other.id,
        "elsewhere": elsewhere.id,
        "aqua_match": match_of(run, aqua).id,
    }


def _introduced_elsewhere(ids):
    factories.introduction(
        _db.session.get(Venture, ids["elsewhere"]), _db.session.get(User, ids["ben"])
    )


def _declined_here(ids):
    factories.introduction(
        _db.session.get(Venture, ids["aqua"]), _db.session.get(User, ids["ben"]), status="declined"
    )


def _venture_added(ids):
    factories.needy_venture(reloaded_cohort(ids), "CivicCity")


def reloaded_cohort(ids) -> Cohort:
    return _db.session.get(Venture, ids["aqua"]).cohort


def _accepted_elsewhere(ids):
    _introduced_elsewhere(ids)
    _db.session.commit()
    written("UPDATE matches SET status = 'accepted' WHERE status = 'introduced'")


# Each kind of write the room and the add form's choices are drawn from; most are made with
# SQL by another session, as only triggers can see them.
WATCHED_WRITES = {
    "venture renamed": lambda ids: written(
        "UPDATE ventures SET name = 'AquaSave Two' WHERE id = :id", id=ids["aqua"]
    ),
    "venture's needs": lambda ids: written(
        "UPDATE ventures SET needs = '[\"Design\"]' WHERE id = :id", id=ids["aqua"]
    ),
    "venture's stage": lambda ids: written(
        "UPDATE ventures SET stage = 'pilot' WHERE id = :id", id=ids["aqua"]
    ),
    "venture archived": lambda ids: written(
        "UPDATE ventures SET status = 'archived' WHERE id = :id", id=ids["bus"]
    ),
    "venture moved out": lambda ids: written(
        "UPDATE ventures SET cohort_id = :other WHERE id = :id", other=ids["other"], id=ids["bus"]
    ),
    "venture moved in": lambda ids: written(
        "UPDATE ventures SET cohort_id = (SELECT cohort_id FROM ventures WHERE id = :aqua) "
        "WHERE id = :id",
        aqua=ids["aqua"],
        id=ids["elsewhere"],
    ),
    "venture added": _venture_added,
    "person renamed": lambda ids: written(
        "UPDATE users SET name = 'Benjamin Mentor' WHERE id = :id", id=ids["ben"]
    ),
    "person deactivated": lambda ids: written(
        "UPDATE users SET active = :no WHERE id = :id", no=False, id=ids["ben"]
    ),
    "role taken away": lambda ids: written(
        "DELETE FROM user_roles WHERE user_id = :id AND role = 'mentor'", id=ids["ben"]
    ),
    "mentor's capacity": lambda ids: written(
        "UPDATE mentor_profiles SET capacity = 3 WHERE user_id = :id", id=ids["ben"]
    ),
    "mentor no longer accepting": lambda ids: written(
        "UPDATE mentor_profiles SET accepting = :no WHERE user_id = :id", no=False, id=ids["ana"]
    ),
    "funder's stages": lambda ids: written(
        "UPDATE funder_profiles SET stages = '[\"pilot\"]' WHERE user_id = :id", id=ids["funder"]
    ),
    "funder closed": lambda ids: written(
        "UPDATE funder_profiles SET open_to_civic = :no WHERE user_id = :id",
        no=False,
        id=ids["funder"],
    ),
    "organisation renamed": lambda ids: written(
        "UPDATE organisations SET name = 'Parks' WHERE id = :id", id=ids["organisation"]
    ),
    "partner's capacity": lambda ids: written(
        "UPDATE partner_profiles SET capacity = 5 WHERE organisation_id = :id",
        id=ids["organisation"],
    ),
    "partner profile removed": lambda ids: written(
        "DELETE FROM partner_profiles WHERE organisation_id = :id", id=ids["organisation"]
    ),
    "introduced in another cohort": _introduced_elsewhere,
    "accepted in another cohort": _accepted_elsewhere,
    "declined in this cohort": _declined_here,
    "pinned": lambda ids: written(
        "UPDATE matches SET pinned = :yes WHERE id = :id", yes=True, id=ids["aqua_match"]
    ),
    "person removed": lambda ids: written("DELETE FROM users WHERE id = :id", id=ids["funder"]),
    "a proposed match's score": lambda ids: written(
        "UPDATE matches SET score = 9.5 WHERE id = :id", id=ids["aqua_match"]
    ),
    "a proposed match's reasons": lambda ids: written(
        "UPDATE matches SET reasons = '[]' WHERE id = :id", id=ids["aqua_match"]
    ),
    "a proposed match taken out of its run": lambda ids: written(
        "UPDATE matches SET run_id = NULL WHERE id = :id", id=ids["aqua_match"]
    ),
    "a proposed match deleted": lambda ids: written(
        "DELETE FROM matches WHERE id = :id", id=ids["aqua_match"]
    ),
    "draft's comparison rewritten": lambda ids: written(
        "UPDATE matching_runs SET summary = '{}' WHERE id = :id", id=ids["run"]
    ),
}


@pytest.mark.parametrize("write", WATCHED_WRITES.values(), ids=WATCHED_WRITES.keys())
def test_every_write_the_room_is_drawn_from_gives_the_cohort_new_stamps(db, cohort, watched, write):
    before = stamp_of(cohort)
    assert before is not None
    assert stamp_of(cohort) == before

    write(watched)
    after = stamp_of(cohort)

    assert after is not None and after != before
    # A venture's stage, status or cohort written around the services leaves its pipeline
    # facts behind, as `flask pipeline-facts rebuild` would mend.
    pipeline_facts.rebuild()
    db.session.commit()


UNWATCHED_WRITES = {
    "a match's answers": "UPDATE matches SET venture_answer = 'accepted' WHERE pinned = :no",
    "a venture's description": "UPDATE ventures SET description = 'Cleaner water'",
    "a mentor's bio": "UPDATE mentor_profiles SET bio = 'Thirty years in city services.'",
    "a name set to itself": "UPDATE users SET name = name",
    "a run's status": "UPDATE matching_runs SET status = 'discarded'",
}


@pytest.mark.parametrize("statement", UNWATCHED_WRITES.values(), ids=UNWATCHED_WRITES.keys())
def test_a_write_the_room_does_not_read_leaves_the_stamps_as_they_were(
    db, cohort, watched, statement
):
    before = stamp_of(cohort)
    written(statement, no=False)
    assert stamp_of(cohort) == before


def test_a_write_to_another_cohorts_ventures_leaves_this_cohorts_stamps_as_they_were(
    db, cohort, watched
):
    before = stamp_of(cohort)
    written("UPDATE ventures SET name = 'Elsewhere Two' WHERE id = :id", id=watched["elsewhere"])
    assert stamp_of(cohort) == before


def test_a_write_from_another_session_shows_on_the_next_view_of_a_kept_page(
    db, client, signed_in_manager, cohort, watched, count_queries
):
    url = f"/matching/cohorts/{cohort.id}"
    first = drawn(client, url)
    with count_queries() as drawing:
        client.get(url)
    with count_queries() as keeping:
        assert shown(client, url) == first
    assert keeping.count == drawing.count

    written("UPDATE users SET name = 'Benjamin Mentor' WHERE id = :id", id=watched["ben"])
    renamed = shown(client, url)
    assert "Benjamin Mentor</option>" in renamed and "Benjamin Mentor" not in first
    assert renamed == drawn(client, url)

    written(
        "UPDATE mentor_profiles SET accepting = :no WHERE user_id = :id",
        no=False,
        id=watched["ana"],
    )
    closed = shown(client, url)
    assert "Ana Mentor</option>" in renamed and "Ana Mentor</option>" not in closed
    assert closed == drawn(client, url)

    written("UPDATE ventures SET name = 'AquaSave Two' WHERE id = :id", id=watched["aqua"])
    moved = shown(client, url)
    assert "AquaSave Two</option>" in moved
    assert moved == drawn(client, url)

    written("UPDATE matches SET score = 9.25 WHERE id = :id", id=watched["aqua_match"])
    rescored = shown(client, url)
    assert '<td class="text-end">9.25</td>' in rescored and "9.25" not in moved
    assert rescored == drawn(client, url)

    written("UPDATE matching_runs SET summary = '{}' WHERE id = :id", id=watched["run"])
    emptied = shown(client, url)
    assert "This draft, as edited" in rescored and "This draft, as edited" not in emptied
    assert emptied == drawn(client, url)

    # A write the room does not read: the page is the kept one, its rows not read again.
    written("UPDATE mentor_profiles SET bio = 'Retired.' WHERE user_id = :id", id=watched["ben"])
    with count_queries() as kept:
        again = shown(client, url)
    assert again == emptied == drawn(client, url)
    assert kept.count == keeping.count


def test_a_transaction_that_changed_the_room_keeps_nothing_it_reads(db, cohort, watched):
    before = stamp_of(cohort)
    aqua = _db.session.get(Venture, watched["aqua"])
    aqua.name = "AquaSave Two"
    _db.session.flush()
    during = runs.cohort_runs(cohort).stamp
    aqua.stage = Stage.PILOT
    _db.session.flush()
    later = runs.cohort_runs(cohort).stamp
    _db.session.rollback()

    assert stamp_of(cohort) == before
    if _db.session.get_bind().dialect.name == "postgresql":
        # The stamp is written once per transaction: the transaction reads no key at all.
        assert during is None and later is None
    else:
        # SQLite writes new stamps with every write, and a rollback takes them back.
        assert len({before, during, later}) == 3


def test_a_new_cohort_on_a_deleted_ones_id_has_a_stamp_of_its_own(db, manager):
    gone = factories.cohort("Gone", by=manager)
    _db.session.commit()
    old = stamp_of(gone).partition(":")[2]
    identity = gone.id
    written("DELETE FROM cohorts WHERE id = :id", id=identity)
    if _db.session.get_bind().dialect.name == "postgresql":
        written(f"ALTER SEQUENCE cohorts_id_seq RESTART WITH {identity}")
    _db.session.expire_all()

    again = factories.cohort("Again", by=manager)
    assert again.id == identity
    assert stamp_of(again).partition(":")[2] not in ("", old)


def test_a_matchs_reasons_are_kept_apart_in_each_language(
    db, client, signed_in_manager, pair_draft, manager
):
    run = pair_draft[0]
    url = f"/matching/cohorts/{run.cohort_id}"
    english = shown(client, url)
    manager.preferred_language = "es"
    _db.session.commit()
    spanish = shown(client, url)

    assert "AquaSave asked for help with procurement path" in english
    assert "pidió" in spanish and "asked for help" not in spanish
    assert spanish == drawn(client, url)


def test_kept_rows_of_matches_carry_each_views_own_form_token_and_version(
    app, db, client, signed_in_manager, pair_draft, monkeypatch
):
    run, aqua, _bus, _ana, _ben = pair_draft
    url = f"/matching/cohorts/{run.cohort_id}"
    client.post(f"/matching/runs/matches/{match_of(run, aqua).id}/pin", data={"version": "1"})
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    version = re.compile(r'name="version" type="hidden" value="(\d+)"')

    def rows_of(text: str) -> str:
        return text[text.index('id="matches-mentor"') : text.index("Add a match")]

    first = page(client.get(url))
    # The rows and forms the view before drew and kept, with this view's own token and version.
    second = page(client.get(url))
    drawing, kept = rows_of(first), rows_of(second)

    assert len(set(token.findall(drawing))) == len(set(token.findall(kept))) == 1
    assert set(token.findall(drawing)) != set(token.findall(kept))
    assert set(version.findall(kept)) == {"2"} == {str(reloaded(run).version)}
    # No form of the page (the run form, the publish form) carries the last view's token.
    assert token.findall(second) and not set(token.findall(first)) & set(token.findall(second))
    assert "form-token" not in second


def test_the_cohorts_introductions_are_listed_a_page_at_a_time_newest_first(
    db, client, signed_in_manager, cohort, manager, monkeypatch
):
    monkeypatch.setattr(introductions, "INTRODUCTIONS_PAGE", 3)
    mentor = factories.mentor("Ana Mentor", capacity=10)
    for number in range(7):
        factories.introduction(
            factories.needy_venture(cohort, f"Introduced {number}", by=manager), mentor
        )
    _db.session.commit()
    url = f"/matching/cohorts/{cohort.id}"
    listed = re.compile(r"<td>(Introduced \d)</td>")

    seen, pages, text = [], 0, page(client.get(url))
    assert "Newest" not in text
    while True:
        pages += 1
        seen += listed.findall(text)
        older = re.search(r'href="([^"]*introductions-after=\d+[^"]*)" rel="next"', text)
        if older is None:
            break
        text = page(client.get(older.group(1)))
        assert ">Newest</a>" in text

    # Inserted in this order at one instant: newest first is the latest id first.
    assert seen == [f"Introduced {number}" for number in reversed(range(7))]
    assert pages == 3
