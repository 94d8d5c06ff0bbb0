"""What Xero's gateway does around every call: auth, tenant, scopes, rate limits, faults,
idempotency and the call log."""

import threading
import time
from types import SimpleNamespace

import pytest
import requests
import urllib3.util.retry
from xero_python.accounting import Contact, Contacts
from xero_python.exceptions import HTTPStatusException, RateLimitException

from .conftest import make_sdk


def api_get(sandbox, token: str, resource: str = "Organisation", tenant: str | None = None, **headers):
    tenant = sandbox.demo_tenant_id if tenant is None else tenant
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": tenant, **headers}
    return requests.get(f"{sandbox.accounting_url}/{resource}", headers=headers, timeout=10)


def api_put_contact(sandbox, token: str, name: str, key: str | None = None):
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": sandbox.demo_tenant_id}
    if key:
        headers["Idempotency-Key"] = key
    return requests.put(
        f"{sandbox.accounting_url}/Contacts", json={"Contacts": [{"Name": name}]}, headers=headers, timeout=10
    )


@pytest.fixture
def token(xero_sandbox) -> str:
    return xero_sandbox.connect()["access_token"]


class TestAuth:
    def test_missing_or_unknown_bearer_is_401_problem_json(self, xero_sandbox):
        for authorization in ("", "Bearer not.a.token", "Basic abc"):
            response = requests.get(
                f"{xero_sandbox.accounting_url}/Organisation",
                headers={"Authorization": authorization, "xero-tenant-id": xero_sandbox.demo_tenant_id},
                timeout=10,
            )
            assert response.status_code == 401
            assert response.headers["Content-Type"].startswith("application/json")
            body = response.json()
            assert (body["Title"], body["Status"], body["Detail"]) == (
                "Unauthorized",
                401,
                "AuthenticationUnsuccessful",
            )

    def test_expired_token_is_401_with_sdk_http_status_exception(self, xero_sandbox, token_urls):
        token_set = xero_sandbox.connect(scopes=["accounting.settings.read"])  # no offline_access: no refresh
        sdk = make_sdk(xero_sandbox, token_set)
        sdk.holder["token"]["expires_at"] = time.time() + 3600  # the app thinks it is still valid
        xero_sandbox.advance_clock(minutes=31)
        with pytest.raises(HTTPStatusException) as raised:
            sdk.accounting.get_organisations(xero_sandbox.demo_tenant_id)
        assert raised.value.status == 401

    def test_tenant_not_covered_by_the_token_is_403(self, xero_sandbox, token):
        assert api_get(xero_sandbox, token, tenant=xero_sandbox.second_tenant_id).status_code == 403
        assert api_get(xero_sandbox, token, tenant="").status_code == 403
        assert api_get(xero_sandbox, token).status_code == 200

    def test_missing_scope_is_401_insufficient_scope(self, xero_sandbox):
        token = xero_sandbox.connect(scopes=["offline_access", "accounting.contacts.read"])["access_token"]
        assert api_get(xero_sandbox, token, "Contacts").status_code == 200
        refused = api_get(xero_sandbox, token, "Invoices")
        assert refused.status_code == 401
        assert "insufficient_scope" in refused.headers["WWW-Authenticate"]
        write = api_put_contact(xero_sandbox, token, "Read Only Ltd")
        assert write.status_code == 401, "a .read scope does not allow writes"

    def test_broad_scopes_cover_granular_endpoints(self, xero_sandbox):
        token = xero_sandbox.connect(
            scopes=["accounting.transactions", "accounting.reports.read", "accounting.settings"]
        )
        assert api_get(xero_sandbox, token["access_token"], "Invoices?page=1").status_code == 200
        assert api_get(xero_sandbox, token["access_token"], "Items").status_code == 200
        assert api_get(xero_sandbox, token["access_token"], "Contacts").status_code == 401

    def test_unknown_endpoint_is_xeros_plain_text_404(self, xero_sandbox, token):
        response = api_get(xero_sandbox, token, "NoSuchThing")
        assert response.status_code == 404
        assert response.text == "The resource you're looking for cannot be found"

    def test_paths_are_case_insensitive(self, xero_sandbox, token):
        assert api_get(xero_sandbox, token, "organisation").status_code == 200
        assert api_get(xero_sandbox, token, "CONTACTS?page=1").status_code == 200


