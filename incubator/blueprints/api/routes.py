"""The JSON API; it calls the same services as the pages."""

from flask import jsonify
from flask_login import current_user

from incubator.access import authenticated
from incubator.blueprints.api import bp


@bp.route("/me")
@authenticated
def me():
    return jsonify(
        id=current_user.id,
        email=current_user.email,
        name=current_user.name,
        time_zone=current_user.time_zone,
        roles=sorted(str(role) for role in current_user.roles),
    )
