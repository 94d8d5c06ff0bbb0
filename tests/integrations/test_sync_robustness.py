"""A sync never gets stuck: unexpected errors fail the run, eager retries end the request cleanly and
really retry, one active run per practice, and Xero's data is cleaned on the way into the mirror."""

import datetime as dt
import logging
from unittest import mock

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django_htmx.http import HTMX_STOP_POLLING

from integrations.models import XeroConnection, XeroContact, XeroReferenceItem, XeroSyncRun
from integrations.services import xero_sync_request
from integrations.tasks import sync_xero

pytestmark = pytest.mark.django_db

SYNC = "/settings/integrations/xero/sync/"


def latest_run() -> XeroSyncRun:
    return XeroSyncRun.objects.order_by("-created_at", "-pk").first()


def click_sync_now(client, htmx, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(SYNC, **htmx)


# Page flows whose answer must show what the eager sync did use transactional tests: as in
# production, the run is committed and the sync runs (eagerly) before the page is rendered.
page_flow = pytest.mark.django_db(transaction=True)


# --- B5: any unexpected error fails the run -------------------------------------------------------


@page_flow
@pytest.mark.parametrize(
    "body",
    [
        {"Contacts": [{"ContactID": "4b3f0c87-e488-4816-9389-a37585c60345", "UpdatedDateUTC": "garbage"}]},
        {"Contacts": "not a list"},
    ],
    ids=["bad-date", "not-a-list"],
)
def test_malformed_data_from_xero_fails_the_run_and_sync_now_works_again(
    connect, xero_sandbox, owner_client, htmx, django_capture_on_commit_callbacks, caplog, body
):
    connect()
    xero_sandbox.inject_fault(status=200, path="/Contacts", body=body)
    with caplog.at_level(logging.ERROR, logger="integrations.tasks"):
        response = click_sync_now(owner_client, htmx, django_capture_on_commit_callbacks)
    assert response.status_code == 200  # the page's request ends cleanly
    run = latest_run()
    assert run.status == XeroSyncRun.Status.FAILED and run.finished_at
    assert "unexpected problem" in run.message and "sync again now" in run.message
    assert "Sync failed" in response.content.decode()
    logged = [r for r in caplog.records if r.name == "integrations.tasks" and r.exc_info]
    assert logged and f"run {run.pk}" in logged[0].getMessage()  # the traceback is in the log

    # Nothing is left running: Sync now starts a new run at once, and it works.
    response = click_sync_now(owner_client, htmx, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert latest_run().pk != run.pk
    assert latest_run().status == XeroSyncRun.Status.SUCCEEDED


def test_a_database_error_during_a_sync_fails_the_run(
    connect, owner_client, htmx, django_capture_on_commit_callbacks, caplog
):
    connect()
    with (
        mock.patch("integrations.services.sync.contacts_upsert", side_effect=DatabaseError("disk full")),
        caplog.at_level(logging.ERROR, logger="integrations.tasks"),
    ):
        response = click_sync_now(owner_client, htmx, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    run = latest_run()
    assert run.status == XeroSyncRun.Status.FAILED and "unexpected problem" in run.message
    assert "DatabaseError: disk full" in run.error
    assert any(r.exc_info and r.exc_info[0] is DatabaseError for r in caplog.records)
    assert xero_sync_request(practice=run.practice)[1]  # a new sync can start straight away


def test_a_run_left_behind_by_a_dead_worker_does_not_block_syncing(connect, practice):
    connect()
    stuck = XeroSyncRun.objects.create(practice=practice, status=XeroSyncRun.Status.RUNNING)
    XeroSyncRun.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=31))
    run, created = xero_sync_request(practice=practice)
    assert created and run.pk != stuck.pk
    stuck.refresh_from_db()
    assert stuck.status == XeroSyncRun.Status.FAILED and "no progress" in stuck.message


def test_a_queue_that_cannot_be_reached_fails_the_run_not_the_page(
    connect, owner_client, htmx, django_capture_on_commit_callbacks
):
    connect()
    with mock.patch.object(sync_xero, "delay", side_effect=OSError("Connection refused")):
        response = click_sync_now(owner_client, htmx, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    run = latest_run()
    assert run.status == XeroSyncRun.Status.FAILED and "could not be queued" in run.message


# --- B5/B6: retries in eager mode, and giving up ---------------------------------------------------


@page_flow
@pytest.mark.parametrize("status", [429, 503])
def test_sync_now_meeting_xero_busy_or_down_answers_the_page_and_really_retries(
    connect, xero_sandbox, owner_client, htmx, django_capture_on_commit_callbacks, settings, status
):
    connect()
    settings.XERO_HTTP_TIMEOUT = 0.5
    xero_sandbox.inject_fault(status=status, path="/Contacts", count=1, retry_after=20)
    response = click_sync_now(owner_client, htmx, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    run = latest_run()
    assert run.status == XeroSyncRun.Status.WAITING and run.retry_at
    body = response.content.decode()
    assert f"Will retry at {timezone.localtime(run.retry_at):%H:%M}" in body
    assert f'hx-get="{run.get_absolute_url()}"' in body  # the page keeps polling

    # Before the retry is due, polling changes nothing and calls nobody.
    seq = xero_sandbox.calls()[-1]["seq"]
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.get(run.get_absolute_url(), **htmx).status_code == 200
    assert xero_sandbox.calls(since=seq) == []
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.WAITING

    # When it is due, the poll carries the run on, and it finishes.
    XeroSyncRun.objects.filter(pk=run.pk).update(retry_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.get(run.get_absolute_url(), **htmx)
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.SUCCEEDED
    contacts = [c for c in xero_sandbox.calls(area="accounting") if c["path"].endswith("/Contacts")]
    assert [c["status"] for c in contacts][-2:] == [status, 200]
    finished = owner_client.get(run.get_absolute_url(), **htmx)
    assert finished.status_code == HTMX_STOP_POLLING and "Sync finished" in finished.content.decode()


def test_two_polls_at_once_resume_a_due_run_once(connect, practice, django_capture_on_commit_callbacks):
    from integrations.services import xero_sync_resume_if_due

    connect()
    due = timezone.now() - dt.timedelta(seconds=1)
    run = XeroSyncRun.objects.create(practice=practice, status=XeroSyncRun.Status.WAITING, retry_at=due)
    stale_copy = XeroSyncRun.objects.get(pk=run.pk)
    with (
        mock.patch("integrations.services.sync._enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert xero_sync_resume_if_due(run=run)
        assert not xero_sync_resume_if_due(run=stale_copy)  # the other poll lost the race
    assert enqueue.call_count == 1


def test_giving_up_after_the_last_retry_fails_the_run_with_a_reason(
    connect, xero_sandbox, practice, settings
):
    connect()
    settings.XERO_HTTP_TIMEOUT = 0.5
    settings.XERO_SYNC_MAX_RETRIES = 2
    xero_sandbox.inject_fault(status=503, path="/Contacts", count=None)
    run = XeroSyncRun.objects.create(practice=practice)
    assert sync_xero.apply(args=[run.pk]).get() == "waiting"
    assert sync_xero.apply(args=[run.pk]).get() == "waiting"
    assert sync_xero.apply(args=[run.pk]).get() == "gave up"
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.FAILED and run.finished_at
    assert "not answering" in run.message and "Gave up after 3 attempts" in run.message
    assert xero_sync_request(practice=practice)[1]


def test_a_429_retried_until_the_last_retry_fails_the_run(connect, xero_sandbox, practice, settings):
    connect()
    settings.XERO_SYNC_MAX_RETRIES = 0
    xero_sandbox.inject_fault(status=429, path="/Contacts", count=None, retry_after=5)
    run = XeroSyncRun.objects.create(practice=practice)
    assert sync_xero.apply(args=[run.pk]).get() == "gave up"
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.FAILED and "slow down" in run.message


# --- B7: one active run per practice ---------------------------------------------------------------


def test_the_database_allows_one_active_run_per_practice(practice, other_practice):
    XeroSyncRun.objects.create(practice=practice, status=XeroSyncRun.Status.RUNNING)
    XeroSyncRun.objects.create(practice=other_practice, status=XeroSyncRun.Status.QUEUED)  # theirs
    XeroSyncRun.objects.create(practice=practice, status=XeroSyncRun.Status.SUCCEEDED)
    for status in XeroSyncRun.ACTIVE:
        with pytest.raises(IntegrityError), transaction.atomic():
            XeroSyncRun.objects.create(practice=practice, status=status)


def test_a_second_request_joins_the_run_under_way(connect, practice):
    connect()
    run = XeroSyncRun.objects.create(practice=practice, status=XeroSyncRun.Status.WAITING,
                                     retry_at=timezone.now() + dt.timedelta(minutes=1))  # fmt: skip
    assert xero_sync_request(practice=practice) == (run, False)


# --- B9: Xero's text is cleaned and bounded on the way in ------------------------------------------


def test_nul_characters_and_overlong_names_from_xero_are_cleaned_into_the_mirror(connect, xero_sandbox):
    tenant_id = xero_sandbox.seed_scale(contacts=2, invoices=0, name="Nul\x00 Org " + "x" * 300)
    xero_sandbox.create_contact(
        {"Name": "Bad\x00 Name Ltd", "FirstName": "A\x00b", "EmailAddress": "a\x00@example.com"},
        tenant_id=tenant_id,
    )
    connection = connect(tenants=[tenant_id])
    run = latest_run()
    assert run.status == XeroSyncRun.Status.SUCCEEDED, run.error
    contact = XeroContact.objects.get(name="Bad Name Ltd")
    assert contact.first_name == "Ab" and contact.email == "a@example.com"
    assert not [n for n in XeroContact.objects.values_list("name", flat=True) if "\x00" in n]
    assert connection.tenant_name.startswith("Nul Org xxx") and len(connection.tenant_name) == 255
    connection.refresh_from_db()
    assert len(connection.tenant_name) == 255


def test_lone_surrogates_from_xero_are_dropped():
    from integrations.xero.mappers import text

    assert text("Caf\ud800e\x00 Ltd") == "Cafe Ltd"
    assert text(None) == ""


# --- F: reference data is upserted ------------------------------------------------------------------


def test_reference_data_is_upserted_not_deleted_and_reinserted(
    connect, owner_client, htmx, django_capture_on_commit_callbacks
):
    connect()
    before = {(k, c): pk for k, c, pk in XeroReferenceItem.objects.values_list("kind", "code", "pk")}
    assert before
    XeroReferenceItem.objects.filter(kind="tax_rate", code="OUTPUT2").update(name="Stale name")
    gone = XeroReferenceItem.objects.create(
        practice=XeroConnection.objects.get().practice, tenant_id=XeroConnection.objects.get().tenant_id,
        kind="account", code="GONE-FROM-XERO", name="Deleted in Xero",
    )  # fmt: skip
    click_sync_now(owner_client, htmx, django_capture_on_commit_callbacks)
    assert latest_run().status == XeroSyncRun.Status.SUCCEEDED
    after = {(k, c): pk for k, c, pk in XeroReferenceItem.objects.values_list("kind", "code", "pk")}
    assert after == before  # same rows, same primary keys; the one deleted in Xero is gone
    assert not XeroReferenceItem.objects.filter(pk=gone.pk).exists()
    assert XeroReferenceItem.objects.get(kind="tax_rate", code="OUTPUT2").name != "Stale name"


def test_in_eager_mode_a_sync_held_up_by_another_waits_instead_of_failing_the_page(connect, practice):
    from django.core.cache import cache

    connect()
    run = XeroSyncRun.objects.create(practice=practice)
    lock = f"xero-sync:{practice.pk}"
    assert cache.add(lock, -1, timeout=60)  # a sync of another process holds the practice's lock
    try:
        assert sync_xero.apply(args=[run.pk]).get() == "waiting"
    finally:
        cache.delete(lock)
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.WAITING and "Another sync is running" in run.message
