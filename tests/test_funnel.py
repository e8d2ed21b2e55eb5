"""The inclusion funnel: every step, the breakdowns, the scopes, suppression, the queries."""

from __future__ import annotations

import itertools
import json
from datetime import date

import pytest

from incubator.extensions import db
from incubator.models import Organisation, OrganisationMember, Role
from incubator.services.inclusion import funnel, population
from incubator.services.inclusion.funnel import Breakdown, Scope
from tests import factories
from tests.helpers import page
from tests.plugins.inclusion import (
    STOPS,
    answers,
    funnel_rows,
    inclusion_cohort,
    inclusion_hackathon,
    outreach_partner,
    registration,
    take_down_the_funnel,
)

REACHED = (98, 86, 75, 62, 48, 33, 17)


def rows_by_label(table):
    return {row.label: row.counts for row in table.rows}


def test_every_step_counts_the_people_who_reached_it_and_every_step_before(inclusion_event):
    hackathon, cohort = inclusion_event
    take_down_the_funnel(hackathon, cohort, STOPS)

    built = funnel.build(Scope(hackathon_id=hackathon.id))

    assert built.total.counts == REACHED
    assert built.total.conversions == pytest.approx(
        [later / earlier for earlier, later in itertools.pairwise(REACHED)]
    )


def test_cancelled_registrations_drafts_and_absent_team_members_do_not_count(inclusion_event):
    hackathon, cohort = inclusion_event
    journey = take_down_the_funnel(hackathon, cohort, STOPS)
    registration(hackathon, status="cancelled")
    # On a submitted team but never checked in: registered only.
    absent = journey.registrations["placed"][0]
    absent.attended_at = None
    draft = factories.judging_submission(hackathon, status="draft")
    draft.members = []
    db.session.flush()

    built = funnel.build(Scope(hackathon_id=hackathon.id))

    assert built.total.counts == (98, 85, 74, 61, 48, 33, 17)


def test_the_cohort_scope_counts_founders_of_that_cohort_only(inclusion_event):
    hackathon, cohort = inclusion_event
    take_down_the_funnel(hackathon, cohort, STOPS)
    other = inclusion_cohort()

    assert funnel.build(Scope(cohort_id=cohort.id)).total.counts == REACHED
    # The other cohort has no venture from this hackathon, hence no registrations.
    assert funnel.build(Scope(cohort_id=other.id)).total.counts == (0,) * 7


def test_gender_rows_add_up_to_the_total_and_small_groups_are_hidden(inclusion_event):
    hackathon, cohort = inclusion_event
    journey = take_down_the_funnel(hackathon, cohort, {"attended": 40, "registered": 20})
    people = [r.user for level in journey.registrations.values() for r in level]
    for index, who in enumerate(people):
        gender = "woman" if index < 30 else "man" if index < 57 else "non_binary"
        answers(who, gender=gender)

    built = funnel.build(Scope(hackathon_id=hackathon.id))
    genders = rows_by_label(built.tables[Breakdown.GENDER])

    assert built.total.counts[:2] == (60, 40)
    # Women 30 registered, 10 came; men 27 and 27; non-binary 3 and 3. The three are hidden,
    # and so is the next smallest count of their column (the men's 27 registrations); the
    # women's 10 who came is small itself.
    assert genders["Non-binary"][:2] == (None, None)
    assert genders["Woman"][:2] == (30, None)
    assert genders["Man"][:2] == (None, 27)
    assert genders["Prefer not to say"] == (0,) * 7
    assert genders["No answer"] == (0,) * 7
    rows = {row.label: row for row in built.tables[Breakdown.GENDER].rows}
    assert rows["Woman"].conversions[0] is None
    assert built.total.conversions[0] == pytest.approx(40 / 60)


