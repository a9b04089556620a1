"""Rate limits on the endpoints attackers like most: the token endpoint (per client address) and
resident search (per principal). Moving windows from the `limits` library, kept in process memory:
with N worker processes a caller gets up to N times the limit, which still stops guessing and
scraping at machine speed; a shared store (Redis) can replace MemoryStorage without other changes.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from api.dependencies import authenticate
from domain.errors import TooManyAttempts
from domain.identity import Principal


class RateLimiter:
    def __init__(self, token_rate: str, search_rate: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self.token: RateLimitItem = parse(token_rate)
        self.search: RateLimitItem = parse(search_rate)

    async def check(self, item: RateLimitItem, bucket: str, key: str) -> None:
        """Count one request for `key`; over the limit raises TooManyAttempts (429 + Retry-After)."""
        if await self._limiter.hit(item, bucket, key):
            return
        stats = await self._limiter.get_window_stats(item, bucket, key)
        retry_after = max(1, int(stats.reset_time - time.time()) + 1)
        raise TooManyAttempts(f"too many requests; at most {item} per caller", retry_after_seconds=retry_after)


def _limiter(request: Request) -> RateLimiter:
    return request.app.state.rate_limiter  # type: ignore[no-any-return]


async def limit_token_requests(request: Request) -> None:
    """Per client address, before any password is checked."""
    limiter = _limiter(request)
    client = request.client.host if request.client else "unknown"
    await limiter.check(limiter.token, "token", client)


async def limit_resident_search(
    request: Request, principal: Annotated[Principal, Depends(authenticate)]
) -> None:
    """Per principal: a search returns personal data, so bulk scraping is refused."""
    limiter = _limiter(request)
    await limiter.check(limiter.search, "resident-search", principal.subject)
