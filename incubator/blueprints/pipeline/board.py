"""A cohort's pipeline board (columns or table, CSV), its analytics and the charts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache

from babel.support import NullTranslations
from flask import (
    Response,
    get_template_attribute,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from incubator import caching, clock, i18n, permissions, templating
from incubator.access import roles
from incubator.blueprints.pipeline import bp, charts
from incubator.kept import Kept
from incubator.models import Cohort, PilotStatus, Role, Stage, Venture
from incubator.services import fingerprints
from incubator.services.errors import NotFound
from incubator.services.matching import outcomes
from incubator.services.pipeline import analytics as pipeline_analytics
from incubator.services.pipeline import board as pipeline_board
from incubator.services.pipeline import stages, stamps
from incubator.vocabulary import CHALLENGE_AREAS, NEIGHBOURHOODS
from incubator.web import download, file_stem, found_or_404

AT_RISK_CHOICES = {"yes": True, "no": False}

# "3 running": how many of a cohort's pilots are in a status, in the request's language.
PILOT_COUNTS = {
    PilotStatus.PLANNED: lambda count: ngettext("%(num)d planned", "%(num)d planned", count),
    PilotStatus.RUNNING: lambda count: ngettext("%(num)d running", "%(num)d running", count),
    PilotStatus.COMPLETED: lambda count: ngettext("%(num)d completed", "%(num)d completed", count),
    PilotStatus.ADOPTED: lambda count: ngettext("%(num)d adopted", "%(num)d adopted", count),
    PilotStatus.STOPPED: lambda count: ngettext("%(num)d stopped", "%(num)d stopped", count),
}


@lru_cache(maxsize=16)
def _vocabulary_words(translations: object) -> tuple[dict[str, str], dict[str, str]]:
    """The challenge areas and the neighbourhoods in one catalogue, as `_` gives them, kept
    for that catalogue (Flask-Babel keeps one per language for the life of the process):
    a hundred and more lookups a request otherwise."""
    assert isinstance(translations, NullTranslations)
    return (
        {area: translations.ugettext(area) for area in CHALLENGE_AREAS},
        {name: translations.ugettext(name) for name in NEIGHBOURHOODS},
    )


# Each card and table row, drawn once for what it shows and kept: its row (a frozen value of
# everything it says), the day (a date shows its year when that is not the current one), the
# language, and where the app is mounted (its link). After a check-in a board draws again only
# the cards whose values changed.
DRAWN = 4096
_DRAWN = Kept(DRAWN)


def forget() -> None:
    """Drop the drawings this worker keeps (the tests start each from nothing)."""
    _DRAWN.clear()


def _drawn(
    found: pipeline_board.Board,
    stage_labels: dict[Stage, str],
    area_labels: dict[str, str],
    neighbourhood_labels: dict[str, str],
) -> dict[pipeline_board.BoardRow, Markup]:
    """The drawing of each card (or, in the table, each row) the board shows."""
    table = found.view == "table"
    place = ("table" if table else "card", i18n.current_language(), request.script_root)
    drawn = {}
    for row in found.page_rows:
        key = (*place, found.today, row)
        made = _DRAWN.find(key)
        if made is None:
            if table:
                macro = get_template_attribute("pipeline/_board_rows.html", "table_row")
                made = macro(row, stage_labels, area_labels, neighbourhood_labels)
            else:
                made = get_template_attribute("pipeline/_board_rows.html", "card")(row, area_labels)
            _DRAWN.keep(key, made)
        drawn[row] = made
    return drawn


def _board_from_arguments(cohort: Cohort, today: date) -> pipeline_board.Board:
    """The board for the query string's filters and sort; values not understood are ignored."""
    at_risk_argument = request.args.get("at_risk", "")
    found = pipeline_board.board(
        cohort,
        today,
        challenge_area=request.args.get("area") or None,
        neighbourhood=request.args.get("neighbourhood") or None,
        at_risk=AT_RISK_CHOICES.get(at_risk_argument),
        sort=request.args.get("sort") or None,
        descending=request.args.get("order") == "desc",
        stage=request.args.get("stage") or None,
        search=request.args.get("q") or None,
        view=request.args.get("view") or "columns",
        after=request.args.get("after") or None,
    )
    if at_risk_argument and at_risk_argument not in AT_RISK_CHOICES:
        found.ignored.append(_("“At risk” is yes or no, not %(value)r.", value=at_risk_argument))
    return found