def test_answers_with_several_values_count_a_person_once_per_answer(inclusion_event):
    hackathon, _ = inclusion_event
    for _ in range(12):
        registration(hackathon, backgrounds=["designer", "student"])
    for _ in range(11):
        registration(hackathon, backgrounds=["designer"])

    built = funnel.build(Scope(hackathon_id=hackathon.id))
    backgrounds = rows_by_label(built.tables[Breakdown.BACKGROUND])

    assert built.tables[Breakdown.BACKGROUND].several_answers
    assert backgrounds["Designer"][0] == 23
    assert backgrounds["Student"][0] == 12
    assert backgrounds["Technologist"][0] == 0
    assert built.total.counts[0] == 23


def test_race_counts_each_category_and_prefer_not_to_say(inclusion_event):
    hackathon, _ = inclusion_event
    for index in range(26):
        who = registration(hackathon).user
        race = (
            ["hispanic_or_latino", "middle_eastern_or_north_african"]
            if index < 13
            else ["prefer_not"]
        )
        answers(who, race_ethnicity=race)

    races = rows_by_label(funnel.build(Scope()).tables[Breakdown.RACE])

    assert races["Hispanic or Latino"][0] == 13
    assert races["Middle Eastern or North African"][0] == 13
    assert races["Prefer not to say"][0] == 13
    assert races["Asian"][0] == 0


def test_youth_is_the_sum_of_its_age_bands_only_when_each_is_shown(inclusion_event):
    hackathon, _ = inclusion_event
    with_minors = inclusion_hackathon()
    for band, count in (("18_24", 20), ("25_34", 30), ("35_44", 12)):
        for event in (hackathon, with_minors):
            for _ in range(count):
                answers(registration(event).user, age_band=band)
    for _ in range(3):
        answers(registration(with_minors).user, age_band="under_18")

    youth = rows_by_label(funnel.build(Scope(hackathon_id=hackathon.id)).tables[Breakdown.YOUTH])
    built = funnel.build(Scope(hackathon_id=with_minors.id))
    ages = rows_by_label(built.tables[Breakdown.AGE_BAND])
    hidden_youth = rows_by_label(built.tables[Breakdown.YOUTH])

    assert youth["Under 25"][0] == 20
    assert youth["25 or older"][0] == 42
    assert youth["Prefer not to say"][0] == 0
    # Three minors hide themselves and the 12 people aged 35 to 44 (the smallest count).
    assert (ages["Under 18"][0], ages["18 to 24"][0], ages["35 to 44"][0]) == (None, 20, None)
    assert hidden_youth["Under 25"][0] is None
    assert hidden_youth["25 or older"][0] is None


def test_neighbourhoods_partners_and_hackathons_are_grouped(inclusion_event):
    hackathon, _ = inclusion_event
    later = inclusion_hackathon(
        name="Summer hack", starts_on=date(2025, 7, 1), ends_on=date(2025, 7, 2)
    )
    partner = outreach_partner(hackathon, Organisation(name="Boyle Heights Youth Tech"))
    for _ in range(12):
        registration(hackathon, residence="Boyle Heights", referred_by_id=partner.id)
    for _ in range(14):
        registration(later, residence="Outside the city")

    built = funnel.build(Scope())

    places = rows_by_label(built.tables[Breakdown.NEIGHBOURHOOD])
    assert places == {"Boyle Heights": (12, 0, 0, 0, 0, 0, 0), "Outside the city": (14,) + (0,) * 6}
    partners = rows_by_label(built.tables[Breakdown.PARTNER])
    assert partners["Boyle Heights Youth Tech"][0] == 12
    assert partners["Reached directly"][0] == 14
    over_time = [row.label for row in built.tables[Breakdown.HACKATHON].rows]
    assert over_time[0].startswith(hackathon.name)
    assert over_time[1].startswith("Summer hack")


def test_a_partner_scope_counts_only_its_referrals(inclusion_event):
    hackathon, _ = inclusion_event
    ours = outreach_partner(hackathon)
    theirs = outreach_partner(hackathon)
    for _ in range(13):
        registration(hackathon, referred_by_id=ours.id)
    for _ in range(20):
        registration(hackathon, referred_by_id=theirs.id)

    built = funnel.build(Scope(organisation_ids=(ours.organisation_id,)))

    assert built.total.counts[0] == 13


