"""A throw-away redis-server for the rate-limit tests: a free loopback port, a temporary
directory, no persistence, removed when stopped."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.postgres import free_port

STARTUP_TIMEOUT = 20  # seconds


def find_redis_server() -> str | None:
    """The redis-server binary, if it is installed (`make test` installs it)."""
    return shutil.which("redis-server") or next(
        (
            path
            for path in ("/usr/bin/redis-server", "/usr/sbin/redis-server")
            if Path(path).exists()
        ),
        None,
    )


class RedisServer:
    """Start with start(), stop with stop(); url is the RATELIMIT_STORAGE_URI for it."""

    def __init__(self) -> None:
        binary = find_redis_server()
        if binary is None:
            raise RuntimeError("redis-server was not found; `make test` installs it.")
        self.binary = binary
        self.directory = Path(tempfile.mkdtemp(prefix="incubator-redis-"))
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        for attempt in range(3):
            self.port = free_port()
            command = [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.directory),
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--logfile", str(self.directory / "redis.log"),
            ]  # fmt: skip
            # A session of its own, so that stopping it never touches the test run.
            self.process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            if self._wait_until_ready():
                return self
            self.stop_process()
            if attempt == 2:
                log = self.directory / "redis.log"
                text = log.read_text(errors="replace") if log.exists() else ""
                raise RuntimeError(f"redis-server did not start:\n{text[-2000:]}")
        return self

    def _wait_until_ready(self) -> bool:
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    return False  # the port was taken between choosing and binding
                try:
                    if client.ping():
                        return True
                except redis.RedisError:
                    time.sleep(0.1)
            return False
        finally:
            client.close()

    def stop_process(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        try:
            self.stop_process()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
