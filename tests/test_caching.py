"""Caching where it is honest, and compression where it pays.

Charts and public pages answer a browser that has the current version with 304, only after
the access check passed; their tags change with the data they show. Pages, CSV, JSON and SVG
travel compressed when the browser accepts it (the CSRF token masked afresh in each page, so
compression is no oracle); downloads and streams decompress to what they were.
"""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime

import brotli
import pytest
from flask import Response

from incubator import csrf_tokens
from incubator.access import public
from incubator.models import Stage
from incubator.services.cohorts import ventures
from incubator.services.pipeline import checkins, stages
from tests import factories
from tests.plugins import registration

TODAY = date(2025, 5, 20)
WEEK = date(2025, 5, 19)
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def moment(day: int) -> datetime:
    return datetime(2025, 4, day, 17, tzinfo=UTC)


@pytest.fixture
def charted(db, manager):
    """A cohort with two ventures in its pipeline, and the URLs of its two charts."""
    cohort = factories.cohort("Spring 2025", by=manager)
    first = factories.venture_entered(cohort, "LeakMap", at=moment(7), by=manager)
    factories.venture_entered(cohort, "BusBuddy", at=moment(8), by=manager)
    db.session.commit()
    return {
        "cohort": cohort,
        "venture": first,
        "charts": [
            f"/pipeline/cohorts/{cohort.id}/stages.svg",
            f"/pipeline/cohorts/{cohort.id}/distribution.svg",
        ],
    }


def published_showcase(db, manager):
    cohort = factories.cohort("Spring 2025", by=manager, showcase_published=True)
    venture = factories.venture(cohort, "LeakMap", by=manager)
    db.session.commit()
    return cohort, venture


# Conditional answers --------------------------------------------------------------------------


def test_a_chart_answers_304_until_a_venture_moves(app, db, client, sign_in, manager, charted):
    sign_in(client, manager.email)
    for url in charted["charts"]:
        first = client.get(url)
        etag = first.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})

        assert first.status_code == 200 and first.mimetype == "image/svg+xml"
        assert etag.startswith('W/"')
        assert (again.status_code, again.data) == (304, b"")
        assert again.headers["ETag"] == etag
        # Signed in: nothing is stored, whatever the tag.
        assert first.headers["Cache-Control"] == again.headers["Cache-Control"] == "no-store"
        assert {"Accept-Language", "Cookie"} <= set(first.vary.as_set(preserve_casing=True))

    tags = {url: client.get(url).headers["ETag"] for url in charted["charts"]}
    stages.move_stage(charted["venture"], Stage.PROTOTYPE, "", by=manager)
    db.session.commit()

    for url, etag in tags.items():
        moved = client.get(url, headers={"If-None-Match": etag})
        assert moved.status_code == 200 and moved.headers["ETag"] != etag
        assert b"<svg" in moved.data


def test_a_charts_tags_differ_by_chart_and_by_language(client, sign_in, manager, charted):
    sign_in(client, manager.email)
    stages_url, distribution_url = charted["charts"]
    english = client.get(stages_url).headers["ETag"]
    other_chart = client.get(distribution_url).headers["ETag"]
    client.post("/language", data={"language": "es", "next": "/"})
    spanish = client.get(stages_url, headers={"If-None-Match": english})

    assert len({english, other_chart, spanish.headers["ETag"]}) == 3
    assert spanish.status_code == 200


def test_a_charts_304_does_not_skip_the_access_check(app, db, client, sign_in, manager, charted):
    sign_in(client, manager.email)
    tags = {url: client.get(url).headers["ETag"] for url in charted["charts"]}
    founder = factories.user("founder")
    db.session.commit()

    for url, etag in tags.items():
        anonymous = app.test_client().get(url, headers={"If-None-Match": etag})
        other = app.test_client()
        sign_in(other, founder.email)
        refused = other.get(url, headers={"If-None-Match": etag})
        assert anonymous.status_code == 302 and "ETag" not in anonymous.headers
        assert refused.status_code == 403 and "ETag" not in refused.headers
        # "*" is a guess, not a copy: the chart is drawn.
        assert client.get(url, headers={"If-None-Match": "*"}).status_code == 200

    missing = client.get("/pipeline/cohorts/999/stages.svg", headers={"If-None-Match": "*"})
    assert missing.status_code == 404


