"""Serve the API on the benchmark volume and drive it with wrk; print one table.

    python -m benchmarks.run [--database-url …/koppelwerk_bench] [--duration 10] [--connections 64]

Starts the service as production does (`koppelwerk serve`, 2 uvicorn workers) on the seeded database
(see `python -m benchmarks.seed`), with production settings except two, raised so they do not throttle
the load: the token rate limit (the runner logs in several accounts) and the token lifetime (60 min).
Logs in a koppel member per koppel used, the police client, the housing client and the gemeente user
through /api/v1/auth/token, then runs wrk (`wrk -t2 -c64 -d10s`, a generated Lua script per endpoint
that rotates tokens, resident ids, wijken, feed cursors, and unique Idempotency-Keys and references)
against each endpoint in turn, with /api/v1/health/live measured at the start and at the end.

The table: requests/s (answered), p50, p99, errors (non-2xx/3xx, socket errors, timeouts), each endpoint's
ratio to health/live in the same run (the figure that survives a noisy machine), items/s where a request
carries many (feed pages, batches; successful answers only), and the peak resident memory (VmHWM) of each
worker. The police feed is also
caught up by one client paging from the start at the maximum page size, as a police system would
(items/s for `--feed-changes` changes; when the feed holds fewer, it starts over from the beginning).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg

from benchmarks.accounts import (
    CLIENT_SECRET,
    DEFAULT_DATABASE_URL,
    GEMEENTE_MUNICIPALITY,
    GEMEENTE_USER,
    HOUSING_CLIENT,
    HOUSING_MUNICIPALITY,
    POLICE_CLIENT,
    STAFF_PASSWORD,
    koppel_member,
)
from benchmarks.seed import libpq_url, sqlalchemy_url

API = "/api/v1"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
FEED_MAX_LIMIT = 500
BATCH_SIZE = 100  # see --batch-size
KOPPELS_USED = 16
RESIDENTS_PER_MEMBER = 64

# wrk's Lua: the request list is rotated per thread from a different start; `done` prints one JSON line.
LUA_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""
LUA_ROTATING_GETS = r"""
local tokens = %(tokens)s
local paths = %(paths)s
local n = #paths
local i = 0
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end
init = function(args)
  i = (offset or 0) %% n
end
request = function()
  i = i %% n + 1
  local p = paths[i]
  return wrk.format("GET", p[2], {["Authorization"] = "Bearer " .. tokens[p[1]]})
end
"""
LUA_BATCHES = r"""
local token = %(token)s
local postcodes = %(postcodes)s
local run = %(run)s
local size = %(size)d
local counter = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
request = function()
  counter = counter + 1
  local key = string.format("%%s-%%d-%%d", run, tid or 0, counter)
  local items = {}
  for j = 1, size do
    local pc = postcodes[(counter * 31 + j) %% #postcodes + 1]
    items[j] = string.format(
      '{"category":"onderhoud","description":"Lekkage bij de voordeur, water in de gang.","urgency":"normaal",' ..
      '"location":{"address":{"postcode":"%%s","houseNumber":%%d}},"externalReference":"%%s-%%d"}',
      pc, (j %% 200) + 1, key, j)
  end
  local body = '{"signals":[' .. table.concat(items, ",") .. ']}'
  return wrk.format("POST", "%(path)s", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
  }, body)
