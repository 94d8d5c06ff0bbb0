"""The local mirror of the practice's sales invoices and credit notes in Xero.

Pages read these rows only; Celery (integrations' sync run, with the steps registered in
`invoicing.sync`) and Xero's webhooks keep them fresh. Rows are written by `invoicing.services.mirror`
only, with bulk upserts keyed by Xero's ids, never overwriting a newer `updated_at_xero`.

`client` is derived through the contact link (integrations.XeroContactLink) when a row is upserted,
and kept in step when a link is made or removed (`invoicing.sync` listens to the link's saves and
deletes), so Invoice History is one indexed read on (practice, client, -date).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import BatchRun, Practice

MONEY = {"max_digits": 14, "decimal_places": 2, "default": 0}


class _Mirrored(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    tenant_id = models.CharField(max_length=64)
    number = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=255, blank=True)
    contact = models.ForeignKey(
        "integrations.XeroContact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    xero_contact_id = models.CharField(max_length=64, blank=True)
    contact_name = models.CharField(max_length=255, blank=True)
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20)
    date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    currency_code = models.CharField(max_length=3, blank=True)
    line_amount_types = models.CharField(max_length=20, blank=True)
    sub_total = models.DecimalField(**MONEY)
    total_tax = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    updated_at_xero = models.DateTimeField(null=True, blank=True, help_text="Xero's UpdatedDateUTC")
    # [{description, quantity, unit_amount, account_code, tax_type, line_amount, tax_amount}], strings
    lines = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Invoice(_Mirrored):
    """A sales invoice (ACCREC) in the practice's Xero organisation."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        SUBMITTED = "SUBMITTED", "Awaiting approval"
        AUTHORISED = "AUTHORISED", "Awaiting payment"
        PAID = "PAID", "Paid"
        VOIDED = "VOIDED", "Voided"
        DELETED = "DELETED", "Deleted"

    OPEN = (Status.SUBMITTED, Status.AUTHORISED)

    # No index of its own: every index here starts with the practice (the unique one included), and
    # each index is written for every row of a 100,000-invoice sync.
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="invoices", db_index=False)
    invoice_id = models.CharField(max_length=64, help_text="Xero's InvoiceID")
    contact = models.ForeignKey(
        "integrations.XeroContact", null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    amount_paid = models.DecimalField(**MONEY)
    amount_credited = models.DecimalField(**MONEY)
    amount_due = models.DecimalField(**MONEY)
    fully_paid_on = models.DateField(null=True, blank=True)
    online_invoice_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "tenant_id", "invoice_id"], name="unique_invoice"),
        ]
        indexes = [
            models.Index(fields=["practice", "client", "-date"], name="invoice_client_date"),
            models.Index(fields=["practice", "status", "due_date"], name="invoice_status_due"),
            models.Index(fields=["practice", "tenant_id", "xero_contact_id"], name="invoice_contact"),
            # Jobs → Xero: the default view (outstanding, newest first) and "all statuses".
            models.Index(
                fields=["practice", "tenant_id", "status", "-date"], name="invoice_firm_status_date"
            ),
            models.Index(fields=["practice", "tenant_id", "-date"], name="invoice_firm_date"),
        ]

    def __str__(self) -> str:
        return self.number or self.invoice_id

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in self.OPEN
            and self.amount_due > 0
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


