from flask import Blueprint

bp = Blueprint("scorecard", __name__, url_prefix="/scorecard")

from incubator.blueprints.scorecard import manage, pages, sites  # noqa: E402, F401