def test_partner_organisations_are_those_a_person_speaks_for_that_do_outreach(inclusion_event):
    hackathon, _ = inclusion_event
    speaker = factories.user(Role.PARTNER)
    outreach = outreach_partner(hackathon).organisation
    other = Organisation(name="Not an outreach partner")
    db.session.add_all(
        [
            OrganisationMember(organisation=outreach, user=speaker),
            OrganisationMember(organisation=other, user=speaker),
        ]
    )
    db.session.flush()

    assert funnel.partner_organisations(speaker) == [outreach]


def test_exports_say_suppressed_where_the_page_hides(inclusion_event):
    hackathon, _ = inclusion_event
    for _ in range(4):
        answers(registration(hackathon).user, gender="woman")
    for _ in range(30):
        answers(registration(hackathon).user, gender="man")

    built = funnel.build(Scope(hackathon_id=hackathon.id))
    rows = funnel.csv_rows(built, Breakdown.GENDER)
    document = funnel.as_json(built, Breakdown.GENDER)

    woman = next(row for row in rows if row[0] == "Woman")
    assert woman[1] == "suppressed"
    assert woman[8] == "suppressed"  # attended / registered
    groups = {group["group"]: group for group in document["groups"]}
    assert groups["Woman"]["counts"]["registered"] is None
    assert document["total"]["counts"]["registered"] == 34


def test_the_funnel_runs_the_same_queries_however_many_registrations(db, count_queries):
    hackathon, cohort = inclusion_hackathon(), inclusion_cohort()
    partner = outreach_partner(hackathon)

    def measure() -> int:
        with count_queries() as counter:
            funnel.build(Scope())
        return counter.count

    take_down_the_funnel(hackathon, cohort, {"registered": 4, "placed": 3, "adopted": 3})
    measure()
    few = measure()
    for index in range(300):
        who = registration(
            hackathon,
            attended=index % 2 == 0,
            referred_by_id=partner.id if index % 3 == 0 else None,
            backgrounds=["student"],
        ).user
        answers(who, gender="woman", age_band="18_24", race_ethnicity=["asian"])
    take_down_the_funnel(hackathon, cohort, {"funded": 20, "adopted": 20})

    assert measure() == few


# The pages ----------------------------------------------------------------------------------


@pytest.fixture
def event_with_people(inclusion_event):
    """A hackathon with 40 women (4 of them non-binary instead) down the funnel, committed."""
    hackathon, cohort = inclusion_event
    journey = take_down_the_funnel(hackathon, cohort, {"registered": 14, "attended": 12})
    journey.registrations["registered"][0].user.name = "Quetzalli Registrant-Unique"
    for index, made in enumerate(r for level in journey.registrations.values() for r in level):
        answers(made.user, gender="non_binary" if index < 4 else "woman")
    db.session.commit()
    return hackathon, cohort


def test_managers_see_the_funnel_of_a_hackathon_suppressed(client, login_as, event_with_people):
    hackathon, _ = event_with_people
    login_as(Role.MANAGER)

    html = page(client.get(f"/inclusion/funnel?hackathon={hackathon.id}"))
    rows = funnel_rows(html)

    # Four non-binary registrants hide themselves and the women's 22, the only other count.
    assert rows["Non-binary"][:2] == ["—", "0 —"]
    assert rows["Woman"][:2] == ["—", "12 —"]
    assert rows["All registrations"][:2] == ["26", "12 46%"]
    assert rows["Prefer not to say"][0] == "0"
    assert "Quetzalli" not in html
    assert hackathon.name in html


def test_the_breakdown_and_scope_are_chosen_by_query_arguments(client, login_as, event_with_people):
    _, cohort = event_with_people
    login_as(Role.MANAGER)

    html = page(client.get(f"/inclusion/funnel?cohort={cohort.id}&by=background"))

    assert cohort.name in html
    assert 'id="several-answers-note"' in html
    assert "Community member" in funnel_rows(html)
    assert client.get("/inclusion/funnel?hackathon=999999").status_code == 404
    assert "Non-binary" in funnel_rows(page(client.get("/inclusion/funnel?by=nonsense")))


