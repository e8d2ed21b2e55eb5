from flask import Blueprint

bp = Blueprint("judging", __name__, url_prefix="/judging")

from incubator.blueprints.judging import routes  # noqa: E402, F401