class CreditNote(_Mirrored):
    """A sales credit note (ACCRECCREDIT) in the practice's Xero organisation."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        SUBMITTED = "SUBMITTED", "Awaiting approval"
        AUTHORISED = "AUTHORISED", "Approved"
        PAID = "PAID", "Fully allocated"
        VOIDED = "VOIDED", "Voided"
        DELETED = "DELETED", "Deleted"

    practice = models.ForeignKey(  # indexed as the first column of the indexes below
        Practice, on_delete=models.CASCADE, related_name="credit_notes", db_index=False
    )
    credit_note_id = models.CharField(max_length=64, help_text="Xero's CreditNoteID")
    contact = models.ForeignKey(
        "integrations.XeroContact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credit_notes",
    )
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="credit_notes"
    )
    remaining_credit = models.DecimalField(**MONEY)
    fully_paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "tenant_id", "credit_note_id"], name="unique_credit_note"
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "client", "-date"], name="credit_note_client_date"),
            models.Index(fields=["practice", "tenant_id", "xero_contact_id"], name="credit_note_contact"),
        ]

    def __str__(self) -> str:
        return self.number or self.credit_note_id


class CreditNoteAllocation(models.Model):
    """Part of a credit note applied to an invoice. Replaced whole with each upsert of the credit note."""

    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="allocations")
    allocation_id = models.CharField(max_length=64, blank=True)
    xero_invoice_id = models.CharField(max_length=64, help_text="Xero's InvoiceID")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="credit_allocations"
    )
    amount = models.DecimalField(**MONEY)
    date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["xero_invoice_id"], name="credit_allocation_invoice")]

    def __str__(self) -> str:
        return f"{self.credit_note} → {self.xero_invoice_id}: {self.amount}"


class InvoiceRaise(models.Model):
    """One attempt to raise an invoice in Xero (invoicing.services.raise_invoice).

    Committed, with its Idempotency-Key and the exact payload, *before* Xero is first asked; every
    retry of a pending attempt resends that payload with that key, so Xero creates one invoice
    however often Submit is pressed and whatever happened to Xero's answers. `form_token` is the
    raise form's (or a caller's, e.g. a job's batch) own id for "this invoice": at most one pending
    or succeeded attempt per token, so a double submit joins the first attempt.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # not sent yet, or the outcome is unknown (timeout, 5xx)
        SUCCEEDED = "succeeded", "Raised"
        FAILED = "failed", "Not raised"  # Xero said no (validation, rate limit, auth): nothing created

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tenant_id = models.CharField(max_length=64)
    form_token = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=64, unique=True)
    payload = models.JSONField(help_text="The invoice as sent to Xero (our field names, amounts as strings)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invoice_id = models.CharField(max_length=64, blank=True)
    number = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "form_token"],
                condition=models.Q(status__in=["pending", "succeeded"]),
                name="one_live_invoice_raise_per_token",
            ),
        ]

    def __str__(self) -> str:
        return f"Raise {self.number or self.form_token} ({self.status})"


class JobInvoiceLink(models.Model):
    """Our link between a job and an invoice in the mirror (issue 11). Local only: Xero never sees it,
    and unlinking removes just this row. An invoice can cover several jobs and a job have several
    invoices; who linked it, and when, is kept."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="invoice_links")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="job_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-linked_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["job", "invoice"], name="unique_job_invoice_link")]
        indexes = [models.Index(fields=["practice", "invoice"], name="job_invoice_link_invoice")]

    def __str__(self) -> str:
        return f"{self.job_id} ↔ {self.invoice}"


class BillingRun(BatchRun):
    """Batch billing (jobs list → Raise invoices): many jobs' invoices raised in Xero in one go.

    `items` holds one row per job with its result; `batches` holds each batch of up to 50 invoices
    with the Idempotency-Key stored before Xero is first asked (and, per invoice, the jobs it covers
    and its InvoiceRaise), so a retry sends the same batches with the same keys. `BillingClaim` rows
    stop a job being in two live runs at once.
    """

    class Grouping(models.TextChoices):
        PER_CLIENT = "client", "One invoice per client"
        PER_JOB = "job", "One invoice per job"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="billing_runs")
    grouping = models.CharField(max_length=10, choices=Grouping.choices, default=Grouping.PER_CLIENT)
    invoice_status = models.CharField(max_length=20, default="DRAFT")
    items = models.JSONField(default=list, help_text="One row per job: ids, result, invoice number, message")
    batches = models.JSONField(default=list, help_text="Per batch: Idempotency-Key, status, invoices")

    def __str__(self) -> str:
        return f"Billing run ({self.total}) for {self.practice}: {self.get_status_display()}"


class BillingClaim(models.Model):
    """A job taken by a billing run. At most one live claim per job (a partial unique constraint), so
    two runs — or a double Submit — can never invoice the same job twice; a refused job's claim is
    released so it can be billed again once fixed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RAISED = "raised", "Raised"
        RELEASED = "released", "Released"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="claims")
    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="billing_claims")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job"],
                condition=models.Q(status__in=["pending", "raised"]),
                name="one_live_billing_claim_per_job",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: job {self.job_id} ({self.status})"
