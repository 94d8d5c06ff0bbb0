"""A real Celery worker for the tests in this folder: a thread consuming a private queue on Redis.

Everything else in the suite runs tasks eagerly; these tests prove the production path works. They
run only when REDIS_URL is set (CI sets it, and ENGAGER_REQUIRE_ALL_TESTS=1 makes a skip a failure).
"""

import os
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from engager.celery import app as celery_app
from tests.integrations.conftest import connect  # noqa: F401 - the Xero tests here connect for real

NO_REDIS = (
    "REDIS_URL is not set: the real Celery worker tests need a Redis broker "
    "(e.g. REDIS_URL=redis://127.0.0.1:6379/0)"
)
TIMEOUT = 30  # seconds; generous for a loaded CI machine, instant in practice


def _reset_connections() -> None:
    """Forget pooled broker connections and the cached result backend (built from older config)."""
    celery_app._pool = None  # (kombu keeps one shared pool per URL: dropping our reference is enough)
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.backend = None


@pytest.fixture
def celery_worker():
    """A real worker in a thread, consuming a queue of its own on the configured Redis.

    The private queue keeps this test from stealing (or being robbed by) any other worker that
    happens to use the same Redis, e.g. a developer's `make worker`.
    """
    if not settings.REDIS_URL:
        if os.environ.get("ENGAGER_REQUIRE_ALL_TESTS") == "1":  # set by .ci/run
            pytest.fail(f"{NO_REDIS} — but ENGAGER_REQUIRE_ALL_TESTS=1 requires the worker tests to run")
        pytest.skip(NO_REDIS)
    queue = f"engager-test-{uuid.uuid4().hex[:12]}"
    overrides = {
        "task_always_eager": False,
        "broker_url": settings.REDIS_URL,
        "result_backend": settings.REDIS_URL,
        "task_default_queue": queue,
        "result_expires": 300,  # the worker tests leave nothing behind in Redis for long
        "worker_hijack_root_logger": False,  # leave pytest's log capture alone
    }
    saved = {key: celery_app.conf[key] for key in overrides}
    celery_app.conf.update(overrides)
    _reset_connections()
    try:
        with start_worker(celery_app, perform_ping_check=False, queues=[queue], shutdown_timeout=30) as w:
            yield w
    finally:
        celery_app.conf.update(saved)
        _reset_connections()
        celery_app.amqp.queues._consume_from = None  # undo the worker's queue selection
        _delete_queue(queue)


def _delete_queue(name: str) -> None:
    """Remove the private queue and its bindings from Redis (kombu only unbinds what it declared)."""
    with celery_app.connection_for_write(settings.REDIS_URL) as conn:
        bound = celery_app.amqp.queues[name](conn.default_channel)
        bound.declare()
        bound.delete()


def wait_for(condition, timeout: float = TIMEOUT, interval: float = 0.05):
    """Poll `condition()` until it returns something truthy (returned), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            assert result, f"still waiting after {timeout} s"
            return result
        time.sleep(interval)
