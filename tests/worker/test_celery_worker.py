"""A real Celery worker consumes the app's own tasks through Redis.

Everything else in the suite runs tasks eagerly; these tests prove the production path works:
task published to Redis → worker thread picks it up → task reads the (committed) rows → the
result comes back through the Redis result backend. They run only when REDIS_URL is set.
"""

import datetime as dt
import os
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone

from core.models import Membership, Practice
from engager.celery import app as celery_app
from jobs.tasks import send_deadline_digests, send_practice_deadline_digest
from tests.factories import CompanyFactory, JobFactory, MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.worker

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


def _wait_for_outbox(count: int) -> list:
    deadline = time.monotonic() + TIMEOUT
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(mail.outbox)


def _practice_with_due_job(name: str, email: str) -> tuple[Practice, object]:
    practice = PracticeFactory(name=name)
    user = MembershipFactory(
        practice=practice, role=Membership.Role.STAFF, user=UserFactory(email=email, first_name="Alex")
    ).user
    client = CompanyFactory(practice=practice, name=f"{name} Client Ltd")
    job = JobFactory(client=client, assignee=user, deadline=timezone.localdate() + dt.timedelta(days=3))
    return practice, job


@pytest.mark.django_db(transaction=True)
def test_worker_sends_a_practice_digest(celery_worker):
    practice, job = _practice_with_due_job("Smith & Co", "alex@smith.example")
    JobFactory(client=job.client, assignee=job.assignee, deadline=timezone.localdate() - dt.timedelta(days=2))

    result = send_practice_deadline_digest.delay(practice.pk)

    assert result.get(timeout=TIMEOUT) == 1
    assert result.status == "SUCCESS"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alex@smith.example"]
    assert message.subject == "Smith & Co: 2 job(s) due this week, 1 overdue"
    # A plain-text email: "&" must stay "&", not the HTML-escaped "&amp;".
    assert f"{job.reference} Annual accounts for Smith & Co Client Ltd" in message.body
    assert "(OVERDUE)" in message.body


@pytest.mark.django_db(transaction=True)
def test_worker_ignores_a_deleted_practice(celery_worker):
    practice = PracticeFactory()
    practice_id = practice.pk
    practice.delete()

    assert send_practice_deadline_digest.delay(practice_id).get(timeout=TIMEOUT) == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_worker_fans_out_one_digest_per_practice(celery_worker):
    _practice_with_due_job("Alpha Accountants", "a@alpha.example")
    _practice_with_due_job("Beta Bookkeeping", "b@beta.example")
    PracticeFactory(name="Quiet Practice")  # no jobs: its digest task runs and sends nothing

    result = send_deadline_digests.delay()

    assert result.get(timeout=TIMEOUT) == Practice.objects.count() == 3
    # The per-practice tasks were published by the worker itself and run after the fan-out.
    sent = _wait_for_outbox(2)
    recipients = sorted(address for message in sent for address in message.to)
    assert recipients == ["a@alpha.example", "b@beta.example"]
