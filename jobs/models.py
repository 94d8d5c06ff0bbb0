from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from core.models import Practice


class Job(models.Model):
    class JobType(models.TextChoices):
        ANNUAL_ACCOUNTS = "annual_accounts", "Annual accounts"
        VAT_RETURN = "vat_return", "VAT return"
        CONFIRMATION_STATEMENT = "confirmation_statement", "Confirmation statement"
        CORPORATION_TAX = "corporation_tax", "Corporation tax"
        SELF_ASSESSMENT = "self_assessment", "Self assessment"
        PAYROLL = "payroll", "Payroll"
        BOOKKEEPING = "bookkeeping", "Bookkeeping"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        AWAITING_CLIENT = "awaiting_client", "Awaiting client"
        COMPLETED = "completed", "Completed"

    OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.AWAITING_CLIENT)

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="jobs")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="jobs")
    number = models.PositiveIntegerField(editable=False)
    job_type = models.CharField("Job type", max_length=30, choices=JobType.choices)
    title = models.CharField(max_length=200, blank=True, help_text="Optional; defaults to the job type")
    period_end = models.DateField(null=True, blank=True)
    deadline = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    fee = models.DecimalField(
        "Fee (£)", max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    notes = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "number"]
        constraints = [models.UniqueConstraint(fields=["practice", "number"], name="unique_job_number")]
        indexes = [
            models.Index(fields=["practice", "deadline", "number"]),  # the jobs list's order
            models.Index(fields=["practice", "status", "deadline"]),
            models.Index(fields=["practice", "assignee", "deadline"]),
            models.Index(fields=["client", "deadline"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.display_title} — {self.client}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"JOB-{self.number:06d}"

    @property
    def display_title(self) -> str:
        # A dict lookup, not get_job_type_display() (which flattens the choices on every call):
        # lists such as the dashboard's deadlines show it on every row.
        return self.title or JOB_TYPE_LABELS.get(self.job_type, self.job_type)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.localdate()


JOB_TYPE_LABELS = dict(Job.JobType.choices)


class JobSequence(models.Model):
    """The last job number a practice handed out; locked while the next one is taken."""

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.practice}: JOB-{self.last_number:06d}"