def test_a_kpi_charts_304_needs_both_access_checks(app, db, client, sign_in, manager):
    cohort = factories.cohort("Spring 2025", by=manager)
    venture = factories.venture(cohort, "LeakMap", by=manager)
    founder = factories.user("founder")
    ventures.add_member(venture, founder.email, founder.name, "CEO", by=manager)
    factories.check_in(venture, founder, WEEK, today=TODAY, users_reached=10, revenue=100.0)
    outsider = factories.user("founder")
    db.session.commit()
    url = f"/ventures/{venture.id}/kpis.svg?kpi=revenue"
    sign_in(client, founder.email)
    etag = client.get(url).headers["ETag"]

    other = app.test_client()
    sign_in(other, outsider.email)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert other.get(url, headers={"If-None-Match": etag}).status_code == 404
    hidden = client.get(
        f"/ventures/{venture.id}/kpis.svg?kpi=team_size", headers={"If-None-Match": etag}
    )
    assert hidden.status_code == 404
    assert client.get(f"/ventures/{venture.id}/kpis.svg?kpi=users_reached").headers["ETag"] != etag

    checkins.save_check_in(
        venture,
        checkins.CheckInInput(week_start=WEEK, summary="More", users_reached=10, revenue=250.0),
        by=founder,
        today=TODAY,
    )
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_chart_answers_if_modified_since_from_its_last_change(client, sign_in, manager, charted):
    sign_in(client, manager.email)
    url = charted["charts"][0]
    first = client.get(url)
    modified = first.headers["Last-Modified"]

    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = "Mon, 07 Apr 2025 16:00:00 GMT"
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # The tag decides when both are sent.
    both = {"If-Modified-Since": modified, "If-None-Match": 'W/"another"'}
    assert client.get(url, headers=both).status_code == 200


def test_a_visitor_revalidates_the_showcase_until_a_venture_changes(app, db, manager):
    cohort, venture = published_showcase(db, manager)
    visitor = app.test_client()
    for url in ("/showcase/", f"/showcase/cohorts/{cohort.id}"):
        first = visitor.get(url)
        again = visitor.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "private, no-cache"
        assert {"Accept-Language", "Cookie"} <= set(first.vary.as_set(preserve_casing=True))
        assert (again.status_code, again.data) == (304, b"")

    url = f"/showcase/cohorts/{cohort.id}"
    etag = visitor.get(url).headers["ETag"]
    ventures.archive_venture(venture, "Merged with another team", by=manager)
    db.session.commit()
    changed = visitor.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"LeakMap" not in changed.data

    other_visitor = app.test_client()
    # Another visitor's session has another token: the copy is not theirs.
    assert other_visitor.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_each_page_of_the_showcase_has_its_own_tag(app, db, manager, monkeypatch):
    monkeypatch.setattr(ventures, "SHOWCASE_PAGE_SIZE", 2)
    cohort = factories.cohort("Spring 2025", by=manager, showcase_published=True)
    made = {name: factories.venture(cohort, name, by=manager) for name in ("Alba", "Bora", "Cosa")}
    db.session.commit()
    visitor = app.test_client()
    first_url = f"/showcase/cohorts/{cohort.id}"
    second_url = f"{first_url}?after=Bora"
    first, second = visitor.get(first_url), visitor.get(second_url)
    assert b"Cosa" not in first.data and b"Cosa" in second.data
    tags = {
        url: response.headers["ETag"]
        for url, response in ((first_url, first), (second_url, second))
    }
    assert tags[first_url] != tags[second_url]
    for url, tag in tags.items():
        assert visitor.get(url, headers={"If-None-Match": tag}).status_code == 304
    # The first page's copy is not the second's.
    assert visitor.get(second_url, headers={"If-None-Match": tags[first_url]}).status_code == 200

    # A venture on the second page moves: that page changes, and so do the first page's
    # counts by stage.
    stages.move_stage(made["Cosa"], Stage.PROTOTYPE, "Built a prototype", by=manager)
    db.session.commit()
    for url, tag in tags.items():
        changed = visitor.get(url, headers={"If-None-Match": tag})
        assert changed.status_code == 200
        assert b"Concept 2 \xc2\xb7 Prototype 1" in changed.data


