from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import Practice


class XeroConnection(models.Model):
    """The practice's one connection to a Xero organisation (tenant)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
        DISCONNECTED = "disconnected", "Disconnected"

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="xero_connection")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    tenant_id = models.CharField(max_length=64)
    tenant_name = models.CharField(max_length=255)
    connection_id = models.CharField(max_length=64, blank=True, help_text="For DELETE /connections/{id}")
    short_code = models.CharField(max_length=20, blank=True)
    country_code = models.CharField(max_length=4, blank=True)
    version = models.CharField(max_length=20, blank=True)
    base_currency = models.CharField(max_length=3, blank=True)
    timezone = models.CharField(max_length=60, blank=True)
    scopes = models.TextField(blank=True)
    # Fernet ciphertexts (integrations.tokens); never decrypted outside the token service.
    access_token_encrypted = models.TextField(blank=True, editable=False)
    refresh_token_encrypted = models.TextField(blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True, help_text="Last successful sync")
    contacts_modified_since = models.DateTimeField(
        null=True, blank=True, help_text="High-water mark: newest UpdatedDateUTC synced"
    )

    def __str__(self) -> str:
        return f"{self.practice} → {self.tenant_name} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def has_tokens(self) -> bool:
        return bool(self.refresh_token_encrypted)


class PendingXeroGrant(models.Model):
    """Tokens from a finished consent, held (encrypted) while the user picks an organisation."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    access_token_encrypted = models.TextField(editable=False)
    refresh_token_encrypted = models.TextField(editable=False)
    expires_at = models.DateTimeField()
    scopes = models.TextField(blank=True)
    tenants = models.JSONField(default=list, help_text="The connections this grant created")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Pending Xero grant for {self.practice} ({len(self.tenants)} organisations)"


class XeroContact(models.Model):
    """Local mirror of a Xero contact, so pages never call Xero."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="xero_contacts")
    tenant_id = models.CharField(max_length=64)
    contact_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=255, blank=True)
    company_number = models.CharField(max_length=50, blank=True)
    tax_number = models.CharField(max_length=50, blank=True)
    account_number = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=20, default="ACTIVE")
    is_customer = models.BooleanField(default=False)
    is_supplier = models.BooleanField(default=False)
    ar_outstanding = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    ar_overdue = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    updated_at_xero = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "tenant_id", "contact_id"], name="unique_xero_contact"
            ),
        ]
        indexes = [models.Index(fields=["practice", "tenant_id", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.status == "ARCHIVED"


class XeroReferenceItem(models.Model):
    """Accounts, tax rates and items, kept for the invoice forms."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", "Account"
        TAX_RATE = "tax_rate", "Tax rate"
        ITEM = "item", "Item"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    tenant_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=64, help_text="AccountCode, TaxType or ItemCode")
    name = models.CharField(max_length=255)
    data = models.JSONField(default=dict)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "tenant_id", "kind", "code"], name="unique_xero_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code} {self.name}"


class XeroSyncRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        WAITING = "waiting", "Waiting to retry"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.WAITING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED)

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="xero_sync_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    next_page = models.PositiveIntegerField(default=1, help_text="Where a retried run resumes")
    newest_seen = models.DateTimeField(null=True, blank=True, help_text="Newest UpdatedDateUTC so far")
    attempts = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0, help_text="Times the run was put back to wait")
    retry_at = models.DateTimeField(null=True, blank=True, help_text="When a waiting run carries on")
    pages_done = models.PositiveIntegerField(default=0)
    contacts_synced = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One sync at a time per practice: concurrent "Sync now" clicks join the same run.
            models.UniqueConstraint(
                fields=["practice"],
                condition=models.Q(status__in=["queued", "running", "waiting"]),
                name="one_active_xero_sync_per_practice",
            ),
        ]

    def __str__(self) -> str:
        return f"Sync {self.pk} for {self.practice}: {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("integrations:xero_sync_status", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class XeroActivity(models.Model):
    """Audit log: every write to Xero and every connection event."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Succeeded"
        FAILURE = "failure", "Failed"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="xero_activity")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=50)
    description = models.CharField(max_length=500)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    xero_id = models.CharField(max_length=64, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "Xero activity"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}: {self.outcome}"
