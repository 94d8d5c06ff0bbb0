"""Keep background work clear of Xero's rate limits, leaving headroom for people clicking.

Every response carries X-MinLimit-Remaining / X-DayLimit-Remaining. Background work stops
before the last few calls of the tenant's minute (or day) are spent and retries later;
interactive requests are never delayed here, so they can use that reserved headroom.
"""

import threading
import time
from dataclasses import dataclass

from integrations.xero.errors import XeroRateLimited
from integrations.xero.types import RateLimitState

MINUTE_RESERVE = 5
DAY_RESERVE = 50


@dataclass
class _Seen:
    state: RateLimitState
    at: float


class RatePacer:
    def __init__(self, minute_reserve: int = MINUTE_RESERVE, day_reserve: int = DAY_RESERVE):
        self.minute_reserve = minute_reserve
        self.day_reserve = day_reserve
        self._seen: dict[str, _Seen] = {}
        self._lock = threading.Lock()

    def record(self, tenant_id: str, state: RateLimitState) -> None:
        with self._lock:
            self._seen[tenant_id] = _Seen(state, time.monotonic())

    def check(self, tenant_id: str, *, interactive: bool) -> None:
        """Raise XeroRateLimited for background work that would eat into the reserve."""
        if interactive:
            return
        with self._lock:
            seen = self._seen.get(tenant_id)
        if seen is None:
            return
        elapsed = time.monotonic() - seen.at
        state = seen.state
        if state.day_remaining is not None and state.day_remaining <= self.day_reserve and elapsed < 3600:
            raise XeroRateLimited(retry_after=3600 - elapsed, problem="day")
        if (
            state.minute_remaining is not None
            and state.minute_remaining <= self.minute_reserve
            and elapsed < 60
        ):
            raise XeroRateLimited(retry_after=60 - elapsed, problem="minute")

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()


pacer = RatePacer()
