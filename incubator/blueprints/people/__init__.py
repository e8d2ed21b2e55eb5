from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")

from incubator.blueprints.people import routes  # noqa: E402, F401
