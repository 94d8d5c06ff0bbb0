from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import BatchRun, Practice


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
    # The STREET address (else POBOX) as lines: AddressLine1–4, City, Region, PostalCode, Country.
    address = models.TextField(blank=True)
    # Matching keys (integrations.matching), written with every upsert so suggestions are indexed reads.
    normalised_name = models.CharField(max_length=255, blank=True)
    match_company_number = models.CharField(max_length=50, blank=True)
    match_tax_number = models.CharField(max_length=50, blank=True)
    email_domain = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "tenant_id", "contact_id"], name="unique_xero_contact"
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "tenant_id", "name"]),
            models.Index(fields=["practice", "tenant_id", "normalised_name"], name="xero_contact_norm_name"),
            models.Index(
                fields=["practice", "tenant_id", "match_company_number"], name="xero_contact_company_no"
            ),
            models.Index(fields=["practice", "tenant_id", "match_tax_number"], name="xero_contact_tax_no"),
            models.Index(fields=["practice", "tenant_id", "email"], name="xero_contact_email"),
            models.Index(fields=["practice", "tenant_id", "email_domain"], name="xero_contact_email_domain"),
        ]

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
    # Which kind the run is on ("" = contacts, then each registered step, e.g. "invoices"); next_page
    # and newest_seen are that kind's resume point. `counts` holds the changes per kind after contacts.
    step = models.CharField(max_length=30, blank=True, default="")
    counts = models.JSONField(default=dict, blank=True, help_text="Changes synced per kind")
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


class XeroContactLink(models.Model):
    """A client company linked to its contact in the practice's Xero organisation.

    A client links to at most one contact and a contact to at most one client (database
    constraints; services turn a clash into `LinkConflict`). Unlinking deletes this row only:
    nothing in Xero changes. The contact is RESTRICTed: a mirrored contact that is linked cannot be
    deleted on its own (a link would vanish silently), yet deleting the practice removes both.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="xero_contact_links")
    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="xero_link")
    contact = models.OneToOneField(XeroContact, on_delete=models.RESTRICT, related_name="client_link")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    created_in_xero = models.BooleanField(default=False, help_text="Engager created the contact in Xero")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "client"], name="one_xero_contact_per_client"),
            models.UniqueConstraint(fields=["practice", "contact"], name="one_client_per_xero_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.client} ↔ {self.contact}"


class XeroContactCreation(models.Model):
    """A "create in Xero" for a client, stored with its Idempotency-Key before Xero is first asked.

    Every retry (Xero down, the answer lost, a double click) sends the same payload with the same
    key, so Xero creates the contact at most once. One pending creation per client.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for Xero"
        SUCCEEDED = "succeeded", "Created"
        FAILED = "failed", "Refused by Xero"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    tenant_id = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=64, unique=True)
    payload = models.JSONField(help_text="The contact as sent to Xero (our field names)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    contact_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=models.Q(status="pending"), name="one_pending_xero_creation"
            ),
        ]

    def __str__(self) -> str:
        return f"Create {self.payload.get('name', '')} in Xero: {self.get_status_display()}"


class XeroBulkRun(BatchRun):
    """Bulk review (Clients → Match clients to Xero): link many clients, or create many contacts.

    `items` holds one row per client with its result; `batches` (create only) holds each batch of
    up to 50 clients with the Idempotency-Key stored before Xero is first asked, so a retry of the
    run sends the same batches with the same keys and Xero never creates a contact twice.
    """

    class Action(models.TextChoices):
        LINK = "link", "Link selected"
        CREATE = "create", "Create in Xero"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="xero_bulk_runs")
    action = models.CharField(max_length=10, choices=Action.choices)
    items = models.JSONField(default=list, help_text="One row per client: ids, what was done, the message")
    batches = models.JSONField(
        default=list, help_text="Create only: client ids and Idempotency-Key per batch"
    )

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.total}) for {self.practice}: {self.get_status_display()}"


class XeroSyncMark(models.Model):
    """High-water mark per kind (invoices, credit notes…): the newest UpdatedDateUTC synced.

    Contacts keep theirs on XeroConnection.contacts_modified_since. Keyed by tenant, so connecting
    to another organisation starts that organisation's kinds from scratch (a full sync).
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    tenant_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=30)
    modified_since = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True, help_text="Last complete sync of this kind")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "tenant_id", "kind"], name="unique_xero_sync_mark"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.practice} since {self.modified_since}"


class XeroWebhookEvent(models.Model):
    """One event from one of Xero's webhook deliveries, stored before it is processed.

    `dedupe_key` (tenant, category, type, resource, event time) makes a second delivery of the same
    event a no-op. Processing re-fetches the resource by id, so events in any order end in Xero's
    current state. Every event ends processed, ignored (unknown tenant, unknown category) or failed
    with its error and attempts: never stuck.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.CASCADE, related_name="xero_webhook_events"
    )
    dedupe_key = models.CharField(max_length=64, unique=True)
    tenant_id = models.CharField(max_length=64)
    category = models.CharField(max_length=30)
    event_type = models.CharField(max_length=30)
    resource_id = models.CharField(max_length=64)
    event_date = models.DateTimeField(null=True, blank=True, help_text="eventDateUtc")
    payload = models.JSONField(default=dict, help_text="The event as Xero sent it")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    received_at = models.DateTimeField(auto_now_add=True)
    deliveries = models.PositiveIntegerField(default=1, help_text="Times Xero delivered this event")
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="xero_webhook_status"),
            models.Index(fields=["practice", "-received_at"], name="xero_webhook_practice"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.event_type} {self.resource_id}: {self.get_status_display()}"
