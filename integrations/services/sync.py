"""Mirror the practice's Xero contacts and reference data locally (paged, incremental)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.models import Practice
from integrations.models import XeroConnection, XeroContact, XeroReferenceItem, XeroSyncRun
from integrations.xero.client import XeroClient
from integrations.xero.types import XeroContactData

CONTACT_FIELDS = [
    "name", "first_name", "last_name", "email", "company_number", "tax_number", "account_number",
    "status", "is_customer", "is_supplier", "ar_outstanding", "ar_overdue", "updated_at_xero", "synced_at",
]  # fmt: skip
STALE_RUN = dt.timedelta(minutes=30)
KEEP_RUNS_FOR = dt.timedelta(days=30)


def xero_sync_start(*, practice: Practice, user=None) -> tuple[XeroSyncRun, bool]:
    """Queue a sync unless one is already queued or running. Returns (run, created)."""
    active = (
        XeroSyncRun.objects.filter(
            practice=practice,
            status__in=[XeroSyncRun.Status.QUEUED, XeroSyncRun.Status.RUNNING],
            created_at__gte=timezone.now() - STALE_RUN,
        )
        .order_by("-created_at")
        .first()
    )
    if active:
        return active, False
    run = XeroSyncRun.objects.create(practice=practice, requested_by=user, message="Waiting to start…")
    return run, True


def contacts_upsert(*, practice: Practice, tenant_id: str, contacts: list[XeroContactData]) -> int:
    now = timezone.now()
    rows = [
        XeroContact(
            practice=practice,
            tenant_id=tenant_id,
            contact_id=c.contact_id,
            name=c.name,
            first_name=c.first_name,
            last_name=c.last_name,
            email=c.email,
            company_number=c.company_number,
            tax_number=c.tax_number,
            account_number=c.account_number,
            status=c.status,
            is_customer=c.is_customer,
            is_supplier=c.is_supplier,
            ar_outstanding=c.ar_outstanding,
            ar_overdue=c.ar_overdue,
            updated_at_xero=c.updated_at,
            synced_at=now,
        )  # fmt: skip
        for c in contacts
    ]
    XeroContact.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["practice", "tenant_id", "contact_id"],
        update_fields=CONTACT_FIELDS,
    )
    return len(rows)


def reference_data_sync(*, connection: XeroConnection, client: XeroClient) -> int:
    """Replace the stored accounts, tax rates and items with Xero's current lists."""
    accounts, tax_rates, items = client.accounts_list(), client.tax_rates_list(), client.items_list()
    Kind = XeroReferenceItem.Kind
    rows = (
        [(Kind.ACCOUNT, a.code, a.name, {"type": a.type, "status": a.status, "tax_type": a.tax_type,
                                         "account_id": a.account_id}) for a in accounts if a.code]
        + [(Kind.TAX_RATE, t.tax_type, t.name, {"rate": str(t.rate), "status": t.status,
                                                "revenue": t.can_apply_to_revenue}) for t in tax_rates]
        + [(Kind.ITEM, i.code, i.name, {"description": i.description, "account_code": i.account_code,
                                        "tax_type": i.tax_type, "item_id": i.item_id,
                                        "unit_price": str(i.unit_price) if i.unit_price is not None else None})
           for i in items if i.code]
    )  # fmt: skip
    with transaction.atomic():
        XeroReferenceItem.objects.filter(
            practice=connection.practice, tenant_id=connection.tenant_id
        ).delete()
        XeroReferenceItem.objects.bulk_create(
            XeroReferenceItem(
                practice=connection.practice,
                tenant_id=connection.tenant_id,
                kind=kind,
                code=code,
                name=name,
                data=data,
            )  # fmt: skip
            for kind, code, name, data in rows
        )
    return len(rows)


def _save_run(run: XeroSyncRun, **changes) -> None:
    for name, value in changes.items():
        setattr(run, name, value)
    run.save(update_fields=list(changes))


def xero_sync_run(*, run: XeroSyncRun, connection: XeroConnection, client: XeroClient) -> XeroSyncRun:
    """Do (or resume) a sync run. Xero errors propagate; the task decides whether to retry."""
    if run.started_at is None or run.next_page == 1:
        _save_run(run, status=XeroSyncRun.Status.RUNNING, started_at=timezone.now(),
                  attempts=run.attempts + 1, message="Fetching accounts, tax rates and items…")  # fmt: skip
        reference_data_sync(connection=connection, client=client)
    else:
        _save_run(run, status=XeroSyncRun.Status.RUNNING, attempts=run.attempts + 1)
    modified_since = connection.contacts_modified_since
    newest = run.newest_seen or modified_since
    page_number = run.next_page
    while True:
        _save_run(run, message=f"Fetching contacts, page {page_number}…")
        page = client.contacts_page(page=page_number, modified_since=modified_since)
        contacts_upsert(practice=run.practice, tenant_id=connection.tenant_id, contacts=page.items)
        seen = [c.updated_at for c in page.items if c.updated_at]
        if seen and (newest is None or max(seen) > newest):
            newest = max(seen)
        # If-Modified-Since works to the second, so the newest contact of the last sync comes back
        # again; it is upserted (harmless) but not counted as a change.
        changed = sum(
            1 for c in page.items if not (modified_since and c.updated_at and c.updated_at <= modified_since)
        )
        _save_run(
            run, next_page=page_number + 1, pages_done=run.pages_done + 1,
            contacts_synced=run.contacts_synced + changed, newest_seen=newest,
        )  # fmt: skip
        if page.is_last:
            break
        page_number += 1
    now = timezone.now()
    XeroConnection.objects.filter(pk=connection.pk).update(
        contacts_modified_since=newest, last_sync_at=now, last_error=""
    )
    summary = (
        f"{run.contacts_synced} contact{'s' if run.contacts_synced != 1 else ''} updated"
        if run.contacts_synced
        else "Everything was already up to date"
    )
    _save_run(run, status=XeroSyncRun.Status.SUCCEEDED, finished_at=now, message=summary, error="")
    return run


def xero_sync_fail(*, run: XeroSyncRun, message: str) -> None:
    _save_run(
        run, status=XeroSyncRun.Status.FAILED, finished_at=timezone.now(), message=message, error=message
    )


def xero_sync_waiting(*, run: XeroSyncRun, message: str) -> None:
    _save_run(run, status=XeroSyncRun.Status.QUEUED, message=message)


def xero_sync_runs_prune() -> int:
    """Finished runs older than a month are only noise (beat starts one every 15 minutes)."""
    deleted, _ = XeroSyncRun.objects.filter(finished_at__lt=timezone.now() - KEEP_RUNS_FOR).delete()
    return deleted
