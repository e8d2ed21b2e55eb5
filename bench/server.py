"""The app as the benchmark serves it, and the gunicorn process that serves it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from flask import Flask

from incubator import create_app
from tests.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
# Fast hashing so that signing in is not what gets measured; never use it for real accounts.
FAST_PASSWORD_HASH = "pbkdf2:sha256:1000"
STARTUP_TIMEOUT = 60


def create_bench_app(database_url: str, secret_key: str | None = None) -> Flask:
    """The development configuration with debug off, pointed at the throw-away database.

    config.py has no environment hook for DEBUG or PASSWORD_HASH_METHOD, so they are set
    here as overrides, for seeding and serving alike.
    """
    overrides = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DEBUG": False,
        "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH,
    }
    if secret_key:
        overrides["SECRET_KEY"] = secret_key
    app = create_app("development", overrides=overrides)
    if app.debug:
        raise RuntimeError("The benchmark must not serve the app in debug mode.")
    return app


# What the access log (when asked for) says of each request: client address, worker pid
# ("<1234>"), request line and status.
ACCESS_LOG_FORMAT = '%(h)s %(p)s "%(r)s" %(s)s'


class Gunicorn:
    """gunicorn serving bench.wsgi_bench:app on a free loopback port; a context manager.

    `environment` adds to or overrides the variables the app is configured from (rate
    limits are off unless it turns them on); `access_log` writes a line per request, in
    ACCESS_LOG_FORMAT, to the log.
    """

    def __init__(
        self,
        database_url: str,
        secret_key: str,
        workers: int,
        log_path: Path,
        *,
        environment: dict[str, str] | None = None,
        access_log: bool = False,
    ) -> None:
        self.database_url = database_url
        self.secret_key = secret_key
        self.workers = workers
        self.log_path = log_path
        self.environment = environment or {}
        self.access_log = access_log
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self) -> None:
        self.port = free_port()
        environment = {
            **os.environ,
            "INCUBATOR_CONFIG": "development",
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": self.secret_key,
            "QUERY_COUNT_HEADER": "1",
            "RATELIMIT_ENABLED": "0",
            "MAIL_BACKEND": "outbox",
            **self.environment,
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi_bench:app",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--graceful-timeout",
            "5",
            "--timeout",
            "60",
        ]
        if self.access_log:
            command += ["--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT]
        with open(self.log_path, "wb") as log:
            # A session of its own, so that stop() can end the master and its workers together.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            # __exit__ does not run when __enter__ fails: stop the server here.
            self.stop()
            raise

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                # Workers still booting (slowly, on a busy machine) keep the request waiting.
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in time:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def worker_peak_memory(self) -> dict[int, int]:
        """Each live worker's peak resident memory (VmHWM) in bytes, by process id, from
        /proc; empty where there is no /proc (not Linux). A worker restarted after a timeout
        is a new process and starts afresh."""
        if self.process is None:
            return {}
        peaks = {}
        for pid in _children(self.process.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = int(line.split()[1]) * 1024
        return peaks

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers, under its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name in parentheses may hold spaces; the parent follows the state.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)
