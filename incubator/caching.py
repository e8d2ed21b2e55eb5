"""Conditional answers (ETag, Last-Modified, 304) and compressed responses.

A response that may be cached names what it shows by a `Version`: a digest of the facts it
is drawn from, read by one cheap query, never by drawing it. `answer` turns that, the
variant (its arguments) and the language into a weak ETag, answers 304 when the browser
already has that version and builds the response only otherwise. The route checks access
first, so a 304 is only ever given to someone who may see the response.

Weak tags, because they name what a response means, not its bytes: the same chart is the
same whether it travels plain, gzip or brotli, and If-None-Match compares weakly.

Compression (Flask-Compress, brotli or gzip, above COMPRESS_MIN_SIZE, streams included) is
applied to HTML, CSV, JSON, SVG, text, CSS and scripts; the CSRF token every page carries is
masked per response (`csrf_tokens.py`), so no compressed page is a BREACH oracle.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from incubator import clock, i18n
from incubator.extensions import compress

# A public download or picture (no token, nothing personal) may be kept this long, in seconds.
PUBLIC_MAX_AGE = 300
COMPRESSED_TYPES = [
    "text/html",
    "text/csv",
    "text/plain",
    "text/css",
    "text/calendar",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]


@dataclass(frozen=True)
class Version:
    """What a response shows, as a digest of its facts, and when they last changed."""

    tag: str
    modified: datetime | None = None


def version_of(*facts: object, modified: datetime | None = None) -> Version:
    """A version from plain facts (ids, counts, times, names): equal facts, equal tag."""
    return Version(hashlib.sha256(repr(facts).encode()).hexdigest()[:24], modified)


@cache
def release() -> str:
    """A digest of the code, its data, templates and catalogues, the same in every worker of
    one deployment: a new release may draw differently, so its tags differ from the last's."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder, pattern in (("incubator", "*"), ("templates", "*"), ("translations", "*.mo")):
        for path in sorted((root / folder).rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def answer(
    version: Version,
    variant: str,
    build: Callable[[], Response],
    *,
    page: bool = False,
) -> Response:
    """The response for this version: 304 when the browser has it, else built, with its ETag.

    `page` marks an HTML page with the frame around it. Signed in, that frame carries the
    person's name, so the page is built every time with no tag (and no-store, as every answer
    to a signed-in person: `security.py`); so is any page with a message waiting to be shown.
    For visitors the tag also names their session's CSRF token (the page carries it, masked)
    and how old it is, so a page kept by the browser never holds a token that no longer works.
    Pictures and downloads carry no token and are the same for everyone who may see them.
    """
    if page and (current_user.is_authenticated or session.get("_flashes")):
        response = build()
        response.headers["Cache-Control"] = "no-store"
        return response
    # The variant (arguments a visitor typed) as a digest: any text, a header's characters.
    parts = [release(), version.tag, _digest(variant), i18n.current_language()]
    if page:
        parts.append(_token_age())
    etag = "-".join(parts)
    # The browser's copy is current: answer before building anything.
    response = Response(status=304) if _has_it(etag, version.modified) else build()
    response.set_etag(etag, weak=True)
    if version.modified is not None:
        response.last_modified = version.modified
    if page:
        # The page holds the visitor's own token: a shared cache must not keep it, and the
        # browser asks again each time (a 304 costs one query).
        response.headers["Cache-Control"] = "private, no-cache"
    elif not current_user.is_authenticated:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    # Signed in: no-store, set for every answer by security.py.
    # Another language or another person (their cookie) may see another response.
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _token_age() -> str:
    """The session's CSRF token (a digest of it) and the half of its lifetime we are in."""
    generate_csrf()
    lifetime = int(current_app.config.get("WTF_CSRF_TIME_LIMIT") or 3600)
    half = int(clock.now().timestamp()) // max(1, lifetime // 2)
    token = str(session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), ""))
    return f"{_digest(token)}{half}"


def _has_it(etag: str, modified: datetime | None) -> bool:
    """Whether the request's validators match: If-None-Match if sent, else If-Modified-Since."""
    if request.if_none_match:
        # Not "*": a 304 answers a copy the browser holds, never a guess.
        return not request.if_none_match.star_tag and request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return modified is not None and since is not None and modified.replace(microsecond=0) <= since


def register(app: Flask) -> None:
    """Compress what pays (Flask-Compress), with this app's types, threshold and encodings."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    # Below this many bytes a response fits in one packet or two anyway.
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    compress.init_app(app)
