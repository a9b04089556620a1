"""The worker's garbage collector, set for a request path that allocates many short-lived objects.

CPython's cyclic collector looks at the youngest objects every 700 container allocations and, every
hundredth time, at the whole heap: the routes, models, schemas and SQLAlchemy metadata built at start-up
included, hundreds of thousands of objects that live as long as the process. A request allocates
thousands of containers, so a worker under load ran several collections per request and now and then a
full one in the middle of somebody's request. Two changes, measured with `python -m benchmarks.run`:

- what exists once the app is built is frozen (`gc.freeze`): it is never scanned again;
- the youngest generation is collected after YOUNG_ALLOCATIONS allocations instead of 700. Objects
  without reference cycles (nearly all of a request's) are freed by reference counting as before;
  only cyclic garbage waits a little longer, which the worker's peak memory in the benchmark shows.
"""

from __future__ import annotations

import gc

YOUNG_ALLOCATIONS = 50_000
OLDER_COLLECTIONS = (50, 100)  # collections of the generation below before the next one is looked at


def settle() -> None:
    """Collect what start-up left behind, freeze the rest, and set the thresholds (once per worker)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_ALLOCATIONS, *OLDER_COLLECTIONS)
