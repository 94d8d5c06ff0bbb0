"""The Xero Accounting and Identity APIs through the official xero-python SDK.

One method per operation the app needs; plain dataclasses out; typed errors (errors.py) for
everything that can go wrong. Tokens are refreshed by the caller (integrations.services) under a
row lock, so the SDK is handed an access token only and never refreshes on its own.
"""

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import (
    AccessTokenExpiredError,
    ApiException,
    BadRequestException,
    HTTPStatusException,
    NotFoundException,
    OAuth2Error,
    RateLimitException,
)
from xero_python.identity import IdentityApi

from integrations.xero import mappers
from integrations.xero.errors import (
    XeroAuthError,
    XeroError,
    XeroNotFound,
    XeroRateLimited,
    XeroUnavailable,
    XeroValidationError,
)
from integrations.xero.pacing import RatePacer, pacer
from integrations.xero.types import (
    Page,
    RateLimitState,
    XeroAccountData,
    XeroContactData,
    XeroItemData,
    XeroOrganisationData,
    XeroTaxRateData,
    XeroTenantConnection,
)

logger = logging.getLogger(__name__)

CONTACTS_PAGE_SIZE = 1000


@dataclass(frozen=True)
class ClientConfig:
    api_base: str  # e.g. https://api.xero.com (connections) — accounting lives under /api.xro/2.0
    timeout: float = 10.0
    connect_timeout: float = 3.05


def _int_header(headers: Any, name: str) -> int | None:
    if not headers:
        return None
    value = headers.get(name) if hasattr(headers, "get") else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def rate_limit_state(headers: Any) -> RateLimitState:
    return RateLimitState(
        minute_remaining=_int_header(headers, "X-MinLimit-Remaining"),
        day_remaining=_int_header(headers, "X-DayLimit-Remaining"),
        app_minute_remaining=_int_header(headers, "X-AppMinLimit-Remaining"),
    )


