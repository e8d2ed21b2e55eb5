from flask import Blueprint

bp = Blueprint("matching", __name__, url_prefix="/matching")

from incubator.blueprints.matching import counterparts, outcomes, runs  # noqa: E402, F401
