"""Raising a sales invoice in Xero: the one service behind Raise invoice (and, in issue 11, a job's
Raise and batch billing — it takes plain data and an optional job).

(The brief called this module `raise.py`; `raise` is a Python keyword, so it could not be imported.)

Rules:
- The client must be linked to an active contact in the connected organisation.
- The attempt (`InvoiceRaise`: Idempotency-Key and the exact payload) is committed *before* Xero is
  first asked. A pending attempt is always resent as stored, with the same key: Xero replays its
  first answer, so a retry after a timeout or 5xx, or a double submit, never makes a second invoice.
- A caller names "this invoice" with a `form_token` (the raise form's hidden id, or a job's batch
  key). At most one pending or succeeded attempt per token (a partial unique constraint), so two
  requests racing with the same token share one attempt and one key.
- Xero saying no for certain (its validation, a 429, an auth refusal) spends the attempt: nothing
  was created, and the next Submit starts a new attempt with what is typed then.
- Xero is called outside any transaction; the local writes that follow are one short transaction:
  the invoice goes into the mirror from Xero's own answer (number, totals), so Invoice History has
  it at once, and the job(s) it was raised for are linked to it. Every outcome is written to the
  Xero activity log.

One raise path: `raise_prepare` (checks and the payload), `attempt_create` (the stored attempt) and
`raise_settle` (mirror, attempt, job links, activity log) are shared by the single raise below and
by batch billing (`invoicing.services.batch`), which only differs in sending up to 50 stored
payloads in one call.
"""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from clients.models import Client
from core.models import Practice
from integrations import selectors as xero_selectors
from integrations import services as xero_services
from invoicing.mirror_version import mirror_changed_now_and_on_commit
from invoicing.models import Invoice, InvoiceRaise, JobInvoiceLink
from invoicing.services.mirror import invoices_upsert

logger = logging.getLogger(__name__)

DRAFT, APPROVED = "DRAFT", "AUTHORISED"


class RaiseError(Exception):
    """The invoice cannot be raised for a reason of ours; `message` says what to do."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class InvoiceRefused(RaiseError):
    """Xero refused the invoice; `messages` are Xero's own words. Nothing was created."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("Xero did not create the invoice: " + " ".join(self.messages))


@dataclass(frozen=True)
class NewInvoiceLine:
    description: str
    quantity: Decimal
    unit_amount: Decimal
    account_code: str = ""
    tax_type: str = ""
    item_code: str = ""


@dataclass(frozen=True)
class NewInvoice:
    """What to raise, in plain data. A blank due date lets Xero apply the payment terms (the
    contact's, else the organisation's)."""

    date: dt.date
    lines: tuple[NewInvoiceLine, ...]
    line_amount_types: str = "Exclusive"
    status: str = DRAFT
    due_date: dt.date | None = None
    reference: str = ""


@dataclass
class RaiseResult:
    attempt: InvoiceRaise
    invoice: Invoice | None = None
    already_raised: bool = False  # this token's invoice had been raised before (a double submit)
    sent_as_first_submitted: bool = False  # a pending attempt was resent as stored, not as typed now
    notes: list[str] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.attempt.number


def _money(value: Decimal) -> str:
    return format(value, "f")


def invoice_payload(*, invoice: NewInvoice, contact_id: str, currency_code: str, client: Client) -> dict:
    """The invoice in our words, with amounts as strings: stored before the first attempt and turned
    into the same request on every retry."""
    return {
        "contact_id": contact_id,
        "date": invoice.date.isoformat(),
        "due_date": invoice.due_date.isoformat() if invoice.due_date else "",
        "reference": invoice.reference,
        "line_amount_types": invoice.line_amount_types,
        "status": invoice.status,
        "currency_code": currency_code,
        "url": f"{settings.SITE_URL.rstrip('/')}{client.get_absolute_url()}",
        "lines": [
            {
                "description": line.description,
                "quantity": _money(line.quantity),
                "unit_amount": _money(line.unit_amount),
                "account_code": line.account_code,
                "tax_type": line.tax_type,
                "item_code": line.item_code,
            }
            for line in invoice.lines
        ],
    }


def _checked_contact(*, practice: Practice, client: Client):
    """(connection, contact) for a client that can be invoiced, else RaiseError saying why not."""
    if client.practice_id != practice.pk:
        raise RaiseError("That client belongs to another practice.")
    panel = xero_selectors.xero_client_panel(practice=practice, client=client)
    if not panel.connected:
        raise RaiseError("Xero is not connected. Connect it in Settings → Integrations first.")
    if not panel.connection.is_active:
        raise RaiseError("Xero needs you to reconnect (Settings → Integrations). Nothing was sent.")
    if panel.contact is None:
        raise RaiseError(f"{client.name} is not linked to a Xero contact. Link with Xero first.")
    if panel.warning:
        raise RaiseError(panel.warning)
    return panel.connection, panel.contact


