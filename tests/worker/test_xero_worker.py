"""Xero background work on the real Celery worker, through Redis, against the sandbox over HTTP:
retries after a 429, giving up after the last retry, beat's choice of connections, the rate pacer,
the per-practice sync lock in the Redis cache, and the daily connection check."""

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.cache import cache

from integrations.models import XeroConnection, XeroSyncRun
from integrations.services import xero_client_for, xero_sync_request
from integrations.tasks import check_xero_connection, sync_all_xero, sync_xero
from integrations.xero.pacing import MINUTE_RESERVE
from tests.factories import PracticeFactory
from tests.integrations.factories import XeroConnectionFactory
from tests.worker.conftest import TIMEOUT, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def finished(run: XeroSyncRun) -> XeroSyncRun:
    def done():
        run.refresh_from_db()
        return run.is_finished

    wait_for(done)
    return run


def calls_to(sandbox, suffix: str) -> list[dict]:
    return [c for c in sandbox.calls(area="accounting") if c["path"].endswith(suffix)]


@pytest.fixture
def fast_retries(settings):
    """Retries a second apart, so the worker tests wait for real retries without waiting long."""
    settings.XERO_SYNC_RETRY_DELAY = 1
    settings.XERO_HTTP_TIMEOUT = 2


@pytest.fixture
def connected(celery_worker, connect, fast_retries):
    """Connected through the real flow; the first sync ran on the worker and finished."""
    connection = connect()
    finished(XeroSyncRun.objects.get(practice=connection.practice))
    return connection


def test_a_429_then_success(connected, xero_sandbox, practice):
    xero_sandbox.inject_fault(status=429, path="/Contacts", count=1, retry_after=1)
    run, created = xero_sync_request(practice=practice)
    assert created
    finished(run)
    assert run.status == XeroSyncRun.Status.SUCCEEDED, run.message
    assert run.retries == 1
    assert [c["status"] for c in calls_to(xero_sandbox, "/Contacts")][-2:] == [429, 200]


def test_giving_up_after_the_last_retry_marks_the_run_failed(connected, xero_sandbox, practice, settings):
    settings.XERO_SYNC_MAX_RETRIES = 2
    xero_sandbox.clear_calls()
    xero_sandbox.inject_fault(status=503, path="/Contacts", count=None)
    run, _created = xero_sync_request(practice=practice)
    finished(run)
    assert run.status == XeroSyncRun.Status.FAILED
    assert "not answering" in run.message and "Gave up after 3 attempts" in run.message
    assert [c["status"] for c in calls_to(xero_sandbox, "/Contacts")] == [503, 503, 503]
    assert xero_sync_request(practice=practice)[1]  # Sync now works again at once


def test_beat_syncs_connected_practices_only(connected, xero_sandbox, practice):
    disconnected = XeroConnectionFactory(
        practice=PracticeFactory(name="Gone Ltd"), status=XeroConnection.Status.DISCONNECTED
    )
    needs_reconnect = XeroConnectionFactory(
        practice=PracticeFactory(name="Flagged Ltd"), status=XeroConnection.Status.NEEDS_RECONNECT
    )
    assert sync_all_xero.delay().get(timeout=TIMEOUT) == 1
    run = XeroSyncRun.objects.filter(practice=practice).order_by("-created_at", "-pk").first()
    assert finished(run).status == XeroSyncRun.Status.SUCCEEDED
    assert not XeroSyncRun.objects.filter(
        practice__in=[disconnected.practice, needs_reconnect.practice]
    ).exists()


def test_background_syncs_go_through_the_rate_pacer(connected, xero_sandbox, practice):
    # One call (contacts: accounts, tax rates and items are fresh from connecting) leaves exactly the
    # reserve of Xero's minute.
    xero_sandbox.set_rate_limits(per_minute=MINUTE_RESERVE + 1, reset_counters=True)
    xero_sandbox.clear_calls()
    run, _created = xero_sync_request(practice=practice)

    def waiting():
        run.refresh_from_db()
        return run.status == XeroSyncRun.Status.WAITING

    wait_for(waiting)
    assert "slow down" in run.message and run.retries == 1
    calls = xero_sandbox.calls(area="accounting")
    assert len(calls) == 1 and all(c["status"] == 200 for c in calls)  # stopped short: never a 429
    assert not calls_to(xero_sandbox, "/Invoices")
    # People clicking are not held back: the reserve is theirs.
    connection = XeroConnection.objects.get(practice=practice)
    assert xero_client_for(connection=connection).organisation_get().name


def test_the_sync_lock_lives_in_the_redis_cache(connected, practice):
    assert "redis" in django_settings.CACHES["default"]["BACKEND"].lower()
    lock = f"xero-sync:{practice.pk}"
    assert cache.add(lock, -1, timeout=60)  # another worker's sync holds the practice's lock
    try:
        run, _created = xero_sync_request(practice=practice)

        def waiting():
            run.refresh_from_db()
            return run.status == XeroSyncRun.Status.WAITING

        wait_for(waiting)
        assert "Another sync is running" in run.message
    finally:
        cache.delete(lock)
    assert finished(run).status == XeroSyncRun.Status.SUCCEEDED  # the retry found the lock free


def test_a_duplicate_delivery_does_not_run_the_sync_twice(connected, practice):
    run = XeroSyncRun.objects.create(practice=practice, status=XeroSyncRun.Status.RUNNING)
    lock = f"xero-sync:{practice.pk}"
    assert cache.add(lock, run.pk, timeout=60)  # the first delivery is still at it
    try:
        assert sync_xero.delay(run.pk).get(timeout=TIMEOUT) == "already running"
    finally:
        cache.delete(lock)
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.RUNNING and run.retries == 0


def test_daily_check_on_the_worker_flags_a_connection_removed_in_xero(connected, xero_sandbox):
    xero_sandbox.delete_connection(connected.connection_id)
    assert check_xero_connection.delay(connected.pk).get(timeout=TIMEOUT) is False
    connected.refresh_from_db()
    assert connected.status == XeroConnection.Status.NEEDS_RECONNECT
    assert "was removed in Xero" in connected.last_error


def test_daily_check_on_the_worker_flags_unreadable_tokens(connected):
    other_key = Fernet(Fernet.generate_key())
    XeroConnection.objects.filter(pk=connected.pk).update(
        access_token_encrypted=other_key.encrypt(b"a").decode(),
        refresh_token_encrypted=other_key.encrypt(b"r").decode(),
    )
    result = check_xero_connection.delay(connected.pk)
    assert result.get(timeout=TIMEOUT) is False and result.status == "SUCCESS"
    connected.refresh_from_db()
    assert connected.status == XeroConnection.Status.NEEDS_RECONNECT
    assert "XERO_TOKEN_KEY" in connected.last_error
