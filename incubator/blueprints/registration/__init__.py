from flask import Blueprint

bp = Blueprint("registration", __name__, url_prefix="/registration")

from incubator.blueprints.registration import manage, pages  # noqa: E402, F401