def _attempt(
    *, practice: Practice, client: Client, job, user, tenant_id: str, form_token: str, payload: dict
) -> InvoiceRaise:
    """The token's live attempt (pending or succeeded), or a new one committed before Xero is asked."""
    for _try in range(3):
        live = (
            InvoiceRaise.objects.filter(practice=practice, form_token=form_token)
            .exclude(status=InvoiceRaise.Status.FAILED)
            .first()
        )
        if live is not None and live.client_id != client.pk:
            raise RaiseError("This form was for another client. Open Raise invoice again.")
        if live is not None and live.status == InvoiceRaise.Status.PENDING and live.tenant_id != tenant_id:
            # Sent to an organisation this practice is no longer connected to: settle it as not ours.
            InvoiceRaise.objects.filter(pk=live.pk).update(
                status=InvoiceRaise.Status.FAILED, error="The practice's Xero organisation changed."
            )
            continue
        if live is not None:
            return live
        try:
            with transaction.atomic():
                return attempt_create(
                    practice=practice, client=client, job=job, user=user, tenant_id=tenant_id,
                    form_token=form_token, payload=payload,
                )  # fmt: skip
        except IntegrityError:
            continue  # the same token's other request created it a moment ago: join that one
    raise RaiseError("Submit again: another Submit of this invoice was being handled.")  # pragma: no cover


