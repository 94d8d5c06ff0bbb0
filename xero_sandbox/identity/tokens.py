"""Xero's token rules: single-use codes, 30-minute access tokens, rotating refresh tokens.

Each refresh returns a new refresh token; the one it replaced still works for 30 minutes (in case
the response was lost), then gives invalid_grant. An unused refresh token lapses after 60 days.
Callers hold `store.lock`.
"""

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from ..clock import clock
from ..records import AccessToken, App, AuthorizationCode, Connection, Grant, RefreshToken

ACCESS_TOKEN_SECONDS = 1800
REFRESH_GRACE = timedelta(minutes=30)
REFRESH_IDLE_LIMIT = timedelta(days=60)
CODE_LIFETIME = timedelta(minutes=5)
SANDBOX_USER = {
    "xero_userid": "4a1f0a53-7a55-4e8e-9d0e-5a7b6e0c2d11",
    "email": "demo.user@example.com",
    "given_name": "Demo",
    "family_name": "User",
    "preferred_username": "demo.user@example.com",
}


@dataclass
class TokenError(Exception):
    error: str
    status: int = 400


@dataclass
class BearerFailure:
    detail: str
    expired: bool = False


def issue_code(world, app: App, *, redirect_uri, scopes, tenant_ids, code_challenge="", nonce="") -> str:
    code = secrets.token_urlsafe(32)
    world.codes[code] = AuthorizationCode(
        code=code,
        client_id=app.client_id,
        redirect_uri=redirect_uri,
        scopes=list(scopes),
        tenant_ids=list(tenant_ids),
        issued_at=clock.now(),
        code_challenge=code_challenge,
        nonce=nonce,
    )
    return code


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def exchange_code(world, app: App, *, code: str, redirect_uri: str, code_verifier: str, issuer: str) -> dict:
    record = world.codes.get(code)
    now = clock.now()
    if (
        record is None
        or record.client_id != app.client_id
        or record.used
        or now > record.issued_at + CODE_LIFETIME
    ):
        raise TokenError("invalid_grant")
    record.used = True  # single use, even when the rest of the exchange fails
    if redirect_uri != record.redirect_uri:
        raise TokenError("invalid_grant")
    if record.code_challenge and (
        not code_verifier or not hmac.compare_digest(pkce_challenge(code_verifier), record.code_challenge)
    ):
        raise TokenError("invalid_grant")
    auth_event_id = str(uuid.uuid4())
    grant = Grant(grant_id=str(uuid.uuid4()), client_id=app.client_id, scopes=record.scopes, created_at=now)
    grant.connections = [
        Connection(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            auth_event_id=auth_event_id,
            created_at=now,
            updated_at=now,
        )
        for tenant_id in record.tenant_ids
        if tenant_id in world.orgs
    ]
    world.grants[grant.grant_id] = grant
    return _token_set(world, app, grant, issuer=issuer, nonce=record.nonce)


def refresh(world, app: App, *, refresh_token: str, issuer: str) -> dict:
    record = world.refresh_tokens.get(refresh_token)
    grant = world.grants.get(record.grant_id) if record else None
    if record is None or grant is None or grant.revoked or grant.client_id != app.client_id:
        raise TokenError("invalid_grant")
    now = clock.now()
    if record.rotated_at is not None and now > record.rotated_at + REFRESH_GRACE:
        raise TokenError("invalid_grant")
    if record.rotated_at is None and now > record.issued_at + REFRESH_IDLE_LIMIT:
        raise TokenError("invalid_grant")
    record.rotated_at = record.rotated_at or now
    return _token_set(world, app, grant, issuer=issuer)


def revoke(world, app: App, *, token: str) -> None:
    """Revoking a refresh token ends its grant: every token and every connection it holds."""
    record = world.refresh_tokens.get(token)
    grant = world.grants.get(record.grant_id) if record else None
    if grant is None or grant.client_id != app.client_id:
        return  # RFC 7009: unknown tokens are not an error
    grant.revoked = True
    grant.connections = []
    for key in [key for key, value in world.refresh_tokens.items() if value.grant_id == grant.grant_id]:
        del world.refresh_tokens[key]


def client_credentials(world, app: App, *, issuer: str) -> dict:
    if not app.custom_connection_tenant_id or app.custom_connection_tenant_id not in world.orgs:
        raise TokenError("unauthorized_client")
    scopes = ["accounting.contacts", "accounting.invoices", "accounting.settings", "accounting.reports.read"]
    token, access = _access_token(world, app, grant_id="", scopes=scopes, issuer=issuer)
    access.tenant_ids = [app.custom_connection_tenant_id]
    return {
        "access_token": token,
        "expires_in": ACCESS_TOKEN_SECONDS,
        "token_type": "Bearer",
        "scope": " ".join(scopes),
    }


