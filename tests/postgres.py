"""A throw-away PostgreSQL server for the tests and the benchmark.

It runs initdb and pg_ctl in a temporary directory on a free local port, as an
unprivileged user when the tests run as root (PostgreSQL refuses to run as root),
and removes everything when stopped.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bindir() -> Path:
    """The directory holding initdb and pg_ctl."""
    candidates = []
    if found := shutil.which("pg_ctl"):
        candidates.append(Path(found).resolve().parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found; `make test` installs them."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """Start with start(), stop with stop(); url() names a database on it."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.directory = Path(tempfile.mkdtemp(prefix="incubator-pg-"))
        self.data = self.directory / "data"
        self.port = 0
        self._run_as: dict = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam("nobody")
            os.chown(self.directory, account.pw_uid, account.pw_gid)
            self._run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            check=True,
            cwd=self.directory,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LC_ALL": "C", "PGTZ": "UTC"},
            **self._run_as,
        )

    def start(self) -> PostgresServer:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        for attempt in range(3):
            self.port = free_port()
            options = (
                f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200 -c timezone=UTC"
            )
            try:
                self._run(
                    "pg_ctl",
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.directory / "server.log"),
                    "-o",
                    options,
                )
                return self
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise
        return self

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres", driver=False), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, database: str, driver: bool = True) -> str:
        scheme = "postgresql+psycopg" if driver else "postgresql"
        return f"{scheme}://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            if self.data.exists():
                self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data))
        except subprocess.CalledProcessError:
            pass
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
