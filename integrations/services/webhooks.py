"""Xero's webhooks, dj-stripe style: verify, store, answer 200; process after commit.

Receiving (the view, within Xero's 5 s): the signature is checked on the raw body with a
constant-time compare before anything is parsed; each event is stored once (a second delivery of
the same event only counts the delivery); processing is queued after the commit.

Processing fetches each changed resource by id (CONTACT here; INVOICE and CREDITNOTE through the
handlers other apps register) and upserts it, so duplicate and out-of-order events end in Xero's
current state. Events for organisations no practice is connected to are stored and ignored.
Every event ends processed, ignored or failed with its error and attempts; one that meets Xero
down or busy stays waiting, with the error, and is retried (the task, else beat's sweep).
"""

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.models import XeroConnection, XeroWebhookEvent
from integrations.services.columns import fit
from integrations.services.health import with_xero
from integrations.services.registry import webhook_handler
from integrations.services.sync import contacts_upsert
from integrations.xero.errors import XeroError, XeroNotFound, XeroRateLimited, XeroUnavailable

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
REQUEUE_AFTER = dt.timedelta(minutes=2)  # a pending event this old has lost its task: queue it again
Status = XeroWebhookEvent.Status


class WebhookPayloadError(ValueError):
    """A correctly signed body that is not Xero's webhook JSON."""


def xero_webhook_signature_valid(*, body: bytes, signature: str | None) -> bool:
    """x-xero-signature == Base64(HMAC-SHA256(XERO_WEBHOOK_KEY, raw body)), compared in constant time."""
    key = settings.XERO_WEBHOOK_KEY
    if not key or not signature:
        return False
    expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode("latin-1", "replace"))


def _dedupe_key(event: dict) -> str:
    parts = [str(event.get(name, "")) for name in ("tenantId", "eventCategory", "eventType", "resourceId")]
    parts = [part.upper() if i in (1, 2) else part.lower() for i, part in enumerate(parts)]
    return hashlib.sha256("|".join([*parts, str(event.get("eventDateUtc", ""))]).encode()).hexdigest()


def _event_date(value) -> dt.datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)  # Xero sends UTC without a zone
    return parsed


def _text(value, limit: int) -> str:
    return str(value if value is not None else "").replace("\x00", "")[:limit]


