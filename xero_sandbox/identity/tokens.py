"""Xero's token rules: single-use codes, 30-minute access tokens, rotating refresh tokens.

Each refresh returns a new refresh token; the one it replaced still works for 30 minutes (in case
the response was lost), then gives invalid_grant. An unused refresh token lapses after 60 days.
Access tokens and id tokens are RS256 JWTs with the claims Xero puts in them (keys.py signs them).
Callers hold `store.lock`.
"""

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from ..clock import clock
from ..records import AccessToken, App, AuthorizationCode, Connection, Grant, RefreshToken
from ..scopes import NON_TENANTED
from . import keys

ACCESS_TOKEN_SECONDS = 1800
REFRESH_GRACE = timedelta(minutes=30)
REFRESH_IDLE_LIMIT = timedelta(days=60)
CODE_LIFETIME = timedelta(minutes=5)
SANDBOX_USER = {
    "xero_userid": "4a1f0a53-7a55-4e8e-9d0e-5a7b6e0c2d11",
    "email": "demo.user@example.com",
    "given_name": "Demo",
    "family_name": "User",
    "name": "Demo User",
    "preferred_username": "demo.user@example.com",
}
ID_TOKEN_SECONDS = 300
# Which of the user's claims each OpenID scope adds to the id token (developer.xero.com scopes:
# profile = "first name, last name, full name and xero user id", email = "email address").
PROFILE_CLAIMS = ("preferred_username", "given_name", "family_name", "name")
EMAIL_CLAIMS = ("email",)


@dataclass
class TokenError(Exception):
    error: str
    status: int = 400


@dataclass
class BearerFailure:
    detail: str
    expired: bool = False


def issue_code(
    world, app: App, *, redirect_uri, scopes, tenant_ids, code_challenge="", nonce="", state=""
) -> str:
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
        state=state,
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
    return _token_set(world, app, grant, issuer=issuer, nonce=record.nonce, state=record.state)


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


def client_credentials(world, app: App, *, issuer: str, scope: str = "") -> dict:
    """A custom connection's token for its one organisation, or (any app) a token for Xero's
    non-tenanted scopes (`marketplace.billing`, `app.connections`), which only this grant gives."""
    requested = scope.split()
    if requested and all(item in NON_TENANTED for item in requested):
        scopes, tenant_ids = requested, []
    elif not app.custom_connection_tenant_id or app.custom_connection_tenant_id not in world.orgs:
        raise TokenError("unauthorized_client")
    else:
        scopes = [
            "accounting.contacts",
            "accounting.invoices",
            "accounting.settings",
            "accounting.reports.read",
        ]
        tenant_ids = [app.custom_connection_tenant_id]
    token, access = _access_token(world, app, grant_id="", scopes=scopes, issuer=issuer)
    access.tenant_ids = tenant_ids
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
    claims = keys.verify(world, token.strip())
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


def _token_set(world, app: App, grant: Grant, *, issuer: str, nonce: str = "", state: str = "") -> dict:
    access_token, _ = _access_token(world, app, grant_id=grant.grant_id, scopes=grant.scopes, issuer=issuer)
    now = clock.now()
    token_set = {}
    if "openid" in grant.scopes:
        token_set["id_token"] = keys.sign(
            world,
            _id_token_claims(app, grant, issuer=issuer, access_token=access_token, nonce=nonce, state=state),
        )
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
    grant = world.grants.get(grant_id)
    # As in Xero's access tokens: the audience is the identity host's /resources, the scopes a list.
    claims = {
        "nbf": int(now.timestamp()),
        "exp": int(access.expires_at.timestamp()),
        "iss": issuer,
        "aud": f"{issuer}/resources",
        "client_id": app.client_id,
        "iat": int(now.timestamp()),
        "jti": access.jti,
        "scope": list(scopes),
    }
    if grant is not None:  # a user's consent; client_credentials tokens have no user
        claims.update(
            sub=_subject(),
            auth_time=int(grant.created_at.timestamp()),
            xero_userid=SANDBOX_USER["xero_userid"],
            global_session_id=_session_id(grant),
            sid=_session_id(grant),
            authentication_event_id=_auth_event_id(world, grant_id),
            amr=["pwd"],
        )
    return keys.sign(world, claims), access


def _id_token_claims(
    app: App, grant: Grant, *, issuer: str, access_token: str, nonce: str, state: str
) -> dict:
    """The claims of Xero's id tokens, in Xero's order; the user's details as the scopes allow."""
    now = int(clock.now().timestamp())
    claims = {
        "nbf": now,
        "exp": now + ID_TOKEN_SECONDS,
        "iss": issuer,
        "aud": app.client_id,
        "iat": now,
    }
    if nonce:
        claims["nonce"] = nonce
    claims["at_hash"] = _left_hash(access_token)
    if state:
        claims["s_hash"] = _left_hash(state)
    claims.update(
        sid=_session_id(grant),
        sub=_subject(),
        auth_time=int(grant.created_at.timestamp()),
    )
    if "profile" in grant.scopes:
        claims["xero_userid"] = SANDBOX_USER["xero_userid"]
    claims["global_session_id"] = _session_id(grant)
    for scope, names in (("profile", PROFILE_CLAIMS), ("email", EMAIL_CLAIMS)):
        if scope in grant.scopes:
            claims.update({name: SANDBOX_USER[name] for name in names})
    claims["amr"] = ["pwd"]
    return claims


def _subject() -> str:
    return SANDBOX_USER["xero_userid"].replace("-", "")


def _session_id(grant: Grant) -> str:
    return grant.grant_id.replace("-", "")


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


def _left_hash(value: str) -> str:
    """OpenID Connect's at_hash / s_hash: the left half of the SHA-256, base64url."""
    digest = hashlib.sha256(value.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def userinfo_claims(scopes: list[str]) -> dict:
    """identity.xero.com/connect/userinfo: the signed-in user, as far as the scopes allow."""
    claims = {"sub": _subject()}
    if "profile" in scopes:
        claims["xero_userid"] = SANDBOX_USER["xero_userid"]
        claims.update({name: SANDBOX_USER[name] for name in PROFILE_CLAIMS})
    if "email" in scopes:
        claims.update({name: SANDBOX_USER[name] for name in EMAIL_CLAIMS})
    return claims
