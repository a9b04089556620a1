"""The service when its database goes away, on a PostgreSQL cluster of the test's own (never the shared
server): the test creates it with initdb, runs the service against it as one real uvicorn process, and
stops, silences and restarts the cluster underneath the running service.

1. The database gone — stopped (`pg_ctl stop -m fast`), crashed (`-m immediate`), shutting down (new
   connections refused while a session finishes) or unreachable (its port accepts and never answers):
   reads and writes answer a 503 problem detail with Retry-After within the configured timeouts,
   readiness answers 503 and liveness 200. Once the cluster is back the same service, never restarted,
   is ready again and answers normally.
2. A write interrupted mid-transaction (a batch that has stored its first signal, that signal's status
   change and change-log row, and waits on a row lock for the second): killing the server, terminating
   the service's connection, or letting the statement time out all answer 503 and leave no partial
   rows; a retry with the same Idempotency-Key stores the batch exactly once.

SQLite is a file inside the process, with no server to lose: the SQLite half skips.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from domain.identity import Role
from persistence import migrate
from persistence.tables_casework import SignalRow, SignalStatusChangeRow
from persistence.tables_integrations import IdempotencyKeyRow, SignalChangeRow
from tests.api.test_housing_intake import admin_patch_wijk, serve, signal
from tests.conftest import IN_CI, make_settings
from tests.factories import World, build_neighbourhoods
from tests.live_server import live_server

PG_BIN = Path(os.environ.get("KOPPELWERK_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
API = "/api/v1"
PROBLEM = "application/problem+json"

# The service's database timeouts in these tests (KOPPELWERK_DB_*), short so that a fault shows quickly.
POOL_TIMEOUT = 2.0
CONNECT_TIMEOUT = 2.0
STATEMENT_TIMEOUT = 3.0
SERVICE_SETTINGS = {
    "db_pool_size": "4",
    "db_max_overflow": "0",
    "db_pool_timeout_seconds": str(POOL_TIMEOUT),
    "db_connect_timeout_seconds": str(CONNECT_TIMEOUT),
    "db_statement_timeout_seconds": str(STATEMENT_TIMEOUT),
}
# No request may wait longer than for a pooled connection, then a new connection, then one statement;
# the margin is for a loaded machine, not a performance figure. Beyond this bound a request hangs.
NO_HANG_SECONDS = POOL_TIMEOUT + CONNECT_TIMEOUT + STATEMENT_TIMEOUT + 5
RECOVERY_DEADLINE_SECONDS = 30
PG_CTL_WAIT_SECONDS = 30

SIGNAL = SignalRow.__table__
STATUS_CHANGE = SignalStatusChangeRow.__table__
SIGNAL_CHANGE = SignalChangeRow.__table__
KEYS = IdempotencyKeyRow.__table__


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on 127.0.0.1 and a free port.

    initdb refuses to run as root, so as root every server command runs as the `postgres` OS user,
    which then owns the directory."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="koppelwerk-faults-"))
        self.data = self.directory / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise RuntimeError("running as root, and runuser is missing to run initdb as postgres")
            self.as_user = [runuser, "-u", "postgres", "--"]
            shutil.chown(self.directory, user="postgres", group="postgres")

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        done = subprocess.run(  # noqa: S603 - fixed binaries, arguments of our own
            [*self.as_user, *command], capture_output=True, text=True, timeout=PG_CTL_WAIT_SECONDS + 10, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed ({done.returncode}): {(done.stderr or done.stdout)[-1500:]}")

    def create(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.directory} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "start", "-D", str(self.data), "-l", str(self.directory / "server.log"),
            "-w", "-t", str(PG_CTL_WAIT_SECONDS), "-o", options,
        )

    def stop(self, mode: str, *, wait: bool = True) -> None:
        """`pg_ctl stop -m mode`; without `wait` it returns once the server was told."""
        waiting = ["-w", "-t", str(PG_CTL_WAIT_SECONDS)] if wait else ["-W"]
        self._run(str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", mode, *waiting)

    def wait_until_stopped(self) -> None:
        deadline = time.monotonic() + PG_CTL_WAIT_SECONDS
        while self.running():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster did not stop within {PG_CTL_WAIT_SECONDS} s")
            time.sleep(0.1)

    def running(self) -> bool:
        done = subprocess.run(  # noqa: S603
            [*self.as_user, str(PG_BIN / "pg_ctl"), "status", "-D", str(self.data)],
            capture_output=True, timeout=PG_CTL_WAIT_SECONDS, check=False,
        )
        return done.returncode == 0

    def destroy(self) -> None:
        try:
            if self.data.exists() and self.running():
                try:
                    self.stop("immediate")
                except RuntimeError:
                    if self.running():  # not a server that stopped by itself meanwhile
                        raise
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(backend: str) -> Iterator[Cluster]:
    if backend != "postgresql":
        pytest.skip("database faults need a PostgreSQL server to stop; SQLite is a file inside the process")
    made: Cluster | None = None
    try:
        made = Cluster()
        made.create()
        migrate.upgrade(made.url)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        if made is not None:
            made.destroy()
        message = f"could not create a throwaway PostgreSQL cluster with {PG_BIN} ({exc})"
        if IN_CI:
            pytest.fail(message + "; under CI=true the fault tests are mandatory")
        pytest.skip(message + "; set KOPPELWERK_TEST_PG_BIN to the PostgreSQL 15 binaries to run them")
    try:
        yield made
    finally:
        made.destroy()


@dataclass(frozen=True)
class Place:
    world: World
    wijk_b: uuid.UUID


@pytest.fixture(scope="module")
def place(cluster: Cluster) -> Iterator[Place]:
    """Accounts for every role, two wijken a housing corporation serves (postcodes 9401 and 9402), seeded
    into the cluster through the app's own use cases."""
    app = create_app(make_settings(cluster.url))
    with TestClient(app) as client:
        world = World.build(client, app)
        hoods = build_neighbourhoods(world)
        admin_patch_wijk(world, hoods.wijk_a.id, postcodeRanges=[{"fromPostcode": "9401", "toPostcode": "9401"}])
        admin_patch_wijk(world, hoods.wijk_b.id, postcodeRanges=[{"fromPostcode": "9402", "toPostcode": "9402"}])
        serve(world, wijkId=str(hoods.wijk_a.id))
        serve(world, wijkId=str(hoods.wijk_b.id))
        yield Place(world, hoods.wijk_b.id)


