"""Small readers the tests share: page text and links in mail."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

LINK = re.compile(r"https?://\S+")


def page(response) -> str:
    """The response body with HTML entities decoded, so messages read as people see them."""
    return html.unescape(response.get_data(as_text=True))


def link_in(body: str, path_prefix: str) -> str:
    """The path of the first link in a mail body whose path starts with path_prefix."""
    for url in LINK.findall(body):
        if urlsplit(url).path.startswith(path_prefix):
            return urlsplit(url).path
    raise AssertionError(f"no link to {path_prefix} in:\n{body}")


def location(response) -> str:
    """Where a redirect points, as a path with its query."""
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")