def test_a_one_liner_edited_anywhere_in_the_cohort_is_a_new_showcase_version(
    app, db, manager, monkeypatch
):
    """The counts are read from an index alone, and the cohort's stamp stands for the latest
    change to any of its ventures (a new tag, a Last-Modified no earlier), rather than the
    latest `updated_at` of every venture read from the table."""
    monkeypatch.setattr(ventures, "SHOWCASE_PAGE_SIZE", 1)
    cohort = factories.cohort("Spring 2025", by=manager, showcase_published=True)
    later = factories.venture(cohort, "Zeta", by=manager)
    factories.venture(cohort, "Alba", by=manager)
    db.session.commit()
    visitor = app.test_client()
    url = f"/showcase/cohorts/{cohort.id}"
    first = visitor.get(url)
    assert b"Alba" in first.data and b"Zeta" not in first.data

    later.one_liner = "Shade for every bus stop"
    db.session.commit()
    changed = visitor.get(
        url,
        headers={
            "If-None-Match": first.headers["ETag"],
            "If-Modified-Since": first.headers["Last-Modified"],
        },
    )

    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert changed.last_modified >= first.last_modified


def test_an_unpublished_showcase_is_404_whatever_the_tag(app, db, manager):
    cohort, _venture = published_showcase(db, manager)
    visitor = app.test_client()
    url = f"/showcase/cohorts/{cohort.id}"
    etag = visitor.get(url).headers["ETag"]
    cohort.showcase_published = False
    db.session.commit()

    assert visitor.get(url, headers={"If-None-Match": etag}).status_code == 404


def test_the_list_of_open_registrations_answers_304_until_another_opens(app, db, manager):
    registration.open_hackathon(by=manager, name="Drought Hack")
    db.session.commit()
    visitor = app.test_client()
    etag = visitor.get("/registration/").headers["ETag"]

    assert visitor.get("/registration/", headers={"If-None-Match": etag}).status_code == 304
    registration.open_hackathon(by=manager, name="Transit Hack")
    db.session.commit()
    changed = visitor.get("/registration/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"Transit Hack" in changed.data


def test_signed_in_people_get_the_showcase_without_a_tag(db, client, login_as, manager):
    cohort, _venture = published_showcase(db, manager)
    login_as("funder")

    response = client.get(f"/showcase/cohorts/{cohort.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


# Compression ----------------------------------------------------------------------------------


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(response.data)
    if encoding == "br":
        return brotli.decompress(response.data)
    assert encoding is None
    return response.data


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_pages_charts_and_downloads_are_compressed_when_the_browser_accepts_it(
    db, client, sign_in, manager, charted, encoding
):
    cohort = charted["cohort"]
    factories.bulk_ventures(cohort, 30, today=TODAY, manager=manager, founders=1, check_ins=1)
    db.session.commit()
    sign_in(client, manager.email)
    for url in [f"/pipeline/cohorts/{cohort.id}", f"/pipeline/cohorts/{cohort.id}/board.csv"]:
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": encoding})

        assert "Content-Encoding" not in plain.headers
        assert packed.headers.get("Content-Encoding") == encoding, (url, packed.headers)
        assert "Accept-Encoding" in packed.vary.as_set(preserve_casing=True)
        assert "Accept-Encoding" in plain.vary.as_set(preserve_casing=True)
        assert len(packed.data) < len(plain.data)
        # A page has its compressed length; the CSV is streamed, compressed as it goes.
        assert packed.headers.get("Content-Length", str(len(packed.data))) == str(len(packed.data))
        if url.endswith(".csv"):
            # The download is the same file, byte for byte, once decompressed.
            assert decoded(packed) == plain.data
            assert packed.headers["Content-Disposition"] == plain.headers["Content-Disposition"]


def test_a_compressed_chart_keeps_its_weak_tag_and_answers_304(client, sign_in, manager, charted):
    sign_in(client, manager.email)
    url = charted["charts"][0]
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "br"})
    again = client.get(
        url, headers={"Accept-Encoding": "br", "If-None-Match": packed.headers["ETag"]}
    )

    assert packed.headers["Content-Encoding"] == "br"
    # Weak: the same chart, however it travels; If-None-Match compares weakly.
    assert packed.headers["ETag"] == plain.headers["ETag"]
    # pygal names each drawing's elements afresh: the same chart, not the same bytes.
    assert decoded(packed).startswith(b"<?xml") and decoded(packed).endswith(b"</svg>")
    assert again.status_code == 304 and "Content-Encoding" not in again.headers
    assert "Accept-Encoding" in again.vary.as_set(preserve_casing=True)


