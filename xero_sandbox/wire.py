"""Xero's wire format: the response envelope, error bodies, /Date(ms+0000)/ dates and numbers.

What the SDK insists on: dates as /Date()/ and never null (absent dates are omitted), exact enum
spelling, real JSON booleans and numbers.
"""

import calendar
import json
import re
import uuid
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.http import HttpResponse

from .clock import clock

CENT = Decimal("0.01")
MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{2,4})?\)/$")
PROVIDER_NAME = "Xero sandbox"


# --- values -----------------------------------------------------------------------------------


# Xero's examples use two flavours, field by field (counted over every response example in the
# spec): /Date(ms)/ for the envelope's DateTimeUTC, the Organisation's CreatedDateUTC and a
# report's UpdatedDateUTC; /Date(ms+0000)/ for record dates (Date, DueDate, FullyPaidOnDate,
# lock dates) and records' UpdatedDateUTC.


def ms_date(value: date) -> str:
    """A calendar date: /Date(ms+0000)/ at UTC midnight."""
    return f"/Date({calendar.timegm(value.timetuple()) * 1000}+0000)/"


def ms_datetime(value: datetime) -> str:
    """A record's timestamp (UpdatedDateUTC): /Date(ms+0000)/."""
    return f"/Date({int(value.timestamp() * 1000)}+0000)/"


def ms_timestamp(value: datetime) -> str:
    """A moment with no offset: /Date(ms)/ (DateTimeUTC, Organisation.CreatedDateUTC, reports)."""
    return f"/Date({int(value.timestamp() * 1000)})/"


def iso_date(value: date) -> str:
    return f"{value.isoformat()}T00:00:00"


def iso_datetime_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(value: Decimal) -> float:
    # A float prints as its shortest round-tripping form, so 2-dp amounts stay exact on the wire.
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def number(value: Decimal) -> float:
    return float(value)


def parse_date(value) -> date:
    """A date as clients send it: /Date(ms)/, /Date(ms+0000)/, 2024-03-01 or 2024-03-01T00:00:00."""
    if isinstance(value, str):
        text = value.strip()
        match = MS_DATE.match(text)
        if match:
            return datetime.fromtimestamp(int(match.group(1)) / 1000, tz=UTC).date()
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            pass
    raise ValueError(f"'{value}' is not a valid date.")


def parse_decimal(value) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"'{value}' is not a valid number.")
    try:
        result = Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"'{value}' is not a valid number.") from error
    if not result.is_finite():
        raise ValueError(f"'{value}' is not a valid number.")
    return result


# --- responses --------------------------------------------------------------------------------


def json_response(payload, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def envelope(collection: str, items: list, *, pagination: dict | None = None, provider: str = "") -> dict:
    payload = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": provider or PROVIDER_NAME,
        "DateTimeUTC": ms_timestamp(clock.now()),
    }
    if pagination is not None:
        payload["pagination"] = pagination
    payload[collection] = items
    return payload


def validation_exception(elements: list[dict]) -> dict:
    return {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": elements,
    }


def problem(status: int, title: str, detail: str) -> dict:
    """The problem-details body Xero's API gateway returns for 401/403/404/429/5xx."""
    return {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }


def messages(errors: list[str]) -> list[dict]:
    return [{"Message": message} for message in errors]
