"""Who may call each endpoint: declared on the view, enforced once for the whole app.

Every view carries one declaration: @public, @authenticated or @roles(...). The
before-request hook refuses any endpoint without one (deny by default). Administrators
pass every role check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, abort, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from incubator.models import Role

ACCESS_ATTRIBUTE = "_access_rule"


@dataclass(frozen=True)
class AccessRule:
    """Who may use an endpoint: everyone, any signed-in person, or holders of some roles."""

    login: bool
    roles: frozenset[Role] = frozenset()

    def allows(self, user) -> bool:
        if not self.login:
            return True
        if not user.is_authenticated:
            return False
        if not self.roles:
            return True
        return user.has_role(Role.ADMIN, *self.roles)

    def describe(self) -> str:
        if not self.login:
            return "public"
        if not self.roles:
            return "any signed-in user"
        return ", ".join(sorted(self.roles))


def _declare(rule: AccessRule) -> Callable:
    def decorator(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTRIBUTE, rule)
        return view

    return decorator


public = _declare(AccessRule(login=False))
authenticated = _declare(AccessRule(login=True))


def roles(*allowed: Role) -> Callable:
    """Allow holders of any of these roles (and administrators)."""
    if not allowed:
        raise ValueError("roles() needs at least one role; use @authenticated for any user")
    return _declare(AccessRule(login=True, roles=frozenset(allowed)))


def rule_for(app: Flask, endpoint: str) -> AccessRule | None:
    view = app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None)


def wants_json() -> bool:
    """API-style requests get JSON errors instead of pages and redirects."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def enforce_access() -> ResponseReturnValue | None:
    """before_request hook: apply the endpoint's declared rule, refusing undeclared ones."""
    from flask import current_app

    if request.endpoint is None:
        return None  # 404 and 405 are raised by routing itself.
    rule = rule_for(current_app, request.endpoint)
    if rule is None:
        abort(403)
    if rule.allows(current_user):
        return None
    if not current_user.is_authenticated:
        if wants_json():
            # The code stays English for programs; the message is for a person.
            response = jsonify(error="unauthorized", message=_("Sign in to use this endpoint."))
            response.status_code = 401
            return response
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)


def declare_extension_endpoints(app: Flask) -> None:
    """Static files served by Flask and by extensions are public."""
    for endpoint, view in list(app.view_functions.items()):
        is_static = endpoint == "static" or endpoint.endswith(".static")
        if is_static and getattr(view, ACCESS_ATTRIBUTE, None) is None:
            app.view_functions[endpoint] = _public_wrapper(view)


def _public_wrapper(view: Callable) -> Callable:
    # Bound methods such as Flask.send_static_file take no attributes, so wrap them.
    def serve(*args, **kwargs):
        return view(*args, **kwargs)

    serve.__name__ = getattr(view, "__name__", "static")
    return public(serve)
