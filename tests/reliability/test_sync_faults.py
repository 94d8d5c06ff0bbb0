"""Rows: faults during a full contacts sync.

- a 429 storm for a minute, then recovery → the sync completes, mirror count == sandbox count;
- 503s and timeouts mid-paging → no 500, a clear message, nothing lost, nothing mirrored twice;
- the connection deleted in Xero mid-sync → Needs reconnecting, a banner for owners/admins, no
  mirrored data lost.

No real waiting: the sandbox's clock moves the storm on, and the run's `retry_at` is moved into the
past before the page's progress poll resumes it (eager mode: `xero_sync_resume_if_due`).
"""

import datetime as dt
import re
from unittest import mock

import pytest
from django.utils import timezone
from django_htmx.http import HTMX_STOP_POLLING

from core.models import Membership
from integrations.models import XeroConnection, XeroContact, XeroSyncRun
from integrations.xero.client import XeroClient
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the page flow commits the run, as in production

SYNC = "/settings/integrations/xero/sync/"
HX = {"HTTP_HX_REQUEST": "true"}
STORM_SECONDS = 60
RETRY_AFTER = 20  # what Xero's 429s say during the storm


@pytest.fixture
def scale_org(xero_sandbox):
    """An organisation with 2,500 contacts: three pages of 1,000."""
    return xero_sandbox.seed_scale(contacts=2500, invoices=0, name="Storm Practice Ltd")


def mirrored(tenant_id: str) -> int:
    return XeroContact.objects.filter(tenant_id=tenant_id).count()


def latest_run() -> XeroSyncRun:
    return XeroSyncRun.objects.order_by("-created_at", "-pk").first()


def contact_page_calls(sandbox, since: int = 0) -> list[dict]:
    return [c for c in sandbox.calls(area="accounting", since=since) if c["path"].endswith("/Contacts")]


def page_of(call: dict) -> int:
    return int(re.search(r"(?:^|&)page=(\d+)", call["query"]).group(1))


def after_page_1(action):
    """Patch the Xero client so that `action()` happens in Xero just after the first contacts page
    of a sync came back (once): the fault strikes mid-paging."""
    real_page = XeroClient.contacts_page
    done = []

    def page_then_act(self, *, page=1, **kwargs):
        result = real_page(self, page=page, **kwargs)
        if page == 1 and not done:
            done.append(True)
            action()
        return result

    return mock.patch.object(XeroClient, "contacts_page", page_then_act)


def full_resync(connection) -> None:
    """Forget the contacts high-water mark, so the next sync pages through every contact again."""
    XeroConnection.objects.filter(pk=connection.pk).update(contacts_modified_since=None)


