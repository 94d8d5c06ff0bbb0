"""Xero's rate limits, counted as Xero counts them (developer.xero.com/faq/limits and
developer.xero.com/documentation/guides/oauth2/limits/):

- per app per tenant ("the number of API calls that your application can make against a particular
  tenant"; "rate limits apply to each connection"): 5 calls in progress at once, 60 a minute and
  5,000 a day (1,000 on the Starter tier: set per_day);
- per app across all tenants: 10,000 a minute.

So two apps connected to one organisation each have their own minute, day and concurrent limits, and
one app's calls to different organisations share only its app minute limit. Fixed windows starting
at the first call, timed by the sandbox clock.

Every admitted response carries X-DayLimit-Remaining and X-MinLimit-Remaining (this app, this
tenant) and X-AppMinLimit-Remaining (this app); a refused call gets 429 with Retry-After and
X-Rate-Limit-Problem: concurrent, day, minute or appminute.
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

    def current(self, now: float) -> int:
        return self.count if now < self.started + self.length else 0

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil(self.started + self.length - now))


Connection = tuple[str, str]  # (client_id, tenant_id): one app's calls to one organisation


class RateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._minute: dict[Connection, Window] = {}
        self._day: dict[Connection, Window] = {}
        self._in_flight: dict[Connection, int] = {}
        self._app_minute: dict[str, Window] = {}

    def admit(self, tenant_id: str, client_id: str, limits: RateLimitConfig) -> Admission:
        now = clock.timestamp()
        key = (client_id, tenant_id)
        with self._lock:
            minute = self._minute.setdefault(key, Window(MINUTE))
            day = self._day.setdefault(key, Window(DAY))
            app_minute = self._app_minute.setdefault(client_id, Window(MINUTE))
            for window in (minute, day, app_minute):
                window.roll(now)
            refusal = None
            if self._in_flight.get(key, 0) >= limits.concurrent:
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
                self._in_flight[key] = self._in_flight.get(key, 0) + 1
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

    def release(self, tenant_id: str, client_id: str) -> None:
        key = (client_id, tenant_id)
        with self._lock:
            self._in_flight[key] = max(0, self._in_flight.get(key, 0) - 1)

    def usage(self) -> dict:
        """Per tenant: the calls of this minute and day and those in progress, in all and per app
        (`apps`: each app's own counts, which its limits apply to, and its app-wide minute)."""
        now = clock.timestamp()
        with self._lock:
            report: dict[str, dict] = {}
            for key in set(self._minute) | set(self._day) | set(self._in_flight):
                client_id, tenant_id = key
                window = self._minute.get(key)
                day = self._day.get(key)
                app_minute = self._app_minute.get(client_id)
                counts = {
                    "minute": window.current(now) if window else 0,
                    "day": day.current(now) if day else 0,
                    "in_flight": self._in_flight.get(key, 0),
                    "app_minute": app_minute.current(now) if app_minute else 0,
                }
                tenant = report.setdefault(tenant_id, {"minute": 0, "day": 0, "in_flight": 0, "apps": {}})
                for name in ("minute", "day", "in_flight"):
                    tenant[name] += counts[name]
                tenant["apps"][client_id] = counts
            return report

    def clear(self) -> None:
        with self._lock:
            self._minute.clear()
            self._day.clear()
            self._app_minute.clear()
            self._in_flight.clear()


rate_limiter = RateLimiter()
on_reset(rate_limiter.clear)
