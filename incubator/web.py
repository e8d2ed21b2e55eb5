"""Small helpers routes share: acting on a posted form, drawing an edit page again, finding an
object or a 404, safe redirects, pagination."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, render_template, request
from flask_login import current_user

from incubator.extensions import db
from incubator.services.errors import DomainError, NotFound
from incubator.services.transactions import attempt
from incubator.services.versions import StaleVersion

T = TypeVar("T")
M = TypeVar("M")


def safe_next(target: str | None, default: str) -> str:
    """A redirect target that stays on this site (no open redirects)."""
    if not target or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def page_number() -> int:
    """The ?page= argument, 1 when missing or not a positive whole number."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def per_page(setting: str) -> int:
    return current_app.config[setting]


def found_or_404(
    find: type[M] | Callable[[int], M | None], object_id: int, may_see: Callable | None = None
) -> M:
    """The object with this id, or a 404 page.

    `find` is a model class (looked up by primary key) or a service getter (which returns
    None or raises NotFound when there is none). `may_see(current_user, object)`, a
    `permissions` predicate, hides what the viewer may not see: such an object answers
    exactly as a missing one, so ids cannot be probed.
    """
    try:
        found = db.session.get(find, object_id) if isinstance(find, type) else find(object_id)
    except NotFound:
        abort(404)
    if found is None or (may_see is not None and not may_see(current_user, found)):
        abort(404)
    return found


def flash_form_errors(form) -> None:
    """Show each of a form's errors as a message, naming the field."""
    for field_name, errors in form.errors.items():
        field = getattr(form, field_name, None)
        label = field.label.text if field is not None and field_name != "csrf_token" else ""
        for message in errors:
            flash(f"{label}: {message}" if label else message, "danger")


@dataclass
class Submitted(Generic[T]):
    """What became of a form: done (with what the action returned), or not done because it
    was not posted, not valid, or refused by the service. A refusal is flashed, except a
    stale edit, which the page shows with both versions."""

    done: bool = False
    value: T | None = None
    invalid: bool = False
    refusal: DomainError | None = None

    def __bool__(self) -> bool:
        return self.done

    @property
    def result(self) -> T:
        """What the action returned; only for a form that was done."""
        if not self.done:
            raise RuntimeError("the form was not done")
        return self.value  # type: ignore[return-value]  # None is a result too

    @property
    def stale(self) -> StaleVersion | None:
        """The stale-edit refusal, for the page to compare the two versions."""
        return self.refusal if isinstance(self.refusal, StaleVersion) else None

    @property
    def status(self) -> int:
        """The status of the page drawn again after the form: the refusal's, 400 for a
        form with errors, else 200."""
        if self.refusal is not None:
            return self.refusal.status_code
        return 400 if self.invalid else 200


def render_edit_page(template: str, stale: StaleVersion | None, **context) -> tuple[str, int]:
    """A page with an edit form, shown to edit or again after a save that did not happen:
    409 Conflict when the save was refused as a stale edit (the template shows the two
    versions from `stale`), else 200 (a refusal other than a stale edit keeps 200)."""
    return render_template(template, stale=stale, **context), 409 if stale else 200


def submit(
    form,
    action: Callable[[], T],
    success: str | Callable[[T], str] | None = None,
    *,
    flash_errors: bool = False,
) -> Submitted[T]:
    """The one way a route acts on a posted form: validate it, run `action` (a service
    call) in one transaction, retried once after a collision, and say how it went.

    `success` is the message to flash, or a function of the action's result giving it.
    A service's refusal (`DomainError`) is flashed; a stale edit (`StaleVersion`) moves the
    form's `version` on to the one shown and is returned for the page to compare. With
    `flash_errors` (for POST-only actions that redirect back) the form's field errors are
    flashed too; otherwise the page re-renders the form, which shows them by its fields.
    """
    if not form.validate_on_submit():
        if flash_errors and form.is_submitted():
            flash_form_errors(form)
        return Submitted(invalid=form.is_submitted())
    try:
        value = attempt(action)
    except StaleVersion as error:
        form.version.data = error.version
        return Submitted(refusal=error)
    except DomainError as error:
        flash(error.message, error.flash_category)
        return Submitted(refusal=error)
    if success is not None:
        flash(success(value) if callable(success) else success, "success")
    return Submitted(done=True, value=value)


def download(body: str | Iterable[str], mimetype: str, filename: str) -> Response:
    """A file to save (CSV, JSON): the body (text, or lines to stream) with the name the
    browser offers to save it as."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def file_stem(name: str, fallback: str) -> str:
    """A name as the start of a file name: lower case, runs of other characters as "-"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or fallback