def test_csv_and_json_carry_exactly_what_the_page_shows(client, login_as, event_with_people):
    hackathon, _ = event_with_people
    login_as(Role.MANAGER)

    csv_text = client.get(f"/inclusion/funnel.csv?hackathon={hackathon.id}").get_data(as_text=True)
    document = client.get(f"/inclusion/funnel.json?hackathon={hackathon.id}").get_json()

    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Gender,Registered,Attended,")
    assert "Non-binary,suppressed,0,0," in csv_text
    assert lines[-1].startswith("All registrations,26,12,0,0,0,0,0,46%,0%,,")
    groups = {group["group"]: group for group in document["groups"]}
    assert groups["Non-binary"]["counts"]["registered"] is None
    assert groups["Woman"]["counts"]["attended"] == 12
    assert document["total"]["counts"]["registered"] == 26
    assert "Quetzalli" not in csv_text + str(document)


@pytest.mark.parametrize("role", [Role.FOUNDER, Role.PARTNER, Role.FUNDER, Role.MENTOR, Role.JUDGE])
def test_only_the_program_team_opens_the_managers_funnel(client, login_as, role):
    login_as(role)
    for url in ("/inclusion/funnel", "/inclusion/funnel.csv", "/inclusion/funnel.json"):
        assert client.get(url).status_code == 403


def test_a_partner_sees_only_the_people_its_links_brought(client, login_as, inclusion_event):
    hackathon, _ = inclusion_event
    ours, theirs = outreach_partner(hackathon), outreach_partner(hackathon)
    for _ in range(12):
        registration(hackathon, referred_by_id=ours.id)
    for _ in range(30):
        registration(hackathon, referred_by_id=theirs.id)
    speaker = login_as(Role.PARTNER)
    db.session.add(OrganisationMember(organisation_id=ours.organisation_id, user_id=speaker.id))
    db.session.commit()

    html = page(client.get("/inclusion/partner"))

    assert funnel_rows(html)["All registrations"][0] == "12"
    assert ours.organisation.name in html
    assert theirs.organisation.name not in html
    assert client.get("/inclusion/partner?by=partner").status_code == 200


def test_a_partner_without_a_referral_link_is_told_how_it_comes(client, login_as):
    login_as(Role.PARTNER)
    html = page(client.get("/inclusion/partner"))
    assert "No referral link yet" in html
    assert funnel_rows(html) == {}


def test_the_public_section_is_linked_from_the_scorecard_and_suppressed(client, event_with_people):
    assert 'href="/inclusion/"' in page(client.get("/scorecard/"))

    html = page(client.get("/inclusion/"))
    rows = funnel_rows(html)

    assert rows["All registrations"][0] == "26"
    assert rows["Non-binary"][0] == "—"
    assert "Quetzalli" not in html
    assert "Outreach partner" not in html
    assert "Census 2000" in html
    # The share of registrations is hidden with the count; the city's share is published.
    assert rows["Woman"][-2:] == ["—", "50.2%"]
    assert rows["Non-binary"][-1] == "no published figure"


def test_the_funnel_page_runs_the_same_queries_however_many_registrations(
    client, login_as, page_queries
):
    hackathon, cohort = inclusion_hackathon(), inclusion_cohort()
    take_down_the_funnel(hackathon, cohort, {"registered": 4, "attended": 6})
    login_as(Role.MANAGER)
    urls = [
        "/inclusion/funnel",
        f"/inclusion/funnel?hackathon={hackathon.id}&by=race",
        "/inclusion/",
    ]
    page_queries(urls)
    few = page_queries(urls)
    partner = outreach_partner(hackathon)
    for index in range(250):
        who = registration(hackathon, attended=index % 2 == 0, referred_by_id=partner.id).user
        answers(who, gender="man", race_ethnicity=["black_or_african_american"])
    take_down_the_funnel(hackathon, cohort, {"adopted": 12})
    db.session.commit()

    assert page_queries(urls) == few