@pytest.fixture(scope="module")
def service(cluster: Cluster, place: Place) -> Iterator[str]:
    """The service in its own process against the cluster, for the whole module: recovering without a
    restart is the point, so every test starts from whatever the one before left."""
    with live_server(cluster.url, **SERVICE_SETTINGS) as base_url:
        yield base_url


@pytest.fixture
def running(cluster: Cluster) -> Iterator[Cluster]:
    """The cluster, running at the start of a test and again after it, whatever the test did."""
    if not cluster.running():
        cluster.start()
    yield cluster
    if not cluster.running():
        cluster.start()


def _housing(place: Place, key: str | None = None) -> dict[str, str]:
    return place.world.headers(Role.housing_system, **{"Idempotency-Key": key or str(uuid.uuid4())})


Call = Callable[[httpx.Client], httpx.Response]


def _calls(place: Place) -> dict[str, Call]:
    """An authenticated read for staff and for a system, a write, and readiness."""
    agent = place.world.headers(Role.wijkagent)
    housing = place.world.headers(Role.housing_system)
    return {
        "staff read": lambda http: http.get(f"{API}/signals", headers=agent),
        "system read": lambda http: http.get(f"{API}/feeds/signals", headers=housing),
        "write": lambda http: http.post(
            f"{API}/signals", json=signal(f"TA-{uuid.uuid4().hex[:8]}"), headers=_housing(place)
        ),
        "readiness": lambda http: http.get(f"{API}/health/ready"),
    }


def _client(base_url: str) -> httpx.Client:
    # The client's own timeout lies well beyond the bound, so a hang shows as a broken bound.
    return httpx.Client(base_url=base_url, timeout=NO_HANG_SECONDS * 3)


def _timed(base_url: str, call: Call) -> tuple[httpx.Response, float]:
    with _client(base_url) as http:
        started = time.monotonic()
        response = call(http)
        return response, time.monotonic() - started


def _all_at_once(base_url: str, calls: dict[str, Call]) -> dict[str, tuple[httpx.Response, float]]:
    """Every call at the same time, each on its own HTTP connection (and so its own pool slot)."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = {what: pool.submit(_timed, base_url, call) for what, call in calls.items()}
        return {what: future.result(timeout=NO_HANG_SECONDS * 4) for what, future in futures.items()}


def assert_unavailable(response: httpx.Response, seconds: float, what: str) -> None:
    assert response.status_code == 503, f"{what}: {response.status_code} {response.text}"
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:koppelwerk:problem:database_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert seconds < NO_HANG_SECONDS, f"{what} took {seconds:.1f} s"


def assert_every_call_unavailable(place: Place, base_url: str) -> float:
    """Every call answers 503 in time, liveness 200; returns the slowest call's seconds."""
    answers = _all_at_once(base_url, _calls(place))
    for what, (response, seconds) in answers.items():
        assert_unavailable(response, seconds, what)
    assert _timed(base_url, lambda http: http.get(f"{API}/health/live"))[0].status_code == 200
    return max(seconds for _, seconds in answers.values())