end
"""


def lua_list(values: list[Any]) -> str:
    def one(value: Any) -> str:
        if isinstance(value, list | tuple):
            return "{" + ", ".join(one(v) for v in value) + "}"
        if isinstance(value, int):
            return str(value)
        return json.dumps(str(value))  # a JSON string is a valid Lua string for these values

    return "{" + ",\n".join(one(v) for v in values) + "}"


@dataclass
class Measurement:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    timeouts: int
    items_per_request: int = 1
    succeeded_per_second: float = 0.0  # 2xx/3xx answers only
    # Connections each worker held halfway through the run, most first: the kernel hands wrk's
    # connections to whichever worker accepts first, and a lopsided split can stretch the p99.
    split: tuple[int, ...] = ()

    @property
    def items_per_second(self) -> float:
        """Items carried by successful answers only: a refused batch (e.g. 503) delivered nothing."""
        return self.succeeded_per_second * self.items_per_request


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    workers: list[int] = field(default_factory=list)

    def worker_memory(self) -> list[tuple[int, int, int]]:
        """(pid, VmHWM kB, VmRSS kB) of each worker process."""
        found = []
        for pid in self.workers:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            found.append((pid, int(values["VmHWM"].split()[0]), int(values["VmRSS"].split()[0])))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in map(int, children):
            found.append(child)
            found.extend(descendants(child))
    return found


def start_service(args: argparse.Namespace) -> Service:
    env = dict(os.environ)
    env.update({
        "KOPPELWERK_ENVIRONMENT": "production",
        "KOPPELWERK_JWT_SECRET": secrets.token_urlsafe(48),
        "KOPPELWERK_DATABASE_URL": sqlalchemy_url(args.database_url),
        "KOPPELWERK_LOG_LEVEL": "WARNING",
        # Raised for the benchmark only: the runner logs in many accounts from one address, and a run
        # must not outlive its tokens.
        "KOPPELWERK_TOKEN_RATE_LIMIT": "100000/minute",
        "KOPPELWERK_ACCESS_TOKEN_MINUTES": "60",
    })
    for setting in args.env:
        name, _, value = setting.partition("=")
        env[name] = value
    log = Path(tempfile.mkstemp(prefix="koppelwerk-bench-", suffix=".log")[1])
    command = [sys.executable, "-m", "api.cli", "serve", "--no-migrate", "--host", "127.0.0.1",
               "--port", str(args.port), "--workers", str(args.workers)]
    # Served from the checkout this runner sits in (python -m puts the working directory first).
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, env=env, cwd=PROJECT_ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    service = Service(process, f"http://127.0.0.1:{args.port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the service stopped at start; see {log}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{service.base}{API}/health/ready", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    else:
        service.stop()
        raise SystemExit(f"the service did not become ready within 60 s; see {log}")
    time.sleep(1.0)
    workers = [p for p in descendants(process.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
    service.workers = workers
    return service


def settle(database_url: str) -> None:
    """VACUUM (ANALYZE) and CHECKPOINT the database first, as autovacuum keeps a production database:
    every run stores its batches of signals and the audit events of its reads, and on a server with
    autovacuum off (as on the test machines) their pages stay unmarked in the visibility map, so the
    statistics' index-only scans turn into a heap page per signal (a wijk's year: 2 000 pages against 30)."""
    started = time.perf_counter()
    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        autovacuum = connection.execute("SHOW autovacuum").fetchone()
        connection.execute("VACUUM (ANALYZE)")
        connection.execute("CHECKPOINT")
    print(f"VACUUM (ANALYZE) and CHECKPOINT in {time.perf_counter() - started:.1f} s (autovacuum "
          f"{autovacuum[0] if autovacuum else '?'})", file=sys.stderr)


def token(base: str, **form: str) -> str:
    auth = None
    if form.get("grant_type") == "client_credentials":
        auth = (form.pop("client_id"), CLIENT_SECRET)
    response = httpx.post(f"{base}{API}/auth/token", data=form, auth=auth, timeout=30)
    response.raise_for_status()
    return str(response.json()["access_token"])


@dataclass
class Fixtures:
    """What the scripts rotate over, read from the benchmark database."""

    members: list[str]  # usernames
    residents: dict[str, list[str]]  # username → resident ids in that member's wijken
    gemeente_wijken: list[str]
    housing_postcodes: list[str]


def fixtures(database_url: str) -> Fixtures:
    members = [koppel_member(n) for n in range(1, KOPPELS_USED + 1)]
    residents: dict[str, list[str]] = {}
    with psycopg.connect(libpq_url(database_url)) as connection:
        for username in members:
            rows = connection.execute(
                "SELECT r.id FROM user_account u JOIN koppel_member m ON m.user_id = u.id "
                "JOIN koppel_wijk kw ON kw.koppel_id = m.koppel_id JOIN resident r ON r.wijk_id = kw.wijk_id "
                "WHERE u.username = %s AND r.anonymised_at IS NULL ORDER BY md5(r.id::text) LIMIT %s",
                (username, RESIDENTS_PER_MEMBER),
            ).fetchall()
            residents[username] = [str(r[0]) for r in rows]
        wijken = [str(r[0]) for r in connection.execute(
            "SELECT id FROM wijk WHERE municipality_code = %s ORDER BY code", (GEMEENTE_MUNICIPALITY,)
        ).fetchall()]
        ranges = connection.execute(
            "SELECT postcode_ranges FROM wijk WHERE municipality_code = %s AND postcode_ranges IS NOT NULL",
            (HOUSING_MUNICIPALITY,),
        ).fetchall()
    postcodes = [f"{first[:4]}{a}{b}" for (pairs,) in ranges for first, _ in pairs for a in "AKS" for b in "BMT"]
    return Fixtures(members, residents, wijken, postcodes)


def run_wrk(
    args: argparse.Namespace, script: str, url: str, duration: float | None = None, timeout: float = 2.0,
    connections: int | None = None,
) -> tuple[dict[str, int], tuple[int, ...]]:
    """wrk's figures (the Lua script's BENCH line) and the connections per worker halfway through."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + LUA_DONE)
        path = handle.name
    seconds = duration if duration is not None else args.duration
    command = [
        "wrk", f"-t{args.threads}", f"-c{connections or args.connections}", f"-d{seconds:g}s", f"--timeout={timeout:g}s",
        "-s", path, url,
    ]
    split: tuple[int, ...] = ()
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
        try:
            process.wait(timeout=seconds / 2)
        except subprocess.TimeoutExpired:
            split = connections_per_worker(urlsplit(url).port or 80)
        output, errors = process.communicate()
    finally:
        os.unlink(path)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command, output, errors)
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    return json.loads(line.removeprefix("BENCH ")), split


