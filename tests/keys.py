"""An RSA key pair for the 'external issuer' the tests configure (made once per run)."""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api.settings import ExternalIssuer
from domain.identity import Role

EXTERNAL_KID = "police-idp-1"
EXTERNAL_ISSUER = "https://idp.politie.example"


@cache
def rsa_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem() -> str:
    return (
        rsa_private_key()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )


def public_pem() -> str:
    return (
        rsa_private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def public_der() -> bytes:
    return rsa_private_key().public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


# The test issuer may vouch for every role but gemeente, so the forgery tests can use it for an
# admin and one test can show that a role outside the issuer's list is refused.
EXTERNAL_ROLES = [role for role in Role if role is not Role.gemeente]


def external_issuer() -> ExternalIssuer:
    return ExternalIssuer(
        kid=EXTERNAL_KID,
        issuer=EXTERNAL_ISSUER,
        algorithm="RS256",
        public_key_pem=public_pem(),
        roles=EXTERNAL_ROLES,
    )
