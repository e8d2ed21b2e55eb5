from flask import Blueprint

from incubator.services.cohorts.ventures import cohort_status_label, role_in_team_label

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")

# A cohort's status and a founder's role in the team, in the request's language.
bp.add_app_template_filter(cohort_status_label, "cohort_status_label")
bp.add_app_template_filter(role_in_team_label, "role_in_team_label")

from incubator.blueprints.cohorts import routes  # noqa: E402, F401