def connections_per_worker(port: int) -> tuple[int, ...]:
    """The established connections each server process holds on `port`, most first (`ss` of iproute2;
    nothing where it is missing)."""
    try:
        listed = subprocess.run(  # noqa: S603 - a fixed command
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],  # noqa: S607
            capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return ()
    return tuple(sorted(Counter(re.findall(r"pid=(\d+)", listed)).values(), reverse=True))


def measure(
    args: argparse.Namespace, name: str, script: str, url: str, items: int = 1, timeout: float = 2.0,
    connections: int | None = None,
) -> Measurement:
    if args.warmup > 0:
        run_wrk(args, script, url, args.warmup, timeout, connections)
    raw, split = run_wrk(args, script, url, timeout=timeout, connections=connections)
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    seconds = raw["duration_us"] / 1e6
    result = Measurement(
        name,
        raw["requests"] / seconds,
        raw["p50_us"] / 1000,
        raw["p99_us"] / 1000,
        errors,
        raw["timeout"],
        items,
        (raw["requests"] - raw["status"]) / seconds,
        split,
    )
    print(f"  {name}: {result.requests_per_second:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
          f"p99 {result.p99_ms:.1f} ms, errors {errors}", file=sys.stderr, flush=True)
    return result


def gets(tokens: dict[str, str], paths: list[tuple[str, str]]) -> str:
    names = sorted(tokens)
    index = {n: i + 1 for i, n in enumerate(names)}
    return LUA_ROTATING_GETS % {
        "tokens": lua_list([tokens[n] for n in names]),
        "paths": lua_list([[index[who], path] for who, path in paths]),
    }


