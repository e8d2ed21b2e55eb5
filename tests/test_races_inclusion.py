"""A person's first answers about themselves saved from two tabs at once, through the
multi-worker server (tests/races.py): one row, holding one tab's answers whole (never a mix
of the two), both tabs told their answers were saved, two audit events without values.
`make test` runs this on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from incubator.extensions import db
from incubator.models import DemographicAnswers
from tests import factories
from tests.race_helpers import actions, events, new_email
from tests.races import ROUNDS, Browser, race, rounds

SAVED = "Your answers are saved. Thank you."
TABS = [
    {"gender": "woman", "age_band": "25_34", "la_resident": "yes"},
    {"gender": "non_binary", "age_band": "35_44", "la_resident": "no"},
]


def test_first_answers_from_two_tabs_make_one_row_of_one_tabs_answers(served):
    def play(number):
        email = new_email("rosa")
        user_id = served.seed(lambda: factories.user("founder", email=email).id)
        tabs = [Browser(served, email) for _ in TABS]
        shown = race(
            [tab.post("inclusion.about_you", data) for tab, data in zip(tabs, TABS, strict=True)]
        )
        for tab in tabs:
            tab.close()
        return shown, user_id

    def check(shown, user_id):
        def inspect():
            row = db.session.get(DemographicAnswers, user_id)
            saved = None if row is None else (row.gender, row.age_band, row.la_resident)
            trail = events("demographic_answers", user_id)
            return saved, actions("demographic_answers", user_id), [e.after for e in trail]

        saved, trail, recorded = served.check(inspect)
        assert saved in {(tab["gender"], tab["age_band"], tab["la_resident"]) for tab in TABS}
        assert trail == ["demographics.saved", "demographics.saved"], trail
        assert all(not after for after in recorded), recorded
        for tab in shown:
            assert not tab.server_error, tab.describe()
            assert tab.said(SAVED), tab.describe()
        return "two saves → one row, one tab's answers"

    tally = rounds(served, "first answers from two tabs", play, check)
    assert tally.outcomes == {"two saves → one row, one tab's answers": ROUNDS}
