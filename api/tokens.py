"""All JWT code lives here, so the library behind it (python-jose) can be swapped in one file.

python-jose is permissive by default, so every decode pins: the key chosen by `kid` from our own
registry (never from the token), exactly one algorithm for that key, the audience, the issuer,
and options that *require* exp, aud, iss and sub. Keys are PEM text or a shared secret, never DER.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import jwt
from jose.exceptions import JWTError

from api.settings import Settings
from domain.identity import Principal

LOCAL_ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The bearer token was refused; the message says why (it is not shown to the caller)."""


@dataclass(frozen=True)
class VerificationKey:
    kid: str
    algorithm: str
    issuer: str
    material: str
    allowed_roles: frozenset[str] | None = None


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    role: str | None
    organisation: str | None
    jti: str
    expires_at: datetime
    # Roles an external issuer may vouch for; None for our own tokens (any role).
    allowed_roles: frozenset[str] | None = None


def _keys(settings: Settings) -> dict[str, VerificationKey]:
    keys = {
        issuer.kid: VerificationKey(
            issuer.kid,
            issuer.algorithm,
            issuer.issuer,
            issuer.public_key_pem,
            frozenset(role.value for role in issuer.roles),
        )
        for issuer in settings.external_issuers
    }
    keys[settings.jwt_key_id] = VerificationKey(
        settings.jwt_key_id, LOCAL_ALGORITHM, settings.jwt_issuer, settings.jwt_secret.get_secret_value()
    )
    return keys


VERIFIED_TOKENS_KEPT = 10_000  # about 10 MB at most


class TokenService:
    """Issues our own short-lived tokens and verifies ours and those of configured external issuers."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._keys = _keys(settings)
        # Tokens that passed every check, by their exact text, until they expire: a front end sends
        # the same token with every request for its 15 minutes, and checking its signature and claims
        # again each time cost as much as the database work of reading a resident. Only exp can
        # change a verified token's verdict (nbf and iat lie in its past once it passed), so a hit is
        # still refused the second it expires. The account behind it is read on every request anyway.
        self._verified: dict[str, TokenClaims] = {}

    def issue(self, principal: Principal, now: datetime | None = None) -> IssuedToken:
        """A signed access token for `principal`, valid for the configured number of minutes."""
        now = now or datetime.now(UTC)
        lifetime = timedelta(minutes=self._settings.access_token_minutes)
        claims = {
            "sub": principal.subject,
            "role": principal.role.value,
            "org": str(principal.organisation_id),
            "iss": self._settings.jwt_issuer,
            "aud": self._settings.jwt_audience,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "jti": secrets.token_hex(16),
        }
        token = jwt.encode(
            claims,
            self._settings.jwt_secret.get_secret_value(),
            algorithm=LOCAL_ALGORITHM,
            headers={"kid": self._settings.jwt_key_id},
        )
        return IssuedToken(access_token=token, expires_in=int(lifetime.total_seconds()))

    def verify(self, token: str) -> TokenClaims:
        """Verify signature and claims; raise InvalidToken for anything short of perfect."""
        known = self._verified.get(token)
        if known is not None:
            if int(datetime.now(UTC).timestamp()) > int(known.expires_at.timestamp()):
                del self._verified[token]
                raise InvalidToken("Signature has expired.")
            return known
        claims = self._verify(token)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.clear()  # rare: a full cache starts over rather than tracking ages
        self._verified[token] = claims
        return claims

    def _verify(self, token: str) -> TokenClaims:
        try:
            header = jwt.get_unverified_header(token)
        except JWTError as exc:
            raise InvalidToken("malformed token header") from exc
        kid = header.get("kid")
        # The header is attacker-controlled: a `kid` that is a JSON array or object is unhashable and
        # used to escape as a TypeError (an unauthenticated 500). Only a string can name a key.
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("unknown key id")
        if header.get("alg") != key.algorithm:
            raise InvalidToken("algorithm does not match the key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.material,
                algorithms=[key.algorithm],
                audience=self._settings.jwt_audience,
                issuer=key.issuer,
                options={
                    "verify_signature": True,
                    "verify_aud": True,
                    "verify_iss": True,
                    "verify_exp": True,
                    "verify_nbf": True,
                    "verify_iat": True,
                    "verify_sub": True,
                    "require_exp": True,
                    "require_aud": True,
                    "require_iss": True,
                    "require_sub": True,
                    "require_iat": True,
                    "leeway": 0,
                },
            )
        except JWTError as exc:
            raise InvalidToken(str(exc)) from exc
        except (TypeError, ValueError, OverflowError) as exc:
            # jose guards its int(exp/nbf/iat) only against ValueError: null, an array or an object
            # in a time claim of a correctly signed token used to escape as a 500.
            raise InvalidToken("malformed time claim") from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("subject missing")
        try:
            expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
            issued_at = int(claims["iat"])
        except (TypeError, ValueError, OverflowError) as exc:
            # an exp beyond year 9999 passes jose's check but cannot be represented (was a 500)
            raise InvalidToken("time claim out of range") from exc
        # jose checks only that iat is a number; a token "issued" in the future is not one we or a
        # configured issuer made (same zero leeway as exp and nbf).
        if issued_at > int(datetime.now(UTC).timestamp()):
            raise InvalidToken("token issued in the future")
        if expires_at.timestamp() - issued_at > self._settings.max_token_lifetime_minutes * 60:
            raise InvalidToken("token lifetime exceeds the allowed maximum")
        return TokenClaims(
            subject=subject,
            role=claims.get("role"),
            organisation=claims.get("org"),
            jti=str(claims.get("jti", "")),
            expires_at=expires_at,
            allowed_roles=key.allowed_roles,
        )
