"""Argon2 hashing of passwords and client secrets (pwdlib), run in a worker thread.

A hash costs tens of milliseconds of CPU; on the event loop it would stall every other request.
"""

from __future__ import annotations

from anyio import to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


class Argon2SecretHasher:
    def __init__(self, *, fast: bool = False) -> None:
        # `fast` is for the test suite only (Settings refuses it elsewhere).
        hasher = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else Argon2Hasher()
        self._hash = PasswordHash((hasher,))
        # Verifying against this when the account does not exist costs the same as a real check,
        # so response times do not tell which usernames exist.
        self._dummy = self._hash.hash("not-a-real-password-only-for-timing")

    async def hash(self, secret: str) -> str:
        return await to_thread.run_sync(self._hash.hash, secret)

    async def verify(self, secret: str, hashed: str | None) -> bool:
        return await to_thread.run_sync(self._hash.verify, secret, hashed or self._dummy) and hashed is not None
