"""The public cohort showcase: no login, nothing private; a visitor's browser revalidates it
with its ETag (`caching.answer`)."""

from flask import Response, render_template, request

from incubator import caching
from incubator.access import public
from incubator.blueprints.showcase import bp
from incubator.services import fingerprints
from incubator.services.cohorts import ventures
from incubator.web import found_or_404


def _published(_viewer, cohort) -> bool:
    """Only a cohort whose showcase is published has a public page; any other answers as
    a missing one."""
    return cohort.showcase_published


@bp.route("/")
@public
def index():
    return caching.answer(
        caching.version_of(*fingerprints.showcase_index()),
        "showcase",
        lambda: Response(
            render_template("showcase/index.html", cohorts=ventures.published_cohorts())
        ),
        page=True,
    )


@bp.route("/cohorts/<int:cohort_id>")
@public
def cohort(cohort_id: int):
    cohort = found_or_404(ventures.get_cohort, cohort_id, _published)
    # The page is read first (two small queries): its tag names what it shows.
    shown = ventures.showcase(cohort, after=request.args.get("after") or None)
    facts, modified = fingerprints.showcase_cohort(cohort, shown)
    return caching.answer(
        caching.version_of(*facts, modified=modified),
        f"showcase-cohort:{shown.after or ''}",
        lambda: Response(
            render_template(
                "showcase/cohort.html",
                cohort_id=cohort.id,
                cohort_name=cohort.name,
                page=shown,
                page_size=ventures.SHOWCASE_PAGE_SIZE,
            )
        ),
        page=True,
    )
