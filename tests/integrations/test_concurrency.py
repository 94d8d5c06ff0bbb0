"""Many processes at once: one sync per practice. (Eight workers refreshing one rotating token is a row
of the fault matrix: tests/reliability/test_token_refresh_concurrency.py.)"""

import threading

import pytest
from django.db import connection as db
from django.db import connections
from django.test import Client

from integrations.models import XeroSyncRun

WORKERS = 8


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
