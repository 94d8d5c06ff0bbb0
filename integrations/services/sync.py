"""Mirror the practice's Xero contacts and reference data locally (paged, incremental).

`xero_sync_request` is the one way to start a sync (page, beat, connect flow): it creates the run
and queues the task once the run is committed. The database allows one active run per practice, so
concurrent requests join the run that is under way.
"""

import datetime as dt
import functools
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.bulk import relax_commit_durability
from core.models import Practice
from integrations.matching import contact_match_keys
from integrations.models import XeroConnection, XeroContact, XeroReferenceItem, XeroSyncMark, XeroSyncRun
from integrations.services.columns import fit, fit_all
from integrations.services.registry import SyncStep, sync_steps
from integrations.services.registry import newest as newest_seen
from integrations.xero.client import XeroClient
from integrations.xero.types import XeroContactData

logger = logging.getLogger(__name__)

CONTACT_FIELDS = [
    "name", "first_name", "last_name", "email", "company_number", "tax_number", "account_number",
    "status", "is_customer", "is_supplier", "ar_outstanding", "ar_overdue", "updated_at_xero", "synced_at",
    "address", "normalised_name", "match_company_number", "match_tax_number", "email_domain",
]  # fmt: skip
REFERENCE_FIELDS = ["name", "data", "synced_at"]
STALE_RUN = dt.timedelta(minutes=30)  # an active run with no progress for this long is given up
LOST_RETRY_GRACE = dt.timedelta(minutes=5)  # with a worker, Celery retries; pick up only lost ones
KEEP_RUNS_FOR = dt.timedelta(days=30)
# Accounts, tax rates and items rarely change: background syncs (every 15 minutes) refresh them at
# most this often, which saves three Xero calls a run; Sync now and a first sync always refresh them.
REFERENCE_DATA_MAX_AGE = dt.timedelta(hours=1)
STALE_MESSAGE = "Stopped: no progress for 30 minutes. Sync again to carry on."
QUEUE_DOWN_MESSAGE = "The sync could not be queued (the task queue is not answering). Try again shortly."


def _sync_task():
    # Tasks call services; this one service hands work back to the task, so it imports it late.
    from integrations.tasks import sync_xero

    return sync_xero


def _eager() -> bool:
    return bool(_sync_task().app.conf.task_always_eager)


def _enqueue(run_id: int) -> None:
    """Queue the task for a committed run. A queue that cannot be reached fails the run, not the page."""
    try:
        _sync_task().delay(run_id)
    except Exception:  # the broker is down (or, eagerly, anything the task did not handle)
        logger.exception("Could not run or queue Xero sync run %s", run_id)
        XeroSyncRun.objects.filter(pk=run_id, status__in=XeroSyncRun.ACTIVE).update(
            status=XeroSyncRun.Status.FAILED, finished_at=timezone.now(), retry_at=None,
            message=QUEUE_DOWN_MESSAGE, error=QUEUE_DOWN_MESSAGE,
        )  # fmt: skip


def _active_run(practice: Practice) -> XeroSyncRun | None:
    return XeroSyncRun.objects.filter(practice=practice, status__in=XeroSyncRun.ACTIVE).first()


def _stop_stale_runs(practice: Practice) -> None:
    """A run whose worker died never finishes: give it up so that a new sync can start."""
    now = timezone.now()
    XeroSyncRun.objects.filter(
        practice=practice, status__in=XeroSyncRun.ACTIVE, updated_at__lt=now - STALE_RUN
    ).exclude(status=XeroSyncRun.Status.WAITING, retry_at__gt=now).update(
        status=XeroSyncRun.Status.FAILED, finished_at=now, retry_at=None, message=STALE_MESSAGE,
        error=STALE_MESSAGE,
    )  # fmt: skip


