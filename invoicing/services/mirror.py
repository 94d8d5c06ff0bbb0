"""Upserts into the invoice and credit-note mirror, from sync pages, webhooks and write answers.

Bulk (one INSERT … ON CONFLICT per 500 rows), keyed by (practice, tenant, Xero id). A row older
than the one stored (by Xero's UpdatedDateUTC) never overwrites it, so a webhook's fresh fetch and
an older sync page can arrive in either order. Text comes cleaned from the Xero layer (NUL bytes and
lone surrogates dropped) and is bounded to the columns here; templates escape it on the way out.
"""

import functools
import re
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from core.bulk import bulk_upsert
from core.models import Practice
from integrations.selectors import xero_contact_keys
from invoicing.mirror_version import mirror_changed_now_and_on_commit
from invoicing.models import CreditNote, CreditNoteAllocation, Invoice

COMMON_FIELDS = [
    "number", "reference", "contact", "xero_contact_id", "contact_name", "client", "status", "date",
    "due_date", "currency_code", "line_amount_types", "sub_total", "total_tax", "total", "updated_at_xero",
    "synced_at",
]  # fmt: skip
INVOICE_FIELDS = [*COMMON_FIELDS, "amount_paid", "amount_credited", "amount_due", "fully_paid_on"]
CREDIT_NOTE_FIELDS = [*COMMON_FIELDS, "remaining_credit", "fully_paid_on"]
BATCH = 500
# The Xero layer already drops these; rows built elsewhere (a write's answer, a test) are cleaned too,
# since PostgreSQL refuses NUL and lone surrogates cannot be encoded.
_REFUSED = re.compile("[\x00\ud800-\udfff]")


def _clean(value):
    if not isinstance(value, str) or (value.isascii() and "\x00" not in value):
        return value  # the usual case, checked in C
    return _REFUSED.sub("", value)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def lines_json(lines: Iterable) -> list[dict]:
    return [
        {
            "description": _clean(line.description),
            "quantity": _money(line.quantity),
            "unit_amount": _money(line.unit_amount),
            "item_code": _clean(line.item_code),
            "account_code": _clean(line.account_code),
            "tax_type": _clean(line.tax_type),
            "line_amount": _money(line.line_amount),
            "tax_amount": _money(line.tax_amount),
        }
        for line in lines
    ]


def _newest_per_id(items: Iterable, key: str, type_: str) -> dict:
    latest: dict = {}
    for item in items:
        if item.type and item.type != type_:
            continue  # bills and supplier credits are not mirrored
        ident = getattr(item, key)
        if not ident:
            continue
        held = latest.get(ident)
        if held is None or (
            item.updated_at and (held.updated_at is None or item.updated_at >= held.updated_at)
        ):
            latest[ident] = item
    return latest


def _drop_older(model, *, practice: Practice, tenant_id: str, key: str, latest: dict) -> dict:
    """Leave out what the mirror already holds in a newer version (rows locked until commit)."""
    stored = dict(
        model.objects.select_for_update()
        .filter(practice=practice, tenant_id=tenant_id, **{f"{key}__any_of": list(latest)})
        .values_list(key, "updated_at_xero")
    )
    return {
        ident: item
        for ident, item in latest.items()
        if not (item.updated_at and stored.get(ident) and item.updated_at < stored[ident])
    }


_TEXT_FIELDS = (
    "number",
    "reference",
    "xero_contact_id",
    "contact_name",
    "status",
    "currency_code",
    "line_amount_types",
)


@functools.cache
def _text_limits(model) -> tuple[tuple[str, int], ...]:
    return tuple((name, model._meta.get_field(name).max_length) for name in _TEXT_FIELDS)


def _common(model, item, *, contact_keys: dict, now) -> dict:
    """The columns invoices and credit notes share, cleaned and bounded to their columns."""
    contact_pk, client_pk = contact_keys.get(item.contact_id, (None, None))
    row = {
        name: _clean(getattr(item, _ITEM_ATTRIBUTE.get(name, name)))[:limit]
        for name, limit in _text_limits(model)
    }
    row.update(
        contact_id=contact_pk,
        client_id=client_pk,
        date=item.date,
        due_date=item.due_date,
        sub_total=item.sub_total,
        total_tax=item.total_tax,
        total=item.total,
        updated_at_xero=item.updated_at,
        synced_at=now,
    )
    return row


_ITEM_ATTRIBUTE = {"xero_contact_id": "contact_id"}  # column → attribute of the Xero data


def _write(model, rows: list, *, unique: list[str], fields: list[str]) -> None:
    """Rows that came with their line items update them; rows without (a summary) keep the stored ones."""
    full = [row for row, has_lines in rows if has_lines]
    summary = [row for row, has_lines in rows if not has_lines]
    for chunk, update_fields in ((full, [*fields, "lines"]), (summary, fields)):
        if chunk:
            bulk_upsert(model, chunk, unique_fields=unique, update_fields=update_fields)


def invoices_upsert(*, practice: Practice, tenant_id: str, invoices: Iterable) -> int:
    """Mirror sales invoices (XeroInvoiceData) as Xero gave them. Returns the rows written."""
    latest = _newest_per_id(invoices, "invoice_id", "ACCREC")
    if not latest:
        return 0
    now = timezone.now()
    with transaction.atomic():
        latest = _drop_older(Invoice, practice=practice, tenant_id=tenant_id, key="invoice_id", latest=latest)
        keys = xero_contact_keys(
            practice=practice, tenant_id=tenant_id, contact_ids=[i.contact_id for i in latest.values()]
        )
        rows = [
            (
                {
                    "practice_id": practice.pk,
                    "tenant_id": tenant_id,
                    "invoice_id": item.invoice_id,
                    **_common(Invoice, item, contact_keys=keys, now=now),
                    "amount_paid": item.amount_paid,
                    "amount_credited": item.amount_credited,
                    "amount_due": item.amount_due,
                    "fully_paid_on": item.fully_paid_on,
                    "lines": lines_json(item.lines),
                },
                item.has_lines,
            )
            for item in latest.values()
        ]
        _write(Invoice, rows, unique=["practice", "tenant_id", "invoice_id"], fields=INVOICE_FIELDS)
        allocations_link(practice=practice, tenant_id=tenant_id, invoice_ids=list(latest))
        mirror_changed_now_and_on_commit(practice.pk)
    return len(rows)