def wait_until_ready(base_url: str) -> float:
    """Seconds until readiness answers 200 again (bounded)."""
    started = time.monotonic()
    with _client(base_url) as http:
        while http.get(f"{API}/health/ready").status_code != 200:
            assert time.monotonic() - started < RECOVERY_DEADLINE_SECONDS, "the service did not recover on its own"
            time.sleep(0.1)
    return time.monotonic() - started


def assert_every_call_succeeds(place: Place, base_url: str) -> None:
    with _client(base_url) as http:
        for what, call in _calls(place).items():
            response = call(http)
            assert response.status_code in (200, 201), f"{what}: {response.status_code} {response.text}"


# --- ways to lose the database: each takes it away on entry and brings it back on exit ------------


@contextmanager
def _stopped(cluster: Cluster) -> Iterator[None]:
    cluster.stop("fast")
    try:
        yield
    finally:
        cluster.start()


@contextmanager
def _crashed(cluster: Cluster) -> Iterator[None]:
    cluster.stop("immediate")  # no shutdown at all; the restart runs crash recovery
    try:
        yield
    finally:
        cluster.start()


@contextmanager
def _shutting_down(cluster: Cluster) -> Iterator[None]:
    """A smart shutdown waits for a session still at work and meanwhile refuses new connections ("the
    database system is shutting down"); the service's own connections are ended so it must reconnect."""
    try:
        with psycopg.connect(cluster.dsn, autocommit=True, connect_timeout=5) as session:
            cluster.stop("smart", wait=False)
            deadline = time.monotonic() + PG_CTL_WAIT_SECONDS
            while session.execute(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                "WHERE application_name = 'koppelwerk-api'"
            ).fetchone() != (0,):
                assert time.monotonic() < deadline, "the service's connections would not end"
                time.sleep(0.1)
            yield
    finally:
        cluster.wait_until_stopped()
        cluster.start()


@contextmanager
def _unreachable(cluster: Cluster) -> Iterator[None]:
    """Something takes the database's port and never answers: a connection opens, and then nothing."""
    cluster.stop("fast")
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
            silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            silent.bind(("127.0.0.1", cluster.port))
            silent.listen(64)
            yield
    finally:
        cluster.start()


FAULTS: dict[str, Callable[[Cluster], AbstractContextManager[None]]] = {
    "stopped": _stopped,
    "crashed": _crashed,
    "shutting down": _shutting_down,
    "unreachable": _unreachable,
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_without_its_database_the_service_answers_503_and_recovers_on_its_own(
    running: Cluster, place: Place, service: str, fault: str
) -> None:
    assert_every_call_succeeds(place, service)
    with FAULTS[fault](running):
        slowest = assert_every_call_unavailable(place, service)
        # Again: whatever the pool held is gone now, so every call needs a new connection.
        slowest_again = assert_every_call_unavailable(place, service)
    recovered = wait_until_ready(service)
    assert_every_call_succeeds(place, service)
    print(f"{fault}: every call 503 within {max(slowest, slowest_again):.2f} s; ready {recovered:.2f} s after the restart")


# --- a write interrupted mid-transaction ---------------------------------------------------------


def _count(place: Place, table: Any, *where: Any) -> int:
    async def work(uow):  # type: ignore[no-untyped-def]
        # The test's own engine: its pooled connections may date from before the server restarted
        # (the pool does not ping on checkout), so count on fresh ones.
        await uow.session.bind.dispose()
        return (await uow.session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()

    return place.world.run(work)


def assert_no_partial_rows(place: Place) -> None:
    """Every signal has its status change and its change-log row, every stored key its response."""
    without_history = _count(place, SIGNAL, ~select(STATUS_CHANGE.c.id).where(STATUS_CHANGE.c.signal_id == SIGNAL.c.id).exists())
    without_log = _count(place, SIGNAL, ~select(SIGNAL_CHANGE.c.change_seq).where(SIGNAL_CHANGE.c.signal_id == SIGNAL.c.id).exists())
    keys_without_response = _count(place, KEYS, KEYS.c.response_status.is_(None))
    assert (without_history, without_log, keys_without_response) == (0, 0, 0)


def _service_backend_waiting_on_a_lock(dsn: str) -> int | None:
    """The pid of the service's backend that waits on a lock while inserting signals."""
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as probe:
        row = probe.execute(
            "SELECT a.pid FROM pg_stat_activity a WHERE a.application_name = 'koppelwerk-api' "
            "AND a.wait_event_type = 'Lock' AND EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = a.pid AND c.relname = 'signal' AND l.mode = 'RowExclusiveLock')"
        ).fetchone()
        return int(row[0]) if row else None


def _interrupt_by_killing_the_server(cluster: Cluster, pid: int) -> None:
    cluster.stop("immediate")
    cluster.start()


def _interrupt_by_terminating_the_connection(cluster: Cluster, pid: int) -> None:
    with psycopg.connect(cluster.dsn, autocommit=True, connect_timeout=5) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,)).fetchone() == (True,)


