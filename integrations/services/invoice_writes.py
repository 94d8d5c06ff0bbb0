"""Writing sales invoices to Xero for other apps (invoicing's Raise invoice, issue 11's jobs).

Plain data in (the payload in our words, as the caller stored it before the first attempt) and out
(`XeroInvoiceData`); Xero's typed errors propagate for the caller to decide what they mean. The
payload is turned into exactly the same request every time, so that the same Idempotency-Key with
the same body makes Xero replay its first answer instead of creating a second invoice.
"""

import contextlib
import datetime as dt
from decimal import Decimal

from core.models import Practice
from integrations.models import XeroConnection
from integrations.services.health import with_xero
from integrations.xero.errors import XeroAuthError, XeroError
from integrations.xero.types import XeroInvoiceData, XeroNewInvoice, XeroNewInvoiceLine

NOT_CONNECTED = "Xero is not connected. Connect it in Settings → Integrations first."


def _active_connection(practice: Practice) -> XeroConnection:
    connection = XeroConnection.objects.filter(practice=practice).first()
    if connection is None or connection.status == XeroConnection.Status.DISCONNECTED:
        raise XeroAuthError(NOT_CONNECTED)
    if not connection.is_active:
        raise XeroAuthError()  # needs reconnecting: "Xero needs you to reconnect."
    return connection


def new_invoice_from_payload(payload: dict) -> XeroNewInvoice:
    """The stored payload ({"contact_id", "date": "YYYY-MM-DD", "lines": [...], ...}) → the request."""
    return XeroNewInvoice(
        contact_id=payload["contact_id"],
        lines=tuple(
            XeroNewInvoiceLine(
                description=line["description"],
                quantity=Decimal(line["quantity"]),
                unit_amount=Decimal(line["unit_amount"]),
                account_code=line.get("account_code", ""),
                tax_type=line.get("tax_type", ""),
                item_code=line.get("item_code", ""),
            )
            for line in payload["lines"]
        ),
        line_amount_types=payload["line_amount_types"],
        status=payload["status"],
        date=dt.date.fromisoformat(payload["date"]),
        due_date=dt.date.fromisoformat(payload["due_date"]) if payload.get("due_date") else None,
        reference=payload.get("reference", ""),
        currency_code=payload.get("currency_code", ""),
        url=payload.get("url", ""),
    )


def xero_invoice_create(*, practice: Practice, payload: dict, idempotency_key: str) -> XeroInvoiceData:
    """PUT /Invoices once (plus a token refresh if Xero asks for one). Outside any transaction."""
    connection = _active_connection(practice)
    invoice = new_invoice_from_payload(payload)
    return with_xero(
        connection=connection,
        operation=lambda xero: xero.invoice_create(invoice, idempotency_key=idempotency_key),
    )


def xero_invoices_create(
    *, practice: Practice, payloads: list[dict], idempotency_key: str
) -> list[tuple[XeroInvoiceData | None, tuple[str, ...]]]:
    """PUT /Invoices with up to 50 stored payloads (summarizeErrors=false), outside any transaction:
    per invoice, Xero's answer or its messages. The same key with the same payloads replays."""
    connection = _active_connection(practice)
    invoices = [new_invoice_from_payload(payload) for payload in payloads]
    return with_xero(
        connection=connection,
        operation=lambda xero: xero.invoices_create(invoices, idempotency_key=idempotency_key),
    )


def xero_online_invoice_url(*, practice: Practice, invoice_id: str) -> str:
    """The customer's online link to an approved invoice, or "" if Xero cannot say just now."""
    with contextlib.suppress(XeroError):
        connection = _active_connection(practice)
        return with_xero(connection=connection, operation=lambda xero: xero.online_invoice_url(invoice_id))
    return ""
