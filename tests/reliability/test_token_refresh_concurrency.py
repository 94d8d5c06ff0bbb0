"""Row: 8 concurrent workers on one connection with an expired access token → 1 refresh, 0 invalid_grant.

The refresh happens under `select_for_update` on the connection row (integrations/services/tokens.py):
only PostgreSQL has row locks, so on SQLite this row skips, and CI (PostgreSQL) fails the skip.
"""

import threading

import pytest
from django.db import connection as db
from django.db import connections

from integrations.models import XeroConnection
from integrations.services import xero_client_for
from tests.integrations.conftest import let_time_pass

WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_8_workers_expired_token__1_refresh_0_invalid_grant(connect, xero_sandbox):
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
    assert len(token_calls) == 1, "exactly 1 refresh"
    invalid_grants = [c for c in token_calls if c["status"] != 200]
    assert invalid_grants == [], "0 invalid_grant"
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.ACTIVE