def xero_webhook_receive(*, body: bytes) -> list[int]:
    """Store the events of a delivery whose signature has been checked. Returns the ids queued."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError("not JSON") from exc
    events = document.get("events") if isinstance(document, dict) else None
    if not isinstance(events, list):
        raise WebhookPayloadError("no events list")
    tenants = dict(
        XeroConnection.objects.filter(
            tenant_id__in={str(e.get("tenantId", "")) for e in events if isinstance(e, dict)},
            status=XeroConnection.Status.ACTIVE,
        ).values_list("tenant_id", "practice_id")
    )
    queued: list[int] = []
    now = timezone.now()
    with transaction.atomic():
        for raw in events:
            if not isinstance(raw, dict):
                continue
            tenant_id = _text(raw.get("tenantId"), 64)
            category = _text(raw.get("eventCategory"), 30).upper()
            known = tenant_id in tenants and (category == "CONTACT" or webhook_handler(category) is not None)
            event, created = XeroWebhookEvent.objects.get_or_create(
                dedupe_key=_dedupe_key(raw),
                defaults={
                    "practice_id": tenants.get(tenant_id),
                    "tenant_id": tenant_id,
                    "category": category,
                    "event_type": _text(raw.get("eventType"), 30).upper(),
                    "resource_id": _text(raw.get("resourceId"), 64),
                    "event_date": _event_date(raw.get("eventDateUtc")),
                    "payload": raw,
                    "status": Status.PENDING if known else Status.IGNORED,
                    "processed_at": None if known else now,
                    "error": "" if known else _ignored_reason(tenant_id in tenants, category),
                },
            )
            if not created:  # Xero delivered it again: harmless, just counted
                XeroWebhookEvent.objects.filter(pk=event.pk).update(deliveries=F("deliveries") + 1)
            elif known:
                queued.append(event.pk)
        if queued:
            transaction.on_commit(functools.partial(_enqueue, queued))
    return queued


def _ignored_reason(tenant_known: bool, category: str) -> str:
    if not tenant_known:
        return "No practice is connected to this Xero organisation."
    return f"Engager does not mirror {category or 'this kind of'} events."


def _process_task():
    from integrations.tasks import process_xero_webhooks  # the task calls back into this module

    return process_xero_webhooks


def _enqueue(event_ids: list[int]) -> None:
    try:
        _process_task().delay(event_ids)
    except Exception:  # the broker is down: the events wait; beat's sweep queues them again
        logger.exception("Could not queue processing of Xero webhook events %s", event_ids)


@dataclass
class ProcessResult:
    processed: int = 0
    ignored: int = 0
    failed: int = 0
    retry_ids: list[int] = field(default_factory=list)
    retry_after: float = 0


def _fetch_and_upsert(client, *, connection: XeroConnection, category: str, resource_id: str) -> None:
    if category == "CONTACT":
        contacts_upsert(
            practice=connection.practice,
            tenant_id=connection.tenant_id,
            contacts=[client.contact_get(resource_id)],
        )
        return
    handler = webhook_handler(category)
    if handler is None:
        raise LookupError(category)
    handler.upsert(
        practice=connection.practice,
        tenant_id=connection.tenant_id,
        items=[handler.fetch(client, resource_id)],
    )


def _finish(ids: list[int], *, status: str, error: str = "") -> None:
    XeroWebhookEvent.objects.filter(pk__in=ids).update(
        status=status, processed_at=timezone.now(), error=error, attempts=F("attempts") + 1
    )


def xero_webhook_events_process(*, event_ids: list[int]) -> ProcessResult:
    """Fetch and upsert what the events changed, once per resource. Retriable failures come back
    in `retry_ids` (still waiting, with the error shown); every other event ends here."""
    result = ProcessResult()
    events = list(
        XeroWebhookEvent.objects.filter(pk__in=event_ids, status=Status.PENDING).order_by("event_date", "pk")
    )
    groups: dict[tuple[str, str, str], list[int]] = {}
    for event in events:
        groups.setdefault((event.tenant_id, event.category, event.resource_id.lower()), []).append(event.pk)
    for (tenant_id, category, resource_id), ids in groups.items():
        connections = list(
            XeroConnection.objects.filter(
                tenant_id=tenant_id, status=XeroConnection.Status.ACTIVE
            ).select_related("practice")
        )
        if not connections:
            _finish(ids, status=Status.IGNORED, error=_ignored_reason(False, category))
            result.ignored += len(ids)
            continue
        try:
            for connection in connections:
                with_xero(
                    connection=connection,
                    interactive=False,
                    operation=functools.partial(
                        _fetch_and_upsert, connection=connection, category=category, resource_id=resource_id
                    ),
                )
        except XeroNotFound:
            _finish(ids, status=Status.IGNORED, error="Xero no longer has this record.")
            result.ignored += len(ids)
        except (XeroRateLimited, XeroUnavailable) as exc:
            attempts_left = XeroWebhookEvent.objects.filter(pk__in=ids, attempts__lt=MAX_ATTEMPTS - 1)
            retrying = list(attempts_left.values_list("pk", flat=True))
            attempts_left.update(
                attempts=F("attempts") + 1, error=fit(XeroWebhookEvent, "error", exc.message)
            )
            given_up = [pk for pk in ids if pk not in retrying]
            if given_up:
                _finish(
                    given_up,
                    status=Status.FAILED,
                    error=f"{exc.message} Gave up after {MAX_ATTEMPTS} attempts.",
                )
                result.failed += len(given_up)
            result.retry_ids += retrying
            wait = exc.retry_after if isinstance(exc, XeroRateLimited) else settings.XERO_SYNC_RETRY_DELAY
            result.retry_after = max(result.retry_after, wait)
        except XeroError as exc:
            _finish(ids, status=Status.FAILED, error=exc.message)
            result.failed += len(ids)
        except Exception as exc:  # bad data, the database…: this resource fails visibly, the rest go on
            logger.exception("Processing Xero webhook events %s failed", ids)
            _finish(ids, status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
            result.failed += len(ids)
        else:
            _finish(ids, status=Status.PROCESSED)
            result.processed += len(ids)
    return result


def xero_webhook_events_fail(*, event_ids: list[int], error: str) -> None:
    XeroWebhookEvent.objects.filter(pk__in=event_ids, status=Status.PENDING).update(
        status=Status.FAILED, processed_at=timezone.now(), error=error, attempts=F("attempts") + 1
    )


def xero_webhook_events_requeue() -> int:
    """Beat: events still waiting well after they came (task lost, broker was down, eager retry)."""
    ids = list(
        XeroWebhookEvent.objects.filter(
            status=Status.PENDING, received_at__lt=timezone.now() - REQUEUE_AFTER
        ).values_list("pk", flat=True)[:1000]
    )
    if ids:
        _enqueue(ids)
    return len(ids)
