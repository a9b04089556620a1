"""The admission gate (api.admission): how many requests are inside at once, in which order they enter,
what holds a place and what does not, and what a request that never gets one hears."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from api.admission import AdmissionGate

Message = dict[str, Any]


class Recorder:
    """An app that notes who is inside, waits for its cue, then answers."""

    def __init__(self) -> None:
        self.inside = 0
        self.most_inside = 0
        self.entered: list[str] = []
        self.cues: dict[str, asyncio.Event] = {}
        self.bodies: dict[str, bytes] = {}

    def release(self, name: str) -> None:
        """Let the request `name` answer (now, or as soon as it is inside)."""
        self.cues.setdefault(name, asyncio.Event()).set()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        name = scope["path"].rsplit("/", 1)[-1]
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        self.entered.append(name)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies[name] = body
        try:
            if scope.get("raise"):
                raise RuntimeError("the app failed")
            await self.cues.setdefault(name, asyncio.Event()).wait()
        finally:
            self.inside -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": name.encode()})


def scope(name: str, path: str = "/api/v1/things", **extra: Any) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": f"{path}/{name}", "headers": [], **extra}


def request(gate: AdmissionGate, name: str, parts: list[bytes] | None = None, stall: asyncio.Event | None = None, **extra: Any):  # type: ignore[no-untyped-def]
    """Run one request through the gate; returns (status, body) once answered."""
    queue = list(parts or [b""])
    sent: list[Message] = []

    async def receive() -> Message:
        if stall is not None and len(queue) == 1:
            await stall.wait()  # the client sends its last part only now
        part = queue.pop(0) if queue else b""
        return {"type": "http.request", "body": part, "more_body": bool(queue)}

    async def send(message: Message) -> None:
        sent.append(message)

    async def run() -> tuple[int, bytes, dict[bytes, bytes]]:
        await gate(scope(name, **extra), receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return start["status"], body, dict(start["headers"])

    return asyncio.create_task(run())


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def served(gate: AdmissionGate, app: Recorder, name: str, **extra: Any) -> None:
    """Send `name`, let it answer once the gate had its say, and expect its 200."""
    answer = request(gate, name, **extra)
    await settle()
    app.release(name)
    assert (await answer)[:2] == (200, name.encode())


def test_at_most_the_limit_inside_and_the_rest_enter_in_arrival_order() -> None:
    async def main() -> None:
        app = Recorder()
        gate = AdmissionGate(app, limit=2, timeout_seconds=30)
        names = [f"r{n}" for n in range(8)]
        tasks = []
        for name in names:
            tasks.append(request(gate, name))
            await settle()
        assert app.entered == ["r0", "r1"]
        for name in names:
            app.release(name)
            await settle()
        answers = await asyncio.gather(*tasks)
        assert [a[1] for a in answers] == [n.encode() for n in names]
        assert app.entered == names and app.most_inside == 2

    asyncio.run(main())


def test_a_slow_upload_waits_outside_and_holds_no_place() -> None:
    async def main() -> None:
        app = Recorder()
        gate = AdmissionGate(app, limit=1, timeout_seconds=30)
        last_part = asyncio.Event()
        slow = request(gate, "slow", [b"first ", b"second"], stall=last_part)
        await settle()
        quick = request(gate, "quick")
        await settle()
        assert app.entered == ["quick"]
        app.release("quick")
        assert (await quick)[:2] == (200, b"quick")
        last_part.set()
        app.release("slow")
        assert (await slow)[:2] == (200, b"slow")
        assert app.bodies["slow"] == b"first second"  # the app still reads the whole body

    asyncio.run(main())


def test_a_failing_request_gives_its_place_back() -> None:
    async def main() -> None:
        app = Recorder()
        gate = AdmissionGate(app, limit=1, timeout_seconds=30)
        with pytest.raises(RuntimeError):
            await request(gate, "broken", **{"raise": True})
        await served(gate, app, "after")

    asyncio.run(main())


def test_health_probes_pass_a_full_gate() -> None:
    async def main() -> None:
        app = Recorder()
        gate = AdmissionGate(app, limit=1, timeout_seconds=30)
        holder = request(gate, "holder")
        await settle()
        probe = request(gate, "live", path="/api/v1/health")
        await settle()
        assert app.entered == ["holder", "live"]
        app.release("live")
        assert (await probe)[:2] == (200, b"live")
        app.release("holder")
        await holder

    asyncio.run(main())


def test_a_request_that_waits_too_long_hears_busy_with_retry_after() -> None:
    async def main() -> None:
        app = Recorder()
        gate = AdmissionGate(app, limit=1, timeout_seconds=0.05)
        holder = request(gate, "holder")
        await settle()
        status, body, headers = await request(gate, "late")
        assert status == 503 and headers[b"retry-after"] == b"1"
        problem = orjson.loads(body)
        assert problem["type"] == "urn:koppelwerk:problem:busy" and problem["instance"] == "/api/v1/things/late"
        assert "late" not in app.entered
        app.release("holder")
        await holder
        await served(gate, app, "again")  # the place is free again

    asyncio.run(main())


def test_no_limit_lets_everyone_in() -> None:
    async def main() -> None:
        app = Recorder()
        gate = AdmissionGate(app, limit=0, timeout_seconds=30)
        tasks = [request(gate, f"r{n}") for n in range(10)]
        await settle()
        assert app.inside == 10
        for event in app.cues.values():
            event.set()
        await asyncio.gather(*tasks)

    asyncio.run(main())