# The city's population ------------------------------------------------------------------------


def test_population_figures_name_groups_the_funnel_shows_and_cite_their_source():
    published = json.loads(population.DATA.read_text())
    youth_labels = {"Under 25", "25 or older", "Prefer not to say"}
    for name, figures in published["breakdowns"].items():
        breakdown = Breakdown(name)
        known = (
            set(funnel.GROUPINGS[breakdown].listed)
            if breakdown in funnel.GROUPINGS
            else youth_labels
        )
        assert set(figures["counts"]) <= known, name
        assert population.NOTES[name]
    assert published["year"] == 2000
    assert "Table DP-1" in published["source"]
    # The sexes, and youth and the rest, are the whole population of the table.
    total = published["total"]
    assert sum(published["breakdowns"]["gender"]["counts"].values()) == total
    assert sum(published["breakdowns"]["youth"]["counts"].values()) == total


def test_a_group_without_a_published_figure_has_no_share():
    by_race = population.comparison(Breakdown.RACE)
    assert by_race.share("Hispanic or Latino") == pytest.approx(1_719_073 / 3_694_820)
    assert by_race.share("Middle Eastern or North African") is None
    assert by_race.share("White") is None
    assert population.comparison(Breakdown.BACKGROUND) is None
    assert population.comparison(Breakdown.NEIGHBOURHOOD) is None


def test_no_hackathons_hidden_count_is_had_by_subtracting_the_others_from_all(db):
    """All hackathons' funnel is the sum of each hackathon's published one: one hackathon's
    3 non-binary registrants stay hidden there, though the other's 15 are shown."""
    small, large = inclusion_hackathon(), inclusion_hackathon()
    for hackathon, non_binary in ((small, 3), (large, 15)):
        for index in range(40 + non_binary):
            who = registration(hackathon, attended=True).user
            answers(who, gender="non_binary" if index < non_binary else "woman")

    per_hackathon = {
        h.id: rows_by_label(funnel.build(Scope(hackathon_id=h.id)).tables[Breakdown.GENDER])
        for h in (small, large)
    }
    everyone = funnel.build(Scope())
    together = rows_by_label(everyone.tables[Breakdown.GENDER])

    assert per_hackathon[small.id]["Non-binary"][0] is None
    assert per_hackathon[large.id]["Non-binary"][0] == 15
    assert together["Non-binary"][0] is None
    # Whatever all hackathons show is what the hackathons show, added up.
    for label, counts in together.items():
        for step, count in enumerate(counts):
            parts = [per_hackathon[h][label][step] for h in per_hackathon]
            assert count == (None if None in parts else sum(parts))
    assert everyone.total.counts[0] == sum(
        funnel.build(Scope(hackathon_id=h.id)).total.counts[0] for h in (small, large)
    )


def test_a_cohorts_funnel_is_its_hackathons_published_funnels_added_up(db):
    """Nothing on a cohort's page can be had from a hackathon's page by subtraction: its
    counts are the sums of the hackathons' published counts, and the founder steps of a
    hackathon that fed two cohorts are hidden (its page's counts mix the two)."""
    first, shared = inclusion_hackathon(), inclusion_hackathon()
    cohort, other = inclusion_cohort(), inclusion_cohort()
    take_down_the_funnel(first, cohort, STOPS)
    take_down_the_funnel(shared, cohort, STOPS)
    take_down_the_funnel(shared, other, STOPS)

    pages = {h.id: funnel.build(Scope(hackathon_id=h.id)).total.counts for h in (first, shared)}
    built = funnel.build(Scope(cohort_id=cohort.id))

    for step, count in enumerate(built.total.counts[:4]):
        assert count == pages[first.id][step] + pages[shared.id][step]
    assert built.total.counts[4:] == (None, None, None)
    assert (
        funnel.build(Scope(cohort_id=cohort.id)).tables[Breakdown.HACKATHON].rows[0].counts
        == (pages[first.id])
    )