def xero_sync_request(*, practice: Practice, user=None) -> tuple[XeroSyncRun, bool]:
    """Start a sync, or join the one already under way. Returns (run, created).

    The run is created in its own short transaction and the task is queued once it is committed.
    """
    for _attempt in range(3):
        with transaction.atomic():
            _stop_stale_runs(practice)
            active = _active_run(practice)
            if active is None:
                try:
                    with transaction.atomic():
                        run = XeroSyncRun.objects.create(
                            practice=practice, requested_by=user, message="Waiting to start…"
                        )
                except IntegrityError:
                    continue  # a concurrent request created the active run first: join it
                transaction.on_commit(functools.partial(_enqueue, run.pk))
                return run, True
        xero_sync_resume_if_due(run=active)
        return active, False
    raise RuntimeError("Could not start or find the practice's Xero sync run")  # pragma: no cover


def xero_sync_resume_if_due(*, run: XeroSyncRun) -> bool:
    """A waiting run whose retry time has come carries on now.

    With a worker, Celery's own retry does this on time; here we only pick up retries that nothing
    else will run (eager mode, as under `make run`) or that were lost. The status change is a
    compare-and-set, so two pages polling at once resume the run once.
    """
    if run.status != XeroSyncRun.Status.WAITING or run.retry_at is None:
        return False
    if run.retry_at + (dt.timedelta(0) if _eager() else LOST_RETRY_GRACE) > timezone.now():
        return False
    claimed = XeroSyncRun.objects.filter(
        pk=run.pk, status=XeroSyncRun.Status.WAITING, retry_at=run.retry_at
    ).update(
        status=XeroSyncRun.Status.QUEUED, retry_at=None, message="Carrying on…", updated_at=timezone.now()
    )
    if claimed:
        transaction.on_commit(functools.partial(_enqueue, run.pk))
    return bool(claimed)


