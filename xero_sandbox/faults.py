"""Injected faults: make chosen calls fail, slow down or hang, the way Xero sometimes does.

A fault matches by path (a case-insensitive regular expression searched in the request path) and
optionally method, and applies to the next `count` matching calls (or to all while it stays). It
strikes before the request is processed, or after it (`after`), so the change is made but the
answer is slow, wrong or lost.
"""

import re
import threading
from dataclasses import asdict, dataclass, field

from .state import on_reset
from .wire import json_response, problem, validation_exception

TIMEOUT_DEFAULT_SECONDS = 30.0
MAX_DELAY_SECONDS = 300.0
RATE_LIMIT_PROBLEM = re.compile(r"^[A-Za-z]{1,32}$")  # e.g. minute, day, appminute (a header value)
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Fault:
    id: int
    status: int | None = None
    count: int | None = 1  # None: every matching call until cleared
    delay: float = 0.0
    timeout: bool = False
    path: str = ""
    method: str = ""
    retry_after: int = 60
    rate_limit_problem: str = "minute"
    body: dict | None = None
    after: bool = False  # strike after the request was processed (the answer is lost)
    used: int = 0
    pattern: re.Pattern | None = field(default=None, repr=False)

    def matches(self, request) -> bool:
        if self.count is not None and self.used >= self.count:
            return False
        if self.method and request.method.upper() != self.method.upper():
            return False
        return not self.pattern or bool(self.pattern.search(request.path))

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("pattern")
        return data


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1
        self._released = threading.Event()

    def add(self, **spec) -> Fault:
        fault = Fault(id=0, **spec)
        fault.pattern = _checked(fault)
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
            return fault

    def list(self) -> list[dict]:
        with self._lock:
            return [fault.as_json() for fault in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults = []
            # Wake any request still sleeping in a delay or timeout.
            self._released.set()
            self._released = threading.Event()

    def around(self, request, handle):
        """Run `handle()` (the real work) with the first matching fault, if any, in the way.

        A fault normally strikes before the work is done. With `after`, the work is done and then
        the answer is delayed, replaced or lost (timeout): the case an Idempotency-Key or the
        refresh-token grace window exists for.
        """
        with self._lock:
            fault = next((candidate for candidate in self._faults if candidate.matches(request)), None)
            if fault is not None:
                fault.used += 1
            released = self._released
        if fault is None:
            return handle()
        request.sandbox_fault = True
        if not fault.after:
            disrupted = self._disrupt(fault, request, released)
            return disrupted if disrupted is not None else handle()
        response = handle()
        disrupted = self._disrupt(fault, request, released)
        return disrupted if disrupted is not None else response

    @staticmethod
    def _disrupt(fault: Fault, request, released: threading.Event):
        if fault.timeout:
            released.wait(fault.delay or TIMEOUT_DEFAULT_SECONDS)
            return json_response(problem(504, TITLES[504], "The request timed out"), 504)
        if fault.delay:
            released.wait(fault.delay)
        return None if fault.status is None else fault_response(fault, request)


def _checked(fault: Fault) -> re.Pattern | None:
    """Refuse (ValueError) a fault that would break every matching call with a 500 rather than
    with the failure asked for; returns its compiled path pattern."""

    def is_int(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if fault.status is not None and not (is_int(fault.status) and 100 <= fault.status <= 599):
        raise ValueError("status must be an HTTP status code (100 to 599) or null.")
    if fault.count is not None and not (is_int(fault.count) and fault.count >= 0):
        raise ValueError("count must be a whole number of calls, or null for every call.")
    if not (isinstance(fault.delay, int | float) and not isinstance(fault.delay, bool)):
        raise ValueError("delay must be a number of seconds.")
    if not 0 <= fault.delay <= MAX_DELAY_SECONDS:
        raise ValueError(f"delay must be between 0 and {MAX_DELAY_SECONDS:g} seconds.")
    if not is_int(fault.retry_after) or not 0 <= fault.retry_after <= 86400:
        raise ValueError("retry_after must be a whole number of seconds up to 86400.")
    for name in ("timeout", "after"):
        if not isinstance(getattr(fault, name), bool):
            raise ValueError(f"{name} must be true or false.")
    for name in ("path", "method"):
        if not isinstance(getattr(fault, name), str):
            raise ValueError(f"{name} must be a string.")
    if not isinstance(fault.rate_limit_problem, str) or not RATE_LIMIT_PROBLEM.match(
        fault.rate_limit_problem
    ):
        raise ValueError("rate_limit_problem must be a word such as minute, day or appminute.")
    if fault.body is not None and not isinstance(fault.body, dict | list):
        raise ValueError("body must be a JSON object or array, or null.")
    if fault.status is None and not fault.delay and not fault.timeout:
        raise ValueError("A fault needs a status, a delay or timeout.")
    try:
        return re.compile(fault.path, re.IGNORECASE) if fault.path else None
    except re.error as error:
        raise ValueError(f"path is not a valid regular expression: {error}") from None


def fault_response(fault: Fault, request):
    status = fault.status
    if fault.body is not None:
        return json_response(fault.body, status)
    if status == 429:
        return json_response(
            problem(429, TITLES[429], "Rate limit exceeded"),
            429,
            {"Retry-After": str(fault.retry_after), "X-Rate-Limit-Problem": fault.rate_limit_problem},
        )
    if status == 400 and "/connect/" in request.path:
        return json_response({"error": "invalid_grant"}, 400)
    if status == 400:
        return json_response(
            validation_exception([{"ValidationErrors": [{"Message": "Injected fault"}]}]), 400
        )
    return json_response(problem(status, TITLES.get(status, "Error"), "Injected fault"), status)


faults = Faults()
on_reset(faults.clear)
