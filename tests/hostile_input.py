"""Hypothesis strategies for hostile form input, and a helper that posts it and demands no 500.

Each example starts from a valid form, corrupts some of its fields (arbitrary unicode, NUL and
other control characters, values just over and far over each column's length, huge and negative
numbers, NaN/Infinity, impossible and out-of-range dates, stray choices and ids) and posts it. The
response must be a page (200, a form with errors or the next page after a redirect), never an
error (500, or an exception escaping the view). Each example runs in a savepoint that is rolled
back, so examples do not see each other's rows and a database error cannot poison the next one.
"""

import datetime as dt

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HOSTILE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Lengths at and around the columns' limits (8, 9, 10, 14, 30, 40, 100, 150, 200, 254) and far over.
LENGTHS = [7, 8, 9, 10, 11, 14, 15, 30, 31, 40, 41, 99, 100, 101, 150, 151, 199, 200, 201, 254, 255, 5000]
IMPOSSIBLE_DATES = [
    "2023-02-29", "2024-02-30", "2026-13-01", "2026-00-10", "2026-04-31", "0000-01-01", "0001-01-01",
    "9999-12-31", "10000-01-01", "-0001-01-01", "99999-99-99", "31/12/2026", "1/1/1", "2026-1-1",
    "1970-01-01T00:00:00", "today", "2026-12-01\x00",
]  # fmt: skip
NUMBERS = [
    "-1", "-0", "0", "-0.01", "0.001", "1e3", "1E+999999999", "-1E+999999999", "1e-999999999", "NaN",
    "-NaN", "sNaN", "Infinity", "-inf", "99999999.99", "100000000.00", "9" * 40, "-" + "9" * 40,
    "1_000", "١٢٣", "0x10", "1,000.00", "£250", " 250 ",
]  # fmt: skip
CONTROL = ["\x00", "\x00abc", "a\x00b", "\n", "\r\n", "\t", "\x0b", "\x1b[31m", "\u2028", "\u202e", "\ufeff"]
MARKUP = ["<script>alert(1)</script>", "{{ 7|add:1 }}", "{% now 'Y' %}", "' OR 1=1 --", "%s%s%n", "${jndi:x}"]

_repeated = st.builds(
    lambda char, length: char * length,
    st.sampled_from(["a", "1", "é", "😀", " ", "\x00", "<", "&"]),
    st.one_of(st.sampled_from(LENGTHS), st.integers(0, 600)),
)

hostile_value = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda s: f"{s}\x00{s}"),
    _repeated,
    st.sampled_from(CONTROL + MARKUP + NUMBERS + IMPOSSIBLE_DATES + [""]),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.dates().map(dt.date.isoformat),
)


def draw_form(data, valid: dict[str, object], extra: dict[str, st.SearchStrategy] | None = None) -> dict:
    """A valid form's values with a drawn set of fields replaced by hostile ones (or left out)."""
    fields = sorted(valid)
    # Mostly one to three fields, so that many examples still pass validation and reach the database.
    corrupted = data.draw(st.lists(st.sampled_from(fields), max_size=3, unique=True), label="corrupted")
    values = dict(valid)
    for name in sorted(corrupted):
        strategy = st.one_of(hostile_value, (extra or {}).get(name, st.nothing()))
        value = data.draw(st.one_of(strategy, st.none()), label=name)
        if value is None:
            values.pop(name)
        else:
            values[name] = value
    return values


def assert_no_server_error(client, method: str, url: str, values: dict, **headers) -> None:
    """Send the form (following a redirect to the page it leads to); the answer is a page."""
    with transaction.atomic():
        send = client.post if method == "post" else client.get
        response = send(url, values, follow=not headers, **headers)
        transaction.set_rollback(True)
    assert response.status_code < 500, (response.status_code, values)
    assert response.status_code in (200, 204, 404), (response.status_code, values)
