"""The service as a real process: uvicorn on a free 127.0.0.1 port against the suite's database, for
tests that need requests running truly in parallel (each on its own database connection).

The process is always stopped (SIGTERM, then SIGKILL) and every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 30


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(database_url: str, **settings: str) -> Iterator[str]:
    """Run the app in a uvicorn process; yields its base URL. `settings` are KOPPELWERK_* values."""
    port = _free_port()
    env = {
        **os.environ,
        "KOPPELWERK_DATABASE_URL": database_url,
        "KOPPELWERK_ENVIRONMENT": "test",
        "KOPPELWERK_JWT_SECRET": TEST_SECRET,
        "KOPPELWERK_FAST_PASSWORD_HASHING": "true",
        "KOPPELWERK_LOG_LEVEL": "WARNING",
        **{f"KOPPELWERK_{name.upper()}": value for name, value in settings.items()},
    }
    command = [
        sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]
    # The server's output goes to a file, not a pipe: a pipe nobody reads would block a chatty server.
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the server exited: {log.read().decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{base_url}/api/v1/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not become ready within {START_TIMEOUT_SECONDS} s")
            time.sleep(0.1)
        yield base_url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        log.close()


def libpq_dsn(database_url: str) -> str:
    """The test database as a plain libpq DSN, for the test's own psycopg connections."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def waiting_on_locks(dsn: str) -> int:
    """How many of the service's connections wait on a lock right now (to prove requests overlap)."""
    with psycopg.connect(dsn, autocommit=True) as probe:
        row = probe.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'koppelwerk-api' AND wait_event_type = 'Lock'"
        ).fetchone()
        return int(row[0]) if row else 0
