"""The public scorecard: no sign-in, nothing private, cacheable with an ETag.

Every response here depends only on the scorecard's data (and, for HTML, on whether the
visitor is signed in, since the navigation shows their name), so one fingerprint query
answers a conditional request with 304 before anything is built.

Pages and pictures read in the visitor's language; the CSV and JSON downloads in English
whatever the language, since programs read them (their words as well as their field names).

The scorecard and the neighbourhood view keep their content (everything inside the layout,
the same for everyone who sees it) rendered in this worker's memory, under a key naming all
it is drawn from: the release, the fingerprint, the language, the arguments and, where the
page writes them, the viewer's time zone and whether they manage the scorecard. The layout,
with a person's name or a visitor's token and any message, is rendered around it every time.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Hashable
from datetime import date, timedelta
from typing import Any

from flask import Response, current_app, render_template, request
from flask_babel import force_locale, gettext
from flask_login import current_user
from markupsafe import Markup

from incubator import caching, clock, i18n, templating
from incubator.access import public
from incubator.blueprints.scorecard import bp
from incubator.kept import Kept
from incubator.models import Role
from incubator.services.errors import NotFound
from incubator.services.scorecard import cityscore, labels
from incubator.services.scorecard import public as scorecard
from incubator.web import download, page_number

# What the SVG documents may do: nothing but be drawn (no style element, no script).
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'"
HISTORY_PER_PAGE = 24
# The pages' contents and the pictures and downloads a worker keeps (each language, a few
# time zones, neighbourhood views and metrics).
KEPT_PAGES = 64
# A change is stamped when it is made and seen when it commits: until every transaction that
# began before the newest stamp has ended, one still open may commit a change stamped before
# it, which the fingerprint's maxima would not tell. Until then content is kept for a few
# seconds at most (such a change shows within them); once the data has settled, until the
# fingerprint moves.
SETTLED_AFTER = timedelta(minutes=2)
UNSETTLED_KEPT_SECONDS = 5

_KEPT = Kept(KEPT_PAGES)


def _cached(
    variant: str, build: Callable[[scorecard.Fingerprint], Response], *, personal: bool = False
) -> Response:
    """Answer 304 when the visitor has this version; otherwise build it with its ETag
    (`caching.answer`). Pages (`personal`) carry the frame, with a signed-in person's name or
    a visitor's CSRF token; pictures and downloads are the same for everyone, and public."""
    found = scorecard.fingerprint()
    version = caching.Version(found.etag, found.last_updated)
    if personal:
        return caching.answer(version, variant, lambda: build(found), page=True)
    return caching.answer(version, variant, lambda: _kept_file(found, variant, build))


def _kept_file(
    found: scorecard.Fingerprint, variant: str, build: Callable[[scorecard.Fingerprint], Response]
) -> Response:
    """A picture or a download (the same for everyone, a few hundred KB at most) built once
    per fingerprint, language and variant and kept by the worker as its status, headers and
    bytes, under the key the pages' contents have (`_key`)."""

    def made() -> tuple[int, list[tuple[str, str]], bytes]:
        response = build(found)
        return response.status_code, list(response.headers.items()), response.get_data()

    status, headers, body = _KEPT.get(_key(found, "file", variant), made)
    return Response(body, status=status, headers=headers)


def _variant(*parts: str | None) -> str:
    return "-".join((part or "").replace('"', "") for part in parts)[:200]


def _is_manager() -> bool:
    return current_user.is_authenticated and current_user.has_role(Role.MANAGER, Role.ADMIN)


def forget() -> None:
    """Drop the pages' contents this worker keeps (the tests' way to start from nothing)."""
    _KEPT.clear()


