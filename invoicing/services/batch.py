"""Batch billing: raise the invoices for many completed jobs in one go (jobs list → Raise invoices).

Built on the one raise path (`invoicing.services.raising`): each invoice is prepared, stored as an
`InvoiceRaise` attempt and settled (mirror, job links, activity log) exactly as a single Raise is;
only the sending differs — up to 50 stored payloads per PUT /Invoices with summarizeErrors=false,
so one refused invoice fails its own jobs only.

Never twice:
- only completed jobs with a fee and no linked invoice are billed;
- each job is claimed (`BillingClaim`, at most one live claim per job, a database constraint), so a
  second run — started twice, or while the first is still going — skips it;
- each batch's Idempotency-Key is stored with the run before Xero is first asked, and a batch whose
  outcome is unknown (timeout, 5xx, a crash) stays pending: Retry sends the same payloads with the
  same key, so Xero replays its first answer instead of creating the invoices again.

The run is committed before anything is sent; a Celery task works through it, saving progress after
every batch, and it always ends Finished or Failed (with the reason), eager mode included.
"""

import functools
import logging
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Client
from core.models import Practice
from integrations import selectors as xero_selectors
from integrations import services as xero_services
from invoicing.models import BillingClaim, BillingRun, InvoiceRaise
from invoicing.services.job_links import job_invoice_description
from invoicing.services.raising import (
    DRAFT,
    NewInvoice,
    NewInvoiceLine,
    RaiseError,
    attempt_create,
    attempt_failed,
    raise_prepare,
    raise_settle,
)
from jobs.models import Job

logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # invoices per PUT /Invoices (Xero's advice for writes)
MAX_JOBS = 1000  # per run
QUEUE_DOWN = "The work could not be queued (the task queue is not answering). Nothing was sent to Xero."
UNEXPECTED = "Stopped because of an unexpected problem (the details are in Engager's log)."

# Job (item) and batch states
PENDING, RAISED, FAILED, SKIPPED = "pending", "raised", "failed", "skipped"


class BillingError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class PreviewInvoice:
    client: Client
    jobs: list[Job]
    linked: bool

    @property
    def total(self) -> Decimal:
        return sum((job.fee or Decimal("0") for job in self.jobs), Decimal("0"))