def resume_when_due(owner_client, run, django_capture_on_commit_callbacks):
    """The retry time has come (without waiting): the page's progress poll carries the run on."""
    XeroSyncRun.objects.filter(pk=run.pk).update(retry_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.get(run.get_absolute_url(), **HX)
    assert response.status_code in (200, HTMX_STOP_POLLING)
    run.refresh_from_db()
    return response


def test_429_storm_for_a_minute__sync_completes_and_mirror_count_equals_sandbox(
    connect, xero_sandbox, scale_org, owner_client, django_capture_on_commit_callbacks
):
    storm = {}

    def start_storm():  # every accounting call is refused, as when another app floods the tenant
        storm["seq"] = xero_sandbox.calls()[-1]["seq"]
        xero_sandbox.inject_fault(
            status=429, path="/api.xro/2.0/", count=None, retry_after=RETRY_AFTER, rate_limit_problem="minute"
        )

    with after_page_1(start_storm):
        connect(tenants=[scale_org])  # the first (full) sync runs eagerly after the callback
    run = latest_run()
    assert run.status == XeroSyncRun.Status.WAITING and "slow down" in run.message
    assert run.next_page == 2 and mirrored(scale_org) == 1000  # page 1 is kept

    # The storm lasts a minute on Xero's clock; each poll that falls due meets another 429.
    elapsed = 0
    while elapsed < STORM_SECONDS:
        waited = (run.retry_at - timezone.now()).total_seconds()
        assert RETRY_AFTER - 5 <= waited <= RETRY_AFTER + 1  # the run honours Retry-After
        xero_sandbox.advance_clock(seconds=RETRY_AFTER)
        elapsed += RETRY_AFTER
        if elapsed >= STORM_SECONDS:
            xero_sandbox.clear_faults()  # the storm is over
        response = resume_when_due(owner_client, run, django_capture_on_commit_callbacks)
        if elapsed < STORM_SECONDS:
            assert response.status_code == 200 and "slow down" in response.content.decode()
            assert run.status == XeroSyncRun.Status.WAITING

    refused = [c for c in xero_sandbox.calls(since=storm["seq"]) if c["status"] == 429]
    assert len(refused) >= STORM_SECONDS // RETRY_AFTER  # a storm, not a single 429
    assert run.status == XeroSyncRun.Status.SUCCEEDED, run.message
    sandbox_count = len(xero_sandbox.contacts(scale_org))
    assert mirrored(scale_org) == sandbox_count == 2500  # the figure: mirror == sandbox
    fetched = [page_of(c) for c in contact_page_calls(xero_sandbox, since=storm["seq"]) if c["status"] == 200]
    assert fetched == [2, 3]  # carried on from page 2: page 1 was not fetched again


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503},
        {"status": 502},
        {"timeout": True, "delay": 5.0},  # slower than our timeout: the answer never comes
    ],
    ids=["503", "502", "timeout"],
)
def test_503_or_timeout_mid_sync__no_500_clear_message_nothing_lost_nothing_twice(
    connect, xero_sandbox, scale_org, owner_client, django_capture_on_commit_callbacks, settings, fault
):
    normal_timeout = settings.XERO_HTTP_TIMEOUT
    settings.XERO_HTTP_TIMEOUT = 2.0  # the "timeout" fault holds the answer for 5 s
    connection = connect(tenants=[scale_org])
    assert mirrored(scale_org) == 2500
    before = set(XeroContact.objects.values_list("pk", "contact_id"))
    full_resync(connection)
    seq = xero_sandbox.calls()[-1]["seq"]

    with (
        after_page_1(lambda: xero_sandbox.inject_fault(path="/api.xro/2.0/", count=None, **fault)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = owner_client.post(SYNC, **HX)
    assert response.status_code == 200  # no 500 page
    run = latest_run()
    assert run.status == XeroSyncRun.Status.WAITING
    body = response.content.decode()
    assert "Xero is not answering." in body and "Will retry at" in body  # a clear message
    assert set(XeroContact.objects.values_list("pk", "contact_id")) == before  # nothing lost

    # Without JavaScript the settings page says the same, and never 500s.
    page = owner_client.get("/settings/integrations/xero/")
    assert page.status_code == 200 and "Xero is not answering." in page.content.decode()

    xero_sandbox.clear_faults()
    settings.XERO_HTTP_TIMEOUT = normal_timeout  # a slow machine's page of 1,000 is not a fault
    resume_when_due(owner_client, run, django_capture_on_commit_callbacks)
    assert run.status == XeroSyncRun.Status.SUCCEEDED, run.message
    assert mirrored(scale_org) == len(xero_sandbox.contacts(scale_org)) == 2500  # nothing twice
    assert set(XeroContact.objects.values_list("pk", "contact_id")) == before  # the same rows, upserted
    fetched = [page_of(c) for c in contact_page_calls(xero_sandbox, since=seq) if c["status"] == 200]
    assert fetched == [1, 2, 3]  # page 1 before the fault, 2 and 3 after: none fetched twice


def test_connection_deleted_in_xero_mid_sync__needs_reconnect_banner_0_mirrored_rows_lost(
    connect, xero_sandbox, scale_org, owner_client, practice, client, django_capture_on_commit_callbacks
):
    connection = connect(tenants=[scale_org])
    before = set(XeroContact.objects.values_list("pk", "contact_id", "name"))
    assert len(before) == 2500
    full_resync(connection)

    with (
        after_page_1(lambda: xero_sandbox.delete_connection(connection.connection_id)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = owner_client.post(SYNC, **HX)
    assert response.status_code == 200  # no 500 page
    run = latest_run()
    assert run.status == XeroSyncRun.Status.FAILED and "reconnect" in run.message
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.NEEDS_RECONNECT
    assert set(XeroContact.objects.values_list("pk", "contact_id", "name")) == before  # 0 rows lost

    banner = "Xero needs you to reconnect"
    assert banner in owner_client.get("/").content.decode()
    admin = MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user
    staff = MembershipFactory(practice=practice, role=Membership.Role.STAFF).user
    client.force_login(admin)
    assert banner in client.get("/clients/").content.decode()
    client.force_login(staff)
    assert banner not in client.get("/clients/").content.decode()  # staff cannot reconnect


@pytest.fixture
def invoice_org(xero_sandbox):
    """An organisation with 2,500 invoices (three pages of 1,000) for a few contacts."""
    return xero_sandbox.seed_scale(contacts=50, invoices=2500, name="Storm Invoices Ltd")


def after_invoice_page_1(action):
    """As `after_page_1`, for the invoices pages of a sync."""
    real_page = XeroClient.invoices_page
    done = []

    def page_then_act(self, *, page=1, **kwargs):
        result = real_page(self, page=page, **kwargs)
        if page == 1 and not done:
            done.append(True)
            action()
        return result

    return mock.patch.object(XeroClient, "invoices_page", page_then_act)


def test_429_storm_for_a_minute_during_the_invoice_sync__mirrored_invoices_equal_sandbox(
    connect, xero_sandbox, invoice_org, owner_client, django_capture_on_commit_callbacks
):
    from invoicing.models import Invoice

    storm = {}

    def start_storm():
        storm["seq"] = xero_sandbox.calls()[-1]["seq"]
        xero_sandbox.inject_fault(
            status=429, path="/api.xro/2.0/", count=None, retry_after=RETRY_AFTER, rate_limit_problem="minute"
        )

    with after_invoice_page_1(start_storm):
        connect(tenants=[invoice_org])
    run = latest_run()
    assert run.status == XeroSyncRun.Status.WAITING and "slow down" in run.message
    assert Invoice.objects.filter(tenant_id=invoice_org).count() == 1000  # page 1 is kept

    elapsed = 0
    while elapsed < STORM_SECONDS:
        xero_sandbox.advance_clock(seconds=RETRY_AFTER)
        elapsed += RETRY_AFTER
        if elapsed >= STORM_SECONDS:
            xero_sandbox.clear_faults()
        response = resume_when_due(owner_client, run, django_capture_on_commit_callbacks)
        assert response.status_code in (200, HTMX_STOP_POLLING)
        if elapsed < STORM_SECONDS:
            assert run.status == XeroSyncRun.Status.WAITING

    refused = [c for c in xero_sandbox.calls(since=storm["seq"]) if c["status"] == 429]
    assert len(refused) >= STORM_SECONDS // RETRY_AFTER
    assert run.status == XeroSyncRun.Status.SUCCEEDED, run.message
    sandbox_count = len(xero_sandbox.invoices(invoice_org))
    assert Invoice.objects.filter(tenant_id=invoice_org).count() == sandbox_count == 2500  # the figure
    invoice_pages = [
        page_of(c)
        for c in xero_sandbox.calls(area="accounting", since=storm["seq"])
        if c["path"].endswith("/Invoices") and c["status"] == 200
    ]
    assert invoice_pages == [2, 3]  # carried on from page 2
