"""The public cohort showcase: no login, nothing private."""

from flask import abort, render_template

from incubator.access import public
from incubator.blueprints.showcase import bp
from incubator.services.cohorts import ventures
from incubator.services.errors import NotFound


@bp.route("/")
@public
def index():
    return render_template("showcase/index.html", cohorts=ventures.published_cohorts())


@bp.route("/cohorts/<int:cohort_id>")
@public
def cohort(cohort_id: int):
    try:
        cohort = ventures.get_cohort(cohort_id)
        entries = ventures.showcase(cohort)
    except NotFound:
        abort(404)
    return render_template("showcase/cohort.html", cohort_name=cohort.name, entries=entries)
