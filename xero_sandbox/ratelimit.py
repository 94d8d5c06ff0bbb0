"""Xero's rate limits: per tenant 60 calls a minute, 5,000 a day and 5 at once; per app 10,000 a
minute. Fixed windows starting at the first call, timed by the sandbox clock.

Every admitted response carries X-MinLimit-Remaining, X-DayLimit-Remaining and
X-AppMinLimit-Remaining; a refused call gets 429 with Retry-After and X-Rate-Limit-Problem.
"""

import math
import threading
from dataclasses import dataclass

from .clock import clock
from .state import RateLimitConfig, on_reset

MINUTE = 60.0
DAY = 86_400.0


@dataclass
class Admission:
    allowed: bool
    headers: dict[str, str]
    problem: str = ""


class Window:
    __slots__ = ("count", "length", "started")

    def __init__(self, length: float) -> None:
        self.length, self.started, self.count = length, 0.0, 0

    def roll(self, now: float) -> None:
        if now >= self.started + self.length:
            self.started, self.count = now, 0

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil(self.started + self.length - now))


class RateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._minute: dict[str, Window] = {}
        self._day: dict[str, Window] = {}
        self._app_minute: dict[str, Window] = {}
        self._in_flight: dict[str, int] = {}

    def admit(self, tenant_id: str, client_id: str, limits: RateLimitConfig) -> Admission:
        now = clock.timestamp()
        with self._lock:
            minute = self._minute.setdefault(tenant_id, Window(MINUTE))
            day = self._day.setdefault(tenant_id, Window(DAY))
            app_minute = self._app_minute.setdefault(client_id, Window(MINUTE))
            for window in (minute, day, app_minute):
                window.roll(now)
            refusal = None
            if self._in_flight.get(tenant_id, 0) >= limits.concurrent:
                refusal = ("concurrent", 1)
            elif day.count >= limits.per_day:
                refusal = ("day", day.retry_after(now))
            elif minute.count >= limits.per_minute:
                refusal = ("minute", minute.retry_after(now))
            elif app_minute.count >= limits.app_per_minute:
                refusal = ("appminute", app_minute.retry_after(now))
            if refusal is None:
                for window in (minute, day, app_minute):
                    window.count += 1
                self._in_flight[tenant_id] = self._in_flight.get(tenant_id, 0) + 1
            headers = {
                "X-DayLimit-Remaining": str(max(0, limits.per_day - day.count)),
                "X-MinLimit-Remaining": str(max(0, limits.per_minute - minute.count)),
                "X-AppMinLimit-Remaining": str(max(0, limits.app_per_minute - app_minute.count)),
            }
        if refusal is None:
            return Admission(True, headers)
        problem, retry_after = refusal
        headers.update({"Retry-After": str(retry_after), "X-Rate-Limit-Problem": problem})
        return Admission(False, headers, problem)

    def release(self, tenant_id: str) -> None:
        with self._lock:
            self._in_flight[tenant_id] = max(0, self._in_flight.get(tenant_id, 0) - 1)

    def usage(self) -> dict:
        now = clock.timestamp()
        with self._lock:
            tenants = set(self._minute) | set(self._day)
            return {
                tenant: {
                    "minute": self._minute[tenant].count
                    if now < self._minute[tenant].started + MINUTE
                    else 0,
                    "day": self._day[tenant].count if now < self._day[tenant].started + DAY else 0,
                    "in_flight": self._in_flight.get(tenant, 0),
                }
                for tenant in tenants
            }

    def clear(self) -> None:
        with self._lock:
            self._minute.clear()
            self._day.clear()
            self._app_minute.clear()
            self._in_flight.clear()


rate_limiter = RateLimiter()
on_reset(rate_limiter.clear)
