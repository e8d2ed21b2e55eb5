"""The public cohort showcase: no login, nothing private."""

from flask import render_template

from incubator.access import public
from incubator.blueprints.showcase import bp
from incubator.services.cohorts import ventures
from incubator.web import found_or_404


def _published(_viewer, cohort) -> bool:
    """Only a cohort whose showcase is published has a public page; any other answers as
    a missing one."""
    return cohort.showcase_published


@bp.route("/")
@public
def index():
    return render_template("showcase/index.html", cohorts=ventures.published_cohorts())


@bp.route("/cohorts/<int:cohort_id>")
@public
def cohort(cohort_id: int):
    cohort = found_or_404(ventures.get_cohort, cohort_id, _published)
    return render_template(
        "showcase/cohort.html", cohort_name=cohort.name, entries=ventures.showcase(cohort)
    )
