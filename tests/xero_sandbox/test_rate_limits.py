"""Rate limits counted as Xero counts them (developer.xero.com/faq/limits): the minute, day and
concurrent limits per app per organisation, and the app minute limit per app across organisations;
windows move with the sandbox clock, never the wall clock."""

import threading
import time

import pytest
import requests
from xero_python.exceptions import RateLimitException

from .conftest import make_sdk

OTHER_APP = ("OTHERAPP", "other-s3cret")


def get(sandbox, token: str, tenant: str, resource: str = "Organisation"):
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": tenant}
    return requests.get(f"{sandbox.accounting_url}/{resource}", headers=headers, timeout=10)


@pytest.fixture
def app_a(xero_sandbox) -> str:
    """The demo app, connected to both organisations."""
    tenants = [xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id]
    return xero_sandbox.connect(tenants=tenants)["access_token"]


@pytest.fixture
def app_b(xero_sandbox) -> str:
    """Another app (a custom connection) on the demo organisation."""
    client_id, secret = OTHER_APP
    xero_sandbox.register_app(
        client_id=client_id,
        client_secret=secret,
        name="Other app",
        custom_connection_tenant_id=xero_sandbox.demo_tenant_id,
    )
    response = requests.post(
        xero_sandbox.token_url, data={"grant_type": "client_credentials"}, auth=OTHER_APP, timeout=10
    )
    response.raise_for_status()
    return response.json()["access_token"]


def test_minute_limit_is_per_app_per_organisation(xero_sandbox, app_a, app_b):
    demo, second = xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id
    xero_sandbox.set_rate_limits(per_minute=2, reset_counters=True)
    assert [get(xero_sandbox, app_a, demo).headers["X-MinLimit-Remaining"] for _ in range(2)] == ["1", "0"]
    refused = get(xero_sandbox, app_a, demo)
    assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "minute")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another app on the same organisation has its own minute; the same app on another
    # organisation too.
    other = get(xero_sandbox, app_b, demo)
    assert (other.status_code, other.headers["X-MinLimit-Remaining"]) == (200, "1")
    elsewhere = get(xero_sandbox, app_a, second)
    assert (elsewhere.status_code, elsewhere.headers["X-MinLimit-Remaining"]) == (200, "1")
    xero_sandbox.advance_clock(seconds=61)
    assert get(xero_sandbox, app_a, demo).status_code == 200


def test_day_limit_is_per_app_per_organisation(xero_sandbox, app_a, app_b):
    demo = xero_sandbox.demo_tenant_id
    xero_sandbox.set_rate_limits(per_day=1, reset_counters=True)
    assert get(xero_sandbox, app_a, demo).headers["X-DayLimit-Remaining"] == "0"
    refused = get(xero_sandbox, app_a, demo)
    assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "day")
    assert int(refused.headers["Retry-After"]) > 3600
    assert get(xero_sandbox, app_b, demo).status_code == 200
    xero_sandbox.advance_clock(days=1)
    fresh = xero_sandbox.connect()["access_token"]  # a day on, the old access token has expired
    assert get(xero_sandbox, fresh, demo).status_code == 200


def test_app_minute_limit_spans_organisations_but_not_apps(xero_sandbox, app_a, app_b):
    demo, second = xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id
    xero_sandbox.set_rate_limits(app_per_minute=3, reset_counters=True)
    remaining = [
        get(xero_sandbox, app_a, tenant).headers["X-AppMinLimit-Remaining"] for tenant in (demo, second, demo)
    ]
    assert remaining == ["2", "1", "0"]
    refused = get(xero_sandbox, app_a, second)
    assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "appminute")
    assert "Retry-After" in refused.headers
    other = get(xero_sandbox, app_b, demo)
    assert (other.status_code, other.headers["X-AppMinLimit-Remaining"]) == (200, "2")
    xero_sandbox.advance_clock(seconds=61)
    assert get(xero_sandbox, app_a, second).status_code == 200


def test_headers_report_this_apps_counts(xero_sandbox, app_a, app_b):
    demo = xero_sandbox.demo_tenant_id
    xero_sandbox.set_rate_limits(reset_counters=True)
    for _ in range(3):
        get(xero_sandbox, app_a, demo)
    response = get(xero_sandbox, app_b, demo)
    assert response.headers["X-MinLimit-Remaining"] == "59"
    assert response.headers["X-DayLimit-Remaining"] == "4999"
    assert response.headers["X-AppMinLimit-Remaining"] == "9999"
    usage = xero_sandbox.set_rate_limits()["usage"][demo]
    assert usage["minute"] == 4
    assert {app["minute"] for app in usage["apps"].values()} == {3, 1}
    assert usage["apps"][OTHER_APP[0]]["app_minute"] == 1


def test_concurrent_limit_is_per_app_per_organisation(xero_sandbox, app_a, app_b):
    demo = xero_sandbox.demo_tenant_id
    xero_sandbox.set_rate_limits(concurrent=1, reset_counters=True)
    xero_sandbox.inject_fault(delay=2.0, count=1, path="/Organisation")
    statuses = []
    slow = threading.Thread(target=lambda: statuses.append(get(xero_sandbox, app_a, demo).status_code))
    slow.start()
    # Wait (not a guessed sleep) until the sandbox holds app A's slow call.
    deadline = time.monotonic() + 10
    while xero_sandbox.set_rate_limits()["usage"].get(demo, {}).get("in_flight") != 1:
        assert time.monotonic() < deadline, "the slow call never reached the sandbox"
        time.sleep(0.01)
    other_app = get(xero_sandbox, app_b, demo)
    same_app = get(xero_sandbox, app_a, demo, "Contacts?page=1")
    slow.join()
    assert other_app.status_code == 200, "app B has its own concurrent limit"
    assert (same_app.status_code, same_app.headers["X-Rate-Limit-Problem"]) == (429, "concurrent")
    assert statuses == [200]


def test_sdk_reads_the_headers_and_the_appminute_problem(xero_sandbox, token_urls):
    tenants = [xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id]
    sdk = make_sdk(xero_sandbox, xero_sandbox.connect(tenants=tenants))
    xero_sandbox.set_rate_limits(app_per_minute=1, reset_counters=True)
    sdk.accounting.get_organisations(xero_sandbox.demo_tenant_id)
    assert sdk.last_header("X-AppMinLimit-Remaining") == "0"
    with pytest.raises(RateLimitException) as raised:
        sdk.accounting.get_organisations(xero_sandbox.second_tenant_id)
    assert raised.value.rate_limit == "appminute"
