"""The OAuth2-style token endpoint: `password` for staff, `client_credentials` for systems."""

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from api.dependencies import HasherDep, TokensDep, UowDep
from api.problems import problem_responses
from api.rate_limits import limit_token_requests
from api.schemas.identity import TokenRequest, TokenResponse
from domain import accounts
from domain.errors import InvalidInput

router = APIRouter(prefix="/auth", tags=["auth"])


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    # RFC 6749 §2.3.1 lets a client authenticate with HTTP Basic instead of form fields.
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


@router.post(
    "/token",
    operation_id="createToken",
    summary="Obtain a short-lived access token",
    description=(
        "Form-encoded (`application/x-www-form-urlencoded`). Staff use `grant_type=password` with "
        "`username` and `password`; systems use `grant_type=client_credentials` with `client_id` and "
        "`client_secret` (or HTTP Basic). Repeated failures for one login name are throttled (429 with "
        "Retry-After)."
    ),
    responses=problem_responses(401, 429),
    dependencies=[Depends(limit_token_requests)],
)
async def create_token(
    request: Request,
    uow: UowDep,
    tokens: TokensDep,
    hasher: HasherDep,
    form: Annotated[TokenRequest, Form()],
) -> TokenResponse:
    now = datetime.now(UTC)
    grant_type, username, password = form.grant_type, form.username, form.password
    client_id, client_secret = form.client_id, form.client_secret
    if grant_type == "password":
        if not username or not password:
            raise InvalidInput.field("username", "username and password are required for grant_type=password")
        principal = await accounts.authenticate_user(uow, hasher, username, password, now)
    else:
        basic = _basic_credentials(request)
        if basic:
            client_id, client_secret = basic
        if not client_id or not client_secret:
            raise InvalidInput.field(
                "client_id", "client_id and client_secret are required for grant_type=client_credentials"
            )
        principal = await accounts.authenticate_client(uow, hasher, client_id, client_secret, now)
    issued = tokens.issue(principal, now)
    return TokenResponse(access_token=issued.access_token, expires_in=issued.expires_in)
