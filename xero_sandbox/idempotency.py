"""Idempotency-Key on writes: the same key and request replays the first response without a second
write; the same key with a different request is refused with 400. Keys are per tenant and kept for
24 hours of sandbox time.
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from .clock import clock
from .state import on_reset

KEY_MAX_LENGTH = 128
KEEP_FOR = timedelta(hours=24)
MAX_KEYS = 50_000


@dataclass
class StoredResponse:
    fingerprint: str
    status: int
    body: bytes
    stored_at: datetime


class IdempotencyCache:
    """Callers hold `store.lock`, so a lookup, the write and the remembering are one step."""

    def __init__(self) -> None:
        self._responses: OrderedDict[tuple[str, str], StoredResponse] = OrderedDict()

    @staticmethod
    def fingerprint(request) -> str:
        digest = hashlib.sha256()
        for part in (request.method, request.path.lower(), request.META.get("QUERY_STRING", "")):
            digest.update(part.encode() + b"\0")
        digest.update(request.body)
        return digest.hexdigest()

    def lookup(self, tenant_id: str, key: str) -> StoredResponse | None:
        stored = self._responses.get((tenant_id, key))
        if stored is not None and clock.now() > stored.stored_at + KEEP_FOR:
            del self._responses[(tenant_id, key)]
            return None
        return stored

    def remember(self, tenant_id: str, key: str, fingerprint: str, status: int, body: bytes) -> None:
        self._responses[(tenant_id, key)] = StoredResponse(fingerprint, status, body, clock.now())
        while len(self._responses) > MAX_KEYS:
            self._responses.popitem(last=False)

    def clear(self) -> None:
        self._responses.clear()


idempotency_cache = IdempotencyCache()
on_reset(idempotency_cache.clear)
