"""Reads for the Xero integration (never calls Xero)."""

import datetime as dt
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from rapidfuzz import fuzz, process

from core.models import Practice
from integrations import matching
from integrations.constants import PENDING_GRANT_LIFETIME
from integrations.models import (
    PendingXeroGrant,
    XeroActivity,
    XeroBulkRun,
    XeroConnection,
    XeroContact,
    XeroContactCreation,
    XeroContactLink,
    XeroSyncRun,
    XeroWebhookEvent,
)


def xero_connection(*, practice: Practice) -> XeroConnection | None:
    return XeroConnection.objects.filter(practice=practice).select_related("connected_by").first()


def pending_grant(*, practice: Practice, pk: int | None) -> PendingXeroGrant | None:
    if pk is None:
        return None
    fresh_since = timezone.now() - PENDING_GRANT_LIFETIME
    return PendingXeroGrant.objects.filter(practice=practice, pk=pk, created_at__gte=fresh_since).first()


def xero_contacts(*, practice: Practice) -> QuerySet[XeroContact]:
    """The mirror of the connected organisation's contacts (empty if never connected)."""
    connection = xero_connection(practice=practice)
    if connection is None:
        return XeroContact.objects.none()
    return XeroContact.objects.filter(practice=practice, tenant_id=connection.tenant_id)


def xero_contact_counts(*, practice: Practice) -> dict[str, int]:
    qs = xero_contacts(practice=practice)
    return {"total": qs.count(), "archived": qs.filter(status="ARCHIVED").count()}


def xero_sync_run(*, practice: Practice, pk: int) -> XeroSyncRun | None:
    return XeroSyncRun.objects.filter(practice=practice, pk=pk).first()


def xero_latest_sync_run(*, practice: Practice) -> XeroSyncRun | None:
    return XeroSyncRun.objects.filter(practice=practice).order_by("-created_at").first()


def xero_activity(*, practice: Practice) -> QuerySet[XeroActivity]:
    return (
        XeroActivity.objects.filter(practice=practice).select_related("user").order_by("-created_at", "-pk")
    )


# --- Match suggestions --------------------------------------------------------------------------


@dataclass
class Suggestion:
    """A mirrored contact suggested for a client: how well it matches, why, and who has it."""

    contact: XeroContact
    score: int
    reasons: list[str] = field(default_factory=list)
    linked_client: Any = None  # the client this contact is already linked to, or None
    full: bool = False  # same company number or exact normalised name

    @property
    def is_linked_elsewhere(self) -> bool:
        return self.linked_client is not None