def contacts_upsert(*, practice: Practice, tenant_id: str, contacts: list[XeroContactData]) -> int:
    now = timezone.now()
    by_id = {c.contact_id: c for c in contacts}  # one row per contact, even if Xero repeats one
    # Out of order (a webhook's fetch, then an older sync page): never overwrite a newer row.
    stored = dict(
        XeroContact.objects.filter(
            practice=practice, tenant_id=tenant_id, contact_id__in=list(by_id), updated_at_xero__isnull=False
        ).values_list("contact_id", "updated_at_xero")
    )
    by_id = {
        key: c
        for key, c in by_id.items()
        if not (c.updated_at and key in stored and c.updated_at < stored[key])
    }
    rows = [
        XeroContact(
            practice=practice,
            tenant_id=tenant_id,
            contact_id=c.contact_id,
            **fit_all(
                XeroContact,
                {
                    "name": c.name,
                    "first_name": c.first_name,
                    "last_name": c.last_name,
                    "email": c.email,
                    "company_number": c.company_number,
                    "tax_number": c.tax_number,
                    "account_number": c.account_number,
                    "status": c.status,
                    "address": c.address,
                    **contact_match_keys(
                        name=c.name, email=c.email, company_number=c.company_number, tax_number=c.tax_number
                    ),
                },
            ),
            is_customer=c.is_customer,
            is_supplier=c.is_supplier,
            ar_outstanding=c.ar_outstanding,
            ar_overdue=c.ar_overdue,
            updated_at_xero=c.updated_at,
            synced_at=now,
        )  # fmt: skip
        for c in by_id.values()
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
    """Upsert the accounts, tax rates and items Xero has now; forget those it no longer has."""
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
    now = timezone.now()
    latest = {
        (kind, fit(XeroReferenceItem, "code", code)): (fit(XeroReferenceItem, "name", name), data)
        for kind, code, name, data in rows
    }
    mine = XeroReferenceItem.objects.filter(practice=connection.practice, tenant_id=connection.tenant_id)
    with transaction.atomic():
        XeroReferenceItem.objects.bulk_create(
            [
                XeroReferenceItem(
                    practice=connection.practice,
                    tenant_id=connection.tenant_id,
                    kind=kind,
                    code=code,
                    name=name,
                    data=data,
                    synced_at=now,
                )  # fmt: skip
                for (kind, code), (name, data) in latest.items()
            ],
            batch_size=500,
            update_conflicts=True,
            unique_fields=["practice", "tenant_id", "kind", "code"],
            update_fields=REFERENCE_FIELDS,
        )
        for kind in Kind.values:  # gone from Xero (deleted there): gone here
            mine.filter(kind=kind).exclude(code__in=[code for k, code in latest if k == kind]).delete()
    return len(latest)


def _reference_data_due(*, run: XeroSyncRun, connection: XeroConnection) -> bool:
    if run.requested_by_id is not None:  # someone clicked Sync now: they expect everything fresh
        return True
    newest = (
        XeroReferenceItem.objects.filter(practice=connection.practice, tenant_id=connection.tenant_id)
        .order_by("-synced_at")
        .values_list("synced_at", flat=True)
        .first()
    )
    return newest is None or timezone.now() - newest >= REFERENCE_DATA_MAX_AGE


def _save_run(run: XeroSyncRun, **changes) -> None:
    for name, value in changes.items():
        setattr(run, name, value)
    run.save(update_fields=[*changes, "updated_at"])


def xero_sync_run(*, run: XeroSyncRun, connection: XeroConnection, client: XeroClient) -> XeroSyncRun:
    """Do (or resume) a sync run: contacts, then each registered step (invoices, credit notes…).

    Xero errors propagate; the task decides whether to retry. The run's (step, next_page,
    newest_seen) is where a retried run carries on, so nothing is fetched twice or lost.
    """
    if run.started_at is None or (not run.step and run.next_page == 1):
        _save_run(run, status=XeroSyncRun.Status.RUNNING, started_at=timezone.now(), retry_at=None,
                  attempts=run.attempts + 1, message="Fetching accounts, tax rates and items…")  # fmt: skip
        if _reference_data_due(run=run, connection=connection):
            reference_data_sync(connection=connection, client=client)
    else:
        _save_run(run, status=XeroSyncRun.Status.RUNNING, retry_at=None, attempts=run.attempts + 1)
    steps = sync_steps()
    kinds = [step.kind for step in steps]
    if not run.step:
        _sync_contacts(run=run, connection=connection, client=client, next_step=kinds[0] if kinds else DONE)
    start = kinds.index(run.step) if run.step in kinds else len(kinds)
    for index in range(start, len(steps)):
        following = kinds[index + 1] if index + 1 < len(kinds) else DONE
        _sync_kind(run=run, connection=connection, client=client, step=steps[index], next_step=following)
    now = timezone.now()
    XeroConnection.objects.filter(pk=connection.pk).update(last_sync_at=now, last_error="")
    _save_run(
        run, status=XeroSyncRun.Status.SUCCEEDED, finished_at=now, message=_summary(run, steps), error=""
    )
    return run


DONE = "done"


def _plural(count: int, label: str) -> str:
    singular = label[:-1] if label.endswith("s") else label
    return f"{count} {singular if count == 1 else label}"


def _summary(run: XeroSyncRun, steps: list[SyncStep]) -> str:
    parts = [(run.contacts_synced, "contacts")] + [(run.counts.get(s.kind, 0), s.label) for s in steps]
    changed = [_plural(count, label) for count, label in parts if count]
    if not changed:
        return "Everything was already up to date"
    listed = changed[0] if len(changed) == 1 else f"{', '.join(changed[:-1])} and {changed[-1]}"
    return f"{listed} updated"


def _sync_contacts(
    *, run: XeroSyncRun, connection: XeroConnection, client: XeroClient, next_step: str
) -> None:
    modified_since = connection.contacts_modified_since
    newest = run.newest_seen or modified_since
    page_number = run.next_page
    _save_run(run, message=f"Fetching contacts, page {page_number}…")
    while True:
        page = client.contacts_page(page=page_number, modified_since=modified_since)
        newest = newest_seen(newest, page.items)
        # If-Modified-Since works to the second, so the newest contact of the last sync comes back
        # again; it is upserted (harmless) but not counted as a change.
        changed = _changed(page.items, modified_since)
        with transaction.atomic():  # the page's contacts and the run's resume point, together
            relax_commit_durability()
            contacts_upsert(practice=run.practice, tenant_id=connection.tenant_id, contacts=page.items)
            _save_run(
                run, next_page=page_number + 1, pages_done=run.pages_done + 1,
                contacts_synced=run.contacts_synced + changed, newest_seen=newest,
                **_next_page_message("contacts", page, page_number),
            )  # fmt: skip
        if page.is_last:
            break
        page_number += 1
    with transaction.atomic():
        XeroConnection.objects.filter(pk=connection.pk).update(contacts_modified_since=newest)
        _save_run(run, step=next_step, next_page=1, newest_seen=None)


def _next_page_message(label: str, page, page_number: int) -> dict:
    """The progress message for the page about to be fetched, saved with the one just written."""
    if page.is_last:
        return {}
    return {"message": fit(XeroSyncRun, "message", f"Fetching {label}, page {page_number + 1}…")}


def _changed(items: list, modified_since: dt.datetime | None) -> int:
    return sum(1 for i in items if not (modified_since and i.updated_at and i.updated_at <= modified_since))


def _sync_kind(
    *, run: XeroSyncRun, connection: XeroConnection, client: XeroClient, step: SyncStep, next_step: str
) -> None:
    """One registered kind: paged, bulk upserts, incremental from its own high-water mark."""
    mark, _ = XeroSyncMark.objects.get_or_create(
        practice=run.practice, tenant_id=connection.tenant_id, kind=step.kind
    )
    modified_since = mark.modified_since
    newest = run.newest_seen or modified_since
    page_number = run.next_page
    _save_run(run, message=fit(XeroSyncRun, "message", f"Fetching {step.label}, page {page_number}…"))
    while True:
        page = step.fetch_page(client, page=page_number, modified_since=modified_since)
        newest = newest_seen(newest, page.items)
        changed = _changed(page.items, modified_since)
        with transaction.atomic():  # the page's rows and the run's resume point, together
            relax_commit_durability()
            step.upsert(practice=run.practice, tenant_id=connection.tenant_id, items=page.items)
            _save_run(
                run, next_page=page_number + 1, pages_done=run.pages_done + 1, newest_seen=newest,
                counts={**run.counts, step.kind: run.counts.get(step.kind, 0) + changed},
                **_next_page_message(step.label, page, page_number),
            )  # fmt: skip
        if page.is_last:
            break
        page_number += 1
    with transaction.atomic():
        if step.finish is not None:
            step.finish(practice=run.practice, tenant_id=connection.tenant_id)
        XeroSyncMark.objects.filter(pk=mark.pk).update(modified_since=newest, synced_at=timezone.now())
        _save_run(run, step=next_step, next_page=1, newest_seen=None)


def xero_sync_fail(*, run: XeroSyncRun, message: str, error: str = "") -> None:
    message = fit(XeroSyncRun, "message", message)
    _save_run(
        run, status=XeroSyncRun.Status.FAILED, finished_at=timezone.now(), retry_at=None, message=message,
        error=error or message,
    )  # fmt: skip


def xero_sync_waiting(
    *, run: XeroSyncRun, reason: str, countdown: float, template: str = "{reason} Will retry at {at}."
) -> dt.datetime:
    """Put the run back to wait `countdown` seconds; the message says when it carries on."""
    retry_at = timezone.now() + dt.timedelta(seconds=countdown)
    local = timezone.localtime(retry_at)
    at = local.strftime("%H:%M") if local.date() == timezone.localdate() else local.strftime("%d %b %H:%M")
    _save_run(
        run, status=XeroSyncRun.Status.WAITING, retry_at=retry_at, retries=run.retries + 1,
        message=fit(XeroSyncRun, "message", template.format(reason=reason, at=at)),
    )  # fmt: skip
    return retry_at


def xero_sync_retry_delay(*, retries: int) -> int:
    """Seconds before retrying after Xero did not answer: doubling from XERO_SYNC_RETRY_DELAY, at most 10 min."""
    return max(1, min(600, settings.XERO_SYNC_RETRY_DELAY * 2**retries))


def xero_sync_runs_prune() -> int:
    """Finished runs older than a month are only noise (beat starts one every 15 minutes)."""
    deleted, _ = XeroSyncRun.objects.filter(finished_at__lt=timezone.now() - KEEP_RUNS_FOR).delete()
    return deleted
