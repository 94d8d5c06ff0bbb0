"""The key that signs the sandbox's tokens, published as Xero publishes its own.

Xero signs id tokens and access tokens with RS256. The header carries `kid` (the upper-case hex
SHA-1 thumbprint of the signing certificate) and `x5t` (the same thumbprint, base64url), and the
public key is served as a JWK at `/.well-known/openid-configuration/jwks`, so any OIDC client can
verify a token without a shared secret.

Which key: one RSA key (and a self-signed certificate around it, for `x5t`/`x5c`) is generated
once per process, because generating RSA keys is slow and tests reset the sandbox for every test.
On first use a world adopts it and keeps its PEM in the state, so in demo mode the saved state
file carries the key and tokens issued before a restart still verify after it; a world loaded
from a file keeps the key it was saved with.
"""

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ALGORITHM = "RS256"


def generate() -> tuple[str, str]:
    """A new (private key PEM, self-signed certificate PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Xero sandbox identity")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


_process_key = cache(generate)  # made once per process


class SigningKey:
    def __init__(self, key_pem: str, certificate_pem: str) -> None:
        self.private_key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
        self.public_key = self.private_key.public_key()
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
        der = certificate.public_bytes(serialization.Encoding.DER)
        thumbprint = hashlib.sha1(der, usedforsecurity=False).digest()
        self.kid = thumbprint.hex().upper()
        self.x5t = _b64(thumbprint)
        self.x5c = base64.b64encode(der).decode("ascii")

    def jwk(self) -> dict:
        numbers = self.public_key.public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.x5t,
            "e": _b64(_unsigned(numbers.e)),
            "n": _b64(_unsigned(numbers.n)),
            "x5c": [self.x5c],
            "alg": ALGORITHM,
        }


@lru_cache(maxsize=8)
def _loaded(key_pem: str, certificate_pem: str) -> SigningKey:
    return SigningKey(key_pem, certificate_pem)


def signing_key(world) -> SigningKey:
    """The world's key; a world without one (new, or saved before keys were kept) adopts the
    process key. Callers hold `store.lock`; the caller's `store.changed()` saves the adoption."""
    if not world.signing_key_pem or not world.signing_certificate_pem:
        world.signing_key_pem, world.signing_certificate_pem = _process_key()
    return _loaded(world.signing_key_pem, world.signing_certificate_pem)


def sign(world, claims: dict) -> str:
    key = signing_key(world)
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "x5t": key.x5t})


def verify(world, token: str) -> dict | None:
    """The claims of a token this world signed, or None. Only the signature is checked here:
    lifetimes follow the sandbox clock (which can be moved on), so the caller checks expiry."""
    key = signing_key(world)
    try:
        header = jwt.get_unverified_header(token)
        if header.get("kid") != key.kid:
            return None
        return jwt.decode(
            token,
            key.public_key,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        return None


def jwks(world) -> dict:
    return {"keys": [signing_key(world).jwk()]}


def _unsigned(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8 or 1, "big")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