def catch_up(base: str, police: str, changes: int) -> tuple[float, int, list[str]]:
    """Page through the police feed at the maximum page size until `changes` changes were read (from the
    start again when the feed ends): (items/s, distinct changes in the feed, the cursors seen)."""
    headers = {"Authorization": f"Bearer {police}"}
    cursors: list[str] = []
    read, distinct, since = 0, 0, None
    first_pass = True
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        started = time.perf_counter()
        while read < changes:
            params: dict[str, Any] = {"limit": FEED_MAX_LIMIT}
            if since is not None:
                params["since"] = since
            response = client.get(f"{API}/feeds/agenda-items", params=params)
            response.raise_for_status()
            body = response.json()
            count = len(body["items"])
            read += count
            if first_pass:
                distinct += count
                if since is not None:
                    cursors.append(since)
            since = body["nextCursor"]
            if not body["hasMore"]:
                since, first_pass = None, False
        elapsed = time.perf_counter() - started
    return read / elapsed, distinct, cursors


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__.split("\n\n", 2)[2] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Seed first: python -m benchmarks.seed --scale 1. Needs wrk (apt-get install -y wrk).",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"the seeded database (default {DEFAULT_DATABASE_URL})")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2)")
    parser.add_argument("--duration", type=float, default=10, help="seconds per endpoint (default 10)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of unmeasured load before each endpoint (default 3)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--feed-changes", type=int, default=100_000, help="changes the catching-up police client reads (default 100000)")
    parser.add_argument(
        "--batch-size", type=int, default=BATCH_SIZE,
        help=f"signals per POST /signal-batches (default {BATCH_SIZE}, at most 500). With every connection "
             "holding a batch in flight, a batch waits connections × size ÷ throughput: 64 × 500 signals at "
             "8 000/s is 4 s, past wrk's 2 s timeout, however fast the service",
    )
    parser.add_argument(
        "--feed-pollers", type=int, default=8,
        help="connections paging the police feed at once (default 8: a police system per region, not 64)",
    )
    parser.add_argument(
        "--batch-timeout", type=float, default=10.0,
        help="wrk's timeout for a batch, in seconds (default 10; every other request has wrk's 2 s): a system "
             "pushing 100 signals is no interactive request, and its p99 is in the table either way",
    )
    parser.add_argument("--year-to", default="2026-10-31", help="last day of the statistics year (default 2026-10-31)")
    parser.add_argument("--only", nargs="*", default=None,
                        help="run only these rows: resident signals contact-moments feed-pages batches statistics catch-up")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra environment variable for the service (e.g. KOPPELWERK_DB_POOL_SIZE=20)")
    parser.add_argument("--no-vacuum", dest="vacuum", action="store_false",
                        help="measure the database as it is, without VACUUM (ANALYZE) and CHECKPOINT first")
    args = parser.parse_args(argv)

    def wanted(name: str) -> bool:
        return args.only is None or name in args.only

    if args.vacuum:
        settle(args.database_url)
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", file=sys.stderr)
    data = fixtures(args.database_url)
    service = start_service(args)
    base = service.base
    rows: list[Measurement] = []
    catch_up_result: tuple[float, int, list[str]] | None = None
    try:
        tokens = {u: token(base, grant_type="password", username=u, password=STAFF_PASSWORD) for u in data.members}
        police = token(base, grant_type="client_credentials", client_id=POLICE_CLIENT)
        housing = token(base, grant_type="client_credentials", client_id=HOUSING_CLIENT)
        gemeente = token(base, grant_type="password", username=GEMEENTE_USER, password=STAFF_PASSWORD)

        rows.append(measure(args, "health/live (start)", "", f"{base}{API}/health/live"))
        if wanted("resident"):
            paths = [(u, f"{API}/residents/{rid}") for i in range(RESIDENTS_PER_MEMBER)
                     for u in data.members if i < len(data.residents[u]) for rid in [data.residents[u][i]]]
            rows.append(measure(args, "GET /residents/{id}", gets(tokens, paths), base))
        if wanted("signals"):
            paths = [(u, f"{API}/signals?status=afgehandeld&limit=50") for u in data.members]
            rows.append(measure(args, "GET /signals?status=…&limit=50", gets(tokens, paths), base, 50))
        if wanted("contact-moments"):
            paths = [(u, f"{API}/contact-moments?kind=huisbezoek&limit=50") for u in data.members]
            rows.append(measure(args, "GET /contact-moments?kind=…&limit=50", gets(tokens, paths), base, 50))
        if wanted("catch-up") or wanted("feed-pages"):
            catch_up_result = catch_up(base, police, args.feed_changes)
            print(f"  feed catch-up: {catch_up_result[0]:.0f} items/s ({catch_up_result[1]} changes in the feed)",
                  file=sys.stderr, flush=True)
        if wanted("feed-pages") and catch_up_result and catch_up_result[2]:
            paths = [("police", f"{API}/feeds/agenda-items?limit={FEED_MAX_LIMIT}&since={c}") for c in catch_up_result[2]]
            rows.append(measure(args, f"GET /feeds/agenda-items ({FEED_MAX_LIMIT}/page, {args.feed_pollers} pollers)",
                                gets({"police": police}, paths), base, FEED_MAX_LIMIT, connections=args.feed_pollers))
        if wanted("statistics"):
            year_to = date.fromisoformat(args.year_to)
            year_from = year_to - timedelta(days=364)
            paths = [("gemeente", f"{API}/wijken/{w}/statistics?from={year_from}&to={year_to}") for w in data.gemeente_wijken]
            rows.append(measure(args, "GET /wijken/{id}/statistics (a year)", gets({"gemeente": gemeente}, paths), base))
        if wanted("batches"):
            script = LUA_BATCHES % {
                "token": json.dumps(housing), "postcodes": lua_list(data.housing_postcodes), "run": json.dumps(f"BENCH-{secrets.token_hex(4)}"),
                "size": args.batch_size, "path": f"{API}/signal-batches",
            }
            rows.append(measure(
                args, f"POST /signal-batches ({args.batch_size} signals)", script, base, args.batch_size,
                timeout=args.batch_timeout,
            ))
        rows.append(measure(args, "health/live (end)", "", f"{base}{API}/health/live"))
        memory = service.worker_memory()
    finally:
        service.stop()
    load_after = os.getloadavg()
    report(rows, catch_up_result, memory, load, load_after, args)


