"""The inclusion funnel is built once per hackathon stamp (one hackathon's funnel) or per
every hackathon's stamps (all hackathons, a cohort, the public section) and language, and
kept by the worker: every write to something the funnel counts gives the hackathon a new
stamp (database triggers, migration 0023_inclusion), so the next request builds it again and
shows the change at once, and the funnel kept is the one a fresh building gives."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from incubator.models import (
    DemographicAnswers,
    FunnelStamp,
    Hackathon,
    Investment,
    Organisation,
    Pilot,
    Registration,
    Role,
    Submission,
    SubmissionMember,
    User,
    Venture,
    VentureMember,
)
from incubator.services.inclusion import funnel, stamps
from incubator.services.inclusion.funnel import Scope
from tests.helpers import page, without_csrf_tokens
from tests.plugins.inclusion import (
    CHECKED_IN,
    STOPS,
    answers,
    inclusion_cohort,
    inclusion_hackathon,
    outreach_partner,
    registration,
    take_down_the_funnel,
)


@pytest.fixture
def data(db):
    """A hackathon whose 98 registrants went down the funnel, half women and half men, the
    first twenty referred by an outreach partner; another hackathon with nobody yet."""
    hackathon, cohort = inclusion_hackathon(), inclusion_cohort()
    journey = take_down_the_funnel(hackathon, cohort, STOPS)
    partner = outreach_partner(hackathon)
    made = [r for level in journey.registrations.values() for r in level]
    for index, registered in enumerate(made):
        answers(registered.user, gender="woman" if index % 2 else "man")
        if index < 20:
            registered.referred_by_id = partner.id
    empty = inclusion_hackathon()
    db.session.commit()
    return {
        "db": db,
        "hackathon": hackathon,
        "empty": empty,
        "cohort": cohort,
        "partner": partner,
        "journey": journey.registrations,
    }


def _first(data, level: str) -> Registration:
    return data["journey"][level][0]


def _submission_of(data, level: str) -> Submission:
    user_id = _first(data, level).user_id
    return (
        data["db"]
        .session.scalars(
            select(Submission)
            .join(SubmissionMember, SubmissionMember.submission_id == Submission.id)
            .where(SubmissionMember.user_id == user_id)
        )
        .one()
    )


def _venture_of(data, level: str) -> Venture:
    return (
        data["db"]
        .session.scalars(
            select(Venture).where(Venture.submission_id == _submission_of(data, level).id)
        )
        .one()
    )


def _registered(data):
    registration(data["hackathon"], attended=True)


def _cancelled(data):
    registered = _first(data, "registered")
    registered.status = "cancelled"
    registered.cancelled_at = CHECKED_IN


def _checked_in(data):
    _first(data, "registered").attended_at = CHECKED_IN


def _check_in_undone_by_a_core_update(data):
    data["db"].session.execute(
        update(Registration)
        .where(Registration.id == _first(data, "attended").id)
        .values(attended_at=None)
    )


def _gender_changed(data):
    user_id = _first(data, "registered").user_id
    data["db"].session.get(DemographicAnswers, user_id).gender = "non_binary"


def _answers_withdrawn(data):
    user_id = _first(data, "attended").user_id
    data["db"].session.execute(
        delete(DemographicAnswers).where(DemographicAnswers.user_id == user_id)
    )


def _moved_house(data):
    _first(data, "registered").residence = "Watts"


def _referral_dropped(data):
    _first(data, "registered").referred_by_id = None


def _partner_renamed(data):
    data["partner"].organisation.name = "Renamed Outreach Nonprofit"


def _submission_withdrawn(data):
    _submission_of(data, "submitted").status = "draft"


def _placement_taken_away(data):
    _submission_of(data, "placed").placement = None


def _team_member_removed(data):
    user_id = _first(data, "submitted").user_id
    data["db"].session.execute(delete(SubmissionMember).where(SubmissionMember.user_id == user_id))


def _venture_unlinked(data):
    _venture_of(data, "founder").submission_id = None


def _founder_left(data):
    user_id = _first(data, "founder").user_id
    data["db"].session.execute(delete(VentureMember).where(VentureMember.user_id == user_id))


def _investment_deleted(data):
    venture = _venture_of(data, "funded")
    data["db"].session.execute(delete(Investment).where(Investment.venture_id == venture.id))


def _pilot_stopped(data):
    venture = _venture_of(data, "adopted")
    data["db"].session.scalars(
        select(Pilot).where(Pilot.venture_id == venture.id)
    ).one().status = "stopped"


def _account_removed(data):
    """Their registration, answers and memberships go with them (ON DELETE CASCADE)."""
    user_id = _first(data, "registered").user_id
    data["db"].session.execute(delete(User).where(User.id == user_id))


def _hackathon_renamed(data):
    data["hackathon"].name = "Renamed hackathon"


# Each change, and the breakdown it shows in.
CHANGES = [
    (_registered, "gender"),
    (_cancelled, "gender"),
    (_checked_in, "gender"),
    (_check_in_undone_by_a_core_update, "gender"),
    (_gender_changed, "gender"),
    (_answers_withdrawn, "gender"),
    (_moved_house, "neighbourhood"),
    (_referral_dropped, "partner"),
    (_partner_renamed, "partner"),
    (_submission_withdrawn, "gender"),
    (_placement_taken_away, "gender"),
    (_team_member_removed, "gender"),
    (_venture_unlinked, "gender"),
    (_founder_left, "gender"),
    (_investment_deleted, "gender"),
    (_pilot_stopped, "gender"),
    (_account_removed, "gender"),
]
VIEWS = {
    "hackathon": "/inclusion/funnel?hackathon={hackathon}&by={by}",
    "all": "/inclusion/funnel?by={by}",
    "cohort": "/inclusion/funnel?cohort={cohort}&by={by}",
}


def _html(client, url: str) -> str:
    return without_csrf_tokens(page(client.get(url)))


def drawn_afresh(client, url: str) -> str:
    """The page as a worker that keeps nothing draws it."""
    stamps.forget()
    return _html(client, url)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize(
    ("change", "by"), CHANGES, ids=[change.__name__[1:] for change, _ in CHANGES]
)
def test_a_change_the_funnel_shows_is_on_the_page_at_the_next_request(
    db, client, login_as, count_queries, data, change, by, view
):
    login_as(Role.MANAGER)
    url = VIEWS[view].format(hackathon=data["hackathon"].id, cohort=data["cohort"].id, by=by)
    client.get("/")  # the welcome message shown
    with count_queries() as drawn:
        before = _html(client, url)
    with count_queries() as kept:
        again = _html(client, url)
    assert kept.count < drawn.count
    assert again == before

    change(data)
    db.session.commit()
    with count_queries() as counter:
        after = _html(client, url)

    assert counter.count == drawn.count
    assert after != before
    assert after == drawn_afresh(client, url)


def test_a_renamed_hackathon_is_named_anew_in_the_funnel_over_time(db, client, login_as, data):
    login_as(Role.MANAGER)
    url = "/inclusion/funnel?by=hackathon"
    before = _html(client, url)

    _hackathon_renamed(data)
    db.session.commit()
    after = _html(client, url)

    assert "Renamed hackathon" in after and "Renamed hackathon" not in before
    assert after == drawn_afresh(client, url)


def test_the_exports_and_the_public_section_show_a_change_at_the_next_request(
    app, db, client, login_as, data
):
    login_as(Role.MANAGER)
    visitor = app.test_client()
    urls = ["/inclusion/funnel.json", "/inclusion/funnel.csv?by=partner"]
    before = [client.get(url).get_data(as_text=True) for url in urls]
    public_before = _html(visitor, "/inclusion/")

    _registered(data)
    _partner_renamed(data)
    db.session.commit()
    after = [client.get(url).get_data(as_text=True) for url in urls]
    public_after = _html(visitor, "/inclusion/")

    assert '"registered": 98' in before[0] and '"registered": 99' in after[0]
    assert "Renamed Outreach Nonprofit" in after[1]
    assert public_after != public_before
    stamps.forget()
    assert [client.get(url).get_data(as_text=True) for url in urls] == after
    assert _html(visitor, "/inclusion/") == public_after


def test_a_visitor_is_answered_304_until_the_funnel_changes(app, db, data):
    visitor = app.test_client()
    first = visitor.get("/inclusion/")
    etag = first.headers["ETag"]

    again = visitor.get("/inclusion/", headers={"If-None-Match": etag})
    other = visitor.get("/inclusion/?by=race", headers={"If-None-Match": etag})
    _registered(data)
    db.session.commit()
    changed = visitor.get("/inclusion/", headers={"If-None-Match": etag})

    assert first.status_code == 200 and again.status_code == 304
    assert other.status_code == 200
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_write_to_another_hackathon_leaves_a_hackathons_kept_funnel_in_place(
    db, client, login_as, count_queries, data
):
    login_as(Role.MANAGER)
    client.get("/")
    one = f"/inclusion/funnel?hackathon={data['hackathon'].id}"
    _html(client, one)
    with count_queries() as kept:
        _html(client, one)

    registration(data["empty"], attended=True)
    db.session.commit()
    with count_queries() as counter:
        _html(client, one)

    assert counter.count == kept.count
    # Every hackathon's stamps name the funnel of all of them: built again.
    with count_queries() as drawn:
        _html(client, "/inclusion/funnel")
    assert drawn.count > kept.count


def test_each_language_has_its_own_kept_funnel(app, db, client, login_as, data):
    login_as(Role.MANAGER)
    url = "/inclusion/funnel?by=hackathon"
    english = page(client.get(url))
    other = app.test_client()
    login_as(Role.MANAGER, preferred_language="es", on=other)
    spanish = page(other.get(url))
    english_again = page(client.get(url))

    assert "March 2025" in english and "March 2025" not in spanish
    assert "marzo" in spanish
    assert "March 2025" in english_again and "marzo" not in english_again


def test_a_managers_funnel_and_a_visitors_are_kept_apart(app, db, client, login_as, data):
    name = data["partner"].organisation.name
    login_as(Role.MANAGER)
    visitor = app.test_client()
    managers = page(client.get("/inclusion/funnel?by=partner"))
    visitors = page(visitor.get("/inclusion/?by=partner"))
    managers_again = page(client.get("/inclusion/funnel?by=partner"))

    assert name in managers and name in managers_again
    assert name not in visitors and "Outreach partner" not in visitors


def test_nothing_personal_is_kept(db, client, login_as, data):
    login_as(Role.MANAGER, name="Marisol Manager")
    for url in (
        "/inclusion/funnel",
        f"/inclusion/funnel?hackathon={data['hackathon'].id}",
        f"/inclusion/funnel?cohort={data['cohort'].id}",
        "/inclusion/",
    ):
        client.get(url)
    kept = repr(list(stamps._FUNNELS.values.values()))
    people = db.session.scalars(select(User)).all()

    assert "Inclusion hackathon" in kept  # what is kept is there to look at
    assert people
    for person in people:
        assert person.name not in kept and person.email not in kept


def test_the_kept_funnel_runs_fewer_queries_and_the_drawn_one_as_many_at_any_size(
    db, client, login_as, count_queries, page_queries
):
    small, large = inclusion_hackathon(), inclusion_hackathon()
    cohort = inclusion_cohort()
    take_down_the_funnel(small, cohort, {"registered": 3, "attended": 2})
    take_down_the_funnel(large, cohort, {"registered": 40, "attended": 30, "adopted": 12})
    db.session.commit()
    login_as(Role.MANAGER)
    urls = [f"/inclusion/funnel?hackathon={h.id}&by=race" for h in (small, large)]
    page_queries(urls)  # warm up

    drawn = page_queries(urls)
    counts = []
    for url in urls:
        client.get(url)
        with count_queries() as counter:
            client.get(url)
        counts.append(counter.count)

    assert drawn[urls[0]] == drawn[urls[1]]
    assert counts[0] == counts[1] < drawn[urls[1]]


def test_a_transaction_that_changed_the_funnel_keeps_nothing_it_builds(db, data):
    hackathon = data["hackathon"]
    scope = Scope(hackathon_id=hackathon.id)
    before = funnel.stamps_of(scope)

    registration(hackathon, attended=True)
    during = funnel.stamps_of(scope)
    every_during = funnel.stamps_of(Scope())
    registration(hackathon)
    later = funnel.stamps_of(scope)
    db.session.commit()
    after = funnel.stamps_of(scope)

    assert before is not None and after is not None
    assert after != before
    if db.session.get_bind().dialect.name == "postgresql":
        # The stamp is written once per transaction: the transaction reads no key at all.
        assert during is None and later is None and every_during is None
    else:
        # SQLite writes a new stamp with every write.
        assert len({before, during, later}) == 3 and after == later
        assert every_during is not None


def test_a_new_hackathon_on_a_deleted_ones_id_has_a_stamp_of_its_own(db, data):
    hackathon = data["hackathon"]
    old = funnel.stamps_of(Scope(hackathon_id=hackathon.id))
    identity = hackathon.id
    # As the database deletes it: its registrations, partners and submissions with it.
    db.session.execute(delete(Venture).where(Venture.cohort_id == data["cohort"].id))
    db.session.execute(delete(Hackathon).where(Hackathon.id == identity))
    db.session.commit()

    again = inclusion_hackathon(id=identity)
    db.session.commit()

    assert again.id == identity
    assert funnel.stamps_of(Scope(hackathon_id=identity)) not in (None, old)


def test_a_write_the_funnel_does_not_count_leaves_the_stamps_as_they_were(db, data):
    before = funnel.stamps_of(Scope())
    _first(data, "registered").reminded_at = CHECKED_IN
    data["db"].session.get(
        Organisation, data["partner"].organisation_id
    ).website = "https://example.org"
    db.session.commit()

    assert funnel.stamps_of(Scope()) == before


def test_a_hackathon_without_a_stamp_is_counted_every_time(
    db, client, login_as, count_queries, data
):
    db.session.execute(
        FunnelStamp.__table__.delete().where(FunnelStamp.hackathon_id == data["hackathon"].id)
    )
    db.session.commit()
    login_as(Role.MANAGER)
    client.get("/")
    url = f"/inclusion/funnel?hackathon={data['hackathon'].id}"
    with count_queries() as first_count:
        first = _html(client, url)
    with count_queries() as second_count:
        second = _html(client, url)

    assert second_count.count == first_count.count
    assert first == second


def test_the_chooser_lists_hackathons_with_registrations_or_open_for_them(db, data):
    """Asked per hackathon from the index of registrations, not from all of them."""
    open_one = inclusion_hackathon("Open for registrations", registration_open=True)
    only_cancelled = inclusion_hackathon("Only cancelled")
    registration(only_cancelled, status="cancelled")
    db.session.commit()

    chosen = dict(funnel.hackathon_choices())

    assert set(chosen) == {data["hackathon"].id, open_one.id, only_cancelled.id}
    assert data["empty"].id not in chosen
