"""The one small hierarchy of errors that services raise and routes turn into messages."""


class DomainError(Exception):
    """A rule was broken; the message is fit to show the person who broke it."""

    status_code = 400

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
