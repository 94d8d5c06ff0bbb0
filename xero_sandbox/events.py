"""Change events ("something changed in Xero"), the raw material of webhooks.

The books record an event for every create or update; webhooks.py listens and delivers them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .clock import clock


@dataclass(frozen=True)
class ChangeEvent:
    sequence: int
    tenant_id: str
    category: str  # CONTACT | INVOICE | CREDITNOTE
    event_type: str  # CREATE | UPDATE
    resource_id: str
    at: datetime
    # CREDITNOTE events carry the credit note's Type and Status (xero-webhooks.yaml), as pairs.
    data: tuple[tuple[str, str], ...] = ()


# Listeners get the world the event happened in, and the event.
_listeners: list[Callable[[object, ChangeEvent], None]] = []


def listen(listener: Callable[[object, ChangeEvent], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def record_event(
    world, tenant_id: str, category: str, event_type: str, resource_id: str, data: dict | None = None
) -> ChangeEvent:
    world.event_sequence += 1
    event = ChangeEvent(
        world.event_sequence,
        tenant_id,
        category,
        event_type,
        resource_id,
        clock.now(),
        tuple((data or {}).items()),
    )
    for listener in _listeners:
        listener(world, event)
    return event