class _NameIndex:
    """Per-process cache of one tenant's contacts for fuzzy name search: their ids and normalised
    names with the words sorted, so `fuzz.ratio` over them scores exactly what `token_sort_ratio`
    would, without splitting and sorting 10,000 names on every request.

    Checked on every use against a fingerprint read from one index entry (the newest `synced_at`
    and its id): every writer of names goes through `save()` or the sync upsert, both of which
    stamp `synced_at` with the time, so a new or changed contact changes it. A deleted contact does
    not; `xero_contact_suggestions` notices its id missing and discards the entry. An entry is also
    rebuilt after MAX_AGE, which bounds how long a write committed out of order (stamped before the
    newest row already seen) can go unnoticed. Counting the rows instead would read all of them.
    """

    MAX_TENANTS = 16
    MAX_AGE = 300.0  # seconds

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[int, str], tuple[Any, float, list[int], list[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, qs: QuerySet[XeroContact], key: tuple[int, str]) -> tuple[list[int], list[str]]:
        # One probe of the (practice, tenant_id, synced_at, id) index (integrations 0006).
        stamp = qs.order_by("-synced_at", "-pk").values_list("synced_at", "pk").first()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == stamp and now - entry[1] < self.MAX_AGE:
                self._entries.move_to_end(key)
                return entry[2], entry[3]
        ids: list[int] = []
        names: list[str] = []
        for pk, normalised, name in qs.order_by().values_list("pk", "normalised_name", "name").iterator(2000):
            ids.append(pk)
            names.append(sorted_words(normalised or matching.normalise_name(name)))
        with self._lock:
            self._entries[key] = (stamp, now, ids, names)
            self._entries.move_to_end(key)
            while len(self._entries) > self.MAX_TENANTS:
                self._entries.popitem(last=False)
        return ids, names

    def discard(self, key: tuple[int, str]) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


contact_name_index = _NameIndex()


def sorted_words(name: str) -> str:
    """The words of a name in order: what `token_sort_ratio` compares (it splits on whitespace)."""
    return " ".join(sorted(name.split()))


def _linked_client(contact: XeroContact) -> Any:
    try:
        return contact.client_link.client
    except ObjectDoesNotExist:  # not linked
        return None


def xero_contact_suggestions(
    *,
    practice: Practice,
    client: Any,
    limit: int = 5,
    include_archived: bool = False,
    connection: XeroConnection | None = None,
) -> list[Suggestion]:
    """The mirrored contacts that best match `client`, best first, each with its reasons.

    Exact evidence comes from indexed lookups (company number, VAT number, email, email domain,
    normalised name); name similarity from `rapidfuzz.process.extract` over the tenant's cached
    normalised names. Never calls Xero. `connection`: the practice's, when the caller has it.
    """
    connection = connection or xero_connection(practice=practice)
    if connection is None or limit <= 0:
        return []
    return _suggestions(practice, connection, client, limit, include_archived, retry=True)


def _suggestions(
    practice: Practice,
    connection: XeroConnection,
    client: Any,
    limit: int,
    include_archived: bool,
    retry: bool,
) -> list[Suggestion]:
    wanted = matching.MatchInput.from_client(client)
    tenant = {"practice": practice, "tenant_id": connection.tenant_id}
    qs = XeroContact.objects.filter(**tenant)

    # Each alternative repeats practice and tenant, so SQLite too reads one index per alternative
    # (with them outside the OR it scans the whole tenant); PostgreSQL ORs the indexes either way.
    exact = Q()
    if wanted.company_number:
        exact |= Q(**tenant, match_company_number=wanted.company_number)
    if wanted.tax_number:
        exact |= Q(**tenant, match_tax_number=wanted.tax_number)
    if wanted.email:
        exact |= Q(**tenant, email__in={wanted.email, (getattr(client, "email", "") or "").strip()})
    if wanted.normalised_name:
        exact |= Q(**tenant, normalised_name=wanted.normalised_name)
    candidate_ids: set[int] = set()
    if exact:
        candidate_ids.update(XeroContact.objects.filter(exact).order_by().values_list("pk", flat=True)[:200])
    if wanted.domain:
        candidate_ids.update(
            qs.filter(email_domain=wanted.domain).order_by().values_list("pk", flat=True)[: limit * 10]
        )
    similar_ids: set[int] = set()
    index_key = (practice.pk, connection.tenant_id)
    if wanted.normalised_name:
        ids, names = contact_name_index.get(qs, index_key)
        hits = process.extract(
            sorted_words(wanted.normalised_name),
            names,
            scorer=fuzz.ratio,  # = token_sort_ratio: both sides' words are already sorted
            score_cutoff=matching.SIMILAR_NAME_MIN,
            limit=limit * 4,
        )
        similar_ids = {ids[index] for _, _, index in hits}
        candidate_ids |= similar_ids
    if not candidate_ids:
        return []

    # By primary key (the ids came from this tenant; the filter keeps it so), archived ones dropped
    # here rather than in SQL so that a missing id can only mean a deleted contact.
    contacts = [
        contact
        for contact in XeroContact.objects.filter(pk__in=candidate_ids).select_related("client_link__client")
        if contact.practice_id == practice.pk and contact.tenant_id == connection.tenant_id
    ]
    if retry and similar_ids - {contact.pk for contact in contacts}:
        contact_name_index.discard(index_key)  # a contact was deleted since the index was built
        return _suggestions(practice, connection, client, limit, include_archived, retry=False)
    if not include_archived:
        contacts = [contact for contact in contacts if contact.status != "ARCHIVED"]
    by_key = {}
    inputs = []
    for contact in contacts:
        by_key[contact.pk] = contact
        inputs.append(matching.MatchInput.from_contact(contact))
    suggestions = []
    for contact_input, match in matching.rank(wanted, inputs, limit=limit):
        contact = by_key[contact_input.key]
        suggestions.append(
            Suggestion(
                contact=contact,
                score=match.score,
                reasons=match.reasons,
                linked_client=_linked_client(contact),
                full=match.full,
            )
        )
    return suggestions


# --- Contact links (match, create, unlink) --------------------------------------------------------

UK_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE)
CONTACT_SEARCH_LIMIT = 25