def _content(
    found: scorecard.Fingerprint,
    template: str,
    variant: tuple[Hashable, ...],
    context: Callable[[], dict[str, Any]],
) -> Markup:
    """The page's content, `template` rendered with `context()`, kept under the fingerprint,
    the language and `variant` (whatever else the content is drawn from): for a few seconds
    while the data settles (SETTLED_AFTER), then until the fingerprint moves."""

    def render() -> Markup:
        return templating.fragment(template, **context())

    return _KEPT.get(_key(found, template, *variant), render)


def _key(found: scorecard.Fingerprint, *variant: Hashable) -> tuple[Hashable, ...]:
    """What kept content is filed under: the code, this app, the fingerprint, how long it
    lasts (a few seconds while the data settles, SETTLED_AFTER; then until the fingerprint
    moves), the language, where the app is mounted and the variant."""
    now = clock.now()
    if found.newest is None or found.newest <= now - SETTLED_AFTER:
        lasting: Hashable = "settled"
    else:
        lasting = int(now.timestamp()) // UNSETTLED_KEPT_SECONDS
    return (
        caching.release(),
        _app_token(),
        found.etag,
        lasting,
        i18n.current_language(),
        request.script_root,
        *variant,
    )


def _app_token() -> str:
    """This app's own mark in the keys: two apps in one process (the tests build several) may
    read different databases whose fingerprints agree."""
    return current_app.extensions.setdefault("scorecard_pages", secrets.token_hex(8))


@bp.route("/")
@public
def index():
    def build(found: scorecard.Fingerprint) -> Response:
        is_manager = _is_manager()

        def context() -> dict[str, Any]:
            card = scorecard.build(found=found)
            return {
                "card": card,
                "thresholds": _thresholds(),
                "credits": scorecard.credits(),
                "is_manager": is_manager,
                "default_metric": _default_metric(card),
            }

        # "Last updated" is written in the viewer's time zone; a manager sees one more link.
        variant = (str(clock.viewer_zone()), is_manager)
        content = _content(found, "scorecard/_index.html", variant, context)
        return Response(render_template("scorecard/index.html", content=content))

    return _cached("index", build, personal=True)


def _thresholds() -> dict:
    """The thresholds "How to read it" explains, as numbers and as the page writes them."""
    return {
        "on_track": cityscore.ON_TRACK,
        "watch": cityscore.WATCH,
        "cap": cityscore.SCORE_CAP,
        "minimum": cityscore.MIN_VENTURES,
        "on_track_text": scorecard.format_score(cityscore.ON_TRACK),
        "watch_text": scorecard.format_score(cityscore.WATCH),
        "cap_text": scorecard.format_score(cityscore.SCORE_CAP),
    }


def _default_metric(card: scorecard.Scorecard) -> str | None:
    """The metric the neighbourhood view opens on: the one with the most published figures
    by neighbourhood (the first of the scorecard's order on a tie)."""
    rows = card.rows
    if not rows:
        return None
    return max(rows, key=lambda row: row.places_published).code


def _default_needed() -> bool:
    """Whether the request leaves the metric to choose (then each metric's figures by place
    are counted, to open on the one with the most)."""
    return not request.args.get("metric", "").strip()


def _chosen_metric(card: scorecard.Scorecard) -> tuple[str | None, str | None]:
    """The metric asked for, or the default with a note when the link names no metric."""
    asked = request.args.get("metric", "").strip()
    codes = {row.code for row in card.rows}
    if asked in codes:
        return asked, None
    ignored = (
        gettext("There is no metric %(code)s on the scorecard.", code=repr(asked[:60]))
        if asked
        else None
    )
    return _default_metric(card), ignored


def _chosen_period() -> date | None:
    try:
        return date.fromisoformat(request.args.get("period", ""))
    except ValueError:
        return None


def _view(card: scorecard.Scorecard, code: str) -> scorecard.NeighbourhoodView:
    return scorecard.neighbourhood_view(code, card, _chosen_period())