def attempt_create(
    *, practice: Practice, client: Client, job, user, tenant_id: str, form_token: str, payload: dict
) -> InvoiceRaise:
    """A new attempt, committed before Xero is asked (batch billing: its token is unique per run)."""
    return InvoiceRaise.objects.create(
        practice=practice,
        client=client,
        job=job,
        tenant_id=tenant_id,
        form_token=form_token,
        idempotency_key=str(uuid.uuid4()),
        payload=payload,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def raise_prepare(*, practice: Practice, client: Client, data: NewInvoice):
    """(connection, payload) for raising `data` for `client`, else RaiseError saying why not."""
    connection, contact = _checked_contact(practice=practice, client=client)
    payload = invoice_payload(
        invoice=data, contact_id=contact.contact_id, currency_code=connection.base_currency, client=client
    )
    return connection, payload


def jobs_link(*, practice: Practice, invoice: Invoice, jobs, user) -> int:
    """Link the invoice to each job (idempotent: an existing link is kept). Inside the caller's
    transaction; returns how many links were new."""
    linked_by = user if getattr(user, "is_authenticated", False) else None
    rows = [JobInvoiceLink(practice=practice, job=job, invoice=invoice, linked_by=linked_by) for job in jobs]
    if not rows:
        return 0
    existing = set(
        JobInvoiceLink.objects.filter(invoice=invoice, job__in=[r.job for r in rows]).values_list(
            "job_id", flat=True
        )
    )
    new = [r for r in rows if r.job.pk not in existing]
    JobInvoiceLink.objects.bulk_create(new, ignore_conflicts=True)
    if new:  # Jobs → Xero's cached totals filter on "linked to a job"
        mirror_changed_now_and_on_commit(practice.pk)
    return len(new)


def raise_settle(
    *,
    practice: Practice,
    user,
    client: Client,
    attempt: InvoiceRaise,
    answer,
    tenant_id: str,
    jobs=(),
    fetch_online_url: bool = True,
) -> bool:
    """Xero created the invoice: mirror it from Xero's answer, mark the attempt raised, link the
    jobs, log it. Returns False when another request had settled this attempt already.

    `fetch_online_url` asks Xero for the approved invoice's online link (one call): right for a
    single raise, not for a batch, where it would be one call per invoice."""
    online_url = ""
    if fetch_online_url and answer.status == APPROVED:
        online_url = xero_services.xero_online_invoice_url(practice=practice, invoice_id=answer.invoice_id)
    with transaction.atomic():
        invoices_upsert(practice=practice, tenant_id=tenant_id, invoices=[answer])
        if online_url:
            Invoice.objects.filter(
                practice=practice, tenant_id=tenant_id, invoice_id=answer.invoice_id
            ).update(online_invoice_url=online_url[:500])
        first = InvoiceRaise.objects.filter(pk=attempt.pk, status=InvoiceRaise.Status.PENDING).update(
            status=InvoiceRaise.Status.SUCCEEDED, invoice_id=answer.invoice_id, number=answer.number, error=""
        )
        mirrored = Invoice.objects.filter(
            practice=practice, tenant_id=tenant_id, invoice_id=answer.invoice_id
        ).first()
        if mirrored is not None and jobs:
            jobs_link(practice=practice, invoice=mirrored, jobs=jobs, user=user)
    if first:  # a racing request that got the same replayed answer does not log it twice
        _record(practice, user, client, success=True, xero_id=answer.invoice_id,
                description=f"Raised invoice {answer.number} for {client.name} "
                            f"({answer.currency_code} {answer.total}, {answer.status.lower()})")  # fmt: skip
    return bool(first)


def _record(practice, user, client, *, success: bool, description: str, xero_id="", detail="") -> None:
    xero_services.xero_activity_record(
        practice=practice, user=user, action="invoice_raise", success=success,
        description=description, xero_id=xero_id, detail=detail,
    )  # fmt: skip


def _mirrored(practice: Practice, attempt: InvoiceRaise) -> Invoice | None:
    return (
        Invoice.objects.filter(practice=practice, tenant_id=attempt.tenant_id, invoice_id=attempt.invoice_id)
        .select_related("contact")
        .first()
    )


def xero_invoice_raise(
    *,
    practice: Practice,
    client: Client,
    user,
    data: NewInvoice,
    form_token: str,
    job=None,
) -> RaiseResult:
    """Raise `data` for `client` in Xero, once per `form_token`.

    Raises RaiseError (ours: not linked, not connected), InvoiceRefused (Xero's validation messages;
    nothing created) or the services' XeroError when Xero could not be reached or was busy — the
    typed data is the caller's to keep, and submitting again is always safe.
    """
    if not form_token or len(form_token) > 64:
        raise RaiseError("This form has expired. Open Raise invoice again.")
    if job is not None and (job.practice_id != practice.pk or job.client_id != client.pk):
        raise RaiseError("That job is not this client's.")
    connection, payload = raise_prepare(practice=practice, client=client, data=data)
    jobs = [job] if job is not None else []
    attempt = _attempt(
        practice=practice, client=client, job=job, user=user, tenant_id=connection.tenant_id,
        form_token=form_token, payload=payload,
    )  # fmt: skip
    if attempt.status == InvoiceRaise.Status.SUCCEEDED:
        invoice = _mirrored(practice, attempt)
        if invoice is not None and jobs:
            jobs_link(practice=practice, invoice=invoice, jobs=jobs, user=user)
        return RaiseResult(attempt=attempt, invoice=invoice, already_raised=True)
    resent = attempt.payload != payload  # a pending attempt goes again exactly as first sent
    InvoiceRaise.objects.filter(pk=attempt.pk).update(attempts=attempt.attempts + 1)
    try:
        answer = xero_services.xero_invoice_create(
            practice=practice, payload=attempt.payload, idempotency_key=attempt.idempotency_key
        )
    except xero_services.XeroValidationError as exc:  # refused as a whole: nothing was created
        attempt_failed(attempt, "\n".join(exc.messages))
        _record(practice, user, client, success=False,
                description=f"Xero refused an invoice for {client.name}: {' '.join(exc.messages)}")  # fmt: skip
        raise InvoiceRefused(exc.messages) from None
    except (xero_services.XeroRateLimited, xero_services.XeroAuthError) as exc:  # refused before any work
        attempt_failed(attempt, exc.message)
        _record(practice, user, client, success=False,
                description=f"Raising an invoice for {client.name} was refused: {exc.message}")  # fmt: skip
        raise
    except xero_services.XeroError as exc:  # down, slow, lost answer: unknown outcome, same key next time
        InvoiceRaise.objects.filter(pk=attempt.pk).update(error=exc.message)
        _record(practice, user, client, success=False,
                description=f"Raising an invoice for {client.name} did not finish: {exc.message}",
                detail=f"Idempotency-Key {attempt.idempotency_key}; the next Submit reuses it.")  # fmt: skip
        raise
    first = raise_settle(
        practice=practice, user=user, client=client, attempt=attempt, answer=answer,
        tenant_id=connection.tenant_id, jobs=jobs,
    )  # fmt: skip
    attempt.refresh_from_db()
    return RaiseResult(
        attempt=attempt,
        invoice=_mirrored(practice, attempt),
        already_raised=not first,
        sent_as_first_submitted=resent,
    )


def attempt_failed(attempt: InvoiceRaise, error: str) -> None:
    InvoiceRaise.objects.filter(pk=attempt.pk, status=InvoiceRaise.Status.PENDING).update(
        status=InvoiceRaise.Status.FAILED, error=error
    )
