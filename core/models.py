from django.conf import settings
from django.db import models

from core.validators import validate_single_line


class Practice(models.Model):
    """The accountancy firm: the tenant every domain row belongs to."""

    # One line: it heads emails (the deadline digest's subject) and every page.
    name = models.CharField(max_length=200, validators=[validate_single_line])
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        STAFF = "staff", "Staff"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.practice})"

    @property
    def can_manage(self) -> bool:
        """Owners and admins manage integrations, users and billing."""
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


class AddOn(models.Model):
    """A monthly charge on the practice's bill (e.g. the flat Xero integration fee)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="add_ons")
    code = models.SlugField(max_length=50)
    description = models.CharField(max_length=200)
    monthly_price = models.DecimalField(max_digits=8, decimal_places=2)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "code"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_add_on_per_code",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description} (£{self.monthly_price}/month)"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class BatchRun(models.Model):
    """A long run of Xero writes in batches, shown with live progress: the shared shape of bulk
    contact creation (integrations.XeroBulkRun) and batch billing (invoicing.BillingRun).

    Subclasses add `practice`, `items` (one row per subject with its result) and `batches` (each
    batch with the Idempotency-Key stored before Xero is first asked, so a retry resends the same
    keys and Xero never writes twice).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    tenant_id = models.CharField(max_length=64)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED and any(b.get("status") == "pending" for b in self.batches)