def report(rows: list[Measurement], catch_up_result: tuple[float, int, list[str]] | None,
           memory: list[tuple[int, int, int]], load: tuple[float, float, float],
           load_after: tuple[float, float, float], args: argparse.Namespace) -> None:
    health = [r.requests_per_second for r in rows if r.name.startswith("health/live")]
    reference = sum(health) / len(health)
    print()
    print(f"{args.workers} workers, wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s; "
          f"load average {load[0]:.2f} before, {load_after[0]:.2f} after; health/live reference "
          f"{reference:.0f} req/s (mean of start and end)")
    header = (f"{'endpoint':<44} {'req/s':>8} {'items/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'t/o':>5} "
              f"{'÷ live':>7} {'conns':>7}")
    print(header)
    print("-" * len(header))
    for r in rows:
        items = f"{r.items_per_second:.0f}" if r.items_per_request > 1 else ""
        print(f"{r.name:<44} {r.requests_per_second:>8.0f} {items:>9} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} "
              f"{r.errors:>7} {r.timeouts:>5} {r.requests_per_second / reference:>7.1%} {'/'.join(map(str, r.split)):>7}")
    if catch_up_result is not None:
        print(f"{'police feed catch-up, 1 client, limit ' + str(FEED_MAX_LIMIT):<44} {'':>8} "
              f"{catch_up_result[0]:>9.0f}   ({args.feed_changes} changes read; the feed holds {catch_up_result[1]})")
    for pid, hwm, rss in memory:
        print(f"worker {pid}: peak resident memory (VmHWM) {hwm / 1024:.0f} MB, now {rss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
