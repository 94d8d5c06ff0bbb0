"""The official xero-python SDK, unpatched, pointed at the sandbox as the SDK allows."""

from dataclasses import dataclass, field

import pytest
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.identity import IdentityApi

SDK_TOKEN_KEYS = (
    "access_token",
    "refresh_token",
    "expires_in",
    "expires_at",
    "token_type",
    "scope",
    "id_token",
)


@dataclass
class Sdk:
    api_client: ApiClient
    accounting: AccountingApi
    identity: IdentityApi
    holder: dict = field(default_factory=dict)

    @property
    def token(self) -> dict:
        return self.holder["token"]

    def last_header(self, name: str) -> str | None:
        return self.api_client.last_response.getheader(name)


def sdk_token(token_set: dict) -> dict:
    # The SDK's update_token() rejects unknown keys, so hand it only the ones it knows.
    return {key: token_set[key] for key in SDK_TOKEN_KEYS if key in token_set}


def make_sdk(sandbox, token_set: dict, *, urllib3_retries: bool = False) -> Sdk:
    """An SDK client for the sandbox. The SDK's urllib3 pool by default sleeps Retry-After and
    retries a GET that got 429/503 (up to 3 times); like the app, tests turn that off unless asked."""
    holder = {"token": sdk_token(token_set)}
    configuration = Configuration()  # a "sticky default": set the token on it afterwards
    configuration.oauth2_token = OAuth2Token(client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    api_client = ApiClient(
        configuration,
        oauth2_token_getter=lambda: holder["token"],
        oauth2_token_saver=lambda token: holder.update(token=token),
        pool_threads=1,
    )
    if not urllib3_retries:
        api_client.rest_client.pool_manager.connection_pool_kw["retries"] = False
    return Sdk(
        api_client,
        AccountingApi(api_client, base_url=sandbox.accounting_url),
        IdentityApi(api_client, base_url=sandbox.api_base),
        holder,
    )


@pytest.fixture
def token_urls(xero_sandbox, monkeypatch):
    """TokenApi's refresh and revoke URLs are class attributes: point them at the sandbox."""
    monkeypatch.setattr(TokenApi, "refresh_token_url", xero_sandbox.token_url)
    monkeypatch.setattr(TokenApi, "revoke_token_url", xero_sandbox.revocation_url)


@pytest.fixture
def sdk(xero_sandbox, token_urls) -> Sdk:
    """An SDK client connected to the demo organisation with the app's default scopes."""
    return make_sdk(xero_sandbox, xero_sandbox.connect())


@pytest.fixture
def tenant(xero_sandbox) -> str:
    return xero_sandbox.demo_tenant_id
