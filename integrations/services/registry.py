"""What other apps add to the Xero sync and to webhook processing, without integrations importing them.

An app registers, in its AppConfig.ready():

- a **sync step**: a kind of record (e.g. "invoices") synced after contacts in every sync run, with
  the same run, progress, pacing, retries and an incremental high-water mark per kind;
- a **webhook handler**: for an event category (e.g. "INVOICE"), how to fetch the changed resource
  by id and upsert it.

The fetch functions receive the Xero client (integrations.xero) and call its methods; the apps
that register them never import the Xero layer.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SyncStep:
    kind: str  # "invoices": the high-water mark's and the run's counts' key
    label: str  # "invoices", for messages ("Fetching invoices, page 2…") and the card
    # (client, page=, modified_since=) -> a Page whose items have .updated_at
    fetch_page: Callable[..., Any]
    # (practice=, tenant_id=, items=) -> number of rows written
    upsert: Callable[..., int]
    # (practice=, tenant_id=) -> how many the mirror holds (the Integrations card)
    count: Callable[..., int]
    # (practice=, tenant_id=) -> None: tidy-up once the kind is fully synced (optional)
    finish: Callable[..., None] | None = None
    order: int = 100


@dataclass(frozen=True)
class WebhookHandler:
    category: str  # Xero's eventCategory: "INVOICE", "CREDITNOTE"…
    fetch: Callable[[Any, str], Any]  # (client, resource_id) -> the resource (XeroNotFound if gone)
    upsert: Callable[..., int]  # (practice=, tenant_id=, items=[resource])


_steps: dict[str, SyncStep] = {}
_handlers: dict[str, WebhookHandler] = {}


def register_sync_step(step: SyncStep) -> None:
    _steps[step.kind] = step  # idempotent: ready() may run more than once in tests


def sync_steps() -> list[SyncStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.kind))


def register_webhook_handler(handler: WebhookHandler) -> None:
    _handlers[handler.category.upper()] = handler


def webhook_handler(category: str) -> WebhookHandler | None:
    return _handlers.get(category.upper())


def newest(current: dt.datetime | None, items: list[Any]) -> dt.datetime | None:
    seen = [item.updated_at for item in items if getattr(item, "updated_at", None)]
    if seen and (current is None or max(seen) > current):
        return max(seen)
    return current
