"""A real Celery worker consumes the app's own tasks through Redis.

Everything else in the suite runs tasks eagerly; these tests prove the production path works:
task published to Redis → worker thread picks it up → task reads the (committed) rows → the
result comes back through the Redis result backend. They run only when REDIS_URL is set.
"""

import datetime as dt
import time

import pytest
from django.core import mail
from django.utils import timezone

from core.models import Membership, Practice
from jobs.tasks import send_deadline_digests, send_practice_deadline_digest
from tests.factories import CompanyFactory, JobFactory, MembershipFactory, PracticeFactory, UserFactory
from tests.worker.conftest import TIMEOUT

pytestmark = pytest.mark.worker


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