class TestRateLimits:
    def test_headers_on_every_response(self, xero_sandbox, token):
        first = api_get(xero_sandbox, token)
        second = api_get(xero_sandbox, token)
        assert (
            first.headers["X-MinLimit-Remaining"] == "59" and second.headers["X-MinLimit-Remaining"] == "58"
        )
        assert second.headers["X-DayLimit-Remaining"] == "4998"
        assert second.headers["X-AppMinLimit-Remaining"] == "9998"

    def test_minute_limit_429_then_window_resets_on_the_sandbox_clock(self, xero_sandbox, token, sdk):
        xero_sandbox.set_rate_limits(per_minute=3)
        for _ in range(3):
            assert api_get(xero_sandbox, token).status_code == 200
        refused = api_get(xero_sandbox, token)
        assert refused.status_code == 429
        assert refused.headers["X-Rate-Limit-Problem"] == "minute"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        with pytest.raises(RateLimitException) as raised:
            sdk.accounting.get_organisations(xero_sandbox.demo_tenant_id)
        assert raised.value.rate_limit == "minute"
        xero_sandbox.advance_clock(61)
        assert api_get(xero_sandbox, token).status_code == 200

    def test_day_limit(self, xero_sandbox, token):
        xero_sandbox.set_rate_limits(per_day=2)
        api_get(xero_sandbox, token)
        assert api_get(xero_sandbox, token).headers["X-DayLimit-Remaining"] == "0"
        refused = api_get(xero_sandbox, token)
        assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "day")
        assert int(refused.headers["Retry-After"]) > 80_000

    def test_limits_are_per_tenant(self, xero_sandbox):
        token = xero_sandbox.connect(tenants=[xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id])[
            "access_token"
        ]
        xero_sandbox.set_rate_limits(per_minute=1)
        assert api_get(xero_sandbox, token).status_code == 200
        assert api_get(xero_sandbox, token).status_code == 429
        assert api_get(xero_sandbox, token, tenant=xero_sandbox.second_tenant_id).status_code == 200

    def test_concurrency_limit(self, xero_sandbox, token):
        xero_sandbox.set_rate_limits(concurrent=2)
        xero_sandbox.inject_fault(delay=2.0, count=2, path="/Organisation")
        statuses = []

        def call():
            statuses.append(api_get(xero_sandbox, token).status_code)

        slow = [threading.Thread(target=call) for _ in range(2)]
        for thread in slow:
            thread.start()
        # Wait (not a guessed sleep) until the sandbox holds both slow calls.
        deadline = time.monotonic() + 10
        while (
            xero_sandbox.set_rate_limits()["usage"].get(xero_sandbox.demo_tenant_id, {}).get("in_flight") != 2
        ):
            assert time.monotonic() < deadline, "the two slow calls never reached the sandbox"
            time.sleep(0.01)
        refused = api_get(xero_sandbox, token)
        for thread in slow:
            thread.join()
        assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "concurrent")
        assert statuses == [200, 200]


class TestFaults:
    def test_status_fault_for_count_calls_on_a_path(self, xero_sandbox, token):
        xero_sandbox.inject_fault(status=503, count=2, path="/invoices")
        assert api_get(xero_sandbox, token).status_code == 200, "other paths are unaffected"
        assert [api_get(xero_sandbox, token, "Invoices").status_code for _ in range(3)] == [503, 503, 200]

    def test_injected_429_looks_like_xeros(self, xero_sandbox, token, sdk):
        xero_sandbox.inject_fault(status=429, retry_after=7, rate_limit_problem="day")
        with pytest.raises(RateLimitException) as raised:
            sdk.accounting.get_organisations(xero_sandbox.demo_tenant_id)
        assert raised.value.rate_limit == "day"
        assert raised.value.headers["Retry-After"] == "7"

    def test_the_sdk_by_default_waits_retry_after_and_retries_a_get(
        self, xero_sandbox, token_urls, monkeypatch
    ):
        sdk = make_sdk(xero_sandbox, xero_sandbox.connect(), urllib3_retries=True)
        xero_sandbox.inject_fault(status=429, retry_after=7, path="/Organisation")
        waits = []  # urllib3's Retry sleeps through its module's `time`: record the wait, skip it
        monkeypatch.setattr(urllib3.util.retry, "time", SimpleNamespace(time=time.time, sleep=waits.append))
        assert sdk.accounting.get_organisations(xero_sandbox.demo_tenant_id).organisations
        assert waits == [7]
        assert [call["status"] for call in xero_sandbox.calls(area="accounting")] == [429, 200]

    def test_timeout_fault_makes_the_client_time_out(self, xero_sandbox, token):
        xero_sandbox.inject_fault(timeout=True, delay=3)
        with pytest.raises(requests.Timeout):
            requests.get(
                f"{xero_sandbox.accounting_url}/Organisation",
                headers={"Authorization": f"Bearer {token}", "xero-tenant-id": xero_sandbox.demo_tenant_id},
                timeout=0.3,
            )
        xero_sandbox.clear_faults()  # also releases the hung request

    def test_a_write_whose_answer_is_lost_is_replayed_by_its_idempotency_key(self, xero_sandbox, token):
        xero_sandbox.inject_fault(timeout=True, delay=5, after=True, method="PUT", path="/Contacts")
        headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": xero_sandbox.demo_tenant_id}
        headers["Idempotency-Key"] = "lost-answer"
        body = {"Contacts": [{"Name": "Lost Answer Ltd"}]}
        with pytest.raises(requests.Timeout):
            requests.put(f"{xero_sandbox.accounting_url}/Contacts", json=body, headers=headers, timeout=0.5)
        xero_sandbox.clear_faults()
        retry = requests.put(
            f"{xero_sandbox.accounting_url}/Contacts", json=body, headers=headers, timeout=10
        )
        assert retry.status_code == 200
        assert [c["Name"] for c in xero_sandbox.contacts()].count("Lost Answer Ltd") == 1

    def test_a_lost_refresh_response_is_covered_by_the_grace_window(self, xero_sandbox):
        old = xero_sandbox.connect()["refresh_token"]
        xero_sandbox.inject_fault(status=502, after=True, path="/connect/token")
        form = {"grant_type": "refresh_token", "refresh_token": old}
        auth = (xero_sandbox.client_id, xero_sandbox.client_secret)
        assert requests.post(xero_sandbox.token_url, data=form, auth=auth, timeout=10).status_code == 502
        retry = requests.post(xero_sandbox.token_url, data=form, auth=auth, timeout=10)
        assert retry.status_code == 200 and retry.json()["refresh_token"] != old

    def test_method_filter_and_permanent_faults(self, xero_sandbox, token):
        xero_sandbox.inject_fault(status=500, count=None, method="PUT")
        assert api_put_contact(xero_sandbox, token, "A Ltd").status_code == 500
        assert api_put_contact(xero_sandbox, token, "B Ltd").status_code == 500
        assert api_get(xero_sandbox, token, "Contacts").status_code == 200
        xero_sandbox.clear_faults()
        assert api_put_contact(xero_sandbox, token, "C Ltd").status_code == 200

    def test_token_endpoint_faults(self, xero_sandbox):
        token_set = xero_sandbox.connect()
        xero_sandbox.inject_fault(status=400, path="/connect/token")
        response = requests.post(
            xero_sandbox.token_url,
            data={"grant_type": "refresh_token", "refresh_token": token_set["refresh_token"]},
            auth=(xero_sandbox.client_id, xero_sandbox.client_secret),
            timeout=10,
        )
        assert response.text == '{"error":"invalid_grant"}'

    def test_unknown_fault_settings_are_refused(self, xero_sandbox):
        with pytest.raises(AssertionError, match="Unknown fault settings"):
            xero_sandbox.inject_fault(status=500, colour="red")