def authenticate_bearer(world, authorization: str) -> AccessToken | BearerFailure:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return BearerFailure("AuthenticationUnsuccessful")
    claims = _verified_claims(world, token.strip())
    access = world.access_tokens.get(claims.get("jti", "")) if claims else None
    if access is None:
        return BearerFailure("AuthenticationUnsuccessful")
    grant = world.grants.get(access.grant_id)
    if access.grant_id and (grant is None or grant.revoked):
        return BearerFailure("AuthenticationUnsuccessful")
    if clock.now() >= access.expires_at:
        return BearerFailure(
            f"TokenExpired: token expired at {access.expires_at:%m/%d/%Y %H:%M:%S}", expired=True
        )
    return access


def tenant_ids_for(world, access: AccessToken) -> list[str]:
    if access.tenant_ids:
        return list(access.tenant_ids)
    grant = world.grants.get(access.grant_id)
    return [connection.tenant_id for connection in grant.connections] if grant else []


def _token_set(world, app: App, grant: Grant, *, issuer: str, nonce: str = "") -> dict:
    access_token, _ = _access_token(world, app, grant_id=grant.grant_id, scopes=grant.scopes, issuer=issuer)
    now = clock.now()
    token_set = {}
    if "openid" in grant.scopes:
        claims = {
            "iss": issuer,
            "aud": app.client_id,
            "sub": SANDBOX_USER["xero_userid"].replace("-", ""),
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(now.timestamp()) + 300,
            "auth_time": int(grant.created_at.timestamp()),
            "sid": grant.grant_id.replace("-", ""),
            "global_session_id": grant.grant_id.replace("-", ""),
            "at_hash": _at_hash(access_token),
            **SANDBOX_USER,
        }
        if nonce:
            claims["nonce"] = nonce
        token_set["id_token"] = _jwt(world, claims)
    token_set.update(access_token=access_token, expires_in=ACCESS_TOKEN_SECONDS, token_type="Bearer")
    if "offline_access" in grant.scopes:
        refresh_token = secrets.token_urlsafe(48)
        world.refresh_tokens[refresh_token] = RefreshToken(refresh_token, grant.grant_id, now)
        token_set["refresh_token"] = refresh_token
    token_set["scope"] = " ".join(grant.scopes)
    return token_set


def _access_token(
    world, app: App, *, grant_id: str, scopes: list[str], issuer: str
) -> tuple[str, AccessToken]:
    now = clock.now()
    access = AccessToken(
        jti=uuid.uuid4().hex,
        grant_id=grant_id,
        client_id=app.client_id,
        scopes=list(scopes),
        issued_at=now,
        expires_at=now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
    )
    world.access_tokens[access.jti] = access
    claims = {
        "nbf": int(now.timestamp()),
        "exp": int(access.expires_at.timestamp()),
        "iss": issuer,
        "aud": f"{issuer}/resources",
        "client_id": app.client_id,
        "sub": SANDBOX_USER["xero_userid"].replace("-", ""),
        "xero_userid": SANDBOX_USER["xero_userid"],
        "global_session_id": grant_id.replace("-", ""),
        "jti": access.jti,
        "authentication_event_id": _auth_event_id(world, grant_id),
        "scope": list(scopes),
        "amr": ["pwd"],
    }
    return _jwt(world, claims), access


def _auth_event_id(world, grant_id: str) -> str:
    grant = world.grants.get(grant_id)
    return grant.connections[0].auth_event_id if grant and grant.connections else ""


def _prune(world) -> None:
    now = clock.now()
    for key in [
        key for key, value in world.access_tokens.items() if value.expires_at + timedelta(days=1) < now
    ]:
        del world.access_tokens[key]
    stale = [
        key
        for key, value in world.refresh_tokens.items()
        if value.rotated_at is not None and value.rotated_at + REFRESH_GRACE < now
    ]
    for key in stale:
        del world.refresh_tokens[key]
    for key in [key for key, value in world.codes.items() if value.issued_at + CODE_LIFETIME < now]:
        del world.codes[key]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt(world, claims: dict) -> str:
    header = _b64(json.dumps({"alg": "HS256", "kid": "xero-sandbox", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(world.signing_key.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def _verified_claims(world, token: str) -> dict | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    expected = hmac.new(
        world.signing_key.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(_b64(expected), parts[2]):
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return _b64(digest[: len(digest) // 2])
