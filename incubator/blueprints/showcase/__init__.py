from flask import Blueprint

bp = Blueprint("showcase", __name__, url_prefix="/showcase")

from incubator.blueprints.showcase import routes  # noqa: E402, F401
