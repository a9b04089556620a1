"""Domain errors: plain exceptions with a stable code; api/problems.py maps each to HTTP."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InvalidParam:
    """One offending input field and why it was refused."""

    name: str
    reason: str
    code: str = "invalid"


class DomainError(Exception):
    """Base for every rule the domain refuses; `code` is stable and documented."""

    code = "domain_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The resource does not exist for this principal (also used when it is out of scope)."""

    code = "not_found"


class Forbidden(DomainError):
    """The resource is in scope but the principal lacks the right for this action."""

    code = "forbidden"


class Conflict(DomainError):
    """The request conflicts with the current state (duplicate, wrong state transition)."""

    code = "conflict"


class PreconditionFailed(DomainError):
    """The If-Match version is stale: somebody else changed the resource first."""

    code = "precondition_failed"


class PreconditionRequired(DomainError):
    """An update or delete came without If-Match; lost updates are not allowed."""

    code = "precondition_required"


class AuthenticationFailed(DomainError):
    """Credentials or token were refused."""

    code = "authentication_failed"


class TooManyAttempts(DomainError):
    """Throttled: try again after `retry_after_seconds`."""

    code = "too_many_attempts"

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a domain rule; names each offending field."""

    code = "invalid_input"

    def __init__(self, detail: str, params: list[InvalidParam] | None = None) -> None:
        super().__init__(detail)
        self.params = params or []

    @classmethod
    def field(cls, name: str, reason: str, code: str = "invalid") -> InvalidInput:
        """Shorthand for a refusal of exactly one field."""
        return cls(reason, [InvalidParam(name=name, reason=reason, code=code)])
