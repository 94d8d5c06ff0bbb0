"""The log of calls to the sandbox's Xero endpoints, so tests and benchmarks can count Xero calls.

Every identity and API request is recorded with its method, path, status and tenant, including
those answered by an injected fault or a 429.
"""

import functools
import logging
import threading
from collections import deque
from dataclasses import asdict, dataclass

from .clock import clock
from .state import on_reset
from .wire import json_response, problem

logger = logging.getLogger(__name__)
MAX_CALLS = 250_000


@dataclass
class Call:
    seq: int
    at: str
    area: str
    method: str
    path: str
    query: str
    status: int
    tenant: str
    client_id: str
    idempotency_key: str
    replayed: bool
    fault: bool
    rate_limited: bool


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: deque[Call] = deque(maxlen=MAX_CALLS)
        self._seq = 0

    def record(self, request, area: str, status: int) -> Call:
        with self._lock:
            self._seq += 1
            call = Call(
                seq=self._seq,
                at=clock.now().isoformat(),
                area=area,
                method=request.method,
                path=request.path,
                query=request.META.get("QUERY_STRING", ""),
                status=status,
                tenant=request.headers.get("xero-tenant-id", ""),
                client_id=getattr(request, "sandbox_client_id", ""),
                idempotency_key=request.headers.get("Idempotency-Key", ""),
                replayed=getattr(request, "sandbox_replayed", False),
                fault=getattr(request, "sandbox_fault", False),
                rate_limited=status == 429 and not getattr(request, "sandbox_fault", False),
            )
            self._calls.append(call)
            return call

    def calls(self, *, since: int = 0, area: str | None = None) -> list[dict]:
        with self._lock:
            return [
                asdict(call)
                for call in self._calls
                if call.seq > since and (area is None or call.area == area)
            ]

    @property
    def last_seq(self) -> int:
        return self._seq

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


call_log = CallLog()
on_reset(call_log.clear)


def logged(area: str):
    """Record the call; answer an unexpected error with JSON (clients of an API never get HTML)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                response = view(request, *args, **kwargs)
            except Exception:
                logger.exception("Xero sandbox error on %s %s", request.method, request.path)
                response = json_response(
                    problem(500, "Internal Server Error", "An error occurred in the sandbox"), 500
                )
            call_log.record(request, area, response.status_code)
            return response

        return wrapper

    return decorator