def _validation_messages(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    messages = [
        error.get("Message", "")
        for element in body.get("Elements") or []
        for error in element.get("ValidationErrors") or []
    ]
    messages = [m for m in messages if m]
    if not messages and body.get("Message"):
        messages = [body["Message"]]
    return messages


def _body(exc: ApiException) -> Any:
    raw = exc.body
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        return json.loads(raw, parse_float=Decimal) if raw else None
    except ValueError:
        return None


def translate(exc: Exception) -> XeroError:
    """Map whatever the SDK or urllib3 raised onto our typed errors."""
    if isinstance(exc, XeroError):
        return exc
    if isinstance(exc, RateLimitException):
        headers = exc.headers or {}
        try:
            retry_after = float(headers.get("Retry-After", 60))
        except (TypeError, ValueError):
            retry_after = 60.0
        return XeroRateLimited(retry_after=retry_after, problem=exc.rate_limit or "minute")
    if isinstance(exc, NotFoundException):
        return XeroNotFound()
    if isinstance(exc, BadRequestException):
        body = _body(exc)
        if isinstance(body, dict) and body.get("error") == "invalid_grant":
            return XeroAuthError(invalid_grant=True)
        return XeroValidationError(_validation_messages(body))
    if isinstance(exc, AccessTokenExpiredError | OAuth2Error):
        return XeroAuthError()
    if isinstance(exc, HTTPStatusException | ApiException):
        status = exc.status or 0
        if status == 401:
            challenge = str((exc.headers or {}).get("WWW-Authenticate", ""))
            if "insufficient_scope" in challenge:
                return XeroAuthError(
                    "Xero has not given Engager permission for this. Reconnect Xero and allow access.",
                    status=401,
                    insufficient_scope=True,
                )
            return XeroAuthError(status=401)
        if status == 403:
            return XeroAuthError(
                "Xero no longer lets Engager into this organisation. Reconnect Xero.", status=403
            )
        if status == 0 or status >= 500:
            return XeroUnavailable()
        return XeroError(f"Xero answered with an error ({status}).")
    if isinstance(exc, urllib3.exceptions.HTTPError | OSError | TimeoutError):
        return XeroUnavailable()
    raise exc


class XeroClient:
    """A client for one tenant (or none, for the identity calls) with one access token."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        access_token: str,
        tenant_id: str = "",
        interactive: bool = True,
        rate_pacer: RatePacer = pacer,
    ):
        self.config = config
        self.tenant_id = tenant_id
        self.interactive = interactive
        self.pacer = rate_pacer
        configuration = Configuration()  # a sticky default: configure the instance afterwards
        configuration.oauth2_token = OAuth2Token()
        token = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 1800,
            "scope": [],
        }  # no expires_at: the SDK then never tries to refresh, that is our job under a lock
        self.api_client = ApiClient(
            configuration,
            oauth2_token_getter=lambda: token,
            oauth2_token_saver=lambda new_token: None,
            pool_threads=1,
        )
        # Fail fast: one quick retry on a refused connection instead of urllib3's default three, and
        # never let urllib3 sleep on a 429's Retry-After itself (background tasks retry; people don't wait).
        self.api_client.rest_client.pool_manager.connection_pool_kw["retries"] = urllib3.Retry(
            total=1, connect=1, read=0, redirect=0, status=0, respect_retry_after_header=False
        )
        self.accounting = AccountingApi(self.api_client, base_url=f"{config.api_base}/api.xro/2.0")
        self.identity = IdentityApi(self.api_client, base_url=config.api_base)

    # --- plumbing ------------------------------------------------------------------------------
    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.tenant_id:
            self.pacer.check(self.tenant_id, interactive=self.interactive)
        kwargs.setdefault("_request_timeout", (self.config.connect_timeout, self.config.timeout))
        try:
            data, _status, headers = method(*args, _return_http_data_only=False, **kwargs)
        except Exception as exc:  # every failure is translated into a typed error
            error = translate(exc)
            self._record(getattr(exc, "headers", None))
            logger.info("Xero call %s failed: %s", getattr(method, "__name__", method), type(error).__name__)
            raise error from exc
        self._record(headers)
        return data

    def _record(self, headers: Any) -> None:
        state = rate_limit_state(headers)
        if self.tenant_id and state.minute_remaining is not None:
            self.pacer.record(self.tenant_id, state)

    # --- identity ------------------------------------------------------------------------------
    def connections_list(self) -> list[XeroTenantConnection]:
        return [mappers.connection(c) for c in self._call(self.identity.get_connections) or []]

    def connection_delete(self, connection_id: str) -> None:
        with contextlib.suppress(XeroNotFound):  # already gone: the outcome the caller wanted
            self._call(self.identity.delete_connection, connection_id)

    # --- settings ------------------------------------------------------------------------------
    def organisation_get(self) -> XeroOrganisationData:
        result = self._call(self.accounting.get_organisations, self.tenant_id)
        return mappers.organisation(result.organisations[0])

    def accounts_list(self) -> list[XeroAccountData]:
        result = self._call(self.accounting.get_accounts, self.tenant_id)
        return [mappers.account(a) for a in result.accounts or []]

    def tax_rates_list(self) -> list[XeroTaxRateData]:
        result = self._call(self.accounting.get_tax_rates, self.tenant_id)
        return [mappers.tax_rate(t) for t in result.tax_rates or []]

    def items_list(self) -> list[XeroItemData]:
        result = self._call(self.accounting.get_items, self.tenant_id)
        return [mappers.item(i) for i in result.items or []]

    # --- contacts ------------------------------------------------------------------------------
    def contacts_page(
        self, *, page: int = 1, modified_since: dt.datetime | None = None, page_size: int = CONTACTS_PAGE_SIZE
    ) -> Page[XeroContactData]:
        kwargs: dict[str, Any] = {
            "page": page,
            "page_size": page_size,
            "include_archived": True,
            "order": "UpdatedDateUTC ASC",
        }
        if modified_since is not None:
            kwargs["if_modified_since"] = modified_since
        result = self._call(self.accounting.get_contacts, self.tenant_id, **kwargs)
        pagination = getattr(result, "pagination", None)
        return Page(
            items=[mappers.contact(c) for c in result.contacts or []],
            page=page,
            page_size=page_size,
            page_count=getattr(pagination, "page_count", None) if pagination else None,
        )