def credit_notes_upsert(*, practice: Practice, tenant_id: str, credit_notes: Iterable) -> int:
    """Mirror sales credit notes (XeroCreditNoteData) with their allocations. Returns the rows written."""
    latest = _newest_per_id(credit_notes, "credit_note_id", "ACCRECCREDIT")
    if not latest:
        return 0
    now = timezone.now()
    with transaction.atomic():
        latest = _drop_older(
            CreditNote, practice=practice, tenant_id=tenant_id, key="credit_note_id", latest=latest
        )
        keys = xero_contact_keys(
            practice=practice, tenant_id=tenant_id, contact_ids=[c.contact_id for c in latest.values()]
        )
        rows = [
            (
                {
                    "practice_id": practice.pk,
                    "tenant_id": tenant_id,
                    "credit_note_id": item.credit_note_id,
                    **_common(CreditNote, item, contact_keys=keys, now=now),
                    "remaining_credit": item.remaining_credit,
                    "fully_paid_on": item.fully_paid_on,
                    "lines": lines_json(item.lines),
                },
                item.has_lines,
            )
            for item in latest.values()
        ]
        _write(
            CreditNote, rows, unique=["practice", "tenant_id", "credit_note_id"], fields=CREDIT_NOTE_FIELDS
        )
        full = {ident: item for ident, item in latest.items() if item.has_lines}
        if full:
            _replace_allocations(practice=practice, tenant_id=tenant_id, credit_notes=full)
        mirror_changed_now_and_on_commit(practice.pk)
    return len(rows)


def _replace_allocations(*, practice: Practice, tenant_id: str, credit_notes: dict) -> None:
    pks = dict(
        CreditNote.objects.filter(
            practice=practice, tenant_id=tenant_id, credit_note_id__in=list(credit_notes)
        ).values_list("credit_note_id", "pk")
    )
    wanted = [
        (pks[ident], allocation)
        for ident, item in credit_notes.items()
        for allocation in item.allocations
        if not allocation.is_deleted and allocation.invoice_id and ident in pks
    ]
    invoices = dict(
        Invoice.objects.filter(
            practice=practice, tenant_id=tenant_id, invoice_id__in={a.invoice_id for _, a in wanted}
        ).values_list("invoice_id", "pk")
    )
    CreditNoteAllocation.objects.filter(credit_note_id__in=list(pks.values())).delete()
    CreditNoteAllocation.objects.bulk_create(
        [
            CreditNoteAllocation(
                credit_note_id=credit_note_pk,
                allocation_id=allocation.allocation_id[:64],
                xero_invoice_id=allocation.invoice_id[:64],
                invoice_id=invoices.get(allocation.invoice_id),
                amount=allocation.amount,
                date=allocation.date,
            )
            for credit_note_pk, allocation in wanted
        ],
        batch_size=BATCH,
    )


def allocations_link(*, practice: Practice, tenant_id: str, invoice_ids: list[str] | None = None) -> int:
    """Point allocations mirrored before their invoice at it, now that it is here."""
    waiting = CreditNoteAllocation.objects.filter(
        credit_note__practice=practice, credit_note__tenant_id=tenant_id, invoice__isnull=True
    )
    if invoice_ids is not None:
        if not waiting.exists():  # the usual case (a full sync reads invoices first): skip the id list
            return 0
        waiting = waiting.filter(xero_invoice_id__any_of=invoice_ids)
    return waiting.update(
        invoice=Subquery(
            Invoice.objects.filter(
                practice=practice, tenant_id=tenant_id, invoice_id=OuterRef("xero_invoice_id")
            ).values("pk")[:1]
        )
    )


def mirror_contacts_relink(*, practice: Practice, tenant_id: str) -> int:
    """Rows upserted before their contact was mirrored get the contact (and its client) now."""
    changed = 0
    for model in (Invoice, CreditNote):
        waiting = model.objects.filter(practice=practice, tenant_id=tenant_id, contact__isnull=True).exclude(
            xero_contact_id=""
        )
        ids = set(waiting.values_list("xero_contact_id", flat=True).distinct())
        for contact_id, (contact_pk, client_pk) in xero_contact_keys(
            practice=practice, tenant_id=tenant_id, contact_ids=ids
        ).items():
            changed += waiting.filter(xero_contact_id=contact_id).update(
                contact_id=contact_pk, client_id=client_pk
            )
    if changed:
        mirror_changed_now_and_on_commit(practice.pk)
    return changed


def mirror_client_link_changed(*, practice_id: int, contact_pk: int, client_pk: int | None) -> int:
    """A contact was linked to a client (or unlinked: None): its invoices and credit notes follow."""
    changed = 0
    for model in (Invoice, CreditNote):
        changed += model.objects.filter(practice_id=practice_id, contact_id=contact_pk).update(
            client_id=client_pk
        )
    if changed:  # cached figures per client (debtors, Jobs → Xero totals) follow the link
        mirror_changed_now_and_on_commit(practice_id)
    return changed
