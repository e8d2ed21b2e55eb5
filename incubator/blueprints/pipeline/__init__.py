from flask import Blueprint

bp = Blueprint("pipeline", __name__)

from incubator.blueprints.pipeline import board, routes  # noqa: E402, F401