def test_small_responses_and_refused_encodings_are_sent_plain(client):
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    refused = client.get("/scorecard/", headers={"Accept-Encoding": "gzip;q=0, identity"})

    assert small.status_code == 200 and "Content-Encoding" not in small.headers
    assert refused.status_code == 200 and "Content-Encoding" not in refused.headers


def test_a_streamed_download_is_compressed_as_it_goes(make_app):
    streaming = make_app()

    @streaming.route("/test-stream.csv")
    @public
    def stream():
        rows = (f"{number},venture {number}\r\n" for number in range(20_000))
        return Response(rows, mimetype="text/csv")

    client = streaming.test_client()
    plain = client.get("/test-stream.csv", buffered=True)
    for encoding in ("gzip", "br"):
        packed = client.get(
            "/test-stream.csv", headers={"Accept-Encoding": encoding}, buffered=True
        )
        assert "Content-Length" not in packed.headers
        assert packed.headers["Content-Encoding"] == encoding
        assert decoded(packed) == plain.data
        assert len(packed.data) < len(plain.data) / 2


# The CSRF token, masked per response (BREACH) -------------------------------------------------


def test_a_masked_token_unmasks_to_the_token_and_never_repeats():
    token = "ImFiYyI.aBcDeF.signature-part_1"
    masked = {csrf_tokens.mask(token) for _ in range(50)}

    assert len(masked) == 50
    assert all("." not in one and token not in one for one in masked)
    assert {csrf_tokens.unmask(one) for one in masked} == {token}
    assert csrf_tokens.unmask(token) == token  # an unmasked token passes through
    assert csrf_tokens.unmask(None) is None
    assert csrf_tokens.unmask("not-base64!") == "not-base64!"


def test_every_page_shows_another_token_and_each_one_works(db, make_app, manager):
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    first, second = (
        CSRF_FIELD.findall(client.get("/auth/login").get_data(as_text=True)) for _ in range(2)
    )
    tokens = set(first) | set(second)

    # The login form's token and the language switch's, on two pages: four different strings,
    # one signed token within a page, and one session token (its first part) on both.
    assert len(tokens) == 4
    assert csrf_tokens.unmask(first[0]) == csrf_tokens.unmask(first[1])
    assert len({str(csrf_tokens.unmask(token)).split(".")[0] for token in tokens}) == 1
    switched = client.post(
        "/language", data={"language": "es", "next": "/", "csrf_token": first[1]}
    )
    signed_in = client.post(
        "/auth/login",
        data={"email": manager.email, "password": factories.PASSWORD, "csrf_token": second[0]},
    )
    assert switched.status_code == 303
    assert signed_in.status_code == 302


def test_a_tampered_masked_token_is_refused(db, make_app, manager):
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    token = CSRF_FIELD.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    refused = client.post(
        "/auth/login",
        data={"email": manager.email, "password": factories.PASSWORD, "csrf_token": tampered},
    )
    assert refused.status_code == 400
