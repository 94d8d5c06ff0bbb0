"""The sandbox clock: real time plus an offset that tests and the demo can move forward.

Everything time-dependent in the sandbox (token expiry, rate-limit windows, UpdatedDateUTC,
"today" for due dates) reads this clock, so tests expire tokens without sleeping.
"""

import math
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

# Xero's Windows-style timezone names for the organisations the sandbox seeds.
XERO_TIMEZONES = {
    "GMTSTANDARDTIME": "Europe/London",
    "NEWZEALANDSTANDARDTIME": "Pacific/Auckland",
    "AUSEASTERNSTANDARDTIME": "Australia/Sydney",
    "EASTERNSTANDARDTIME": "America/New_York",
}


# How far ahead of real time the clock may run: ten years is plenty for any demo or test, and far
# short of datetime's year 9999, past which every call that reads the clock would fail.
MAX_OFFSET = timedelta(days=3660)


class SandboxClock:
    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    @property
    def offset_seconds(self) -> float:
        return self._offset.total_seconds()

    def set_offset(self, seconds: float) -> None:
        with self._lock:
            self._offset = timedelta(seconds=seconds)

    def advance(self, seconds: float) -> datetime:
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("The sandbox clock only moves forward.")
        with self._lock:
            if seconds > (MAX_OFFSET - self._offset).total_seconds():
                raise ValueError(
                    f"The sandbox clock runs at most {MAX_OFFSET.days} days ahead of real time; "
                    f"it is {self._offset.total_seconds() / 86400:.1f} days ahead now."
                )
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        self.set_offset(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        return self.now().timestamp()

    def today_in(self, xero_timezone: str) -> date:
        zone = ZoneInfo(XERO_TIMEZONES.get(xero_timezone, "UTC"))
        return self.now().astimezone(zone).date()


clock = SandboxClock()