class TestIdempotency:
    def test_same_key_and_body_replays_without_a_second_write(self, xero_sandbox, token):
        first = api_put_contact(xero_sandbox, token, "Idempotent Ltd", key="key-1")
        again = api_put_contact(xero_sandbox, token, "Idempotent Ltd", key="key-1")
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        names = [contact["Name"] for contact in xero_sandbox.contacts()]
        assert names.count("Idempotent Ltd") == 1
        assert "X-MinLimit-Remaining" in again.headers, "replays still count against the limits"

    def test_same_key_different_body_is_400(self, xero_sandbox, token):
        api_put_contact(xero_sandbox, token, "First Body Ltd", key="key-2")
        clash = api_put_contact(xero_sandbox, token, "Second Body Ltd", key="key-2")
        assert clash.status_code == 400
        assert "Idempotency-Key" in clash.json()["Elements"][0]["ValidationErrors"][0]["Message"]

    def test_failed_validation_is_replayed_too(self, xero_sandbox, token):
        first = api_put_contact(xero_sandbox, token, "Cobalt Software Ltd", key="key-3")
        assert first.status_code == 400
        assert api_put_contact(xero_sandbox, token, "Cobalt Software Ltd", key="key-3").json() == first.json()

    def test_sdk_sends_the_key(self, xero_sandbox, sdk):
        contacts = Contacts(contacts=[Contact(name="Through The SDK Ltd")])
        first = sdk.accounting.create_contacts(
            xero_sandbox.demo_tenant_id, contacts, idempotency_key="sdk-key"
        )
        second = sdk.accounting.create_contacts(
            xero_sandbox.demo_tenant_id, contacts, idempotency_key="sdk-key"
        )
        assert first.contacts[0].contact_id == second.contacts[0].contact_id
        (call,) = [c for c in xero_sandbox.calls(area="accounting") if c["replayed"]]
        assert call["idempotency_key"] == "sdk-key"


class TestCallLog:
    def test_calls_are_logged_with_method_path_status_and_tenant(self, xero_sandbox, token):
        xero_sandbox.clear_calls()
        api_get(xero_sandbox, token, "Contacts")
        xero_sandbox.set_rate_limits(per_minute=1)
        api_get(xero_sandbox, token, "Invoices")
        calls = xero_sandbox.calls(area="accounting")
        assert [(c["method"], c["path"].rsplit("/", 1)[-1], c["status"]) for c in calls] == [
            ("GET", "Contacts", 200),
            ("GET", "Invoices", 429),
        ]
        assert calls[0]["tenant"] == xero_sandbox.demo_tenant_id and calls[1]["rate_limited"]
        assert calls[0]["client_id"] == xero_sandbox.client_id

    def test_identity_calls_are_logged_separately(self, xero_sandbox):
        xero_sandbox.connect()
        assert [c["path"].rsplit("/", 1)[-1] for c in xero_sandbox.calls(area="identity")] == ["token"]