def xero_client_link(*, practice: Practice, client) -> XeroContactLink | None:
    return XeroContactLink.objects.filter(practice=practice, client=client).select_related("contact").first()


def xero_contact_choice(*, practice: Practice, pk) -> XeroContact | None:
    """A contact of the connected organisation, by our id, with the client it is linked to (if any)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return xero_contacts(practice=practice).filter(pk=pk).select_related("client_link__client").first()


def xero_contacts_search(
    *, practice: Practice, term: str, include_archived: bool = False, limit: int = CONTACT_SEARCH_LIMIT
) -> list[XeroContact]:
    """Mirrored contacts whose name, email, company number, VAT or account number contain `term`."""
    term = term.strip()
    if not term:
        return []
    qs = xero_contacts(practice=practice).exclude(status="DELETED")
    if not include_archived:
        qs = qs.exclude(status="ARCHIVED")
    qs = qs.filter(
        Q(name__icontains=term)
        | Q(email__icontains=term)
        | Q(company_number__iexact=term.replace(" ", ""))
        | Q(tax_number__icontains=term.replace(" ", ""))
        | Q(account_number__iexact=term)
    )
    return list(qs.select_related("client_link__client").order_by("name", "pk")[:limit])


def xero_contact_same_name(*, practice: Practice, name: str) -> XeroContact | None:
    """The active contact Xero would refuse a new contact's name for (names are unique among active)."""
    return (
        xero_contacts(practice=practice)
        .filter(status="ACTIVE", name__iexact=name.strip())
        .select_related("client_link__client")
        .first()
    )


def xero_contact_creation_pending(*, practice: Practice, client) -> XeroContactCreation | None:
    return XeroContactCreation.objects.filter(
        practice=practice, client=client, status=XeroContactCreation.Status.PENDING
    ).first()


def xero_contact_url(*, connection: XeroConnection | None, contact_id: str) -> str:
    """Deep link that opens the contact in Xero (in the connected organisation, by its ShortCode)."""
    if connection is None or not connection.short_code or not contact_id:
        return ""
    query = urlencode({"shortcode": connection.short_code, "redirecturl": f"/Contacts/View/{contact_id}"})
    return f"{settings.XERO_WEB_BASE}/organisationlogin/default.aspx?{query}"


def client_reference(client) -> str:
    """Engager's reference for a client, sent to Xero as the contact's AccountNumber.

    Clients have no reference of their own, so it is made from the id the way jobs make theirs
    (JOB-000123): it never changes, is unique in the practice and fits Xero's 50 characters."""
    return f"CLI-{client.pk:06d}"


def _street_address(text: str) -> dict | None:
    """Our one-box registered address → Xero's STREET address (lines, city, postcode)."""
    lines = [line.strip(" ,") for line in re.split(r"[\n\r]+", text or "") if line.strip(" ,")]
    if len(lines) == 1 and "," in lines[0]:
        lines = [part.strip() for part in lines[0].split(",") if part.strip()]
    if not lines:
        return None
    postal_code = lines.pop().upper() if UK_POSTCODE.match(lines[-1]) else ""
    city = lines.pop() if len(lines) >= 2 else ""
    if len(lines) > 4:
        lines = [*lines[:3], ", ".join(lines[3:])]
    return {"lines": lines, "city": city, "postal_code": postal_code}


