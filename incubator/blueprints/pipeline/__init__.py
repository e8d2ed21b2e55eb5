from flask import Blueprint

from incubator.services.pipeline.checkins import ask_kind_label
from incubator.services.pipeline.milestones import milestone_status_label
from incubator.services.pipeline.stages import stage_label

bp = Blueprint("pipeline", __name__)

# The pipeline's words for stored values, in the request's language, for every template
# (other areas' pages show a venture's stage too).
bp.add_app_template_filter(stage_label, "stage_label")
bp.add_app_template_filter(milestone_status_label, "milestone_status_label")
bp.add_app_template_filter(ask_kind_label, "ask_kind_label")

from incubator.blueprints.pipeline import board, routes  # noqa: E402, F401
