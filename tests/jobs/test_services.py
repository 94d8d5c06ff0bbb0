import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from jobs.models import Job
from jobs.services import deadline_digest_send, job_create, job_update
from tests.factories import CompanyFactory, JobFactory, MembershipFactory, UserFactory

TODAY = dt.date(2026, 11, 25)


@pytest.mark.django_db
def test_references_count_up_per_practice(practice, other_practice):
    client = CompanyFactory(practice=practice)
    first = job_create(client=client, job_type="vat_return", deadline=TODAY)
    second = job_create(client=client, job_type="payroll", deadline=TODAY)
    elsewhere = job_create(client=CompanyFactory(practice=other_practice), job_type="payroll", deadline=TODAY)
    assert (first.reference, second.reference) == ("JOB-000001", "JOB-000002")
    assert elsewhere.reference == "JOB-000001"


@pytest.mark.django_db
def test_invalid_job_uses_no_number(practice):
    client = CompanyFactory(practice=practice)
    with pytest.raises(ValidationError):
        job_create(client=client, job_type="nonsense", deadline=TODAY)
    with pytest.raises(ValidationError):
        job_create(client=client, job_type="vat_return", deadline=TODAY, fee=Decimal("-1"))
    assert job_create(client=client, job_type="vat_return", deadline=TODAY).reference == "JOB-000001"


@pytest.mark.django_db
def test_assignee_must_be_in_the_practice(practice):
    client = CompanyFactory(practice=practice)
    with pytest.raises(ValidationError):
        job_create(client=client, job_type="vat_return", deadline=TODAY, assignee=UserFactory())


@pytest.mark.django_db
def test_completing_stamps_the_time_and_reopening_clears_it(practice):
    job = JobFactory(client=CompanyFactory(practice=practice))
    job_update(job=job, status=Job.Status.COMPLETED)
    assert job.completed_at is not None and not job.is_open
    job_update(job=job, status=Job.Status.IN_PROGRESS)
    assert job.completed_at is None


@pytest.mark.django_db
def test_deadline_digest_emails_each_assignee_their_week(practice):
    alice = MembershipFactory(practice=practice, user__email="alice@firm.example").user
    bob = MembershipFactory(practice=practice, user__email="bob@firm.example").user
    client = CompanyFactory(practice=practice, name="Acme Widgets Ltd")
    JobFactory(client=client, assignee=alice, deadline=TODAY - dt.timedelta(days=2), job_type="vat_return")
    JobFactory(client=client, assignee=alice, deadline=TODAY + dt.timedelta(days=3))
    JobFactory(client=client, assignee=bob, deadline=TODAY + dt.timedelta(days=30))  # not this week
    JobFactory(client=client, assignee=bob, deadline=TODAY, status=Job.Status.COMPLETED)
    assert deadline_digest_send(practice=practice, today=TODAY) == 1
    (message,) = mail.outbox
    assert message.to == ["alice@firm.example"]
    assert "2 job(s) due this week, 1 overdue" in message.subject
    assert "Acme Widgets Ltd" in message.body and "(OVERDUE)" in message.body