def xero_new_contact_payload(*, client) -> dict:
    """What "create in Xero" sends for a client, in our words: shown as the preview, stored as sent."""
    return {
        "name": client.name,
        "email": client.email,
        "company_number": client.company_number,
        "tax_number": client.vat_number,
        "phone": client.phone,
        "account_number": client_reference(client),
        "address": _street_address(client.registered_address),
    }


@dataclass
class XeroClientPanel:
    """The Xero part of a client's page: connected or not, and the linked contact if any."""

    connection: XeroConnection | None
    link: XeroContactLink | None
    contact_url: str = ""

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.status != XeroConnection.Status.DISCONNECTED

    @property
    def contact(self) -> XeroContact | None:
        return self.link.contact if self.link else None

    @property
    def warning(self) -> str:
        contact = self.contact
        if contact is None:
            return ""
        if contact.status == "ARCHIVED":
            return (
                "This contact is archived in Xero. Restore it in Xero, or link the client to another contact."
            )
        if contact.status == "DELETED":
            return "This contact no longer exists in Xero. Link the client to another contact."
        if self.connection and contact.tenant_id != self.connection.tenant_id:
            return "This contact is in a Xero organisation the practice is no longer connected to."
        return ""


def xero_client_panel(*, practice: Practice, client) -> XeroClientPanel:
    connection = xero_connection(practice=practice)
    link = xero_client_link(practice=practice, client=client)
    url = xero_contact_url(connection=connection, contact_id=link.contact.contact_id) if link else ""
    return XeroClientPanel(connection=connection, link=link, contact_url=url)


# --- Differences between a linked client and its Xero contact ------------------------------------


@dataclass(frozen=True)
class Difference:
    """One field where our client and its linked Xero contact disagree."""

    field: str  # our key: name, email, company_number, vat_number, address
    label: str
    ours: str
    theirs: str

    @property
    def can_update_xero(self) -> bool:
        """Xero is sent only values (a blank is not sent), so an empty field of ours is not pushed."""
        return bool(self.ours.strip())

    @property
    def can_update_engager(self) -> bool:
        return self.field != "name" or bool(self.theirs.strip())


# field, label, our attribute, the mirror's attribute, how to compare
DIFFERENCE_FIELDS = (
    ("name", "Name", "name", "name", lambda v: " ".join(v.split()).casefold()),
    ("email", "Email", "email", "email", matching.normalise_email),
    (
        "company_number",
        "Company number",
        "company_number",
        "company_number",
        matching.normalise_company_number,
    ),
    ("vat_number", "VAT number", "vat_number", "tax_number", matching.normalise_tax_number),
    ("address", "Address", "registered_address", "address", matching.normalise_address),
)


def xero_contact_differences(*, client) -> list[Difference]:
    """The fields where a linked company client and its (mirrored) Xero contact disagree; [] when
    the client is not linked. Never calls Xero."""
    link = XeroContactLink.objects.filter(client=client).select_related("contact").first()
    if link is None or link.practice_id != client.practice_id:
        return []
    contact = link.contact
    differences = []
    for key, label, ours_attr, theirs_attr, compare in DIFFERENCE_FIELDS:
        ours = getattr(client, ours_attr) or ""
        theirs = getattr(contact, theirs_attr) or ""
        if compare(ours) != compare(theirs):
            differences.append(Difference(field=key, label=label, ours=ours, theirs=theirs))
    return differences


# --- Bulk review: every unlinked company client with its best suggestion -------------------------


@dataclass
class BulkRow:
    client: Any
    contact: XeroContact | None
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    group: str = "none"  # full, partial, none


@dataclass
class BulkReview:
    connected: bool
    full: list[BulkRow] = field(default_factory=list)
    partial: list[BulkRow] = field(default_factory=list)
    none: list[BulkRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.full) + len(self.partial) + len(self.none)


