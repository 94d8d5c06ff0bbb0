"""Rows: 503s and timeouts while Engager writes contacts to Xero → no 500 page, a clear message,
nothing lost, and retries create nothing twice (counted in the sandbox).

- Link with Xero → Create new contact → Save (one contact);
- Clients → Match clients to Xero → Create in Xero (a batch).

Each fault strikes before Xero wrote anything, or after (`after`: created in Xero, the answer lost),
which is the case the stored Idempotency-Key exists for.
"""

import pytest
from django_htmx.http import HTMX_STOP_POLLING

from clients.models import Client
from integrations.models import XeroBulkRun, XeroContactCreation, XeroContactLink
from tests.integrations.demo_data import create_demo_companies, rows_by_match

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
MATCHING = "/clients/xero-matching/"
FAULTS = pytest.mark.parametrize(
    "fault",
    [
        {"status": 503},
        {"timeout": True, "delay": 3.0},  # slower than our timeout: nothing is created
        {"status": 503, "after": True},  # created in Xero, the answer lost
        {"timeout": True, "delay": 3.0, "after": True},  # created in Xero, the answer never comes
    ],
    ids=["503", "timeout", "503-after-write", "timeout-after-write"],
)


@pytest.fixture
def companies(connect, practice):
    connect()
    return create_demo_companies(practice)


def snapshot(client: Client) -> dict:
    """What the accountant typed about the client: none of it may be lost."""
    return Client.objects.filter(pk=client.pk).values().get()


def named(sandbox, name: str) -> list[dict]:
    return [c for c in sandbox.contacts() if c["Name"] == name]


@FAULTS
def test_fault_during_create_contact__no_500_clear_message_then_exactly_1_contact(
    companies, owner_client, xero_sandbox, settings, fault
):
    normal_timeout = settings.XERO_HTTP_TIMEOUT
    settings.XERO_HTTP_TIMEOUT = 1.0
    client = companies["Ashdown Garden Centre Ltd"]  # not in Xero
    typed = snapshot(client)
    url = f"/clients/{client.pk}/xero/create/"
    before = len(xero_sandbox.contacts())
    xero_sandbox.inject_fault(path="/Contacts$", method="PUT", count=2, **fault)

    for headers in (HX, {}):  # with htmx, and again without JavaScript
        failed = owner_client.post(url, **headers)
        assert failed.status_code == 200  # no 500 page
        html = failed.content.decode()
        assert "nothing was linked" in html and "Save again to retry" in html  # a clear message
        assert not XeroContactLink.objects.exists()
    assert snapshot(client) == typed  # nothing lost
    assert XeroContactCreation.objects.get().status == XeroContactCreation.Status.PENDING

    xero_sandbox.clear_faults()
    settings.XERO_HTTP_TIMEOUT = normal_timeout
    retried = owner_client.post(url, **HX)
    assert retried["HX-Redirect"] == client.get_absolute_url()
    assert len(named(xero_sandbox, client.name)) == 1  # the figure: exactly 1 contact in Xero
    assert len(xero_sandbox.contacts()) == before + 1
    assert XeroContactLink.objects.get().client == client
    keys = {c["idempotency_key"] for c in xero_sandbox.calls(area="accounting") if c["method"] == "PUT"}
    assert keys == {XeroContactCreation.objects.get().idempotency_key}  # every attempt, one key


@FAULTS
def test_fault_during_bulk_create__no_500_clear_message_then_1_contact_per_client(
    companies, owner_client, xero_sandbox, settings, django_capture_on_commit_callbacks, fault
):
    normal_timeout = settings.XERO_HTTP_TIMEOUT
    settings.XERO_HTTP_TIMEOUT = 1.0
    names = [row["name"] for row in rows_by_match("none")]
    chosen = [companies[name] for name in names]
    typed = [snapshot(client) for client in chosen]
    before = len(xero_sandbox.contacts())
    xero_sandbox.inject_fault(path="/Contacts$", method="PUT", **fault)

    with django_capture_on_commit_callbacks(execute=True):
        started = owner_client.post(
            f"{MATCHING}start/", {"action": "create", "create": [c.pk for c in chosen]}, **HX
        )
    assert started.status_code < 500
    run = XeroBulkRun.objects.get()
    assert run.status == XeroBulkRun.Status.FAILED and "Try again" in run.message
    poll = owner_client.get(f"{MATCHING}runs/{run.pk}/", **HX)
    assert poll.status_code == HTMX_STOP_POLLING and "Try again" in poll.content.decode()  # a clear message
    assert owner_client.get(MATCHING).status_code == 200  # the page without JavaScript
    assert not XeroContactLink.objects.exists()
    assert [snapshot(client) for client in chosen] == typed  # nothing lost

    settings.XERO_HTTP_TIMEOUT = normal_timeout
    with django_capture_on_commit_callbacks(execute=True):
        retried = owner_client.post(f"{MATCHING}runs/{run.pk}/retry/", **HX)
    assert retried.status_code < 500
    run.refresh_from_db()
    assert run.status == XeroBulkRun.Status.SUCCEEDED and run.succeeded == len(chosen)
    assert len(xero_sandbox.contacts()) == before + len(chosen)  # the figure: one each, never two
    for name in names:
        assert len(named(xero_sandbox, name)) == 1
    assert XeroContactLink.objects.count() == len(chosen)