def _interrupt_by_letting_the_statement_time_out(cluster: Cluster, pid: int) -> None:
    return  # the row lock stays held beyond the service's statement timeout


INTERRUPTIONS = {
    "server killed": _interrupt_by_killing_the_server,
    "connection terminated": _interrupt_by_terminating_the_connection,
    "statement timed out": _interrupt_by_letting_the_statement_time_out,
}


@pytest.mark.parametrize("interruption", list(INTERRUPTIONS))
def test_a_write_interrupted_mid_transaction_leaves_no_partial_rows(
    running: Cluster, place: Place, service: str, interruption: str
) -> None:
    cluster = running
    key = str(uuid.uuid4())
    tag = uuid.uuid4().hex[:8]
    references = [f"TA-{tag}-1", f"TA-{tag}-2"]
    batch = {
        "signals": [
            signal(references[0]),
            signal(references[1], location={"address": {"postcode": "9402 AB", "houseNumber": 3}}),
        ]
    }
    answer: dict[str, Any] = {}

    def post() -> None:
        answer["response"], answer["seconds"] = _timed(
            service, lambda http: http.post(f"{API}/signal-batches", json=batch, headers=_housing(place, key))
        )

    # The test locks wijk B's row, so the batch (its Idempotency-Key claimed, its first signal, in wijk
    # A, inserted) waits in the second signal's foreign-key check: a transaction caught with some of
    # its rows written.
    holder = psycopg.connect(cluster.dsn, connect_timeout=5)
    poster = threading.Thread(target=post)
    try:
        holder.execute("SELECT 1 FROM wijk WHERE id = %s FOR UPDATE", (place.wijk_b,))
        poster.start()
        deadline = time.monotonic() + NO_HANG_SECONDS
        while (pid := _service_backend_waiting_on_a_lock(cluster.dsn)) is None:
            assert poster.is_alive(), f"the batch finished while wijk B was locked: {answer}"
            assert time.monotonic() < deadline, "the batch never waited on wijk B's lock"
            time.sleep(0.05)
        INTERRUPTIONS[interruption](cluster, pid)
        poster.join(timeout=NO_HANG_SECONDS * 3)
        assert not poster.is_alive(), "the interrupted request hangs"
    finally:
        try:
            holder.close()
        except psycopg.Error:
            pass  # the killed server took the connection with it
        poster.join(timeout=NO_HANG_SECONDS * 3)

    assert_unavailable(answer["response"], answer["seconds"], f"the batch ({interruption})")
    recovered = wait_until_ready(service)
    assert_no_partial_rows(place)
    with _client(service) as http:
        assert _count(place, SIGNAL, SIGNAL.c.external_reference.in_(references)) == 0
        assert _count(place, KEYS, KEYS.c.idempotency_key == key) == 0
        retried = http.post(f"{API}/signal-batches", json=batch, headers=_housing(place, key))
        assert retried.status_code == 200, retried.text
        assert retried.json()["created"] == 2
        again = http.post(f"{API}/signal-batches", json=batch, headers=_housing(place, key))
        assert again.headers.get("Idempotent-Replayed") == "true" and again.content == retried.content
    assert _count(place, SIGNAL, SIGNAL.c.external_reference.in_(references)) == 2
    assert _count(place, KEYS, KEYS.c.idempotency_key == key) == 1
    assert_no_partial_rows(place)
    print(f"{interruption}: 503 after {answer['seconds']:.2f} s; ready {recovered:.2f} s later")
