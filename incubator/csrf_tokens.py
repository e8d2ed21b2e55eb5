"""CSRF tokens masked afresh in every response, so that compressed pages are no oracle.

BREACH: when a compressed response carries a secret and also text the attacker chooses (a
search echoed back, a filter's value), the compressed size tells whether a guess matches the
secret, a character at a time. Every page carries a CSRF token (the language switch), and
Flask-WTF's signed token is the same for every response of a second. So the token a page
shows is masked: a random pad of its length, then the token XOR the pad, both in URL-safe
base64. No two responses show the same bytes, and validation unmasks it before Flask-WTF
checks the signature. A token sent unmasked (by a script reading `g.csrf_token`) is still
accepted: unmasked or not, it is the same signed token.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from flask import Flask
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, _FlaskFormCSRF, generate_csrf


def mask(token: str) -> str:
    """The token XORed with a fresh random pad, pad first: different bytes every time."""
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    masked = bytes(a ^ b for a, b in zip(pad, raw, strict=True))
    return base64.urlsafe_b64encode(pad + masked).decode().rstrip("=")


def unmask(sent: str | None) -> str | None:
    """The signed token a masked one carries; anything else as it came (to be refused or
    accepted by Flask-WTF as it stands). Signed tokens have dots, masked ones never do."""
    if not sent or "." in sent:
        return sent
    try:
        both = base64.urlsafe_b64decode(sent + "=" * (-len(sent) % 4))
    except (binascii.Error, ValueError):
        return sent
    if not both or len(both) % 2:
        return sent
    half = len(both) // 2
    try:
        return bytes(a ^ b for a, b in zip(both[:half], both[half:], strict=True)).decode()
    except UnicodeDecodeError:
        return sent


def masked_csrf_token() -> str:
    """The request's CSRF token, masked for this one use (`{{ csrf_token() }}`)."""
    return mask(generate_csrf())


class MaskedCSRFProtect(CSRFProtect):
    """Flask-WTF's check of every POST, given the token unmasked."""

    def _get_csrf_token(self):
        return unmask(super()._get_csrf_token())


class MaskedFormCSRF(_FlaskFormCSRF):
    """The hidden field of every FlaskForm: masked when drawn, unmasked when checked."""

    def generate_csrf_token(self, csrf_token_field):
        return mask(super().generate_csrf_token(csrf_token_field))

    def validate_csrf_token(self, form, field):
        field.data = unmask(field.data)
        super().validate_csrf_token(form, field)


def register(app: Flask) -> None:
    """Templates and forms draw masked tokens (after CSRFProtect.init_app, whose context
    processor this one overrides)."""
    app.jinja_env.globals["csrf_token"] = masked_csrf_token
    app.context_processor(lambda: {"csrf_token": masked_csrf_token})
    # Every form of the app is a FlaskForm; its Meta names the CSRF class once for all of them.
    FlaskForm.Meta.csrf_class = MaskedFormCSRF