def _unlinked_companies(practice: Practice):
    from clients.models import Client  # integrations sits above clients: a plain read

    return (
        Client.objects.filter(practice=practice, kind=Client.Kind.COMPANY, xero_link__isnull=True)
        .only("pk", "practice_id", "kind", "name", "email", "company_number", "vat_number")
        .order_by("name", "pk")
    )


def xero_bulk_review(*, practice: Practice) -> BulkReview:
    """Every unlinked company client with its best free (active, unlinked) contact, grouped as full
    match (same company number or exact normalised name), partial match and no match."""
    connection = xero_connection(practice=practice)
    if connection is None or connection.status == XeroConnection.Status.DISCONNECTED:
        return BulkReview(connected=False)
    clients = list(_unlinked_companies(practice))
    rows = (
        XeroContact.objects.filter(practice=practice, tenant_id=connection.tenant_id, status="ACTIVE")
        .filter(client_link__isnull=True)
        .order_by()
        .values_list("pk", "name", "email", "company_number", "tax_number", "normalised_name")
    )
    contacts = [
        matching.MatchInput.build(
            name=name,
            email=email,
            company_number=number,
            tax_number=tax,
            key=pk,
            normalised_name=norm or None,
        )
        for pk, name, email, number, tax, norm in rows
    ]
    results = matching.best_matches([matching.MatchInput.from_client(c) for c in clients], contacts)
    chosen = {r.contact.key for r in results if r.contact is not None and r.group != "none"}
    by_pk = XeroContact.objects.in_bulk(chosen)
    review = BulkReview(connected=True)
    for client, result in zip(clients, results, strict=True):
        group = result.group
        contact = by_pk.get(result.contact.key) if group != "none" else None
        row = BulkRow(
            client=client,
            contact=contact,
            score=result.match.score if contact else 0,
            reasons=result.match.reasons if contact else [],
            group=group,
        )
        getattr(review, group).append(row)
    review.full.sort(key=lambda r: (-r.score, r.client.name))
    review.partial.sort(key=lambda r: (-r.score, r.client.name))
    return review


def xero_bulk_run(*, practice: Practice, pk: int) -> XeroBulkRun | None:
    return XeroBulkRun.objects.filter(practice=practice, pk=pk).first()


def xero_latest_bulk_run(*, practice: Practice) -> XeroBulkRun | None:
    return XeroBulkRun.objects.filter(practice=practice).order_by("-created_at", "-pk").first()


# --- What the invoice forms offer (read from the mirror of Xero's settings) -----------------------

REVENUE_ACCOUNT_TYPES = ("REVENUE", "SALES", "OTHERINCOME")


@dataclass(frozen=True)
class XeroInvoiceOptions:
    """The connected organisation's revenue accounts, sales tax rates and items, as plain dicts:
    accounts {code, name, tax_type}; tax_rates {code, name, rate (Decimal percent)};
    items {code, name, description, unit_price (str | None), account_code, tax_type}."""

    accounts: list[dict] = field(default_factory=list)
    tax_rates: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)


def xero_invoice_options(*, practice: Practice, tenant_id: str) -> XeroInvoiceOptions:
    """One query. Only what can go on a sales invoice: active revenue accounts, rates for revenue."""
    from decimal import Decimal, InvalidOperation

    from integrations.models import XeroReferenceItem

    options = XeroInvoiceOptions()
    Kind = XeroReferenceItem.Kind
    rows = XeroReferenceItem.objects.filter(practice=practice, tenant_id=tenant_id).order_by("kind", "code")
    for row in rows:
        data = row.data or {}
        if row.kind == Kind.ACCOUNT:
            if data.get("type") in REVENUE_ACCOUNT_TYPES and data.get("status", "ACTIVE") == "ACTIVE":
                options.accounts.append(
                    {"code": row.code, "name": row.name, "tax_type": data.get("tax_type", "")}
                )
        elif row.kind == Kind.TAX_RATE:
            if data.get("revenue") and data.get("status", "ACTIVE") == "ACTIVE":
                try:
                    rate = Decimal(str(data.get("rate", "0")))
                except InvalidOperation:
                    continue
                options.tax_rates.append({"code": row.code, "name": row.name, "rate": rate})
        elif row.kind == Kind.ITEM:
            options.items.append(
                {
                    "code": row.code,
                    "name": row.name,
                    "description": data.get("description") or "",
                    "unit_price": data.get("unit_price"),
                    "account_code": data.get("account_code") or "",
                    "tax_type": data.get("tax_type") or "",
                }
            )
    return options


