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
from xero_python.accounting import AccountingApi, Contacts, Invoices
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

from integrations.xero import mappers, wire
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
    XeroContactWriteResult,
    XeroCreditNoteData,
    XeroInvoiceData,
    XeroItemData,
    XeroNewContact,
    XeroNewInvoice,
    XeroOrganisationData,
    XeroTaxRateData,
    XeroTenantConnection,
)

logger = logging.getLogger(__name__)

CONTACTS_PAGE_SIZE = 1000
CONTACTS_SEARCH_PAGE_SIZE = 100  # one page of search results is plenty for a person to pick from
CONTACTS_BATCH_SIZE = 50  # Xero's advice for writes
INVOICES_BATCH_SIZE = 50  # Xero's advice for writes
INVOICES_PAGE_SIZE = 1000  # invoices and credit notes, with line items


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
        """One SDK operation, answered with the SDK's model objects."""
        return self._send(method, args, kwargs, raw=False)

    def _call_json(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """The same request as _call (the SDK builds it, authenticates and reports errors), answered
        as parsed JSON for `wire` to map: the SDK's models are too slow for pages of 1,000 invoices."""
        body = self._send(method, args, kwargs, raw=True)
        try:
            return json.loads(body, parse_float=Decimal)  # amounts exactly as Xero sent them
        except ValueError as exc:
            raise XeroError("Xero's answer could not be read.") from exc

    def _send(self, method: Callable[..., Any], args: tuple, kwargs: dict, *, raw: bool) -> Any:
        if self.tenant_id:
            self.pacer.check(self.tenant_id, interactive=self.interactive)
        kwargs.setdefault("_request_timeout", (self.config.connect_timeout, self.config.timeout))
        if raw:
            kwargs["_preload_content"] = False
        try:
            data, _status, headers = method(*args, _return_http_data_only=False, **kwargs)
            if raw:  # read the body inside the try: a connection lost mid-answer is Xero unavailable
                response = data
                try:
                    data = response.data
                finally:
                    response.release_conn()
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

    def contacts_search(self, term: str, *, include_archived: bool = False) -> list[XeroContactData]:
        """Contacts whose name, first/last name, contact number or email contain `term` (one page)."""
        result = self._call(
            self.accounting.get_contacts,
            self.tenant_id,
            search_term=term,
            include_archived=include_archived,
            page=1,
            page_size=CONTACTS_SEARCH_PAGE_SIZE,
        )
        return [mappers.contact(c) for c in result.contacts or []]

    def contact_get(self, contact_id: str) -> XeroContactData:
        """One contact by id; XeroNotFound if Xero has no such contact."""
        result = self._call(self.accounting.get_contact, self.tenant_id, contact_id)
        if not result.contacts:
            raise XeroNotFound()
        return mappers.contact(result.contacts[0])

    def contacts_create(
        self, contacts: list[XeroNewContact], *, idempotency_key: str, summarize_errors: bool = False
    ) -> list[XeroContactWriteResult]:
        """PUT /Contacts: up to CONTACTS_BATCH_SIZE contacts, one result per contact, in order.

        With summarize_errors=False (the default) Xero answers 200 and marks each invalid contact;
        with True, any invalid contact fails the whole batch (XeroValidationError)."""
        if not 0 < len(contacts) <= CONTACTS_BATCH_SIZE:
            raise ValueError(f"Create 1 to {CONTACTS_BATCH_SIZE} contacts at a time.")
        result = self._call(
            self.accounting.create_contacts,
            self.tenant_id,
            Contacts(contacts=[mappers.new_contact(c) for c in contacts]),
            summarize_errors=summarize_errors,
            idempotency_key=idempotency_key,
        )
        return [mappers.contact_write_result(c) for c in result.contacts or []]

    def contact_update(
        self, contact_id: str, fields: XeroNewContact, *, idempotency_key: str
    ) -> XeroContactData:
        """POST /Contacts/{id} with the fields that have a value; Xero's messages as XeroValidationError."""
        result = self._call(
            self.accounting.update_contact,
            self.tenant_id,
            contact_id,
            Contacts(contacts=[mappers.new_contact(fields, contact_id=contact_id)]),
            idempotency_key=idempotency_key,
        )
        row = mappers.contact_write_result((result.contacts or [None])[0]) if result.contacts else None
        if row is None:
            raise XeroNotFound()
        if not row.ok:
            raise XeroValidationError(list(row.messages))
        return row.contact

    # --- invoices (raising) ----------------------------------------------------------------------
    def invoice_create(self, invoice: XeroNewInvoice, *, idempotency_key: str) -> XeroInvoiceData:
        """PUT /Invoices with one sales invoice; Xero's answer (numbered, totalled) as plain data.

        summarizeErrors=true: Xero refuses the request as a whole (400) with its own messages, which
        come out as XeroValidationError. The same key with the same body replays Xero's first answer."""
        result = self._call(
            self.accounting.create_invoices,
            self.tenant_id,
            Invoices(invoices=[mappers.new_invoice(invoice)]),
            summarize_errors=True,
            idempotency_key=idempotency_key,
        )
        rows = result.invoices or []
        if not rows:
            raise XeroError("Xero did not return the new invoice.")
        messages = [text for error in (rows[0].validation_errors or []) if (text := error.message)]
        if messages:
            raise XeroValidationError(messages)
        return mappers.invoice(rows[0])

    def invoices_create(
        self, invoices: list[XeroNewInvoice], *, idempotency_key: str
    ) -> list[tuple[XeroInvoiceData | None, tuple[str, ...]]]:
        """PUT /Invoices with up to INVOICES_BATCH_SIZE sales invoices and summarizeErrors=false: one
        (invoice, ()) or (None, Xero's messages) per invoice, in order (batch billing)."""
        if not 0 < len(invoices) <= INVOICES_BATCH_SIZE:
            raise ValueError(f"Create 1 to {INVOICES_BATCH_SIZE} invoices at a time.")
        result = self._call(
            self.accounting.create_invoices,
            self.tenant_id,
            Invoices(invoices=[mappers.new_invoice(i) for i in invoices]),
            summarize_errors=False,
            idempotency_key=idempotency_key,
        )
        rows = result.invoices or []
        if len(rows) != len(invoices):
            raise XeroError("Xero did not return one answer per invoice.")
        answers: list[tuple[XeroInvoiceData | None, tuple[str, ...]]] = []
        for row in rows:
            messages = tuple(text for error in (row.validation_errors or []) if (text := error.message))
            if messages or getattr(row, "has_errors", False):
                answers.append((None, messages or ("Xero rejected this invoice.",)))
            else:
                answers.append((mappers.invoice(row), ()))
        return answers

    def online_invoice_url(self, invoice_id: str) -> str:
        """GET /Invoices/{id}/OnlineInvoice: the customer's link to an approved invoice ("" if none)."""
        result = self._call(self.accounting.get_online_invoice, self.tenant_id, invoice_id)
        rows = getattr(result, "online_invoices", None) or []
        return mappers.text(rows[0].online_invoice_url) if rows else ""

    # --- invoices and credit notes (sales only) ------------------------------------------------
    def invoices_page(
        self,
        *,
        page: int = 1,
        modified_since: dt.datetime | None = None,
        page_size: int = INVOICES_PAGE_SIZE,
        statuses: list[str] | None = None,
    ) -> Page[XeroInvoiceData]:
        """One page of sales invoices (ACCREC), oldest change first, with their line items."""
        kwargs: dict[str, Any] = {
            "page": page,
            "page_size": page_size,
            "where": 'Type=="ACCREC"',
            "order": "UpdatedDateUTC ASC",
        }
        if statuses:
            kwargs["statuses"] = list(statuses)
        if modified_since is not None:
            kwargs["if_modified_since"] = modified_since
        body = self._call_json(self.accounting.get_invoices, self.tenant_id, **kwargs)
        return Page(
            items=[wire.invoice(i) for i in wire.records(body, "Invoices")],
            page=page,
            page_size=page_size,
            page_count=wire.page_count(body),
        )

    def invoice_get(self, invoice_id: str) -> XeroInvoiceData:
        """One invoice by id, with its line items; XeroNotFound if Xero has no such invoice."""
        result = self._call(self.accounting.get_invoice, self.tenant_id, invoice_id)
        if not result.invoices:
            raise XeroNotFound()
        return mappers.invoice(result.invoices[0])

    def credit_notes_page(
        self, *, page: int = 1, modified_since: dt.datetime | None = None, page_size: int = INVOICES_PAGE_SIZE
    ) -> Page[XeroCreditNoteData]:
        """One page of sales credit notes (ACCRECCREDIT), oldest change first, with allocations."""
        kwargs: dict[str, Any] = {
            "page": page,
            "page_size": page_size,
            "where": 'Type=="ACCRECCREDIT"',
            "order": "UpdatedDateUTC ASC",
        }
        if modified_since is not None:
            kwargs["if_modified_since"] = modified_since
        body = self._call_json(self.accounting.get_credit_notes, self.tenant_id, **kwargs)
        return Page(
            items=[wire.credit_note(c) for c in wire.records(body, "CreditNotes")],
            page=page,
            page_size=page_size,
            page_count=wire.page_count(body),
        )

    def credit_note_get(self, credit_note_id: str) -> XeroCreditNoteData:
        """One credit note by id; XeroNotFound if Xero has no such credit note."""
        result = self._call(self.accounting.get_credit_note, self.tenant_id, credit_note_id)
        if not result.credit_notes:
            raise XeroNotFound()
        return mappers.credit_note(result.credit_notes[0])
