"""Edit versions: a save from a form opened at an older version is refused, never applied.

The models two people can edit at once carry a `version` column that SQLAlchemy raises by
one with every UPDATE (`version_id_col`, see `models.base.edit_version`). An edit form
carries the version it was opened at; the service locks the row (`locks.lock`), re-reads
it, and refuses the save with `StaleVersion` when the version moved on, naming who changed
it and listing the fields where their saved version and the person's unsaved one differ.
Nothing is written. The write itself runs in a SAVEPOINT (`saving`), so an UPDATE that
still finds another version (a change that landed between the check and the write, from
a writer that took no lock) becomes the same refusal instead of a StaleDataError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from incubator.extensions import db
from incubator.models import User
from incubator.services import audit
from incubator.services.errors import StaleEdit

KEEP_YOURS = _l(
    "Compare the two versions below: what you entered is still in the form, and saving it "
    "again replaces theirs."
)


class StaleVersion(StaleEdit):
    """A stale edit that also says who changed the object and which version the refusal
    shows as theirs: the form carries that version next, so saving again deliberately
    replaces exactly what the person was shown."""

    def __init__(self, message: str, *, theirs: dict, yours: dict, version: int, changed_by: str):
        super().__init__(message, theirs=theirs, yours=yours)
        self.version = version
        self.changed_by = changed_by


def _comparable(value: Any) -> Any:
    """Values as a form gives them back: text trimmed, nothing and empty text alike."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def who(changed_by: User | None, by: User | None) -> str:
    """The name to show for whoever changed the object last."""
    if changed_by is None:
        return _("someone else")
    if by is not None and changed_by.id == by.id:
        return _("%(name)s (you, in another window)", name=changed_by.name)
    return changed_by.name


def refusal(
    thing: str,
    version: int,
    *,
    changed_by: User | None,
    by: User | None,
    theirs: dict[str, Any],
    yours: dict[str, Any],
    advice: str | None = None,
) -> StaleVersion:
    """The refusal of a save made from an older version, showing only the fields that differ.

    `thing` names the object as the start of a sentence, in the page's language
    (`_("This milestone")`). `theirs` holds the object's saved values and `yours` the
    submitted ones, under the same keys (the edit form's field names, or a description for
    the matching review).
    """
    differing = [key for key in yours if _comparable(yours[key]) != _comparable(theirs.get(key))]
    name = who(changed_by, by)
    return StaleVersion(
        _(
            "%(thing)s was changed by %(name)s since you opened it; nothing was saved. %(advice)s",
            thing=thing,
            name=name,
            advice=advice or KEEP_YOURS,
        ),
        theirs={key: theirs.get(key) for key in differing},
        yours={key: yours[key] for key in differing},
        version=version,
        changed_by=name,
    )


def refusal_of_edit(
    thing: str,
    saved: Any,
    yours: dict[str, Any],
    *,
    audited_as: tuple[str, str],
    by: User | None,
) -> StaleVersion:
    """The refusal of an edit to `saved` (a model with an edit version) made from an older
    version: its saved values of the fields in `yours` against the submitted ones, and the
    last person to change it from the audit events `audited_as` (object type, action prefix).
    """
    object_type, actions = audited_as
    return refusal(
        thing,
        saved.version,
        changed_by=audit.last_actor(audit.about(object_type, saved.id, actions)),
        by=by,
        theirs={name: getattr(saved, name) for name in yours},
        yours=yours,
    )


def fields_of(submitted: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The submitted values of these fields, by field name, for `refusal_of_edit`."""
    return {name: getattr(submitted, name) for name in names}


def check(version: int, expected_version: int | None, refuse: Callable[[], StaleVersion]) -> None:
    """Refuse the save when the form was opened at another version than the saved one.

    Call it after locking and re-reading the object. `expected_version=None` (the demo
    seed, services calling each other) skips the check; routes always pass one.
    """
    if expected_version is not None and version != expected_version:
        raise refuse()


@contextmanager
def saving(refuse: Callable[[], StaleVersion]) -> Iterator[None]:
    """Apply the changes inside the block and flush them in a SAVEPOINT.

    An UPDATE that finds its row at another version raises StaleDataError; the SAVEPOINT
    is rolled back, which expires the objects changed in it, so `refuse` reads their saved
    values and the transaction can still ask who changed them.
    """
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except StaleDataError:
        raise refuse() from None
