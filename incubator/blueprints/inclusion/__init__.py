from flask import Blueprint

bp = Blueprint("inclusion", __name__, url_prefix="/inclusion")

from incubator.blueprints.inclusion import about_you, funnel  # noqa: E402, F401
