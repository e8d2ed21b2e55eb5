from flask import Blueprint

bp = Blueprint("hackathons", __name__, url_prefix="/hackathons")

from incubator.blueprints.hackathons import imports, labels, routes  # noqa: E402, F401