def _filter_arguments(found: pipeline_board.Board) -> dict[str, str]:
    """The filters in force, as query arguments for links that keep them."""
    arguments = {
        "area": found.challenge_area,
        "neighbourhood": found.neighbourhood,
        "stage": found.stage.value if found.stage else None,
        "at_risk": None if found.at_risk is None else ("yes" if found.at_risk else "no"),
        "q": found.search,
    }
    return {name: value for name, value in arguments.items() if value}


def _cohort_and_stamp(cohort_id: int, today: date) -> tuple[Cohort, stamps.Reading]:
    """The cohort (or a 404) and its stamp's reading, in one query."""
    return found_or_404(lambda found_id: stamps.with_reading(found_id, today), cohort_id)


@bp.route("/pipeline/cohorts/<int:cohort_id>")
@roles(Role.MANAGER)
def board(cohort_id: int):
    """The board's columns or table. Every manager sees the same content for the same
    filters, so it is drawn once per cohort stamp (anything a card, a row or the totals show
    changes the stamp: services/pipeline/stamps.py), day, language and query string, and kept
    by the worker; only the frame around it (the person's name, the token) is drawn anew."""
    today = clock.today()
    cohort, found = _cohort_and_stamp(cohort_id, today)
    variant = ("board", i18n.current_language(), tuple(request.args.items(multi=True)))
    content = stamps.remembered(found, variant, lambda: _board_content(cohort, today))
    return render_template("pipeline/board.html", cohort=cohort, content=content)


def _board_content(cohort: Cohort, today: date) -> Markup:
    found = _board_from_arguments(cohort, today)
    area_labels, neighbourhood_labels = _vocabulary_words(get_translations())
    stage_labels = {stage: stages.stage_label(stage) for stage in Stage}
    return templating.fragment(
        "pipeline/_board_content.html",
        board=found,
        cohort=cohort,
        view=found.view,
        filters=_filter_arguments(found),
        sorts=pipeline_board.sort_labels(),
        page_size=pipeline_board.ROWS_PER_PAGE,
        drawn=_drawn(found, stage_labels, area_labels, neighbourhood_labels),
        # The vocabulary in the request's language, for the filters and the rows.
        area_labels=area_labels,
        neighbourhood_labels=neighbourhood_labels,
        stage_labels=stage_labels,
        stages=list(Stage),
        totals=outcomes.cohort_totals(cohort),
        pilot_counts=PILOT_COUNTS,
        # Translated if the matching area marks its labels (with N_ or lazily).
        instrument_labels={key: _(str(label)) for key, label in outcomes.INSTRUMENT_LABELS.items()},
    )


@bp.route("/pipeline/cohorts/<int:cohort_id>/board.csv")
@roles(Role.MANAGER)
def board_csv(cohort_id: int):
    """Every venture the filters pass, streamed in batches as it is read (flat memory)."""
    cohort = found_or_404(Cohort, cohort_id)
    lines = pipeline_board.csv_lines(_board_from_arguments(cohort, clock.today()))
    return download(
        stream_with_context(lines), "text/csv", f"{file_stem(cohort.name, 'cohort')}-pipeline.csv"
    )


