"""Many processes at once: one rotating refresh token refreshed exactly once; one sync per practice."""

import threading

import pytest
from django.db import connection as db
from django.db import connections
from django.test import Client

from integrations.models import XeroConnection, XeroSyncRun
from integrations.services import xero_client_for
from tests.integrations.conftest import let_time_pass

WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_eight_workers_with_an_expired_token_refresh_exactly_once(connect, xero_sandbox):
    if db.vendor != "postgresql":
        pytest.skip("Row locks (select_for_update) need PostgreSQL; set DATABASE_URL (CI does)")
    connection = connect()
    let_time_pass(xero_sandbox, connection, minutes=31)  # the access token has just expired
    xero_sandbox.clear_calls()
    barrier = threading.Barrier(WORKERS)
    results, errors = [], []

    def worker():
        try:
            mine = XeroConnection.objects.get(pk=connection.pk)  # each worker loads the row itself
            barrier.wait(timeout=10)
            results.append(xero_client_for(connection=mine, interactive=False).organisation_get().name)
        except Exception as exc:  # collected and reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(results) == WORKERS
    token_calls = [c for c in xero_sandbox.calls(area="identity") if c["path"].endswith("/connect/token")]
    assert len(token_calls) == 1
    assert all(c["status"] == 200 for c in token_calls)  # no invalid_grant
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_sync_now_clicks_give_one_run_and_no_error(connect, xero_sandbox, owner, htmx):
    if db.vendor != "postgresql":
        pytest.skip(
            "Concurrent requests need PostgreSQL (SQLite serialises writers); set DATABASE_URL (CI does)"
        )
    connect()
    before = set(XeroSyncRun.objects.values_list("pk", flat=True))  # the connect flow's first sync
    barrier = threading.Barrier(WORKERS)
    statuses, errors = [], []

    def click():
        try:
            browser = Client()
            browser.force_login(owner)
            barrier.wait(timeout=10)
            statuses.append(browser.post("/settings/integrations/xero/sync/", **htmx).status_code)
        except Exception as exc:  # collected and reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert statuses == [200] * WORKERS
    new_runs = XeroSyncRun.objects.exclude(pk__in=before)
    assert new_runs.count() == 1
    assert new_runs.get().status == XeroSyncRun.Status.SUCCEEDED
    assert not XeroSyncRun.objects.filter(status__in=XeroSyncRun.ACTIVE).exists()  # no orphan run
