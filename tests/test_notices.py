"""What needs a person reaches them by mail once: a partner's challenge proposal mails the
program managers, a milestone marked done mails the program managers, a milestone sent back
mails the venture's founders with the note, submissions assigned mail their judge."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from incubator.models import Challenge, VentureMember
from incubator.services.errors import InvalidInput
from incubator.services.hackathons import hackathons, judging
from incubator.services.pipeline import milestones
from tests import factories
from tests.helpers import page


def _proposal(organisation_id: int, title: str = "Find the leaks") -> hackathons.ChallengeInput:
    return hackathons.ChallengeInput(
        title=title,
        problem_statement="Pipes leak and nobody knows where.",
        challenge_area="Water and drought",
        organisation_id=organisation_id,
        dataset_links="",
    )


def test_a_partner_proposal_mails_each_program_manager_once(db, manager, outbox):
    other = factories.user("manager", name="Luis Ortega", email="luis@example.org")
    factories.user("manager", email="invited@example.org", password=None)
    factories.user("manager", email="gone@example.org", active=False)
    factories.user("mentor", email="mentor@example.org")
    partner = factories.user("partner", name="Pat Kim")
    sanitation = factories.organisation("LA Sanitation", members=[partner])
    hackathon = factories.hackathon("#techLA: Drought", status="open")

    challenge = hackathons.propose_challenge(hackathon, _proposal(sanitation.id), by=partner)
    with pytest.raises(InvalidInput, match="already has a challenge called"):
        hackathons.propose_challenge(hackathon, _proposal(sanitation.id), by=partner)

    assert sorted(message.recipient for message in outbox()) == [
        "luis@example.org",
        "maria@example.org",
    ]
    [to_maria] = outbox(manager.email)
    assert to_maria.subject == "Challenge proposed for #techLA: Drought: Find the leaks"
    assert (
        "Pat Kim proposed a challenge for #techLA: Drought on behalf of LA Sanitation: "
        "Find the leaks." in to_maria.body
    )
    assert f"http://localhost/hackathons/{challenge.hackathon_id}" in to_maria.body
    assert len(outbox(other.email)) == 1


def test_a_proposal_posted_twice_from_the_form_mails_the_managers_once(
    db, client, login_as, manager, outbox
):
    partner = login_as("partner")
    sanitation = factories.organisation("LA Sanitation", members=[partner])
    hackathon = factories.hackathon(status="open")
    db.session.commit()
    form = {
        "hackathon_id": str(hackathon.id),
        "organisation_id": str(sanitation.id),
        "title": "Find the leaks",
        "problem_statement": "Pipes leak.",
        "challenge_area": "Water and drought",
        "dataset_links": "",
    }

    first = client.post("/hackathons/proposals", data=form, follow_redirects=True)
    second = client.post("/hackathons/proposals", data=form, follow_redirects=True)

    assert "Challenge proposed." in page(first)
    assert "already has a challenge called" in page(second)
    assert len(list(db.session.scalars(select(Challenge)))) == 1
    [mail] = outbox(manager.email)
    assert "Find the leaks" in mail.subject


def test_a_manager_adding_a_challenge_mails_nobody(db, manager, outbox):
    factories.user("manager", email="luis@example.org")
    factories.challenge(factories.hackathon(), by=manager)

    assert outbox() == []


def test_a_milestone_sent_back_mails_its_founders_once_with_the_note(
    db, venture, founder, manager, outbox
):
    second = factories.founder_of(venture, name="Sam Lee", email="sam@example.org")
    invited = factories.user("founder", email="invited@example.org", password=None)
    db.session.add(VentureMember(venture=venture, user=invited, role_in_team="Founder"))
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, "https://example.org/notes", "", by=founder)

    milestones.send_back_milestone(milestone, "Only six interviews are written up.", by=manager)
    with pytest.raises(InvalidInput, match=re.escape("Only a milestone marked done")):
        milestones.send_back_milestone(milestone, "Again", by=manager)

    sent_back = [m for m in outbox() if m.subject.startswith("Milestone sent back")]
    assert sorted(message.recipient for message in sent_back) == [founder.email, second.email]
    [to_ana] = outbox(founder.email)
    assert to_ana.subject == "Milestone sent back: Ten interviews (LeakMap)"
    assert 'Maria Gonzalez sent the milestone "Ten interviews" of LeakMap back' in to_ana.body
    assert "Only six interviews are written up." in to_ana.body
    assert f"http://localhost/ventures/{venture.id}/milestones" in to_ana.body


def test_each_send_back_is_its_own_mail(db, venture, founder, manager, outbox):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)
    milestones.send_back_milestone(milestone, "Add the notes.", by=manager)
    milestones.complete_milestone(milestone, None, "Notes added", by=founder)
    milestones.send_back_milestone(milestone, "Add the photos too.", by=manager)

    first, second = outbox(founder.email)
    assert "Add the notes." in first.body and "Add the photos too." not in first.body
    assert "Add the photos too." in second.body


def test_verifying_or_missing_a_milestone_mails_nobody(db, venture, founder, manager, outbox):
    done = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(done, None, "Done", by=founder)
    [to_verify] = outbox()

    milestones.verify_milestone(done, by=manager)
    milestones.miss_milestone(factories.milestone(venture, by=founder), "Dropped", by=manager)

    assert outbox() == [to_verify]


def test_sending_back_twice_from_the_page_mails_once(
    db, client, venture, founder, manager, sign_in, outbox
):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)
    db.session.commit()
    sign_in(client, manager.email)

    for _ in range(2):
        client.post(
            f"/milestones/{milestone.id}/send-back",
            data={"comment": "Add the notes."},
            follow_redirects=True,
        )

    [mail] = outbox(founder.email)
    assert "Add the notes." in mail.body


# A milestone marked done: the program managers, once per completion ---------------------------


def test_a_milestone_marked_done_mails_each_program_manager_once(
    db, venture, founder, manager, outbox
):
    other = factories.user("manager", name="Luis Ortega", email="luis@example.org")
    factories.user("manager", email="invited@example.org", password=None)
    factories.user("manager", email="gone@example.org", active=False)
    factories.user("mentor", email="mentor@example.org")
    milestone = factories.milestone(venture, "Ten interviews", by=founder)

    milestones.complete_milestone(milestone, "https://example.org/notes", "Six here", by=founder)
    with pytest.raises(InvalidInput, match="already done"):
        milestones.complete_milestone(milestone, None, "Done again", by=founder)

    assert sorted(message.recipient for message in outbox()) == [other.email, manager.email]
    [to_maria] = outbox(manager.email)
    assert to_maria.subject == "Milestone to verify: Ten interviews (LeakMap)"
    assert 'Ana Lopez marked the milestone "Ten interviews" of LeakMap done.' in to_maria.body
    assert "Evidence: https://example.org/notes\nNote: Six here\n" in to_maria.body
    assert f"http://localhost/ventures/{venture.id}/milestones" in to_maria.body


def test_a_milestone_done_again_after_a_send_back_is_a_new_mail(
    db, venture, founder, manager, outbox
):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)
    milestones.send_back_milestone(milestone, "Add the notes.", by=manager)
    milestones.complete_milestone(milestone, None, "Notes added", by=founder)

    first, second = outbox(manager.email)
    assert first.subject == second.subject == "Milestone to verify: Ten interviews (LeakMap)"
    assert "Note: Done\n" in first.body and "Note: Notes added\n" in second.body


def test_a_manager_marking_a_milestone_done_mails_only_the_other_managers(
    db, venture, founder, manager, outbox
):
    other = factories.user("manager", email="luis@example.org")
    milestone = factories.milestone(venture, "Ten interviews", by=founder)

    milestones.complete_milestone(milestone, None, "Seen it myself", by=manager)

    assert [message.recipient for message in outbox()] == [other.email]


def test_marking_a_milestone_done_twice_from_the_page_mails_once(
    db, client, venture, founder, manager, sign_in, outbox
):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    db.session.commit()
    sign_in(client, founder.email)

    for _ in range(2):
        client.post(
            f"/milestones/{milestone.id}/complete",
            data={"evidence_url": "", "evidence_note": "All ten written up."},
            follow_redirects=True,
        )

    [mail] = outbox()
    assert mail.recipient == manager.email
    assert "Note: All ten written up." in mail.body


# Submissions assigned: their judge, once per assignment ---------------------------------------


def test_a_judge_gets_one_mail_listing_what_was_newly_assigned(db, manager, outbox):
    hackathon = factories.judging_hackathon("#techLA: Drought")
    leak, bus, shade = (
        factories.judging_submission(hackathon, title)
        for title in ("Leak finder", "Bus buddy", "Shade map")
    )
    jo = factories.user("judge", name="Jo Judge", email="jo@example.org")
    kim = factories.user("judge", name="Kim Lee", email="kim@example.org")

    judging.assign_judges(hackathon, [jo, kim], by=manager)

    assert sorted(message.recipient for message in outbox()) == [jo.email, kim.email]
    [to_jo] = outbox(jo.email)
    assert to_jo.subject == "3 submissions to score in #techLA: Drought"
    assert to_jo.body == (
        "Hello Jo Judge,\n\n"
        "You have 3 new submissions to score in #techLA: Drought:\n"
        f"- Bus buddy: http://localhost/judging/submissions/{bus.id}/score\n"
        f"- Leak finder: http://localhost/judging/submissions/{leak.id}/score\n"
        f"- Shade map: http://localhost/judging/submissions/{shade.id}/score\n\n"
        "Everything assigned to you, and what is left to score: http://localhost/judging/\n"
    )


def test_assigning_the_same_submissions_again_mails_nothing_more(db, manager, outbox):
    hackathon = factories.judging_hackathon("#techLA: Drought")
    first = factories.judging_submission(hackathon, "Leak finder")
    jo = factories.user("judge", name="Jo Judge", email="jo@example.org")
    judging.assign_judges(hackathon, [jo], [first], by=manager)

    judging.assign_judges(hackathon, [jo], [first], by=manager)
    assert len(outbox(jo.email)) == 1

    later = factories.judging_submission(hackathon, "Shade map")
    judging.assign_judges(hackathon, [jo], by=manager)

    _first, then = outbox(jo.email)
    assert then.subject == "1 submission to score in #techLA: Drought"
    assert "Shade map" in then.body and "Leak finder" not in then.body
    assert f"/judging/submissions/{later.id}/score" in then.body
    assert outbox(manager.email) == []


def test_only_the_judges_who_got_something_new_are_mailed(db, manager, outbox):
    hackathon = factories.judging_hackathon()
    submission = factories.judging_submission(hackathon)
    jo = factories.user("judge", email="jo@example.org")
    kim = factories.user("judge", email="kim@example.org")
    judging.assign_judges(hackathon, [jo], [submission], by=manager)

    judging.assign_judges(hackathon, [jo, kim], [submission], by=manager)

    assert [message.recipient for message in outbox()] == [jo.email, kim.email]


def test_assigning_twice_from_the_judges_page_mails_the_judge_once(db, client, login_as, outbox):
    login_as("manager")
    hackathon = factories.judging_hackathon("#techLA: Drought")
    for title in ("Leak finder", "Shade map"):
        factories.judging_submission(hackathon, title)
    jo = factories.user("judge", name="Jo Judge", email="jo@example.org")
    db.session.commit()

    for _ in range(2):
        client.post(
            f"/judging/hackathons/{hackathon.id}/judges",
            data={"judges": [str(jo.id)], "scope": "all"},
            follow_redirects=True,
        )

    [mail] = outbox()
    assert mail.recipient == jo.email
    assert mail.subject == "2 submissions to score in #techLA: Drought"
