"""The one small hierarchy of errors that services raise and routes turn into messages.

A message is in the language of the request it is raised in: services raise
`InvalidInput(_("..."))` with flask_babel's gettext."""

from flask_babel import gettext as _


class DomainError(Exception):
    """A rule was broken; the message is fit to show the person who broke it."""

    status_code = 400
    # How the page shows the message: as an error, unless the refusal is news rather than
    # a mistake (someone else was quicker).
    flash_category = "danger"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    status_code = 400


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class InvalidToken(DomainError):
    status_code = 400


class SlotTaken(Conflict):
    """Someone else booked the slot first."""

    flash_category = "warning"


class Busy(Conflict):
    """The database refused a write that collided with another one (a deadlock or a
    serialisation failure) even after one retry; nothing was written."""

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or _(
                "Someone else was changing the same thing at that moment, and nothing was "
                "saved. Please try again."
            )
        )


class StaleEdit(Conflict):
    """The object changed since the form was opened; saving would overwrite that change.

    `theirs` and `yours` map each field that differs to its value, for the page to show
    both versions side by side.
    """

    def __init__(self, message: str, *, theirs: dict | None = None, yours: dict | None = None):
        super().__init__(message)
        self.theirs = theirs or {}
        self.yours = yours or {}
