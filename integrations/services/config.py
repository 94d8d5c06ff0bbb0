"""Xero settings as the Xero layer's plain config objects."""

from django.conf import settings

from integrations.xero.client import ClientConfig
from integrations.xero.oauth import OAuthConfig


def oauth_config(redirect_uri: str = "") -> OAuthConfig:
    return OAuthConfig(
        client_id=settings.XERO_CLIENT_ID,
        client_secret=settings.XERO_CLIENT_SECRET,
        redirect_uri=redirect_uri or settings.XERO_REDIRECT_URI,
        scopes=tuple(settings.XERO_SCOPES),
        authorize_url=f"{settings.XERO_LOGIN_BASE}/identity/connect/authorize",
        token_url=f"{settings.XERO_IDENTITY_BASE}/connect/token",
        revocation_url=f"{settings.XERO_IDENTITY_BASE}/connect/revocation",
        timeout=settings.XERO_HTTP_TIMEOUT,
    )


def client_config() -> ClientConfig:
    return ClientConfig(api_base=settings.XERO_API_BASE, timeout=settings.XERO_HTTP_TIMEOUT)
