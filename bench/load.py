"""The client side: signed-in sessions, concurrent requests, and what they measured."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import requests

# A little longer than gunicorn's worker timeout (server.py), so that a page the server gives
# up on is reported with the server's answer rather than the client's.
REQUEST_TIMEOUT = 65
WARMUP_PER_SESSION = 3


class _CsrfTokenParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("name") == "csrf_token" and self.token is None:
            self.token = values.get("value")


def csrf_token(html: str) -> str:
    parser = _CsrfTokenParser()
    parser.feed(html)
    if not parser.token:
        raise RuntimeError("The login page has no csrf_token input.")
    return parser.token


def signed_in_session(base_url: str, email: str | None, password: str | None) -> requests.Session:
    """A session signed in through the login form, or signed out when email is None."""
    session = requests.Session()
    if email is None:
        return session
    login_url = f"{base_url}/auth/login"
    form = session.get(login_url, timeout=REQUEST_TIMEOUT)
    form.raise_for_status()
    response = session.post(
        login_url,
        data={"email": email, "password": password, "csrf_token": csrf_token(form.text)},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )
    if response.status_code != 302:
        raise RuntimeError(f"Signing in as {email} failed (HTTP {response.status_code}).")
    return session


@dataclass
class Sample:
    seconds: float
    status: int | str
    queries: int | None
    # The body's size as the client read it, and as it travelled (smaller when compressed).
    size: int = 0
    wire: int = 0


@dataclass
class Measurement:
    """What one page's requests measured."""

    elapsed: float
    samples: list[Sample] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def statuses(self) -> Counter:
        return Counter(sample.status for sample in self.samples)

    @property
    def errors(self) -> int:
        return sum(1 for sample in self.samples if sample.status != 200)

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, percent: int) -> float:
        seconds = sorted(sample.seconds for sample in self.samples)
        if len(seconds) < 2:
            return seconds[0] * 1000 if seconds else 0.0
        return statistics.quantiles(seconds, n=100, method="inclusive")[percent - 1] * 1000

    @property
    def size(self) -> float:
        """The mean size of a response body, in bytes, once decompressed."""
        return statistics.fmean(sample.size for sample in self.samples) if self.samples else 0.0

    @property
    def wire(self) -> float:
        """The mean size of a response body as sent, in bytes."""
        return statistics.fmean(sample.wire for sample in self.samples) if self.samples else 0.0

    @property
    def queries(self) -> float | None:
        counts = [sample.queries for sample in self.samples if sample.queries is not None]
        return statistics.fmean(counts) if counts else None


# In a page's path, replaced by a number no other request of the run has: a page the workers
# keep under its query string (the board) is then drawn by every request.
UNIQUE = "{unique}"
_unique = itertools.count()


def _get(session: requests.Session, url: str) -> Sample:
    if UNIQUE in url:
        url = url.replace(UNIQUE, str(next(_unique)))
    started = time.perf_counter()
    try:
        response = session.get(url, allow_redirects=False, timeout=REQUEST_TIMEOUT)
        response.content  # noqa: B018 (the body is part of the time)
    except requests.RequestException as error:
        return Sample(time.perf_counter() - started, type(error).__name__, None)
    seconds = time.perf_counter() - started
    header = response.headers.get("X-Query-Count")
    size = len(response.content)
    length = response.headers.get("Content-Length", "")
    wire = int(length) if length.isdigit() and response.headers.get("Content-Encoding") else size
    return Sample(seconds, response.status_code, int(header) if header else None, size, wire)


def measure(
    url: str,
    sessions: list[requests.Session],
    total: int,
    stop: threading.Event,
    *,
    warmup: int = WARMUP_PER_SESSION,
    budget: float | None = None,
) -> Measurement:
    """Warm up, then request `url` `total` times spread over the sessions, one thread each;
    with a `budget` in seconds, each thread asks no more once that much time has passed
    (having made at least one request), so that a slow page costs minutes, not hours."""
    # The sessions warm up side by side, as they are then measured.
    warming = [
        threading.Thread(
            target=lambda session=session: [_get(session, url) for _ in range(warmup)],
            daemon=True,
        )
        for session in sessions
    ]
    for thread in warming:
        thread.start()
    for thread in warming:
        while thread.is_alive():
            thread.join(0.2)
    each, extra = divmod(total, len(sessions))
    shares = [each + (1 if number < extra else 0) for number in range(len(sessions))]
    samples: list[Sample] = []
    lock = threading.Lock()

    def work(session: requests.Session, count: int) -> None:
        mine: list[Sample] = []
        for _ in range(count):
            over = budget is not None and time.perf_counter() - started > budget
            if stop.is_set() or (over and mine):
                break
            mine.append(_get(session, url))
        with lock:
            samples.extend(mine)

    threads = [
        threading.Thread(target=work, args=(session, share), daemon=True)
        for session, share in zip(sessions, shares, strict=True)
        if share
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        # Short joins keep the main thread responsive to Ctrl-C.
        while thread.is_alive():
            thread.join(0.2)
    return Measurement(time.perf_counter() - started, samples)
