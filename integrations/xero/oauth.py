"""OAuth 2.0 with Xero's identity service, through requests-oauthlib."""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests
from oauthlib.oauth2 import InvalidGrantError, OAuth2Error, WebApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from integrations.xero import logfilter
from integrations.xero.errors import XeroAuthError, XeroUnavailable
from integrations.xero.types import TokenSet

logfilter.install()  # requests-oauthlib logs token bodies at DEBUG: never let those records out


@dataclass(frozen=True)
class OAuthConfig:
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    scopes: tuple[str, ...]
    authorize_url: str
    token_url: str
    revocation_url: str
    timeout: float = 10.0


@dataclass(frozen=True)
class AuthorisationRequest:
    url: str
    state: str
    code_verifier: str = field(repr=False)


def _token_set(token: dict, now: dt.datetime) -> TokenSet:
    scope = token.get("scope") or []
    scopes = tuple(scope.split() if isinstance(scope, str) else scope)
    return TokenSet(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token", ""),
        expires_at=now + dt.timedelta(seconds=int(token.get("expires_in", 1800))),
        scopes=scopes,
        id_token=token.get("id_token", ""),
    )


def _outage_check(response):
    """Xero down (5xx) or throttling (429) is an outage to retry, not a refusal of the grant."""
    if response.status_code >= 500 or response.status_code == 429:
        raise XeroUnavailable()
    return response


def _session(config: OAuthConfig, **kwargs) -> OAuth2Session:
    session = OAuth2Session(config.client_id, scope=list(config.scopes), **kwargs)
    session.register_compliance_hook("access_token_response", _outage_check)
    session.register_compliance_hook("refresh_token_response", _outage_check)
    return session


def authorisation_request(config: OAuthConfig) -> AuthorisationRequest:
    """Where to send the user: Xero's consent screen, with a fresh state and PKCE (S256)."""
    pkce = WebApplicationClient(config.client_id)
    verifier = pkce.create_code_verifier(64)
    challenge = pkce.create_code_challenge(verifier, "S256")
    session = _session(config, redirect_uri=config.redirect_uri)
    url, state = session.authorization_url(
        config.authorize_url, code_challenge=challenge, code_challenge_method="S256"
    )
    return AuthorisationRequest(url=url, state=state, code_verifier=verifier)


def exchange_code(config: OAuthConfig, *, code: str, code_verifier: str) -> TokenSet:
    session = _session(config, redirect_uri=config.redirect_uri)
    now = dt.datetime.now(dt.UTC)
    try:
        token = session.fetch_token(
            config.token_url,
            code=code,
            client_secret=config.client_secret,
            code_verifier=code_verifier,
            timeout=config.timeout,
        )
    except InvalidGrantError as exc:
        raise XeroAuthError(
            "Xero did not accept the authorisation (it may have been used already). Please try again.",
            invalid_grant=True,
        ) from exc
    except OAuth2Error as exc:
        raise XeroAuthError(f"Xero refused the authorisation ({exc.error}). Please try again.") from exc
    except XeroUnavailable as exc:
        raise XeroUnavailable("Xero is not answering, so the connection was not made. Try again.") from exc
    except requests.RequestException as exc:
        raise XeroUnavailable("Xero is not answering, so the connection was not made. Try again.") from exc
    except ValueError as exc:  # a non-JSON answer, e.g. an HTML error page from a proxy
        raise XeroUnavailable(
            "Xero gave an unexpected answer, so the connection was not made. Try again."
        ) from exc
    return _token_set(token, now)


def refresh(config: OAuthConfig, *, refresh_token: str) -> TokenSet:
    """Swap a refresh token for a new pair. Xero rotates the refresh token every time."""
    session = _session(config)
    now = dt.datetime.now(dt.UTC)
    try:
        token = session.refresh_token(
            config.token_url,
            refresh_token=refresh_token,
            auth=HTTPBasicAuth(config.client_id, config.client_secret),
            timeout=config.timeout,
        )
    except InvalidGrantError as exc:
        raise XeroAuthError(invalid_grant=True) from exc
    except OAuth2Error as exc:
        raise XeroAuthError(status=getattr(exc, "status_code", None)) from exc
    except (requests.RequestException, ValueError) as exc:
        raise XeroUnavailable() from exc
    return _token_set(token, now)


def revoke(config: OAuthConfig, *, refresh_token: str) -> None:
    """Revoke the grant (all of its connections). A token Xero no longer knows is already revoked."""
    try:
        response = requests.post(
            config.revocation_url,
            data=urlencode({"token": refresh_token}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            auth=HTTPBasicAuth(config.client_id, config.client_secret),
            timeout=config.timeout,
        )
    except requests.RequestException as exc:
        raise XeroUnavailable() from exc
    if response.status_code >= 500:
        raise XeroUnavailable()
