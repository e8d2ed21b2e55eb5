"""What the page crawls share (the markup test's and the browser's axe crawl): which kind of
page a path is, and where a crawl starts."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

# Downloads and static files: not pages.
FILES = re.compile(r"\.(csv|json|ics|svg|png|txt)$|^/static/")


def kind_of(app: Flask, path: str) -> str:
    """The view a path shows, with the query's keys (and the value of `view`): the same view
    with other ids counts once, a query's keys and a board's view make a kind of their own."""
    parts = urlsplit(path)
    try:
        endpoint, _values = app.url_map.bind("localhost").match(parts.path, method="GET")
    except (HTTPException, RequestRedirect):
        endpoint = parts.path
    query = parse_qs(parts.query)
    keys = sorted(key if key != "view" else f"view={query[key][0]}" for key in query)
    return " ".join([endpoint, *(key for key in keys if key != "page")])


def starting_paths(app: Flask) -> list[str]:
    """The home page, then every page whose address needs no id: a page nothing links to (a
    manager's ratings by mentor, say) is still crawled. Pages the person may not see answer
    403 and are left out by the crawl that follows."""
    argless = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and not FILES.search(rule.rule)
        and rule.endpoint not in ("static", "bootstrap.static", "auth.logout")
    )
    return ["/", *argless]


HREF = re.compile(r'<a\b[^>]*?\bhref="([^"]+)"')


def crawl(app: Flask, client, start: list[str] | None = None, **headers: str) -> dict[str, str]:
    """Every kind of HTML page reachable from the starting paths (by default, starting_paths)
    by following links, once a kind (kind_of): the page's HTML by path. Pages the client may
    not see, files and other sites are left out."""
    seen: set[str] = set()
    pages: dict[str, str] = {}
    waiting = list(start if start is not None else starting_paths(app))
    while waiting:
        path = html.unescape(waiting.pop(0)).split("#")[0]
        parts = urlsplit(path)
        if parts.netloc or not path.startswith("/") or FILES.search(parts.path):
            continue
        kind = kind_of(app, path)
        if kind in seen:
            continue
        seen.add(kind)
        response = client.get(path, headers=headers)
        if response.mimetype != "text/html" or response.status_code not in (200, 404):
            continue
        pages[path] = response.get_data(as_text=True)
        waiting += HREF.findall(pages[path])
    return pages