def xero_contact_pks_named(*, practice: Practice, tenant_id: str, term: str) -> list[int]:
    """The mirrored contacts whose name contains `term` (a trigram index on PostgreSQL): searches
    over invoices match their contact through these rather than a text index on every invoice."""
    return list(
        XeroContact.objects.filter(practice=practice, tenant_id=tenant_id, name__icontains=term)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def xero_contact_keys(
    *, practice: Practice, tenant_id: str, contact_ids
) -> dict[str, tuple[int, int | None]]:
    """Xero ContactID → (mirrored contact's pk, linked client's pk or None), for the ids mirrored."""
    ids = [contact_id for contact_id in set(contact_ids) if contact_id]
    if not ids:
        return {}
    rows = XeroContact.objects.filter(
        practice=practice, tenant_id=tenant_id, contact_id__any_of=ids
    ).values_list("contact_id", "pk", "client_link__client_id")
    return {contact_id: (pk, client_id) for contact_id, pk, client_id in rows}


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


def xero_mirror_counts(*, practice: Practice) -> list[KindCount]:
    """How many of each registered kind (invoices, credit notes…) the mirror holds, for the card."""
    from integrations.services.registry import sync_steps  # plain registry, no writes

    connection = xero_connection(practice=practice)
    if connection is None:
        return []
    return [
        KindCount(step.kind, step.label, step.count(practice=practice, tenant_id=connection.tenant_id))
        for step in sync_steps()
    ]


def xero_last_sync_failure(*, practice: Practice) -> XeroSyncRun | None:
    """The latest failed run, if no sync has succeeded since."""
    failed = XeroSyncRun.objects.filter(practice=practice, status=XeroSyncRun.Status.FAILED).order_by(
        "-finished_at"
    )
    run = failed.first()
    connection = xero_connection(practice=practice)
    if run is None or (
        connection
        and connection.last_sync_at
        and run.finished_at
        and run.finished_at < connection.last_sync_at
    ):
        return None
    return run


@dataclass(frozen=True)
class WebhookHealth:
    last_received_at: Any = None
    received_today: int = 0
    waiting: int = 0
    failed: int = 0
    last_failure: Any = None


def xero_webhook_health(*, practice: Practice) -> WebhookHealth:
    """Webhook events for the practice's organisation: the last received, and those in trouble."""
    connection = xero_connection(practice=practice)
    if connection is None:
        return WebhookHealth()
    events = XeroWebhookEvent.objects.filter(tenant_id=connection.tenant_id)
    since = timezone.now() - dt.timedelta(days=1)
    figures = events.aggregate(
        last=Max("received_at"),
        today=Count("pk", filter=Q(received_at__gte=since)),
        waiting=Count("pk", filter=Q(status=XeroWebhookEvent.Status.PENDING)),
        failed=Count("pk", filter=Q(status=XeroWebhookEvent.Status.FAILED, received_at__gte=since)),
    )
    last_failure = (
        events.filter(status__in=[XeroWebhookEvent.Status.FAILED, XeroWebhookEvent.Status.PENDING])
        .exclude(error="")
        .order_by("-received_at")
        .first()
    )
    return WebhookHealth(
        last_received_at=figures["last"], received_today=figures["today"], waiting=figures["waiting"],
        failed=figures["failed"], last_failure=last_failure,
    )  # fmt: skip
