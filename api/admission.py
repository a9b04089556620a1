"""A worker admits a few requests into the application at a time; the others wait in arrival order.

An asyncio worker interleaves every request it has accepted: with 32 of a benchmark's 64 connections on
a worker, each request's statements queue behind the other 31 requests' work at every await, and a
request that needs more statements than most is stretched the most. Measured with wrk (64 connections,
2 workers, scale-1 volume), admitting 4 at a time against no limit:

- the p99 of a signal page fell from 213–265 ms to 125–140 ms, of a contact-moment page from 450–560 to
  about 200 ms, of a year of statistics from 166–188 to 109–119 ms, at the same or higher throughput;
- PostgreSQL spent less CPU per request (a resident read 146–170 µs against 235: fewer transactions
  contend at once), so reads of a resident and pages of contact moments were served 10–30 % faster.

Once the hot reads came to cost the worker a third of what they did (api.hot_reads), 4 left both cores
waiting on the database's commits: a resident read's audit event commits by itself, and with more of
them in flight PostgreSQL's group commit flushes several at once. Admitting 4, 6, 8 and 16 (one run
each, resident reads / signal pages per second): 2 878 / 1 257, 3 234 / 1 324, 3 573 / 1 291,
3 616 / 1 267; statistics and contact-moment pages alike at 6–16. 8 it is: the resident read at 28 %
of health/live against 22 %, lists as fast, p99s of lists and statistics no higher.

A request takes its place once its body has arrived — a slow upload waits outside and holds none — and
gives it up when its response starts, so sending to a slow reader holds none either. A request that
waited KOPPELWERK_ADMISSION_TIMEOUT_SECONDS without a place (the database hangs, or far more arrives
than the worker can serve) is answered 503 with Retry-After rather than queued without end. The
health probes pass by: a busy worker must still answer that it lives. `KOPPELWERK_MAX_ACTIVE_REQUESTS=0`
turns the gate off.
"""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.openapi import API_PREFIX
from api.problems import problem_response

HEALTH_PATH = f"{API_PREFIX}/health/"


class AdmissionGate:
    def __init__(self, app: ASGIApp, limit: int, timeout_seconds: float) -> None:
        self.app = app
        self.timeout_seconds = timeout_seconds
        # asyncio's semaphore wakes its waiters first come, first served.
        self.places = asyncio.Semaphore(limit) if limit > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.places is None or scope["type"] != "http" or scope["path"].startswith(HEALTH_PATH):
            await self.app(scope, receive, send)
            return
        try:
            arrived = await _whole_request(receive)
        except Exception as refused:  # e.g. the envelope's body limit: the app answers it as it would
            await self.app(scope, _raising(refused), send)
            return
        places = self.places
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await places.acquire()
        except TimeoutError:
            await _busy(scope["path"])(scope, receive, send)
            return
        inside = True

        def leave() -> None:
            nonlocal inside
            if inside:
                inside = False
                places.release()

        async def replay() -> Message:
            return arrived.popleft() if arrived else await receive()

        async def send_and_leave(message: Message) -> None:
            if message["type"] == "http.response.start":
                leave()
            await send(message)

        try:
            await self.app(scope, replay, send_and_leave)
        finally:
            leave()


async def _whole_request(receive: Receive) -> deque[Message]:
    """The request's messages up to its last body part (or the client's disconnect)."""
    messages: deque[Message] = deque()
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _raising(refused: Exception) -> Receive:
    async def receive() -> Message:
        raise refused

    return receive


def _busy(path: str) -> ASGIApp:
    return problem_response(
        503,
        "the service is busy; try again shortly",
        code="busy",
        instance=path,
        headers={"Retry-After": "1"},
    )
