"""The app `koppelwerk serve` runs has its start-up heap frozen and the collector set for serving
(api.heap); the app tests build keeps CPython's defaults. Run in a fresh interpreter: freezing this
test process's heap would keep every later test's garbage cycles alive."""

from __future__ import annotations

import json
import subprocess
import sys

from api import heap

PROBE = """
import gc, json
from api.app import create_app, create_served_app
create_app()
before = (gc.get_threshold(), gc.get_freeze_count())
create_served_app()
print(json.dumps([before, (gc.get_threshold(), gc.get_freeze_count())]))
"""


def test_the_served_app_freezes_its_start_up_heap() -> None:
    env = {"KOPPELWERK_JWT_SECRET": "x" * 64, "PATH": ""}
    output = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env).stdout
    (threshold_before, frozen_before), (threshold_after, frozen_after) = json.loads(output.splitlines()[-1])
    assert (threshold_before, frozen_before) == ([700, 10, 10], 0)
    assert threshold_after == [heap.YOUNG_ALLOCATIONS, *heap.OLDER_COLLECTIONS]
    assert frozen_after > 10_000