@bp.route("/pipeline/cohorts/<int:cohort_id>/analytics")
@roles(Role.MANAGER)
def analytics(cohort_id: int):
    today = clock.today()
    cohort, found = _cohort_and_stamp(cohort_id, today)
    return render_template(
        "pipeline/analytics.html",
        cohort=cohort,
        analytics=pipeline_analytics.kept_cohort_analytics(cohort, today, found),
        plans=stages.stage_plans(cohort),
        stages=list(Stage),
        chart_width=charts.CHART_WIDTH,
        chart_height=charts.CHART_HEIGHT,
    )


def _svg_response(svg: bytes) -> Response:
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = charts.CHART_CONTENT_SECURITY_POLICY
    return response


def _cohort_chart(
    cohort_id: int, name: str, draw: Callable[[pipeline_analytics.CohortAnalytics], bytes]
) -> Response:
    """A chart of the cohort's stages, or 304 when the browser has this version: the access
    check (the route's role, then the cohort) comes first, the drawing only if needed.

    The version is the cohort's pipeline stamp (one row); the drawing, in the request's
    language, is kept by the worker under it, with the analytics the page shares. A cohort
    without a stamp is versioned by a digest of its rows and drawn every time."""
    today = clock.today()
    cohort, found = _cohort_and_stamp(cohort_id, today)
    if found.key is None:
        facts, modified = fingerprints.cohort_charts(cohort, today)
        version = caching.version_of(*facts, modified=modified)
    else:
        # The weeks run to today: a new day is a change, also for If-Modified-Since.
        began = clock.at(today)
        modified = max(found.changed_at, began) if found.changed_at else began
        version = caching.version_of(*found.key, modified=modified)

    def drawn() -> bytes:
        return draw(pipeline_analytics.kept_cohort_analytics(cohort, today, found))

    return caching.answer(
        version,
        name,
        lambda: _svg_response(stamps.remembered(found, (name, i18n.current_language()), drawn)),
    )


@bp.route("/pipeline/cohorts/<int:cohort_id>/stages.svg")
@roles(Role.MANAGER)
def stage_chart(cohort_id: int):
    return _cohort_chart(cohort_id, "stages", charts.stage_counts_chart)


@bp.route("/pipeline/cohorts/<int:cohort_id>/distribution.svg")
@roles(Role.MANAGER)
def distribution_chart(cohort_id: int):
    return _cohort_chart(cohort_id, "distribution", charts.distribution_chart)


def shown_kpis(venture: Venture) -> pipeline_analytics.VentureKpis:
    """The venture's KPIs the signed-in person may see (`permissions.visible_kpis`)."""
    kpis = pipeline_analytics.venture_kpis(venture)
    shown = permissions.visible_kpis(current_user, venture, [kpi.key for kpi in kpis.series])
    if len(shown) < len(kpis.series):
        kpis = kpis.restricted_to(shown)
    return kpis


@bp.route("/ventures/<int:venture_id>/kpis.svg")
@roles(Role.MANAGER, Role.FOUNDER, Role.MENTOR, Role.FUNDER)
def kpi_chart(venture_id: int):
    """One KPI's chart, named by `?kpi=`; without it, the first KPI the person may see.

    The KPIs the person may see are read first (two small queries) and name the chart's
    version; a 304 needs both access checks passed, and only the drawing is saved."""
    venture = found_or_404(Venture, venture_id, permissions.may_view_venture_profile)
    kpis = shown_kpis(venture)
    keys = [kpi.key for kpi in kpis.series]
    key = request.args.get("kpi") or (keys[0] if keys else None)
    if key is not None and key not in keys:
        raise NotFound(_("This venture reports no such KPI, or does not share it with you."))
    shown = next((series for series in kpis.series if series.key == key), None)
    version = caching.version_of(
        venture.name, kpis.weeks, shown and (shown.label, shown.money, shown.values)
    )
    if key is None:
        return caching.answer(version, "kpi", lambda: _svg_response(charts.empty_kpi_chart(kpis)))
    return caching.answer(version, f"kpi-{key}", lambda: _svg_response(charts.kpi_chart(kpis, key)))