@bp.route("/neighbourhoods")
@public
def neighbourhoods():
    def build(found: scorecard.Fingerprint) -> Response:
        def context() -> dict[str, Any]:
            card = scorecard.build(found=found, with_places=_default_needed())
            code, ignored = _chosen_metric(card)
            view = _view(card, code) if code else None
            return {
                "card": card,
                "view": view,
                "legend": scorecard.map_legend(view) if view else [],
                "map_size": scorecard.map_size(),
                "ignored": ignored,
                "credit": labels.source_credit(),
                "minimum": cityscore.MIN_VENTURES,
            }

        variant = (request.args.get("metric"), request.args.get("period"))
        content = _content(found, "scorecard/_neighbourhoods.html", variant, context)
        return Response(render_template("scorecard/neighbourhoods.html", content=content))

    return _cached(
        _variant("neighbourhoods", request.args.get("metric"), request.args.get("period")),
        build,
        personal=True,
    )


@bp.route("/metrics/<code>")
@public
def metric(code: str):
    page = page_number()

    def build(found: scorecard.Fingerprint) -> Response:
        card = scorecard.build(metric_code=code, found=found)
        if not card.rows:
            raise NotFound(gettext("There is no such metric on the scorecard."))
        history, lines = scorecard.metric_history(code, page, HISTORY_PER_PAGE)
        return Response(
            render_template(
                "scorecard/metric.html",
                row=card.rows[0],
                history=history,
                lines=lines,
                thresholds=_thresholds(),
            )
        )

    return _cached(_variant("metric", code, str(page)), build, personal=True)


def _in_english(build: Callable[[scorecard.Fingerprint], Response]):
    """A download built in English, whatever the visitor's language."""

    def built(found: scorecard.Fingerprint) -> Response:
        with force_locale("en"):
            return build(found)

    return built


@bp.route("/scorecard.csv")
@public
def summary_csv():
    return _cached(
        "summary-csv",
        _in_english(
            lambda found: download(
                scorecard.summary_csv(scorecard.build(found=found)), "text/csv", "la-scorecard.csv"
            )
        ),
    )


@bp.route("/neighbourhoods.csv")
@public
def neighbourhoods_csv():
    def build(found: scorecard.Fingerprint) -> Response:
        card = scorecard.build(found=found, with_places=_default_needed())
        code, _ignored = _chosen_metric(card)
        if code is None:
            raise NotFound(gettext("The scorecard has no metrics yet."))
        view = _view(card, code)
        return download(
            scorecard.neighbourhood_csv(view), "text/csv", f"la-scorecard-{code}-neighbourhoods.csv"
        )

    return _cached(
        _variant("neighbourhoods-csv", request.args.get("metric"), request.args.get("period")),
        _in_english(build),
    )


@bp.route("/scorecard.json")
@public
def summary_json():
    def build(found: scorecard.Fingerprint) -> Response:
        card = scorecard.build(found=found, with_places=_default_needed())
        code, _ignored = _chosen_metric(card)
        view = _view(card, code) if code else None
        body = json.dumps(scorecard.scorecard_json(card, view), indent=2, ensure_ascii=False)
        return download(body, "application/json", "la-scorecard.json")

    return _cached(
        _variant("json", request.args.get("metric"), request.args.get("period")), _in_english(build)
    )


def _svg(document: bytes) -> Response:
    response = Response(document, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
    return response


@bp.route("/map.svg")
@public
def neighbourhood_map():
    def build(found: scorecard.Fingerprint) -> Response:
        card = scorecard.build(found=found, with_places=_default_needed())
        code, _ignored = _chosen_metric(card)
        if code is None:
            raise NotFound(gettext("The scorecard has no metrics yet."))
        return _svg(scorecard.neighbourhood_map(_view(card, code)))

    return _cached(_variant("map", request.args.get("metric"), request.args.get("period")), build)


@bp.route("/metrics/<code>/trend.svg")
@public
def trend_chart(code: str):
    return _cached(_variant("trend", code), lambda found: _svg(scorecard.sparkline(code, found)))