@dataclass
class Preview:
    grouping: str
    invoices: list[PreviewInvoice] = field(default_factory=list)
    skipped: list[tuple[Job, str]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((i.total for i in self.invoices if i.linked), Decimal("0"))

    @property
    def job_count(self) -> int:
        return sum(len(i.jobs) for i in self.invoices if i.linked)


def _clean_ids(job_ids) -> set[int]:
    return {int(i) for i in list(job_ids)[: MAX_JOBS * 2] if str(i).isdigit() and len(str(i)) < 12}


def _billable(practice: Practice, job_ids):
    """The chosen jobs that can be billed now: completed, with a fee, no invoice, not being billed."""
    return (
        Job.objects.filter(practice=practice, pk__in=_clean_ids(job_ids), status=Job.Status.COMPLETED)
        .select_related("client")
        .order_by("client__name", "client_id", "deadline", "number")
    )


def _why_not(job: Job, linked_ids: set[int], live_ids: set[int]) -> str:
    if job.pk in linked_ids:
        return "Already invoiced."
    if job.pk in live_ids:
        return "Being invoiced by another billing run."
    if job.fee is None:
        return "No fee set on the job."
    return ""


def billing_preview(*, practice: Practice, job_ids, grouping: str) -> Preview:
    """What Submit would raise: one invoice per client (one line per job) or one per job, with totals.
    A fixed number of queries whatever the number of jobs."""
    grouping = grouping if grouping in BillingRun.Grouping.values else BillingRun.Grouping.PER_CLIENT
    jobs = list(_billable(practice, job_ids)[:MAX_JOBS])
    ids = [job.pk for job in jobs]
    linked_ids = set(Job.objects.filter(pk__in=ids, invoice_links__isnull=False).values_list("pk", flat=True))
    live_ids = set(
        BillingClaim.objects.filter(
            job_id__in=ids, status__in=[BillingClaim.Status.PENDING, BillingClaim.Status.RAISED]
        ).values_list("job_id", flat=True)
    )
    with_contact = set(
        Client.objects.filter(pk__in={job.client_id for job in jobs}, xero_link__isnull=False).values_list(
            "pk", flat=True
        )
    )
    preview = Preview(grouping=grouping)
    groups: dict = {}
    for job in jobs:
        reason = _why_not(job, linked_ids, live_ids)
        if reason:
            preview.skipped.append((job, reason))
            continue
        key = job.client_id if grouping == BillingRun.Grouping.PER_CLIENT else job.pk
        if key not in groups:
            groups[key] = PreviewInvoice(client=job.client, jobs=[], linked=job.client_id in with_contact)
            preview.invoices.append(groups[key])
        groups[key].jobs.append(job)
    return preview


def _new_invoice(jobs: list[Job], *, account_code: str, status: str, today) -> NewInvoice:
    lines = tuple(
        NewInvoiceLine(
            description=f"{job.reference} · {job_invoice_description(job)}"
            if len(jobs) > 1
            else job_invoice_description(job),
            quantity=Decimal("1"),
            unit_amount=job.fee,
            account_code=account_code,
        )
        for job in jobs
    )
    reference = jobs[0].reference if len(jobs) == 1 else ", ".join(j.reference for j in jobs)[:255]
    return NewInvoice(date=today, lines=lines, status=status, reference=reference)


def _task():
    from invoicing.tasks import billing_run_task  # the task calls back into this module

    return billing_run_task


def _enqueue(run_id: int) -> None:
    try:
        _task().delay(run_id)
    except Exception:  # the broker is down (or, eagerly, anything the task did not handle)
        logger.exception("Could not run or queue billing run %s", run_id)
        BillingRun.objects.filter(pk=run_id, status__in=BillingRun.ACTIVE).update(
            status=BillingRun.Status.FAILED, finished_at=timezone.now(), message=QUEUE_DOWN
        )


def billing_start(
    *, practice: Practice, user, job_ids, grouping: str, invoice_status: str = DRAFT, today=None
) -> BillingRun:
    """Claim the billable jobs, store the invoices (attempts) and batches with their keys, then queue
    the run. Jobs already invoiced, or being invoiced, are skipped with the reason."""
    from invoicing.services.job_links import default_account_code

    today = today or timezone.localdate()
    connection = xero_selectors.xero_connection(practice=practice)
    if connection is None or not connection.is_active:
        raise BillingError("Xero is not connected. Connect it in Settings → Integrations first.")
    if invoice_status not in (DRAFT, "AUTHORISED"):
        invoice_status = DRAFT
    preview = billing_preview(practice=practice, job_ids=job_ids, grouping=grouping)
    options = xero_selectors.xero_invoice_options(practice=practice, tenant_id=connection.tenant_id)
    account_code = default_account_code(options.accounts)
    if not account_code:
        raise BillingError("Xero has no revenue account to invoice to. Sync with Xero, then try again.")
    requested_by = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        run = BillingRun.objects.create(
            practice=practice, requested_by=requested_by, grouping=preview.grouping,
            tenant_id=connection.tenant_id, invoice_status=invoice_status,
        )  # fmt: skip
        items = [
            {"job_id": job.pk, "reference": job.reference, "client_id": job.client_id,
             "client_name": job.client.name, "status": SKIPPED, "number": "", "message": reason}
            for job, reason in preview.skipped
        ]  # fmt: skip
        to_send: list[dict] = []
        for group in preview.invoices:
            jobs = [job for job in group.jobs if _claimed(practice, run, job)]
            rows = {
                job.pk: {"job_id": job.pk, "reference": job.reference, "client_id": job.client_id,
                         "client_name": group.client.name, "status": PENDING, "number": "", "message": ""}
                for job in group.jobs
            }  # fmt: skip
            for job in group.jobs:
                if job not in jobs:
                    rows[job.pk] |= {"status": SKIPPED, "message": "Being invoiced by another billing run."}
            if jobs:
                try:
                    data = _new_invoice(jobs, account_code=account_code, status=invoice_status, today=today)
                    _connection, payload = raise_prepare(practice=practice, client=group.client, data=data)
                except RaiseError as exc:
                    _release(run, jobs)
                    for job in jobs:
                        rows[job.pk] |= {"status": FAILED, "message": exc.message}
                else:
                    attempt = attempt_create(
                        practice=practice, client=group.client, job=jobs[0], user=user,
                        tenant_id=connection.tenant_id, form_token=f"billing-{run.pk}-{len(to_send)}",
                        payload=payload,
                    )  # fmt: skip
                    to_send.append({"raise_id": attempt.pk, "job_ids": [job.pk for job in jobs]})
            items.extend(rows.values())
        batches = [
            {"key": str(uuid.uuid4()), "status": PENDING, "invoices": to_send[i : i + BATCH_SIZE]}
            for i in range(0, len(to_send), BATCH_SIZE)
        ]
        done = sum(1 for item in items if item["status"] != PENDING)
        failed = sum(1 for item in items if item["status"] == FAILED)
        BillingRun.objects.filter(pk=run.pk).update(
            items=items, batches=batches, total=len(items), done=done, failed=failed,
            status=BillingRun.Status.QUEUED if batches else BillingRun.Status.SUCCEEDED,
            finished_at=None if batches else timezone.now(),
            message="" if batches else "Nothing to invoice: every chosen job was skipped.",
        )  # fmt: skip
        if batches:
            transaction.on_commit(functools.partial(_enqueue, run.pk))
    run.refresh_from_db()
    return run


def _claimed(practice: Practice, run: BillingRun, job: Job) -> bool:
    try:
        with transaction.atomic():
            BillingClaim.objects.create(practice=practice, run=run, job=job)
    except IntegrityError:  # another run holds this job
        return False
    return True


def _release(run: BillingRun, jobs) -> None:
    BillingClaim.objects.filter(run=run, job__in=jobs, status=BillingClaim.Status.PENDING).update(
        status=BillingClaim.Status.RELEASED
    )


def billing_retry(*, run: BillingRun) -> BillingRun:
    """Try a failed run again: its pending batches go with the same keys (Xero replays)."""
    if not run.can_retry:
        raise BillingError("Only a failed run with invoices still to send can be tried again.")
    with transaction.atomic():
        BillingRun.objects.filter(pk=run.pk, status=BillingRun.Status.FAILED).update(
            status=BillingRun.Status.QUEUED, finished_at=None, message="Trying again…"
        )
        transaction.on_commit(functools.partial(_enqueue, run.pk))
    run.refresh_from_db()
    return run


def billing_fail(*, run_id: int, message: str) -> None:
    BillingRun.objects.filter(pk=run_id, status__in=BillingRun.ACTIVE).update(
        status=BillingRun.Status.FAILED, finished_at=timezone.now(), message=message[:500]
    )


def billing_process(*, run_id: int) -> BillingRun | None:
    """The task's work: send each pending batch, settle each answer, save progress; end Finished, or
    Failed with the reason (pending batches keep their keys for Retry)."""
    claimed = BillingRun.objects.filter(pk=run_id, status=BillingRun.Status.QUEUED).update(
        status=BillingRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = BillingRun.objects.select_related("practice", "requested_by").get(pk=run_id)
    BillingRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1)
    items = {item["job_id"]: item for item in run.items}
    for batch in run.batches:
        if batch["status"] != PENDING:
            continue
        try:
            _send_batch(run, batch, items)
        except xero_services.XeroError as exc:
            _save(run, items)
            billing_fail(run_id=run.pk, message=f"{exc.message} The invoices not yet confirmed can be sent "
                                                "again with Retry: Xero will not create them twice.")  # fmt: skip
            run.refresh_from_db()
            return run
        batch["status"] = RAISED
        _save(run, items)
    BillingRun.objects.filter(pk=run.pk, status=BillingRun.Status.RUNNING).update(
        status=BillingRun.Status.SUCCEEDED, finished_at=timezone.now(), message=""
    )
    run.refresh_from_db()
    return run


def _save(run: BillingRun, items: dict) -> None:
    rows = list(items.values())
    BillingRun.objects.filter(pk=run.pk).update(
        items=rows, batches=run.batches,
        done=sum(1 for r in rows if r["status"] != PENDING),
        succeeded=sum(1 for r in rows if r["status"] == RAISED),
        failed=sum(1 for r in rows if r["status"] == FAILED),
    )  # fmt: skip


def _send_batch(run: BillingRun, batch: dict, items: dict) -> None:
    practice, user = run.practice, run.requested_by
    attempts = (
        InvoiceRaise.objects.filter(pk__in=[i["raise_id"] for i in batch["invoices"]])
        .select_related("client")
        .in_bulk()
    )
    rows = [(entry, attempts[entry["raise_id"]]) for entry in batch["invoices"]]
    InvoiceRaise.objects.filter(pk__in=list(attempts)).update(attempts=1)
    answers = xero_services.xero_invoices_create(
        practice=practice, payloads=[attempt.payload for _e, attempt in rows], idempotency_key=batch["key"]
    )
    jobs = Job.objects.in_bulk([job_id for entry, _a in rows for job_id in entry["job_ids"]])
    for (entry, attempt), (answer, messages) in zip(rows, answers, strict=True):
        entry_jobs = [jobs[job_id] for job_id in entry["job_ids"] if job_id in jobs]
        if answer is not None:
            raise_settle(
                practice=practice, user=user, client=attempt.client, attempt=attempt, answer=answer,
                tenant_id=run.tenant_id, jobs=entry_jobs, fetch_online_url=False,
            )  # fmt: skip
            BillingClaim.objects.filter(run=run, job__in=entry_jobs).update(status=BillingClaim.Status.RAISED)
            for job_id in entry["job_ids"]:
                items[job_id] |= {"status": RAISED, "number": answer.number, "message": ""}
        else:
            attempt_failed(attempt, "\n".join(messages))
            _release(run, entry_jobs)
            xero_services.xero_activity_record(
                practice=practice, user=user, action="invoice_raise", success=False,
                description=f"Xero refused an invoice for {attempt.client.name}: {' '.join(messages)}",
            )  # fmt: skip
            for job_id in entry["job_ids"]:
                items[job_id] |= {"status": FAILED, "message": " ".join(messages)}
