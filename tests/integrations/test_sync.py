"""The contacts mirror: paged, incremental, archived contacts, rate limits, live progress."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone
from django_htmx.http import HTMX_STOP_POLLING

from integrations.models import XeroConnection, XeroContact, XeroSyncRun
from integrations.tasks import sync_xero
from integrations.xero.client import XeroClient

pytestmark = pytest.mark.django_db


def contact_calls(sandbox, since=0):
    return [
        c for c in sandbox.calls(area="accounting", since=since) if c["path"].lower().endswith("/contacts")
    ]


@pytest.fixture
def scale_org(xero_sandbox):
    """An organisation with 2,500 contacts: three pages of 1,000."""
    return xero_sandbox.seed_scale(contacts=2500, invoices=0, name="Big Practice Ltd")


def sync_now(owner_client, django_capture_on_commit_callbacks, htmx=None):
    with django_capture_on_commit_callbacks(execute=True):
        return owner_client.post("/settings/integrations/xero/sync/", **(htmx or {}))


def test_full_then_incremental_sync_counts_xero_calls(connect, xero_sandbox, scale_org, owner_client,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    xero_sandbox.clear_calls()
    connection = connect(tenants=[scale_org])
    calls = contact_calls(xero_sandbox)
    assert len(calls) == 3  # one per page of 1,000
    assert all("pageSize=1000" in c["query"] for c in calls)
    assert XeroContact.objects.filter(tenant_id=scale_org).count() == 2500
    connection.refresh_from_db()
    assert connection.contacts_modified_since and connection.last_sync_at

    seq = xero_sandbox.calls()[-1]["seq"]
    sync_now(owner_client, django_capture_on_commit_callbacks)
    calls = contact_calls(xero_sandbox, since=seq)
    assert len(calls) == 1  # nothing changed: one call
    run = XeroSyncRun.objects.order_by("-created_at").first()
    assert run.status == XeroSyncRun.Status.SUCCEEDED and run.contacts_synced == 0
    assert "already up to date" in run.message

    # Change two contacts "in Xero" (one renamed, one archived): the next sync brings just those.
    first, second = xero_sandbox.contacts(scale_org)[:2]
    xero_sandbox.rename_contact(first["ContactID"], "Renamed In Xero Ltd", tenant_id=scale_org)
    xero_sandbox.archive_contact(second["ContactID"], tenant_id=scale_org)
    sync_now(owner_client, django_capture_on_commit_callbacks)
    run = XeroSyncRun.objects.order_by("-created_at").first()
    assert run.contacts_synced == 2
    assert XeroContact.objects.get(contact_id=first["ContactID"]).name == "Renamed In Xero Ltd"
    assert XeroContact.objects.get(contact_id=second["ContactID"]).is_archived
    assert XeroContact.objects.filter(tenant_id=scale_org).count() == 2500


def test_archived_contacts_are_mirrored_and_flagged(connect, xero_sandbox):
    connect()
    archived = {c["ContactID"] for c in xero_sandbox.contacts() if c.get("ContactStatus") == "ARCHIVED"}
    assert archived, "the demo organisation has archived contacts"
    assert set(XeroContact.objects.filter(status="ARCHIVED").values_list("contact_id", flat=True)) == archived


def test_a_429_in_the_middle_waits_for_retry_after_and_loses_nothing(
    connect, xero_sandbox, scale_org, owner_client, htmx, django_capture_on_commit_callbacks
):
    connection = connect(tenants=[scale_org])
    XeroContact.objects.all().delete()
    XeroConnection.objects.filter(pk=connection.pk).update(contacts_modified_since=None)
    run = XeroSyncRun.objects.create(practice=connection.practice)

    real_page = XeroClient.contacts_page

    def page_then_throttle(self, *, page=1, **kwargs):
        result = real_page(self, page=page, **kwargs)
        if page == 1:  # Xero says "slow down" on the next call
            xero_sandbox.inject_fault(
                status=429, path="/Contacts", retry_after=37, rate_limit_problem="minute"
            )
        return result

    before = timezone.now()
    with mock.patch.object(XeroClient, "contacts_page", page_then_throttle):
        assert sync_xero.apply(args=[run.pk]).get() == "waiting"
    after = timezone.now()
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.WAITING and "slow down" in run.message
    assert before + dt.timedelta(seconds=37) <= run.retry_at <= after + dt.timedelta(seconds=37)
    assert f"Will retry at {timezone.localtime(run.retry_at):%H:%M}" in run.message
    assert run.next_page == 2 and run.contacts_synced == 1000
    assert XeroContact.objects.count() == 1000

    # 37 s later the page's progress poll carries the run on from page 2.
    XeroSyncRun.objects.filter(pk=run.pk).update(retry_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.get(run.get_absolute_url(), **htmx)
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.SUCCEEDED
    assert XeroContact.objects.count() == 2500
    assert run.contacts_synced == 2500
    assert owner_client.get(run.get_absolute_url(), **htmx).status_code == HTMX_STOP_POLLING


def test_sync_now_shows_progress_with_htmx_and_stops_polling(connect, owner_client, htmx,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    connect()
    response = sync_now(owner_client, django_capture_on_commit_callbacks, htmx)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="sync-status"')
    run = XeroSyncRun.objects.order_by("-created_at").first()
    status = owner_client.get(f"/settings/integrations/xero/sync/{run.pk}/", **htmx)
    assert status.status_code == HTMX_STOP_POLLING  # finished: htmx stops polling
    assert "Sync finished" in status.content.decode()


def test_a_running_sync_polls_and_a_second_click_joins_it(connect, owner_client, practice, htmx):
    connect()
    run = XeroSyncRun.objects.create(practice=practice, status=XeroSyncRun.Status.RUNNING, message="page 2…")
    response = owner_client.post("/settings/integrations/xero/sync/", **htmx)
    assert f'hx-get="/settings/integrations/xero/sync/{run.pk}/"' in response.content.decode()
    assert XeroSyncRun.objects.filter(status=XeroSyncRun.Status.RUNNING).count() == 1
    status = owner_client.get(f"/settings/integrations/xero/sync/{run.pk}/", **htmx)
    assert status.status_code == 200 and "Syncing with Xero" in status.content.decode()


def test_sync_when_xero_is_down_waits_then_says_so(connect, xero_sandbox, practice, settings):
    connection = connect()
    settings.XERO_HTTP_TIMEOUT = 0.5
    xero_sandbox.inject_fault(status=503, path="/Contacts", count=None)
    run = XeroSyncRun.objects.create(practice=practice)
    assert sync_xero.apply(args=[run.pk]).get() == "waiting"
    run.refresh_from_db()
    assert "not answering" in run.message and "Will retry at" in run.message
    assert run.status == XeroSyncRun.Status.WAITING and run.retries == 1
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.ACTIVE


def test_sync_after_the_connection_was_removed_flags_reconnect(connect, xero_sandbox, practice):
    connection = connect()
    xero_sandbox.delete_connection(connection.connection_id)
    run = XeroSyncRun.objects.create(practice=practice)
    sync_xero.apply(args=[run.pk])
    run.refresh_from_db()
    connection.refresh_from_db()
    assert run.status == XeroSyncRun.Status.FAILED and "reconnect" in run.message
    assert connection.status == XeroConnection.Status.NEEDS_RECONNECT
